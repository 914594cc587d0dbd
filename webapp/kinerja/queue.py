"""Queue figures: today live (per line, waits against the target, counters), and a period's series, heatmap and
average wait per line. Counted by the database (see ``webapp.kinerja.common`` for time and percentiles).

Words: a ticket's *wait* runs from taking the number to its first call (a cancelled ticket has none). A
*no-show* is a skipped ticket. A counter is *open* today when it called at least one ticket today, and *idle*
when it is open but holds no called or served ticket now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select

from antrian.models import Counter, QueueService, Ticket
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.kinerja.common import Scope, day_key, grouped_percentiles, local_hour, local_weekday, minutes_between

WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def _wait() -> Any:
    # Built per call: the expression depends on the session's database.
    return minutes_between(Ticket.issued_at, Ticket.called_at)


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
        select(QueueService.id, QueueService.code, QueueService.name)
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


def period(scope: Scope, first: date, last: date) -> QueuePeriod:
    """The queue figures of the local days ``first`` .. ``last``."""
    result = QueuePeriod()
    within = [*scope.where(Ticket.unit_id), Ticket.day.between(first, last)]
    called = [*within, Ticket.called_at.is_not(None), Ticket.status != Ticket.CANCELLED]
    wait = _wait()
    totals = db.session.execute(select(*_status_counts()).where(*within)).one()
    result.tickets, result.served, result.no_show = int(totals[0] or 0), int(totals[2] or 0), int(totals[3] or 0)
    result.mean = db.session.scalar(select(func.avg(wait)).where(*called))
    result.p50, result.p90 = grouped_percentiles([], wait, called, (0.5, 0.9)).get((), [None, None])
    per_day = {row[0]: row[1] for row in db.session.execute(
        select(Ticket.day, func.count(Ticket.id)).where(*within).group_by(Ticket.day))}
    p90_per_day = grouped_percentiles([Ticket.day], wait, called, (0.9,))
    p90_by_day = {day_key(key[0]): values[0] for key, values in p90_per_day.items()}
    result.series = [DayPoint(day_key(day), int(count), p90_by_day.get(day_key(day)))
                     for day, count in sorted(per_day.items(), key=lambda kv: day_key(kv[0]))]
    weekday, hour = local_weekday(scope, Ticket.issued_at), local_hour(scope, Ticket.issued_at)
    for wd, hr, count, mean in db.session.execute(
        select(weekday, hour, func.count(Ticket.id), func.avg(case((Ticket.status != Ticket.CANCELLED, wait))))
        .where(*within).group_by(weekday, hour)
    ):
        result.heatmap[(int(wd), int(hr))] = (int(count), None if mean is None else float(mean))
    for code, name, count, mean in db.session.execute(
        select(QueueService.code, QueueService.name, func.count(Ticket.id), func.avg(wait))
        .join(QueueService, QueueService.id == Ticket.queue_service_id)
        .where(*called).group_by(QueueService.id, QueueService.code, QueueService.name)
        .order_by(QueueService.code)
    ):
        result.lines.append(LineWait(code, name, int(count), None if mean is None else float(mean)))
    return result
