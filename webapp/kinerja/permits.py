"""Permit figures: today's files at each step and those past the step's mutu baku, and a period's files completed,
the share within the standard's time per service, and the slowest steps against their mutu baku.

*Completed* is a file whose product was made ready (``ready_at``) in the period, by local date; it is within
the standard's time when that date is on or before its ``due_date`` (the standard's jangka waktu in working
days from registration). A file without a jangka waktu is completed but not counted in the share.
Step times are the working minutes each file spent at the step (``BerkasStep.spent_minutes``, every visit).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, select

from webapp.berkas.models import DIPROSES, SELESAI, SIAP, Berkas, BerkasStep
from webapp.berkas.service import minutes_per_working_day, working_minutes
from webapp.core.db import as_utc, utcnow
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.core.units import Unit
from webapp.kinerja.common import Scope, local_date
from webapp.standards.models import Service
from webapp.workdays.service import WorkCalendar, calendar_for


@dataclass
class StepToday:
    """Open files at one step of one service today."""

    service: str
    step: str
    files: int = 0
    late: int = 0


def today(scope: Scope, now: datetime | None = None) -> list[StepToday]:
    """Files in process at each step (by service), and how many are past the step's mutu baku now.

    Read as plain rows (each open file with its current step), not as objects. The visit under way counts
    working minutes (``berkas.service.working_minutes``, with one calendar per unit); a file whose time on
    the clock is within the mutu baku cannot be past it in office time, so only the others are counted.
    """
    moment = now or utcnow()
    per_day = minutes_per_working_day()
    rows = db.session.execute(
        select(Berkas.unit_id, Service.title, BerkasStep.position, BerkasStep.name, BerkasStep.minutes,
               BerkasStep.days, BerkasStep.spent_minutes, Berkas.arrived_at)
        .join(BerkasStep, and_(BerkasStep.berkas_id == Berkas.id, BerkasStep.position == Berkas.current_position))
        .join(Service, Service.id == Berkas.service_id)
        .where(*scope.where(Berkas.unit_id), Berkas.status == DIPROSES)
    ).all()
    units: dict[int, Unit] = {}
    calendars: dict[int, WorkCalendar] = {}
    found: dict[tuple[str, int, str], StepToday] = {}
    for unit_id, title, position, name, minutes, days, spent, arrived in rows:
        row = found.setdefault((title, position, name), StepToday(title, name))
        row.files += 1
        if minutes is None and days is None:
            continue  # no mutu baku to be past
        allowed = (minutes or 0) + (days or 0) * per_day
        arrived = as_utc(arrived) if arrived else None
        on_clock = (moment - arrived).total_seconds() / 60 if arrived else 0
        if spent + on_clock <= allowed:
            continue
        unit = units.get(unit_id) or units.setdefault(unit_id, db.session.get(Unit, unit_id))
        if unit_id not in calendars:
            first = min(as_utc(r.arrived_at) for r in rows if r.unit_id == unit_id and r.arrived_at)
            calendars[unit_id] = calendar_for(local_today(unit, first), local_today(unit, moment), unit_id)
        office = working_minutes(unit, arrived, moment, calendars[unit_id]) if arrived else 0
        row.late += spent + office > allowed
    return [found[key] for key in sorted(found)]


@dataclass
class ServicePermits:
    """Files of one service completed in the period."""

    service: str
    completed: int
    with_standard: int
    on_time: int

    @property
    def on_time_share(self) -> float | None:
        """Completed within the standard's time, of those with one (0..1)."""
        return self.on_time / self.with_standard if self.with_standard else None


@dataclass
class SlowStep:
    """A step's mean working minutes over the period's completed files, against its mutu baku."""

    service: str
    step: str
    files: int
    mean_minutes: float
    standard_minutes: int
    late: int

    @property
    def ratio(self) -> float:
        """Mean time over the mutu baku (above 1: slower than the standard)."""
        return self.mean_minutes / self.standard_minutes if self.standard_minutes else 0.0


@dataclass
class PermitsPeriod:
    """A period's completed files per service and the slowest steps."""

    services: list[ServicePermits] = field(default_factory=list)
    slowest: list[SlowStep] = field(default_factory=list)

    @property
    def completed(self) -> int:
        """Files completed, every service."""
        return sum(s.completed for s in self.services)

    @property
    def with_standard(self) -> int:
        """Completed files that had a jangka waktu."""
        return sum(s.with_standard for s in self.services)

    @property
    def on_time(self) -> int:
        """Completed within the standard's time."""
        return sum(s.on_time for s in self.services)

    @property
    def on_time_share(self) -> float | None:
        """Within the standard's time, of those with one (0..1)."""
        return self.on_time / self.with_standard if self.with_standard else None


SLOWEST = 5


def period(scope: Scope, first: date, last: date, *, detail: bool = True) -> PermitsPeriod:
    """Files made ready from ``first`` to ``last`` (local dates), per service, and (``detail``) the slowest steps."""
    ready_on = local_date(scope, Berkas.ready_at)
    within = [*scope.where(Berkas.unit_id), Berkas.status.in_([SIAP, SELESAI]), Berkas.ready_at.is_not(None),
              ready_on >= first, ready_on <= last]
    result = PermitsPeriod()
    for title, completed, with_standard, on_time in db.session.execute(
        select(Service.title, func.count(Berkas.id),
               func.sum(case((Berkas.due_date.is_not(None), 1), else_=0)),
               func.sum(case((and_(Berkas.due_date.is_not(None), ready_on <= Berkas.due_date), 1), else_=0)))
        .join(Service, Service.id == Berkas.service_id).where(*within)
        .group_by(Service.id, Service.title).order_by(Service.title)
    ):
        result.services.append(ServicePermits(title, int(completed), int(with_standard or 0), int(on_time or 0)))
    if not detail:
        return result
    per_day = minutes_per_working_day()
    standard = func.coalesce(BerkasStep.minutes, 0) + func.coalesce(BerkasStep.days, 0) * per_day
    has_standard = (BerkasStep.minutes.is_not(None)) | (BerkasStep.days.is_not(None))
    steps = db.session.execute(
        select(Service.title, BerkasStep.position, BerkasStep.name, standard.label("standard"),
               func.count(BerkasStep.id), func.avg(BerkasStep.spent_minutes),
               func.sum(case((BerkasStep.spent_minutes > standard, 1), else_=0)))
        .join(Berkas, Berkas.id == BerkasStep.berkas_id).join(Service, Service.id == Berkas.service_id)
        .where(*within, has_standard, BerkasStep.visits > 0)
        .group_by(Service.title, BerkasStep.position, BerkasStep.name, standard)
    ).all()
    merged: dict[tuple[str, str, int], list] = defaultdict(lambda: [0, 0.0, 0])
    for title, _position, name, allowed, files, mean, late in steps:
        slot = merged[(title, name, int(allowed))]
        slot[0] += int(files)
        slot[1] += float(mean or 0) * int(files)
        slot[2] += int(late or 0)
    slow = [SlowStep(title, name, files, total / files, allowed, late)
            for (title, name, allowed), (files, total, late) in merged.items() if files and allowed]
    result.slowest = sorted(slow, key=lambda s: (-s.ratio, s.service, s.step))[:SLOWEST]
    return result
