"""Slowing down, then refusing, repeated failed logins for an account or an address.

After a few free failures each further attempt must wait longer (1, 2, 4 … 60 s after
the last failure); after many failures within the window the account or address is
refused until the window has passed. Kept in the database, so every server process
agrees. An office's visitors and staff often share one public address, so the address
limit is far higher than the account limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from webapp.auth.models import LoginFailure
from webapp.core.db import transactional
from webapp.core.extensions import db

FREE_FAILURES = 3
MAX_BACKOFF = timedelta(seconds=60)
WINDOW = timedelta(minutes=15)
ACCOUNT_LOCK_AFTER = 10
ADDRESS_LOCK_AFTER = 50


@dataclass(frozen=True)
class Verdict:
    """Whether a login may be tried now, and if not, for how many seconds to wait."""

    wait_seconds: int
    locked: bool

    @property
    def allowed(self) -> bool:
        """True when the attempt may go ahead."""
        return self.wait_seconds <= 0


def _wait_for(failures: list[datetime], lock_after: int, now: datetime, free: int = FREE_FAILURES) -> Verdict:
    count = len(failures)
    if count <= free:
        return Verdict(0, False)
    last = max(failures)
    if count >= lock_after:
        return Verdict(int((last + WINDOW - now).total_seconds()) + 1, True)
    backoff = min(timedelta(seconds=2 ** (count - FREE_FAILURES - 1)), MAX_BACKOFF)
    return Verdict(max(0, int((last + backoff - now).total_seconds() + 0.999)), False)


def login_verdict(username: str, address: str, now: datetime | None = None) -> Verdict:
    """May ``username`` try to log in from ``address`` now?"""
    now = now or datetime.now(UTC)
    since = now - WINDOW
    by_account = db.session.scalars(
        select(LoginFailure.at).where(LoginFailure.username == username.lower(), LoginFailure.at >= since)
    ).all()
    by_address = db.session.scalars(
        select(LoginFailure.at).where(LoginFailure.address == address, LoginFailure.at >= since)
    ).all()
    verdicts = [
        _wait_for(list(by_account), ACCOUNT_LOCK_AFTER, now),
        # An address is only ever locked, never slowed: a whole office may share it.
        _wait_for(list(by_address), ADDRESS_LOCK_AFTER, now, free=ADDRESS_LOCK_AFTER - 1),
    ]
    return max(verdicts, key=lambda v: (v.wait_seconds, v.locked))


@transactional
def record_failure(username: str, address: str, now: datetime | None = None) -> None:
    """Remember a failed login, and forget failures older than the window (one unit of work)."""
    now = now or datetime.now(UTC)
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - WINDOW))
    db.session.add(LoginFailure(username=username.lower()[:64], address=address[:64], at=now))


@transactional
def clear_failures(username: str) -> None:
    """A successful login wipes the account's failures (not the address's)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username.lower()))
