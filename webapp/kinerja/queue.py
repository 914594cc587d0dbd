"""Queue figures: today live (per line, waits against the target, counters), and a period's series, heatmap and
average wait per line. Counted by the database (see ``webapp.kinerja.common`` for time and percentiles).

Words: a ticket's *wait* runs from taking the number (for an early booked visitor, from the slot's start:
``Ticket.wait_start``) to its first call (a cancelled ticket has none). A
*no-show* is a skipped ticket. A counter is *open* today when it called at least one ticket today, and *idle*
when it is open but holds no called or served ticket now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, select, tuple_

from antrian.models import Counter, QueueService, Ticket
from webapp.core.db import dialect_name
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.core.units import Unit
from webapp.kinerja.common import (
    Scope,
    day_key,
    grouped_figures,
    grouped_percentiles,
    local_hour,
    minutes_between,
    weekday,
)

WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def _wait() -> Any:
    # Built per call: the expression depends on the session's database. From Ticket.wait_start, not issued_at:
    # a booked visitor's early check-in is not the office's delay (the staff statistics count the same way).
    return minutes_between(Ticket.wait_start, Ticket.called_at)


@dataclass
class LineToday:
    """One queue line today."""

    code: str
    name: str
    issued: int = 0
    waiting: int = 0
    served: int = 0
    no_show: int = 0
    p50: float | None = None
    p90: float | None = None


@dataclass
class QueueToday:
    """The queue of the scope today: per line, the waits of today's calls, and the counters."""

    day: date
    target: int
    lines: list[LineToday] = field(default_factory=list)
    p50: float | None = None
    p90: float | None = None
    counters_open: int = 0
    counters_idle: int = 0
    counters_total: int = 0

    @property
    def totals(self) -> LineToday:
        """Every line added up."""
        total = LineToday("", "Semua")
        for line in self.lines:
            total.issued += line.issued
            total.waiting += line.waiting
            total.served += line.served
            total.no_show += line.no_show
        total.p50, total.p90 = self.p50, self.p90
        return total


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _set_totals(result: QueuePeriod, totals: list[Any], shares: list[Any]) -> None:
    """Tickets, served, no-shows, the mean wait and its p50 and p90, from one row of aggregates."""
    result.tickets, result.served, result.no_show = int(totals[0] or 0), int(totals[2] or 0), int(totals[3] or 0)
    result.mean = _float(totals[4])
    result.p50, result.p90 = _float(shares[0]), _float(shares[1])


def _line_name(scope: Scope) -> Any:
    """A line's name; with every unit in view, the unit's short name after it (each unit has its line A)."""
    if scope.unit is not None:
        return QueueService.name
    return QueueService.name + " (" + Unit.short_name + ")"


def _status_counts() -> list[Any]:
    return [
        func.count(Ticket.id),
        func.sum(case((Ticket.status == Ticket.WAITING, 1), else_=0)),
        func.sum(case((Ticket.status == Ticket.DONE, 1), else_=0)),
        func.sum(case((Ticket.status == Ticket.SKIPPED, 1), else_=0)),
    ]


def today(scope: Scope, target_minutes: int, now: datetime | None = None) -> QueueToday:
    """Tickets issued, waiting, served and no-show per line; wait p50/p90 of today's calls; counters open and idle."""
    day = local_today(scope.unit, now)
    result = QueueToday(day=day, target=target_minutes)
    on_day = [*scope.where(Ticket.unit_id), Ticket.day == day]
    lines = db.session.execute(
        select(QueueService.id, QueueService.code, _line_name(scope))
        .join(Unit, Unit.id == QueueService.unit_id)
        .where(*scope.where(QueueService.unit_id), QueueService.active.is_(True))
        .order_by(QueueService.unit_id, QueueService.position, QueueService.code)
    ).all()
    counts = {row[0]: row[1:] for row in db.session.execute(
        select(Ticket.queue_service_id, *_status_counts()).where(*on_day).group_by(Ticket.queue_service_id))}
    waits = grouped_percentiles([Ticket.queue_service_id], _wait(), on_day, (0.5, 0.9))
    for line_id, code, name in lines:
        issued, waiting, served, no_show = counts.get(line_id, (0, 0, 0, 0))
        p50, p90 = waits.get((line_id,), [None, None])
        result.lines.append(LineToday(code, name, int(issued or 0), int(waiting or 0), int(served or 0),
                                      int(no_show or 0), p50, p90))
    overall = grouped_percentiles([], _wait(), on_day, (0.5, 0.9)).get((), [None, None])
    result.p50, result.p90 = overall
    result.counters_total = db.session.scalar(
        select(func.count(Counter.id)).where(*scope.where(Counter.unit_id), Counter.active.is_(True))) or 0
    result.counters_open = db.session.scalar(
        select(func.count(func.distinct(Ticket.counter_id))).where(*on_day, Ticket.counter_id.is_not(None))) or 0
    busy = db.session.scalar(select(func.count(func.distinct(Ticket.counter_id))).where(
        *on_day, Ticket.counter_id.is_not(None), Ticket.status.in_([Ticket.CALLED, Ticket.SERVING]))) or 0
    result.counters_idle = max(result.counters_open - busy, 0)
    return result


@dataclass
class DayPoint:
    """One day of the series."""

    day: date
    tickets: int
    p90: float | None


@dataclass
class LineWait:
    """The average wait of one line over a period."""

    code: str
    name: str
    called: int
    mean: float | None


