"""The one local-time API: every clock of a unit follows the unit's own time zone.

A unit's ``timezone`` (Kampar and Pekanbaru are WIB; a unit in Bali is WITA) decides its
day: ticket numbers restart at its midnight, complaint deadlines count from its date,
reports print its hours. Without a unit (a page about no unit in particular) the office's
``TIMEZONE`` setting decides. Moments are stored in UTC (``webapp.core.db.UtcDateTime``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import current_app

from webapp.core.db import as_utc, utcnow


class HasTimezone(Protocol):
    """Anything with a ``timezone`` name: a Unit."""

    timezone: str | None


def zone(unit: HasTimezone | None = None) -> ZoneInfo:
    """The time zone of ``unit``, or the office's (setting TIMEZONE) without one."""
    name = getattr(unit, "timezone", None) or current_app.config["TIMEZONE"]
    return ZoneInfo(name)


def local_time(moment: datetime, unit: HasTimezone | None = None) -> datetime:
    """``moment`` (naive means UTC) on the wall clock of ``unit``."""
    return as_utc(moment).astimezone(zone(unit))


def local_now(unit: HasTimezone | None = None, now: datetime | None = None) -> datetime:
    """The wall-clock time of ``unit`` now (``now``, an aware or UTC moment, may be given by tests)."""
    return local_time(now or utcnow(), unit)


def local_today(unit: HasTimezone | None = None, now: datetime | None = None) -> date:
    """The date of ``unit`` now."""
    return local_now(unit, now).date()


def local_moment(day: date, at: time, unit: HasTimezone | None = None) -> datetime:
    """The aware moment of ``at`` on ``day`` on the wall clock of ``unit``."""
    return datetime.combine(day, at, zone(unit))
