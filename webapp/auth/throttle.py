"""Slowing down, then refusing, repeated failed logins for an account or an address.

After a few free failures each further attempt must wait longer (1, 2, 4 … 60 s after
the last failure); after many failures within the window the account or address is
refused until the window has passed. Kept in the database, so every server process
agrees. An office's visitors and staff often share one public address, so the address
limit is far higher than the account limit.

Concurrency (security M2): an attempt is written, and committed, *before* its password is
checked (``begin_attempt``), and the verdict counts every other attempt already committed.
The k-th attempt to commit sees at least k - 1 others, so of 20 attempts sent at once at
most FREE_FAILURES + 1 get a password check; the rest wait or are refused. A refused attempt
is withdrawn, a successful login deletes the account's attempts, and a failed one stays as
the failure.

Strangers cannot lock staff out (security I1): a browser that has logged in to an account
before carries a signed "known browser" cookie for it (``KNOWN_BROWSER_COOKIE``). Its
attempts are counted by themselves, apart from everybody else's, and the address lock does
not apply to it. Ten wrong passwords from strangers lock the account for strangers only: the
officer's own browser still logs in, and a stolen known-browser cookie buys no more guesses
than a stranger gets. We chose this over a lock per account and address because a lock per
address lets a botnet of many addresses guess without end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

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


def login_verdict(
    username: str,
    address: str,
    now: datetime | None = None,
    *,
    device: str | None = None,
    besides: int | None = None,
) -> Verdict:
    """May ``username`` try to log in from ``address`` now (from the known browser ``device``, if any)?

    ``besides`` is the id of the attempt asking, which does not count against itself.
    """
    now = now or datetime.now(UTC)
    since = now - WINDOW
    others = (LoginFailure.at >= since) & (LoginFailure.id != (besides if besides is not None else -1))
    own_browser = LoginFailure.device == device if device else LoginFailure.device.is_(None)
    by_account = db.session.scalars(
        select(LoginFailure.at).where(LoginFailure.username == username.lower()[:64], own_browser, others)
    ).all()
    verdicts = [_wait_for(list(by_account), ACCOUNT_LOCK_AFTER, now)]
    if not device:  # a known browser is not locked with the strangers who share its address
        by_address = db.session.scalars(
            select(LoginFailure.at).where(LoginFailure.address == address[:64], others)
        ).all()
        # An address is only ever locked, never slowed: a whole office may share it.
        verdicts.append(_wait_for(list(by_address), ADDRESS_LOCK_AFTER, now, free=ADDRESS_LOCK_AFTER - 1))
    return max(verdicts, key=lambda v: (v.wait_seconds, v.locked))


@transactional
def record_failure(username: str, address: str, now: datetime | None = None, *, device: str | None = None) -> int:
    """Remember a login attempt (a failure until withdrawn or cleared), and forget attempts older than the
    window (one unit of work). Returns the attempt's id."""
    now = now or datetime.now(UTC)
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - WINDOW))
    attempt = LoginFailure(username=username.lower()[:64], address=address[:64], device=device, at=now)
    db.session.add(attempt)
    db.session.flush()
    return attempt.id


def begin_attempt(username: str, address: str, device: str | None = None) -> tuple[int, Verdict]:
    """Count a login attempt before its password is checked: write it and commit, then judge it by the
    attempts committed before (see the module's docstring). Returns the attempt's id and the verdict;
    withdraw a refused attempt with ``withdraw_attempt``."""
    now = datetime.now(UTC)
    attempt_id = record_failure(username, address, now, device=device)
    return attempt_id, login_verdict(username, address, now, device=device, besides=attempt_id)


@transactional
def withdraw_attempt(attempt_id: int) -> None:
    """Forget an attempt that was refused before its password was checked."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))


def failures_of(username: str) -> int:
    """How many failed attempts of ``username`` are remembered (for tests and the operator)."""
    return db.session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.username == username.lower()[:64])
    ) or 0


@transactional
def clear_failures(username: str) -> None:
    """A successful login wipes the account's failures (not the address's)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username.lower()[:64]))
