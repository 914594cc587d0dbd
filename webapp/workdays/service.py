"""Counting working days.

A working day is a weekday of ``WORKING_WEEKDAYS`` (Monday to Friday by default) that is
neither an Indonesian national holiday (the ``holidays`` package), nor cuti bersama when
``CUTI_BERSAMA_NONWORKING`` is on (the default: offices close on those days), nor a
closure staff entered.

Calendars are per unit: a unit's calendar counts the office-wide closures and that
unit's own, never another unit's. Every function takes the unit's id (``unit_id``, with
no default, so that no caller forgets it); None is the office-wide calendar, for a
complaint about no unit's service.

"n working days from day D" counts the working days *after* D: a complaint received on
a Monday with a 14-day deadline is due on the Thursday two weeks and three days later
(14 working days with no holiday between), and one received on a Saturday starts
counting on Monday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.audit.models import Actor, record
from webapp.core.db import transactional
from webapp.core.extensions import db
from webapp.core.policy import Account, scoped
from webapp.workdays.models import Closure

# Far enough for any deadline of the seeds (14 working days, 30-day permits) across long holidays.
_SEARCH_LIMIT_DAYS = 3 * 366


@dataclass(frozen=True)
class DayOff:
    """A non-working weekday and why."""

    day: date
    reason: str
    kind: str  # "libur_nasional", "cuti_bersama" or "penutupan"


@lru_cache(maxsize=64)
def _national(year: int, cuti_bersama: bool) -> dict[date, tuple[str, str]]:
    """National holidays of ``year`` (and cuti bersama when asked), with Indonesian names."""
    result: dict[date, tuple[str, str]] = {}
    for day, name in holidays.Indonesia(years=year, language="id").items():
        result[day] = (name, "libur_nasional")
    if cuti_bersama:
        for day, name in holidays.Indonesia(years=year, language="id", categories=("government",)).items():
            result.setdefault(day, (name, "cuti_bersama"))
    return result


_CLOSURES_KEY = "loket.closures"


def _closures(start: date, end: date, unit_id: int | None) -> dict[date, str]:
    """Closures between ``start`` and ``end`` inclusive that bind ``unit_id``: the office-wide ones and its own.

    A list page counts working days for every row, often of several units; the table is
    small, so every unit's closures are read once per database transaction (kept in
    ``session.info``, forgotten at commit or rollback) and picked per unit here.
    """
    every = db.session.info.get(_CLOSURES_KEY)
    if every is None:
        # Office-wide first: when a unit also closed on that day, the office-wide reason is shown.
        every = db.session.execute(select(Closure.day, Closure.unit_id, Closure.reason)
                                   .order_by(Closure.unit_id.is_not(None), Closure.id)).all()
        db.session.info[_CLOSURES_KEY] = every
    found: dict[date, str] = {}
    for day, owner, reason in every:
        if start <= day <= end and (owner is None or owner == unit_id):
            found.setdefault(day, reason)
    return found


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_closures(session: Session) -> None:
    """A closure added or removed is seen by the next transaction."""
    session.info.pop(_CLOSURES_KEY, None)


class WorkCalendar:
    """The working-day calendar of a unit (None: the whole office) for a span of dates, loaded once."""

    def __init__(self, start: date, end: date, weekdays: frozenset[int], cuti_bersama: bool,
                 unit_id: int | None) -> None:
        self.start, self.end = start, end
        self.weekdays = weekdays
        self.days_off: dict[date, DayOff] = {}
        for year in range(start.year, end.year + 1):
            for day, (name, kind) in _national(year, cuti_bersama).items():
                if start <= day <= end:
                    self.days_off[day] = DayOff(day, name, kind)
        for day, reason in _closures(start, end, unit_id).items():
            self.days_off.setdefault(day, DayOff(day, reason, "penutupan"))

    def is_working_day(self, day: date) -> bool:
        """Whether the office serves on ``day``."""
        return day.isoweekday() in self.weekdays and day not in self.days_off


def calendar_for(start: date, end: date, unit_id: int | None) -> WorkCalendar:
    """The calendar of ``unit_id`` (None: the whole office) between two dates, with the app's settings."""
    config = current_app.config
    return WorkCalendar(start, end, config["WORKING_WEEKDAYS"], config["CUTI_BERSAMA_NONWORKING"], unit_id)


