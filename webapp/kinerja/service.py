"""The kinerja figures put together: the head of office's day and period, and the public's figures per unit.

Read only: nothing here writes, so nothing commits. The public figures of a unit and period are kept in a
small in-process cache (``KINERJA_CACHE_SECONDS``), keyed by unit, period and the unit's local date: the
public page, its API and a lobby of phones count a year of rows once, not once per visitor.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.core.units import Unit
from webapp.kinerja import bookings, complaints, ikm, permits, queue
from webapp.kinerja.common import Scope, public, share
from webapp.survei.periods import Period, period_choices

__all__ = ["Period", "period_choices"]  # the periods' menu is the survey's, so /ikm and /kinerja offer the same


def chosen_period(key: str | None, today: date) -> Period:
    """The period ``key`` names (``2026``, ``2026-S1``, ``2026-Q3``, ``2026-05``), else the semester of ``today``."""
    return Period.parse(key or "") or Period.semester_of(today)


@dataclass
class Today:
    """The live panel: one section per figure family."""

    queue: queue.QueueToday
    bookings: bookings.BookingsToday
    complaints: complaints.ComplaintsToday
    permits: list[permits.StepToday]


def today(scope: Scope, now: datetime | None = None) -> Today:
    """The scope's day so far."""
    target = current_app.config["WAIT_TARGET_MINUTES"]
    return Today(queue.today(scope, target, now), bookings.today(scope, now), complaints.today(scope, now),
                 permits.today(scope, now))


@dataclass
class PeriodFigures:
    """Every figure family for one period."""

    period: Period
    queue: queue.QueuePeriod
    complaints: complaints.ComplaintsPeriod
    permits: permits.PermitsPeriod


@dataclass
class Dashboard:
    """The period view: this period, the previous one, and the IKM of both."""

    scope: Scope
    current: PeriodFigures
    previous: PeriodFigures | None
    ikm: ikm.IkmPeriod


def figures(scope: Scope, period: Period, *, detail: bool = True) -> PeriodFigures:
    """The queue, complaint and permit figures of one period (``detail=False``: the totals compared with)."""
    first, last = period.first, period.last
    return PeriodFigures(period, queue.period(scope, first, last, detail=detail),
                         complaints.period(scope, first, last, detail=detail),
                         permits.period(scope, first, last, detail=detail))


def dashboard(scope: Scope, period: Period) -> Dashboard:
    """The period and the one before it (the same kind: month, quarter, semester or year)."""
    previous = period.previous()
    return Dashboard(scope, figures(scope, period), figures(scope, previous, detail=False) if previous else None,
                     ikm.period(scope, period, previous))


# --- the public figures -------------------------------------------------------------------------------


def public_figures(unit: Unit, period: Period) -> dict[str, Any]:
    """What the public may read of a unit's period: no personal data, and no figure of fewer than 5 cases.

    IKM with grade (withheld under 5 respondents), complaints received and the share resolved within 14
    working days, permits completed within the standard's time per service, the average wait per line.
    """
    scope = Scope(unit)
    first, last = period.first, period.last
    survey = ikm.period(scope, period, None, detail=False).result
    grade = survey.grade
    ikm_value = public(survey.respondents, float(survey.ikm_shown) if survey.ikm_shown is not None else None)
    complaint = complaints.period(scope, first, last, detail=False)
    permit = permits.period(scope, first, last, detail=False)
    waits = queue.line_waits(scope, first, last)
    return {
        "unit": {"slug": unit.slug, "name": unit.name},
        "period": {"key": period.key, "from": first.isoformat(), "to": last.isoformat(), "label": period.label},
        "ikm": {**ikm_value, "respondents": public(survey.respondents, survey.respondents)["count"],
                "grade": grade.letter if grade and not ikm_value["suppressed"] else None,
                "grade_label": grade.label if grade and not ikm_value["suppressed"] else None},
        "complaints": {
            "received": public(complaint.received, complaint.received),
            "resolved_on_time": public(complaint.counted, _rounded_share(complaint.on_time, complaint.counted)),
        },
        "permits": [
            {"service": s.service, "completed": public(s.completed, s.completed),
             "within_standard": public(s.with_standard, _rounded_share(s.on_time, s.with_standard))}
            for s in permit.services
        ],
        "queue": [
            {"code": line.code, "line": line.name,
             "mean_wait_minutes": public(line.called, None if line.mean is None else round(line.mean, 1))}
            for line in waits
        ],
    }


def _rounded_share(part: int, whole: int) -> float | None:
    value = share(part, whole)
    return None if value is None else round(value, 4)


class _FigureCache:
    """Public figures by (unit, period, local date), each kept for KINERJA_CACHE_SECONDS; safe across threads."""

    def __init__(self) -> None:
        self._entries: dict[tuple, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                self._entries.pop(key, None)
                return None
            return entry[1]

    def put(self, key: tuple, ttl: int, value: dict[str, Any]) -> None:
        with self._lock:
            if len(self._entries) > 512:  # a crawler walking every period must not grow it without end
                self._entries.clear()
            self._entries[key] = (time.monotonic() + ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


figure_cache = _FigureCache()


def cached_public_figures(unit: Unit, period: Period) -> dict[str, Any]:
    """``public_figures`` kept per unit and period for KINERJA_CACHE_SECONDS (0: counted every time)."""
    ttl = current_app.config["KINERJA_CACHE_SECONDS"]
    key = (unit.id, unit.slug, period.key, period.first, period.last, local_today(unit))
    found = figure_cache.get(key) if ttl > 0 else None
    if found is None:
        found = public_figures(unit, period)
        if ttl > 0:
            figure_cache.put(key, ttl, found)
    return found


def units_with_activity() -> list[Unit]:
    """The units the public page lists: every unit, by name."""
    return list(db.session.scalars(select(Unit).order_by(Unit.name)))
