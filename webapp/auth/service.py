"""Staff accounts and API tokens: the rules, each change one unit of work recorded in the audit log.

The back office (``webapp.admin.users``, the password page), the login page and the
``flask users`` commands all change accounts through these functions. Each that changes
data is ``@transactional``: it commits when it returns, and an ``AccountError`` (the
message is for the officer, in Indonesian, with the field at fault) rolls it back, so a
refusal changes nothing. Each takes the acting account (``actor``: a view passes
``current_user``, the CLI None, recorded as "sistem"); none reads the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update

from webapp.audit.models import Actor, diff_documents, record
from webapp.auth.models import ApiToken, User
from webapp.auth.throttle import clear_failures
from webapp.core.db import transactional, utcnow
from webapp.core.extensions import db
from webapp.core.policy import ADMIN, ROLES
from webapp.core.units import Unit

WRONG_PASSWORD = "Kata sandi sekarang salah."  # noqa: S105 (a message, not a password)
PASSWORD_NEEDED = "Masukkan kata sandi awal."  # noqa: S105 (a message, not a password)
NAME_TAKEN = "Nama pengguna ini sudah dipakai."
NOT_YOURSELF = "Anda tidak dapat mencabut peran admin atau menonaktifkan akun Anda sendiri."


class AccountError(ValueError):
    """An account change that is refused; ``field`` names the input at fault (shown beside it)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AccountDetails:
    """What an administrator sets on an account. ``password``: empty keeps the one it has."""

    name: str
    role: str
    unit_id: int | None
    active: bool
    password: str = ""


def _snapshot(user: User) -> dict[str, Any]:
    """What the audit log compares before and after a change (never the password).

    The unit is looked up by ``unit_id``: the ``unit`` relationship still holds the old unit
    until the row is reloaded, and the log would miss a move to another unit.
    """
    unit = db.session.get(Unit, user.unit_id) if user.unit_id else None
    return {"name": user.name, "role": user.role, "unit": unit.slug if unit else None, "active": user.active}


def _apply(user: User, details: AccountDetails) -> None:
    user.name = (details.name or "").strip()
    user.role = details.role
    user.unit_id = details.unit_id or None
    if user.active and not details.active:
        user.end_sessions()  # a deactivated account's cookies stay void if it is ever reactivated
    user.active = details.active
    if details.password:
        user.set_password(details.password)


@transactional
def create_account(username: str, details: AccountDetails, *, actor: Actor | None) -> User:
    """A new staff account. Refused (AccountError) without a password or when the name is taken."""
    if not details.password:
        raise AccountError(PASSWORD_NEEDED, "password")
    if User.by_username(username):
        raise AccountError(NAME_TAKEN, "username")
    user = User(username=username.strip())
    _apply(user, details)
    db.session.add(user)
    db.session.flush()
    record("create", "user", user.id, f"Membuat akun {user.username} ({ROLES[user.role]})", unit_id=user.unit_id,
           actor=actor)
    return user


@transactional
def update_account(user: User, details: AccountDetails, *, actor: Actor | None) -> list[dict[str, Any]]:
    """Change an account's name, role, unit, state and (when given) password; returns the changes recorded.

    An administrator never takes its own admin role or deactivates itself (AccountError on
    ``role``): the office would be left without anyone to undo it.
    """
    if actor is not None and user.id == actor.id and (details.role != ADMIN or not details.active):
        raise AccountError(NOT_YOURSELF, "role")
    before = _snapshot(user)
    _apply(user, details)
    changes = diff_documents(before, _snapshot(user))
    if details.password:
        changes.append({"path": "password", "old": None, "new": "diatur ulang"})
    record("update", "user", user.id, f"Mengubah akun {user.username}", changes, user.unit_id, actor=actor)
    return changes


@transactional
def change_own_password(current: str, new: str, *, actor: User) -> None:
    """The actor changes its own password; refused (AccountError on ``current``) when ``current`` is wrong.

    The password fingerprint is part of every session id, so the account's other sessions end.
    """
    if not actor.check_password(current):
        raise AccountError(WRONG_PASSWORD, "current")
    actor.set_password(new)
    record("update", "user", actor.id, f"{actor.username} mengganti kata sandi", actor=actor)


@transactional
def set_up_account(username: str, *, role: str, password: str, name: str = "", unit_id: int | None = None,
                   actor: Actor | None) -> tuple[User, bool]:
    """Create an account, or reset the password and role of an existing one (``flask users create``).

    An existing account keeps its unit unless ``unit_id`` is given (resetting a password must
    not widen it to every unit), and stays inactive if it was. Returns the account and
    whether it was created.
    """
    user = User.by_username(username)
    created = user is None
    if user is None:
        user = User(username=username.strip(), active=True)
        db.session.add(user)
    user.role = role
    user.name = name or user.name or ""
    if created or unit_id is not None:
        user.unit_id = unit_id
    user.set_password(password)
    db.session.flush()
    if created:
        record("create", "user", user.id, f"Membuat akun {user.username} ({ROLES[role]})", unit_id=user.unit_id,
               actor=actor)
    else:
        record("update", "user", user.id, f"Mengatur ulang kata sandi dan peran akun {user.username}",
               [{"path": "password", "old": None, "new": "diatur ulang"}], user.unit_id, actor=actor)
    return user, created


@transactional
def issue_api_token(user: User, label: str, *, actor: Actor | None) -> tuple[ApiToken, str]:
    """A new API token for ``user``; returns it with the plain token, which is shown once and never stored."""
    token, plain = user.issue_token(label)
    db.session.flush()
    record("token", "user", user.id, f"Membuat token API #{token.id} untuk {user.username}", unit_id=user.unit_id,
           actor=actor)
    return token, plain


@transactional
def revoke_api_token(token: ApiToken, *, actor: Actor | None) -> bool:
    """Revoke ``token``; False (and nothing recorded) when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    user = token.user
    record("token", "user", user.id, f"Mencabut token API #{token.id} milik {user.username}", unit_id=user.unit_id,
           actor=actor)
    return True


@transactional
def end_sessions(user: User) -> None:
    """Every login cookie of ``user`` stops working (logout)."""
    user.end_sessions()


@transactional
def note_login(user: User) -> None:
    """A successful login: the account's failed attempts are forgotten, and the moment is noted."""
    clear_failures(user.username)
    user.last_login_at = utcnow()


@transactional
def note_token_use(token_id: int, moment: datetime) -> None:
    """Write when an API token was last used (the caller decides how seldom: not on every API call)."""
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=moment))
