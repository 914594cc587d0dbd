"""A unit's queue setup: its services (letter, hours, daily cap), its counters and what each serves,
and the running text of its display.

A service or counter left out of a saved setup is deactivated, not deleted, once it has
served tickets: the tickets keep their line and counter, and the statistics their rows. One
that never served is deleted. Every save raises the unit's queue version, so displays and
counter panels fetch the new setup.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import time
from typing import Any, TypedDict, TypeVar

from sqlalchemy import select

from antrian.models import Counter, QueueService, QueueState, Ticket
from antrian.notify import DEFAULT_NOTIFY_AHEAD
from antrian.service import QueueError
from webapp.audit.models import Actor, diff_documents, record
from webapp.core.db import transactional
from webapp.core.extensions import db
from webapp.core.units import Unit


class ServiceSetup(TypedDict):
    """One queue service as the setup form gives it."""

    code: str
    name: str
    opens_at: time
    closes_at: time
    daily_cap: int | None
    active: bool


class AnnounceSetup(TypedDict):
    """How the unit's displays announce calls: ``style`` "singkat" or "lengkap", and the oldest call spoken."""

    style: str
    max_age_seconds: int


class KioskSetup(TypedDict):
    """The unit's kiosk as the setup form gives it (its fieldset "Kios")."""

    priority: bool


class CounterSetup(TypedDict):
    """One counter as the setup form gives it: ``services`` is a list of letters, comma-separated."""

    number: int
    name: str
    active: bool
    services: str


def setup_of(unit: Unit) -> dict[str, Any]:
    """The unit's setup in the form's shape: what the form shows, and what the audit log compares."""
    services = db.session.scalars(
        select(QueueService).where(QueueService.unit_id == unit.id).order_by(QueueService.position, QueueService.code)
    ).all()
    counters = db.session.scalars(select(Counter).where(Counter.unit_id == unit.id).order_by(Counter.number)).all()
    state = db.session.get(QueueState, unit.id)
    return {
        "services": [
            {"code": s.code, "name": s.name, "opens_at": s.opens_at, "closes_at": s.closes_at,
             "daily_cap": s.daily_cap, "active": s.active}
            for s in services
        ],
        "counters": [
            {"number": c.number, "name": c.name, "active": c.active,
             "services": ", ".join(s.code for s in c.queue_services)}
            for c in counters
        ],
        "running_text": state.running_text if state else "",
        "notify_ahead": state.notify_ahead if state else DEFAULT_NOTIFY_AHEAD,
        "announce": {"style": state.announce_style if state else "singkat",
                     "max_age_seconds": state.announce_max_age_seconds if state else 60},
        "kiosk": {"priority": bool(state and state.kiosk_priority)},
    }  # fmt: skip


def letters(text: str) -> list[str]:
    """The service letters of a counter's "A, C" (case and spaces do not matter)."""
    return [code.strip().upper() for code in text.split(",") if code.strip()]


Row = TypeVar("Row", QueueService, Counter)


def _served(ticket_column: Any, row_id: int | None) -> bool:
    """Whether any ticket refers to the row (a row not yet flushed has none)."""
    if row_id is None:
        return False
    return db.session.scalar(select(Ticket.id).where(ticket_column == row_id).limit(1)) is not None


def _upsert(existing: dict[Hashable, Row], items: Sequence[Any], key: str, make: Callable[[Any], Row],
            fill: Callable[[Row, Any, int], None]) -> dict[Hashable, Row]:
    """Update the row of each item (found by ``key`` in ``existing``) or create it; the kept rows by key."""
    kept: dict[Hashable, Row] = {}
    for position, item in enumerate(items):
        row = existing.get(item[key]) or make(item[key])
        fill(row, item, position)
        db.session.add(row)
        kept[item[key]] = row
    return kept


def _retire(existing: dict[Hashable, Row], kept: dict[Hashable, Row], ticket_column: Any) -> None:
    """The rows left out of the setup: deactivated when tickets refer to them, deleted otherwise."""
    for value, row in existing.items():
        if value in kept:
            continue
        if _served(ticket_column, row.id):
            row.active = False
        else:
            db.session.delete(row)


@transactional(serial=True)
def save_setup(unit: Unit, services: Sequence[ServiceSetup], counters: Sequence[CounterSetup],
               running_text: str, *, actor: Actor | None, notify_ahead: int | None = None,
               announce: AnnounceSetup | None = None, kiosk: KioskSetup | None = None) -> list[dict[str, Any]]:
    """Save the unit's queue setup with its audit line (the changes, field by field): one unit of work.

    ``notify_ahead``: people ahead at which a visitor is told the turn is near (None: unchanged).
    ``kiosk``: the kiosk's settings (whether it offers priority tickets); None keeps them as they are.
    Returns the changes. Raises QueueError, with nothing changed, when a counter names a
    letter that is not among ``services``. Serial: it reads the setup (and the unit's
    version, which it raises) before it writes.
    """
    codes = {item["code"] for item in services}
    for item in counters:
        unknown = sorted(set(letters(item["services"])) - codes)
        if unknown:
            raise QueueError(f"Loket {item['number']}: huruf tidak dikenal: {', '.join(unknown)}.")
    before = setup_of(unit)

    def fill_service(service: QueueService, item: ServiceSetup, position: int) -> None:
        service.name = item["name"].strip()
        service.opens_at, service.closes_at = item["opens_at"], item["closes_at"]
        service.daily_cap, service.active, service.position = item["daily_cap"], item["active"], position

    def fill_counter(counter: Counter, item: CounterSetup, _: int) -> None:
        counter.name, counter.active = item["name"].strip(), item["active"]
        counter.queue_services = [kept_services[code] for code in letters(item["services"])]

    old_services = {s.code: s for s in db.session.scalars(select(QueueService).where(QueueService.unit_id == unit.id))}
    old_counters = {c.number: c for c in db.session.scalars(select(Counter).where(Counter.unit_id == unit.id))}
    kept_services = _upsert(old_services, services, "code", lambda code: QueueService(unit=unit, code=code),
                            fill_service)  # fmt: skip
    kept_counters = _upsert(old_counters, counters, "number", lambda number: Counter(unit=unit, number=number),
                            fill_counter)  # fmt: skip
    # Retired last: a kept counter must first let go of a service about to be deleted.
    _retire(old_counters, kept_counters, Ticket.counter_id)
    _retire(old_services, kept_services, Ticket.queue_service_id)
    state = db.session.get(QueueState, unit.id) or QueueState(unit_id=unit.id, version=0)
    state.running_text = running_text.strip()
    if notify_ahead is not None:
        state.notify_ahead = notify_ahead
    if announce is not None:  # None: keep the displays' announcement setting as it is
        state.announce_style, state.announce_max_age_seconds = announce["style"], announce["max_age_seconds"]
    if kiosk is not None:
        state.kiosk_priority = bool(kiosk["priority"])
    state.version += 1
    db.session.add(state)
    db.session.flush()
    changes = diff_documents(before, setup_of(unit))
    record("update", "queue", unit.id, f"Mengubah pengaturan antrian {unit.short_name}", changes, unit.id,
           actor=actor)
    return changes
