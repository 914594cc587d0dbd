"""Complaint figures: today's received and overdue, and a period's by channel, weight and outcome, with the share
resolved within the deadline (14 working days, ``Complaint.due_on``) and the median working days to resolve.

A period counts the complaints *received* in it (by local date of receipt, as the monthly report does). The
share on time is of those received, rejected ones left out (a rejected complaint is not resolved: it is
answered that it cannot be handled), and resolved means "selesai" on or before its ``due_on`` (local date of
closing). Counts are grouped by the database; the working days to resolve need the unit's calendar
(holidays, closures), so the database gives the dates and one calendar per unit counts them.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, select

from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.kinerja.common import Scope, day_key, local_date
from webapp.pengaduan.models import CHANNELS, DITOLAK, OPEN_STATUSES, SELESAI, STATUSES, WEIGHTS, Complaint
from webapp.workdays.service import calendar_for


@dataclass
class ComplaintsToday:
    """Complaints received today and open past their deadline."""

    received: int
    overdue: int


def today(scope: Scope, now: datetime | None = None) -> ComplaintsToday:
    """Received today (local date of receipt) and open complaints whose deadline has passed."""
    day = local_today(scope.unit, now)
    mine = scope.where(Complaint.unit_id)
    received = db.session.scalar(select(func.count(Complaint.id)).where(*mine, Complaint.received_on == day))
    overdue = db.session.scalar(select(func.count(Complaint.id)).where(
        *mine, Complaint.status.in_(OPEN_STATUSES), Complaint.due_on < day))
    return ComplaintsToday(int(received or 0), int(overdue or 0))


@dataclass
class ComplaintsPeriod:
    """A period's complaints, counted every way the dashboard shows them."""

    received: int = 0
    rejected: int = 0
    resolved: int = 0
    on_time: int = 0
    open: int = 0
    median_days: float | None = None
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_weight: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)

    @property
    def counted(self) -> int:
        """The complaints the share on time is of: received, rejected ones left out."""
        return self.received - self.rejected

    @property
    def on_time_share(self) -> float | None:
        """Resolved within the deadline, of those counted (0..1)."""
        return self.on_time / self.counted if self.counted else None


def period(scope: Scope, first: date, last: date, *, detail: bool = True) -> ComplaintsPeriod:
    """The complaints received from ``first`` to ``last`` (local dates); ``detail=False`` leaves out the tallies."""
    result = ComplaintsPeriod()
    within = [*scope.where(Complaint.unit_id), Complaint.received_on.between(first, last)]
    closed_on = local_date(scope, Complaint.closed_at)
    resolved = and_(Complaint.status == SELESAI, Complaint.closed_at.is_not(None))
    row = db.session.execute(select(
        func.count(Complaint.id),
        func.sum(case((Complaint.status == DITOLAK, 1), else_=0)),
        func.sum(case((resolved, 1), else_=0)),
        func.sum(case((and_(resolved, closed_on <= Complaint.due_on), 1), else_=0)),
        func.sum(case((Complaint.status.in_(OPEN_STATUSES), 1), else_=0)),
    ).where(*within)).one()
    result.received, result.rejected, result.resolved, result.on_time, result.open = (int(v or 0) for v in row)

    def tally(column, labels: dict[str, str]) -> list[tuple[str, int]]:
        counts = {key or "": int(n) for key, n in db.session.execute(
            select(column, func.count(Complaint.id)).where(*within).group_by(column))}
        return [(label, counts.get(code, 0)) for code, label in labels.items()]

    if detail:
        result.by_channel = tally(Complaint.channel, CHANNELS)
        result.by_weight = tally(Complaint.weight, {**WEIGHTS, "": "Belum ditetapkan"})
        result.by_status = tally(Complaint.status, STATUSES)
    result.median_days = _median_working_days(within, closed_on, resolved)
    return result


def _median_working_days(within: list, closed_on, resolved) -> float | None:
    """Median working days from receipt to the local day of closing, each unit's calendar loaded once."""
    pairs: dict[int | None, list[tuple[date, date]]] = defaultdict(list)
    for unit_id, received_on, closed in db.session.execute(
        select(Complaint.unit_id, Complaint.received_on, closed_on).where(*within, resolved)
    ):
        pairs[unit_id].append((day_key(received_on), day_key(closed)))
    days: list[int] = []
    for unit_id, spans in pairs.items():
        first, last = min(s for s, _ in spans), max(e for _, e in spans)
        calendar = calendar_for(first, last, unit_id)
        # Working days counted once over the span; a complaint's count is a difference of two running totals
        # (the days after receipt up to and including the day of closing, as working_days_between counts).
        running, total = {}, 0
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            day = date.fromordinal(ordinal)
            total += ordinal > first.toordinal() and calendar.is_working_day(day)
            running[day] = total
        days.extend(max(running[end] - running[start], 0) for start, end in spans)
    return float(statistics.median(days)) if days else None
