"""The /antrian Socket.IO namespace: rooms per unit, a snapshot on join, `state` and `called` events.

The database is the source of truth; events only tell clients that it changed. Every
event carries the unit's queue version; a client that sees a gap, or reconnects, emits
`join` again and gets a fresh snapshot. See docs/realtime.md.
"""

from __future__ import annotations

from typing import Any

from flask_socketio import emit, join_room

from antrian.models import Ticket
from antrian.service import snapshot, ticket_by_token, ticket_view
from webapp.extensions import socketio
from webapp.standards.models import Unit

NAMESPACE = "/antrian"


def unit_room(unit: Unit) -> str:
    """The room of a unit's displays, counters and phones."""
    return f"unit:{unit.slug}"


@socketio.on("join", namespace=NAMESPACE)
def on_join(data: Any) -> None:
    """A display joins with {"unit": SLUG}; a phone with {"ticket": TOKEN}. Both get a snapshot."""
    data = data if isinstance(data, dict) else {}
    ticket = ticket_by_token(str(data["ticket"])) if data.get("ticket") else None
    unit = ticket.queue_service.unit if ticket else Unit.by_slug(str(data.get("unit") or ""))
    if unit is None:
        emit("error", {"message": "Instansi atau tiket tidak ditemukan."})
        return
    join_room(unit_room(unit))
    state = snapshot(unit)
    if ticket is not None:
        state["ticket"] = ticket_view(ticket)
    emit("snapshot", state)


def publish_change(unit: Unit, called: Ticket | None = None) -> None:
    """Tell the unit's room that its queue changed (after the commit), announcing a call first."""
    state = snapshot(unit)
    room = unit_room(unit)
    if called is not None:
        socketio.emit(
            "called",
            {
                "version": state["version"],
                "number": called.number,
                "service": {"code": called.queue_service.code, "name": called.queue_service.name},
                "counter": {"number": called.counter.number, "name": called.counter.name} if called.counter else None,
                "call_count": called.call_count,
            },
            to=room,
            namespace=NAMESPACE,
        )
    socketio.emit("state", state, to=room, namespace=NAMESPACE)
