"""Staff accounts, API tokens and the record of failed logins."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import lru_cache

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.core.db import UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.units import Unit

TOKEN_PREFIX = "loket_"  # noqa: S105 (a prefix that makes leaked tokens easy to spot, not a secret)


def hash_token(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


def equalise_timing(password: str) -> None:
    """Spend the time of a password check, so that unknown user names answer as slowly as known ones."""
    check_password_hash(_dummy_hash(), password)


class User(UserMixin, db.Model):
    """A staff account. ``unit_id`` set limits the account to that unit."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32))
    # RESTRICT: a unit with accounts cannot vanish, since an account without a unit sees every unit.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Part of the session id: raised by logout, a password change and deactivation, so that every
    # copy of an older login cookie stops working (security L1).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    unit: Mapped[Unit | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def display_name(self) -> str:
        """The name to show in the staff UI and the audit log."""
        return self.name or self.username

    @property
    def password_fingerprint(self) -> str:
        """Part of the session id: changing the password ends every other session."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:  # Flask-Login stores this in the session
        return f"{self.id}:{self.password_fingerprint}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Make every login cookie of this account void (it carries the old version)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        """Store a slow (scrypt) hash of ``password``; the account's sessions end."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        if self.id is not None:
            self.end_sessions()

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def issue_token(self, label: str = "") -> tuple[ApiToken, str]:
        """Create an API token; the plain token is returned once and only its hash is kept."""
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(user=self, token_hash=hash_token(plain), label=label or "", hint=plain[-4:])
        db.session.add(token)
        return token, plain

    @classmethod
    def by_username(cls, username: str) -> User | None:
        """The account with this user name (case-insensitive), or None."""
        return db.session.scalar(select(cls).where(db.func.lower(cls.username) == username.strip().lower()))


class ApiToken(db.Model):
    """A bearer token for the JSON API, stored hashed; revoked tokens stay for the record."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    hint: Mapped[str] = mapped_column(String(8), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginFailure(db.Model):
    """One login attempt, written before the password is checked and deleted if it succeeds: what
    stays is a failure, by account name, address and known browser; old rows are pruned as they age out."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    # The known browser the attempt came from (webapp.auth.throttle), or None for a stranger.
    device: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
