"""What every figure family of the dashboard shares: the scope (a unit or every unit), local dates and hours in
SQL on both databases, percentiles, and the public rule that no figure comes from fewer than 5 cases.

**Local time in SQL.** Moments are stored in UTC. PostgreSQL turns them into the unit's wall clock with
``timezone(zone, column)``. SQLite has no zone database, so it adds the zone's offset in minutes
(``datetime(column, '+420 minutes')``): Indonesia's zones (WIB, WITA, WIT) keep no daylight saving time, so
one offset is right all year. A zone with daylight saving time would be off by an hour in summer on SQLite
only; production runs PostgreSQL.

**Percentiles.** PostgreSQL computes ``percentile_cont`` (linear interpolation between the two nearest
ranks). SQLite has no ordered-set aggregates: the fallback reads the group's values, sorted by the database,
and interpolates the same way in Python (``percentile_cont`` below), so both databases give the same figure
for the same rows. A year of one unit's tickets is about 100,000 numbers: read once, in one query.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, cast, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from webapp.core.db import dialect_name
from webapp.core.extensions import db
from webapp.core.localtime import local_now, zone
from webapp.core.units import Unit

# A public figure from fewer cases than this is shown as "< 5" (a small count can point to a person).
MIN_CASES = 5
SUPPRESSED = "< 5"


@dataclass(frozen=True)
class Scope:
    """Whose rows a figure counts: one unit, or every unit (a global account's "Semua instansi")."""

    unit: Unit | None

    @property
    def label(self) -> str:
        """The unit's short name, or "Semua instansi"."""
        return self.unit.short_name if self.unit is not None else "Semua instansi"

    def where(self, column: Any) -> list[ColumnElement[bool]]:
        """The condition that keeps the scope's rows (none for every unit)."""
        return [] if self.unit is None else [column == self.unit.id]

    def offset_minutes(self) -> int:
        """The zone's offset from UTC in minutes (Indonesia has no daylight saving time; see the module note)."""
        offset = local_now(self.unit).utcoffset()
        return int(offset.total_seconds() // 60) if offset else 0

    def zone_name(self) -> str:
        """The IANA name of the scope's zone (the unit's, or the office's setting)."""
        return str(zone(self.unit))


def local_timestamp(scope: Scope, column: Any) -> Any:
    """``column`` (a UTC moment) on the scope's wall clock, as a timestamp the database can take apart."""
    if dialect_name() == "postgresql":
        return func.timezone(scope.zone_name(), column)
    return func.datetime(column, f"{scope.offset_minutes():+d} minutes")


def local_date(scope: Scope, column: Any) -> Any:
    """The local date of a UTC moment, comparable with a Date column on both databases."""
    if dialect_name() == "postgresql":
        return cast(func.timezone(scope.zone_name(), column), Date)
    return func.date(column, f"{scope.offset_minutes():+d} minutes")


def local_hour(scope: Scope, column: Any) -> Any:
    """The local hour of day (0..23) of a UTC moment, as an integer."""
    if dialect_name() == "postgresql":
        # date_part answers a double; EXTRACT a numeric, about three times slower over a year of tickets.
        return cast(func.date_part("hour", local_timestamp(scope, column)), db.Integer)
    return cast(func.strftime("%H", column, f"{scope.offset_minutes():+d} minutes"), db.Integer)


def weekday(day_column: Any) -> Any:
    """The ISO weekday (1 Monday .. 7 Sunday) of a local date column."""
    if dialect_name() == "postgresql":
        return cast(func.date_part("isodow", day_column), db.Integer)
    # SQLite's %w is 0 for Sunday: (w + 6) % 7 + 1 makes Monday 1 and Sunday 7.
    return (cast(func.strftime("%w", day_column), db.Integer) + 6) % 7 + 1


def minutes_between(start: Any, end: Any) -> Any:
    """Minutes from ``start`` to ``end`` (two UTC moments), as a float expression."""
    if dialect_name() == "postgresql":
        return func.date_part("epoch", end - start) / 60.0
    return (func.julianday(end) - func.julianday(start)) * 1440.0


def day_key(value: Any) -> date:
    """A date read back from SQL: PostgreSQL gives a date, SQLite the text ``YYYY-MM-DD``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def percentile_cont(ordered: Sequence[float], share: float) -> float | None:
    """PostgreSQL's ``percentile_cont``: linear interpolation between the nearest ranks of sorted values."""
    if not ordered:
        return None
    position = share * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def grouped_percentiles(keys: Sequence[Any], value: Any, conditions: Sequence[Any],
                        shares: Sequence[float]) -> dict[tuple, list[float | None]]:
    """Per group of ``keys``: the ``shares`` percentiles (0.5, 0.9 ...) of ``value`` over the rows ``conditions`` keep.

    One query on each database: ``percentile_cont`` on PostgreSQL; on SQLite the sorted values and the same
    interpolation in Python (see the module note). Rows whose value is NULL are left out.
    """
    return {key: found[1] for key, found in grouped_figures(keys, value, conditions, shares).items()}


def grouped_figures(keys: Sequence[Any], value: Any, conditions: Sequence[Any], shares: Sequence[float],
                    aggregates: Sequence[Any] = ()) -> dict[tuple, tuple[list[Any], list[float | None]]]:
    """Per group of ``keys``: ``aggregates`` (counts, sums ...) over the rows ``conditions`` keep, and the
    ``shares`` percentiles of ``value`` (NULL values left out, as ``percentile_cont`` does).

    PostgreSQL reads the rows once, aggregates and percentiles in one statement. SQLite runs the aggregates,
    then reads the sorted values for the percentiles (see the module note).
    """
    found: dict[tuple, tuple[list[Any], list[float | None]]] = {}
    if dialect_name() == "postgresql":
        columns = [func.percentile_cont(share).within_group(cast(value, Float)) for share in shares]
        statement = select(*keys, *aggregates, *columns).where(*conditions)
        if keys:
            statement = statement.group_by(*keys)
        width = len(keys) + len(aggregates)
        for row in db.session.execute(statement):
            found[tuple(row[: len(keys)])] = (list(row[len(keys):width]),
                                              [None if v is None else float(v) for v in row[width:]])
        return found
    if aggregates:
        statement = select(*keys, *aggregates).where(*conditions)
        if keys:
            statement = statement.group_by(*keys)
        for row in db.session.execute(statement):
            found[tuple(row[: len(keys)])] = (list(row[len(keys):]), [None] * len(shares))
    grouped: dict[tuple, list[float]] = defaultdict(list)
    statement = select(*keys, value.label("v")).where(*conditions, value.is_not(None))
    for row in db.session.execute(statement.order_by(*keys, literal_column("v"))):
        grouped[tuple(row[: len(keys)])].append(float(row[-1]))
    for key, values in grouped.items():
        found[key] = (found.get(key, ([None] * len(aggregates), []))[0],
                      [percentile_cont(values, share) for share in shares])
    for key, (extra, percentiles) in found.items():
        if not percentiles:
            found[key] = (extra, [None] * len(shares))
    return found


def public(count: int | None, value: Any = None) -> dict[str, Any]:
    """A figure for the public: its count and value, or both withheld ("< 5") when fewer than 5 cases count."""
    if count is None or count < MIN_CASES:
        return {"count": None, "value": None, "suppressed": True}
    return {"count": count, "value": value, "suppressed": False}


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a fraction 0..1 (None of nothing)."""
    return part / whole if whole else None


def change(now: float | None, before: float | None) -> float | None:
    """The difference against the previous period (None when either is missing)."""
    return None if now is None or before is None else now - before