def is_working_day(day: date, unit_id: int | None) -> bool:
    """Whether the unit (None: the whole office) serves on ``day``."""
    return calendar_for(day, day, unit_id).is_working_day(day)


def add_working_days(start: date, count: int, unit_id: int | None) -> date:
    """The ``count``-th working day of the unit's calendar after ``start`` (``start`` itself is not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return start
    # Load a span that surely holds the answer: weekends and holidays rarely double it.
    span = count * 2 + 30
    while True:
        calendar = calendar_for(start, start + timedelta(days=span), unit_id)
        day, remaining = start, count
        while day < calendar.end:
            day += timedelta(days=1)
            if calendar.is_working_day(day):
                remaining -= 1
                if remaining == 0:
                    return day
        if span > _SEARCH_LIMIT_DAYS:
            raise ValueError("no working days found: check WORKING_WEEKDAYS and closures")
        span *= 2


def working_days_between(start: date, end: date, unit_id: int | None) -> int:
    """The unit's working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start, unit_id)
    calendar = calendar_for(start, end, unit_id)
    day, count = start, 0
    while day < end:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count


def days_off(start: date, end: date, unit_id: int | None) -> list[DayOff]:
    """The unit's weekday holidays, cuti bersama and closures between two dates, in order (for staff pages)."""
    calendar = calendar_for(start, end, unit_id)
    return sorted(
        (off for off in calendar.days_off.values() if off.day.isoweekday() in calendar.weekdays),
        key=lambda off: off.day,
    )


# --- closures entered by staff ---------------------------------------------------------------------


class ClosureError(ValueError):
    """A closure that cannot be recorded; the message is for the officer, in Indonesian."""


def _whom(closure: Closure) -> str:
    """Whom a closure binds, as staff read it."""
    return closure.unit.short_name if closure.unit else "seluruh kantor"


@transactional
def add_closure(day: date, reason: str, unit_id: int | None, *, actor: Actor | None) -> Closure:
    """Record that ``unit_id`` (None: the whole office) is closed on ``day``; one unit of work, in the audit log.

    A second closure of the same unit (or a second office-wide one) on one day is refused
    (ClosureError; nothing is saved). A unit's closure may share its day with an office-wide
    one: each stands for its own reason, and the unit stays closed if the office-wide one is
    withdrawn. Who may close for whom is the policy's (``closure.manage``), asked by the view.
    """
    closure = Closure(day=day, reason=reason.strip(), unit_id=unit_id)
    # The unique constraint and index decide, in a savepoint: two officers saving the same
    # day at once get one closure and one message, never an error page.
    try:
        with db.session.begin_nested():
            db.session.add(closure)
    except IntegrityError:
        raise ClosureError("Tanggal ini sudah tercatat sebagai hari tutup.") from None
    record("create", "closure", closure.id,
           f"Hari tutup {closure.day.isoformat()} ({_whom(closure)}): {closure.reason}",
           unit_id=closure.unit_id, actor=actor)
    return closure


@transactional
def delete_closure(closure: Closure, *, actor: Actor | None) -> None:
    """Remove a closure entered by mistake; one unit of work, in the audit log (who may: the view asks the policy)."""
    record("update", "closure", closure.id,
           f"Hapus hari tutup {closure.day.isoformat()} ({_whom(closure)}): {closure.reason}",
           unit_id=closure.unit_id, actor=actor)
    db.session.delete(closure)


def closures_in(user: Account, year: int) -> list[Closure]:
    """The closures of ``year`` ``user`` sees: all for a global account; else the office-wide ones and its unit's."""
    statement = (select(Closure).options(selectinload(Closure.unit))
                 .where(Closure.day.between(date(year, 1, 1), date(year, 12, 31)))
                 .order_by(Closure.day, Closure.unit_id.is_not(None), Closure.id))
    return list(db.session.scalars(scoped(user, statement, Closure.unit_id)))
