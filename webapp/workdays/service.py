"""Counting working days.

A working day is a weekday of ``WORKING_WEEKDAYS`` (Monday to Friday by default) that is
neither an Indonesian national holiday (the ``holidays`` package), nor cuti bersama when
``CUTI_BERSAMA_NONWORKING`` is on (the default: offices close on those days), nor a
closure the admin entered.

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
from sqlalchemy.orm import Session

from webapp.core.extensions import db
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


def _closures(start: date, end: date) -> dict[date, str]:
    """Closures the admin entered between ``start`` and ``end`` inclusive.

    A list page counts working days for every row; the table is small, so it is read once
    per database transaction (kept in ``session.info``, forgotten at commit or rollback).
    """
    every = db.session.info.get(_CLOSURES_KEY)
    if every is None:
        every = {row.day: row.reason for row in db.session.execute(select(Closure.day, Closure.reason))}
        db.session.info[_CLOSURES_KEY] = every
    return {day: reason for day, reason in every.items() if start <= day <= end}


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_closures(session: Session) -> None:
    """A closure added or removed is seen by the next transaction."""
    session.info.pop(_CLOSURES_KEY, None)


class WorkCalendar:
    """The working-day calendar for a span of dates, loaded once (one closure query)."""

    def __init__(self, start: date, end: date, weekdays: frozenset[int], cuti_bersama: bool) -> None:
        self.start, self.end = start, end
        self.weekdays = weekdays
        self.days_off: dict[date, DayOff] = {}
        for year in range(start.year, end.year + 1):
            for day, (name, kind) in _national(year, cuti_bersama).items():
                if start <= day <= end:
                    self.days_off[day] = DayOff(day, name, kind)
        for day, reason in _closures(start, end).items():
            self.days_off.setdefault(day, DayOff(day, reason, "penutupan"))

    def is_working_day(self, day: date) -> bool:
        """Whether the office serves on ``day``."""
        return day.isoweekday() in self.weekdays and day not in self.days_off


def calendar_for(start: date, end: date) -> WorkCalendar:
    """The calendar of the current app's settings between two dates."""
    config = current_app.config
    return WorkCalendar(start, end, config["WORKING_WEEKDAYS"], config["CUTI_BERSAMA_NONWORKING"])


def is_working_day(day: date) -> bool:
    """Whether the office serves on ``day``."""
    return calendar_for(day, day).is_working_day(day)


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return start
    # Load a span that surely holds the answer: weekends and holidays rarely double it.
    span = count * 2 + 30
    while True:
        calendar = calendar_for(start, start + timedelta(days=span))
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


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    calendar = calendar_for(start, end)
    day, count = start, 0
    while day < end:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count


def days_off(start: date, end: date) -> list[DayOff]:
    """Weekday holidays, cuti bersama and closures between two dates, in order (for staff pages)."""
    calendar = calendar_for(start, end)
    return sorted(
        (off for off in calendar.days_off.values() if off.day.isoweekday() in calendar.weekdays),
        key=lambda off: off.day,
    )