@dataclass
class QueuePeriod:
    """A period's queue: daily tickets and wait p90, waits by hour and weekday, tickets and waits per line."""

    tickets: int = 0
    served: int = 0
    no_show: int = 0
    p50: float | None = None
    p90: float | None = None
    mean: float | None = None
    series: list[DayPoint] = field(default_factory=list)
    # (weekday 1..7, hour) -> (tickets, mean wait)
    heatmap: dict[tuple[int, int], tuple[int, float | None]] = field(default_factory=dict)
    lines: list[LineWait] = field(default_factory=list)

    @property
    def hours(self) -> list[int]:
        """The hours of day that had tickets, in order (the heatmap's columns)."""
        return sorted({hour for _, hour in self.heatmap})

    @property
    def weekdays(self) -> list[int]:
        """The weekdays that had tickets (the heatmap's rows)."""
        return sorted({weekday for weekday, _ in self.heatmap})

    @property
    def busiest_wait(self) -> float:
        """The longest mean wait of a heatmap cell (the darkest shade)."""
        return max((mean or 0 for _, mean in self.heatmap.values()), default=0) or 1


def period(scope: Scope, first: date, last: date, *, detail: bool = True) -> QueuePeriod:
    """The queue figures of the local days ``first`` .. ``last``; ``detail=False``: the totals only (the period
    compared with). A wait counts for called tickets (a cancelled one has none), so the waits are a ``CASE``:
    NULL for the others, which averages and percentiles leave out. PostgreSQL reads the period's rows twice
    (totals with days, then hours with lines); SQLite reads them a few more times (the sorted waits too).
    """
    result = QueuePeriod()
    within = [*scope.where(Ticket.unit_id), Ticket.day.between(first, last)]
    wait = case((and_(Ticket.called_at.is_not(None), Ticket.status != Ticket.CANCELLED), _wait()))
    aggregates = [*_status_counts(), func.avg(wait)]
    if detail and dialect_name() == "postgresql":
        # The totals and each day in one pass: GROUPING SETS ((day), ()); the row without a day is the total.
        percentiles = [func.percentile_cont(share).within_group(cast(wait, Float)) for share in (0.5, 0.9)]
        rows = db.session.execute(select(Ticket.day, *aggregates, *percentiles).where(*within)
                                  .group_by(func.grouping_sets(tuple_(Ticket.day), tuple_()))).all()
        total = next((row for row in rows if row[0] is None), None)
        if total is None:
            return result
        _set_totals(result, list(total[1:6]), [total[6], total[7]])
        result.series = sorted((DayPoint(day_key(row[0]), int(row[1] or 0), _float(row[7]))
                                for row in rows if row[0] is not None), key=lambda point: point.day)
    else:
        nothing = ([0, 0, 0, 0, None], [None, None])
        totals, shares = grouped_figures([], wait, within, (0.5, 0.9), aggregates).get((), nothing)
        _set_totals(result, totals, shares)
        if not detail or not result.tickets:
            return result
        per_day = grouped_figures([Ticket.day], wait, within, (0.9,), [func.count(Ticket.id)])
        result.series = sorted((DayPoint(day_key(key[0]), int(extra[0] or 0), p[0])
                                for key, (extra, p) in per_day.items()), key=lambda point: point.day)
    # Hours, weekdays and lines in one pass over the rows: a few hundred groups, folded here.
    day_of_week, hour = weekday(Ticket.day), local_hour(scope, Ticket.issued_at)
    cells: dict[tuple[int, int], list[float]] = {}
    by_line: dict[int, list[float]] = {}
    for line_id, wd, hr, count, waits, total in db.session.execute(
        select(Ticket.queue_service_id, day_of_week, hour, func.count(Ticket.id), func.count(wait), func.sum(wait))
        .where(*within).group_by(Ticket.queue_service_id, day_of_week, hour)
    ):
        for slot in (cells.setdefault((int(wd), int(hr)), [0, 0, 0.0]), by_line.setdefault(line_id, [0, 0, 0.0])):
            slot[0] += int(count)
            slot[1] += int(waits)
            slot[2] += float(total or 0)
    result.heatmap = {key: (int(n), total / waits if waits else None) for key, (n, waits, total) in cells.items()}
    for line_id, code, name in db.session.execute(
        select(QueueService.id, QueueService.code, _line_name(scope)).join(Unit, Unit.id == QueueService.unit_id)
        .where(QueueService.id.in_(list(by_line))).order_by(QueueService.code, Unit.short_name)
    ):
        _, waits, total = by_line[line_id]
        if waits:
            result.lines.append(LineWait(code, name, int(waits), total / waits))
    return result


def line_waits(scope: Scope, first: date, last: date) -> list[LineWait]:
    """The mean wait of each line over the local days ``first`` .. ``last`` (the public page's figure): one pass."""
    wait = case((and_(Ticket.called_at.is_not(None), Ticket.status != Ticket.CANCELLED), _wait()))
    return [LineWait(code, name, int(count), _float(mean)) for code, name, count, mean in db.session.execute(
        select(QueueService.code, _line_name(scope), func.count(wait), func.avg(wait))
        .join(QueueService, QueueService.id == Ticket.queue_service_id).join(Unit, Unit.id == QueueService.unit_id)
        .where(*scope.where(Ticket.unit_id), Ticket.day.between(first, last))
        .group_by(QueueService.id, QueueService.code, _line_name(scope)).order_by(QueueService.code)
    ) if count]
