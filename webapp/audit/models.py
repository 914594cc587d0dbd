"""Audit events and the function that records them.

The log depends on the core only: it names the acting account by what it copies of it
(``Actor``: an id and a user name), so any feature may record, and none is imported here.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import JsonType, UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.units import Unit

MAX_CHANGES = 200
SYSTEM = "sistem"  # the name recorded for a change no account made (the CLI, demo data, a scheduled job)


class Actor(Protocol):
    """What the log copies of the account that acts (``webapp.auth.models.User``): its id and user name."""

    id: int
    username: str


class AuditEvent(db.Model):
    """One recorded change. The user name is copied, so the record outlives the account."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    username: Mapped[str] = mapped_column(String(64), default=SYSTEM)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(40), index=True)
    object_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)

    unit: Mapped[Unit | None] = relationship()


ACTIONS: dict[str, str] = {
    "create": "membuat",
    "update": "mengubah",
    "publish": "menerbitkan",
    "restore": "memulihkan",
    "discard": "membuang draf",
    "import": "mengimpor",
    "login": "masuk",
    "token": "token API",
}


def record(
    action: str,
    object_type: str,
    object_id: int | None,
    summary: str,
    changes: list[dict[str, Any]] | None = None,
    unit_id: int | None = None,
    *,
    actor: Actor | None,
) -> AuditEvent:
    """Add an audit event to the session (the caller commits with the change itself).

    ``actor`` is the account that made the change (a view passes ``current_user``), None for
    the system (the CLI, demo data). It is required, so that no caller forgets to say who acted.
    """
    event = AuditEvent(
        user_id=actor.id if actor is not None else None,
        username=actor.username if actor is not None else SYSTEM,
        unit_id=unit_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        # Dates and times become their ISO text: the record is JSON.
        changes=json.loads(json.dumps((changes or [])[:MAX_CHANGES], default=str)),
    )
    db.session.add(event)
    return event


def diff_documents(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """Field-level differences between two JSON-like values, as ``{"path", "old", "new"}``."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[dict[str, Any]] = []
        for key in list(old) + [k for k in new if k not in old]:
            changes += diff_documents(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))
        return changes
    if isinstance(old, list) and isinstance(new, list) and old != new:
        if all(not isinstance(v, dict | list) for v in old + new):
            return [{"path": path, "old": old, "new": new}]
        changes = []
        for index in range(max(len(old), len(new))):
            changes += diff_documents(
                old[index] if index < len(old) else None,
                new[index] if index < len(new) else None,
                f"{path}[{index + 1}]",
            )
        return changes
    return [] if old == new else [{"path": path, "old": old, "new": new}]
