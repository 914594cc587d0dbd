"""Reading the queue: the call order, positions and waiting estimates, the snapshot that lobby displays and
phones show, one ticket as its holder sees it, and the home page's summaries. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from statistics import mean
from typing import Any

from flask_babel import force_locale
from sqlalchemy import Select, and_, case, func, select

from antrian.models import Counter, QueueService, QueueState, Ticket
from webapp.core.db import as_utc, utcnow
from webapp.core.extensions import db
from webapp.core.formatting import perkiraan_tunggu
from webapp.core.localtime import local_today
from webapp.core.units import Unit

RECENT_CALLS = 6


def call_order(now: datetime | None = None) -> tuple[Any, ...]:
    """The order every counter calls by, as ORDER BY terms: priority first; then booked tickets whose slot has
    begun at ``now`` (``Ticket.booked_from``), by slot start; then everyone else by arrival, then id.

    A booked ticket is ahead of walk-ins of its line from its slot's start only, never ahead of the whole
    day: before that moment it waits by its arrival like any other ticket.
    """
    moment = now or utcnow()
    started = and_(Ticket.booked_from.is_not(None), Ticket.booked_from <= moment)
    return (
        Ticket.priority.desc(),
        case((started, 0), else_=1),
        case((started, Ticket.booked_from), else_=None),
        Ticket.issued_at,
        Ticket.id,
    )


def waiting_order(statement: Select, now: datetime | None = None) -> Select:
    """``statement`` in call order (``call_order``, the order every counter calls by)."""
    return statement.order_by(*call_order(now))


def waiting_tickets(unit: Unit, now: datetime | None = None) -> list[Ticket]:
    """Today's waiting tickets in call order."""
    statement = select(Ticket).where(
        Ticket.unit_id == unit.id, Ticket.day == local_today(unit, now), Ticket.status == Ticket.WAITING
    )
    return list(db.session.scalars(waiting_order(statement, now)))


def position(ticket: Ticket, now: datetime | None = None) -> int | None:
    """How many tickets will be called before this one in its line; None once it is not waiting.

    Counted in the database in the call order (``call_order``).
    """
    if ticket.status != Ticket.WAITING:
        return None
    return positions(ticket.unit_id, ticket.day, [ticket.id], now).get(ticket.id)


def positions(unit_id: int, day: date, ticket_ids: Collection[int], now: datetime | None = None) -> dict[int, int]:
    """``position`` of many waiting tickets of one unit and day in one query: ticket id -> people ahead.

    One window over the day's waiting tickets of the unit, numbered per line in the call order
    (``call_order``); tickets not waiting are left out. For the queue's messages, which
    look at every waiting ticket with a number after each change.
    """
    if not ticket_ids:
        return {}
    ranked = select(
        Ticket.id.label("id"),
        (func.row_number().over(partition_by=Ticket.queue_service_id, order_by=call_order(now)) - 1).label("ahead"),
    ).where(Ticket.unit_id == unit_id, Ticket.day == day, Ticket.status == Ticket.WAITING).subquery()
    rows = db.session.execute(select(ranked.c.id, ranked.c.ahead).where(ranked.c.id.in_(list(ticket_ids))))
    return dict(rows.all())


def average_service_minutes(service: QueueService, day: date) -> float | None:
    """Today's mean minutes from call to finish in this line; None before the first finished ticket."""
    rows = db.session.execute(
        select(Ticket.called_at, Ticket.finished_at).where(
            Ticket.queue_service_id == service.id, Ticket.day == day, Ticket.status == Ticket.DONE
        )
    ).all()
    spans = [(done - called).total_seconds() / 60 for called, done in rows if called and done]
    return mean(spans) if spans else None


def estimated_wait_minutes(ticket: Ticket, ahead: int | None) -> int | None:
    """People ahead x today's mean service time, shared over the counters serving this line."""
    if ahead is None:
        return None
    return line_wait_minutes(ticket.queue_service, ticket.day, ahead)


def line_wait_minutes(service: QueueService, day: date, ahead: int) -> int | None:
    """The wait of someone with ``ahead`` people before them in ``service``'s line on ``day``; None before the
    day's first finished ticket (no mean service time yet)."""
    average = average_service_minutes(service, day)
    if average is None:
        return None
    counters = max(1, sum(1 for c in service.counters if c.active))
    return round((ahead + 1) * average / counters)


def kiosk_lines(unit: Unit, services: list[QueueService], now: datetime | None = None) -> list[dict[str, Any]]:
    """The kiosk's buttons: each open ``service`` with its waiting count today and a new ticket's estimated wait."""
    day = local_today(unit, now)
    counts = dict(db.session.execute(
        select(Ticket.queue_service_id, func.count())
        .where(Ticket.unit_id == unit.id, Ticket.day == day, Ticket.status == Ticket.WAITING)
        .group_by(Ticket.queue_service_id)
    ).all())
    lines = []
    for service in services:
        waiting = counts.get(service.id, 0)
        lines.append({"service": service, "waiting": waiting,
                      "wait": perkiraan_tunggu(line_wait_minutes(service, day, waiting)) or None})
    return lines


def snapshot(unit: Unit, now: datetime | None = None) -> dict[str, Any]:
    """Everything a lobby display or a phone needs about the unit's queue today, with its version.

    Built from plain columns in five queries, whatever the number of tickets: it is sent
    after every change to every screen of the unit.
    """
    day = local_today(unit, now)
    state = db.session.get(QueueState, unit.id)
    services = db.session.execute(
        select(QueueService.id, QueueService.code, QueueService.name)
        .where(QueueService.unit_id == unit.id)
        .order_by(QueueService.position, QueueService.code)
    ).all()
    codes = {s.id: s.code for s in services}
    counters = db.session.execute(
        select(Counter.id, Counter.number, Counter.name)
        .where(Counter.unit_id == unit.id, Counter.active.is_(True))
        .order_by(Counter.number)
    ).all()
    numbers_by_counter = {c.id: c.number for c in counters}
    today = (Ticket.unit_id == unit.id, Ticket.day == day)
    waiting = db.session.execute(
        waiting_order(select(Ticket.number, Ticket.queue_service_id).where(*today, Ticket.status == Ticket.WAITING),
                      now)
    ).all()
    waiting_by_service: dict[int, list[str]] = {s.id: [] for s in services}
    for number, service_id in waiting:  # one pass: a busy morning has thousands waiting
        waiting_by_service.setdefault(service_id, []).append(number)
    held = {
        row.counter_id: {"number": row.number, "service": codes.get(row.queue_service_id), "status": row.status}
        for row in db.session.execute(
            select(Ticket.counter_id, Ticket.number, Ticket.queue_service_id, Ticket.status)
            .where(*today, Ticket.status.in_([Ticket.CALLED, Ticket.SERVING]))
            .order_by(Ticket.called_at)
        )
    }
    recent = db.session.execute(
        select(Ticket.number, Ticket.queue_service_id, Ticket.counter_id, Ticket.called_at, Ticket.call_count)
        .where(*today, Ticket.called_at.is_not(None), Ticket.counter_id.is_not(None))
        .order_by(Ticket.called_at.desc())
        .limit(RECENT_CALLS)
    ).all()
    return {
        "version": state.version if state else 0,
        "unit": {"slug": unit.slug, "name": unit.short_name},
        "day": day.isoformat(),
        "running_text": state.running_text if state else "",
        "services": [
            {"code": s.code, "name": s.name, "waiting": waiting_by_service[s.id]} for s in services
        ],
        "counters": [{"id": c.id, "number": c.number, "name": c.name, "current": held.get(c.id)} for c in counters],
        "recent_calls": [
            {
                "number": r.number,
                "service": codes.get(r.queue_service_id),
                "counter": numbers_by_counter.get(r.counter_id),
                # When and how many times: a display that never announced this call (it reconnected after a
                # crash, security M4) announces it if it is recent; number + call is the key it remembers.
                "called_at": as_utc(r.called_at).isoformat(),
                "call": r.call_count,
            }
            for r in recent
        ],
        "announce": {
            "style": state.announce_style if state else "singkat",
            "max_age_seconds": state.announce_max_age_seconds if state else 60,
        },
    }


@dataclass(frozen=True)
class Call:
    """A call to announce (antrian.events.publish_change): its `called` event and the line whose phones hear it."""

    line_id: int
    event: dict[str, Any]


def called_event(*, version: int, number: str, code: str, name: str, counter_number: int | None,
                 counter_name: str | None, call_count: int, called_at: datetime | None) -> dict[str, Any]:
    """The `called` event's payload (docs/realtime.md, `called`), from the facts of one call."""
    return {
        "version": version,
        "number": number,
        "service": {"code": code, "name": name},
        "counter": {"number": counter_number, "name": counter_name} if counter_number else None,
        "call_count": call_count,
        # The call's moment (UTC): with the number it names this call, for a display's memory of calls.
        "called_at": as_utc(called_at).isoformat() if called_at else None,
    }


def call_of(ticket: Ticket, counter: Counter, version: int) -> Call:
    """The announcement of ``ticket``, just called or recalled at ``counter`` and raising the unit's queue to
    ``version``, from the objects in hand.

    Built inside the call's unit of work, before its commit expires them (antrian.counter.act): a
    ticket called next is in one of the counter's lines, loaded with it (a recall of another line's
    ticket reads that line), so announcing the call reads nothing after the commit.
    """
    line = ticket.queue_service
    return Call(ticket.queue_service_id, called_event(
        version=version, number=ticket.number, code=line.code, name=line.name,
        counter_number=counter.number, counter_name=counter.name, call_count=ticket.call_count,
        called_at=ticket.called_at,
    ))


def ticket_view(ticket: Ticket) -> dict[str, Any]:
    """One ticket as its holder sees it: no personal data, since a ticket holds none."""
    ahead = position(ticket)
    estimate = estimated_wait_minutes(ticket, ahead)
    return {
        "number": ticket.number,
        "service": {"code": ticket.queue_service.code, "name": ticket.queue_service.name},
        "unit": {"slug": ticket.queue_service.unit.slug, "name": ticket.queue_service.unit.short_name},
        "status": ticket.status,
        "priority": ticket.priority,
        "day": ticket.day.isoformat(),
        "issued_at": ticket.issued_at.isoformat(),
        "people_ahead": ahead,
        "estimated_wait_minutes": estimate,
        # In words, so that every screen says it alike (webapp.core.formatting.perkiraan_tunggu).
        "estimated_wait_text": perkiraan_tunggu(estimate) or None,
        "counter": {"number": ticket.counter.number, "name": ticket.counter.name} if ticket.counter else None,
    }


def ticket_by_token(token: str) -> Ticket | None:
    """The ticket with this token, or None."""
    return db.session.scalar(select(Ticket).where(Ticket.token == token))


def unit_version(unit_id: int) -> int:
    """The unit's current queue version."""
    return db.session.scalar(select(QueueState.version).where(QueueState.unit_id == unit_id)) or 0


def queue_summaries(units: list[Unit]) -> dict[int, dict[str, Any]]:
    """Today's queue of every unit that has one, for the home page: waiting per service, recent calls."""
    with_queue = set(db.session.scalars(select(QueueService.unit_id).where(QueueService.active.is_(True))))
    return {unit.id: snapshot(unit) for unit in units if unit.id in with_queue}


def _wait_minutes(ahead: int, average: float | None, counters: int) -> int | None:
    """``line_wait_minutes``'s arithmetic, given the line's mean service minutes and its active counters."""
    if average is None:
        return None
    return round((ahead + 1) * average / max(1, counters))


def open_ticket_facts(unit: Unit, now: datetime | None = None) -> dict[int, dict[str, Any]]:
    """What the phone of every open ticket (waiting, called, serving) of the unit today shows: ticket id -> facts.

    The facts are those of ``ticket_view`` a phone needs (number, status, line, people ahead, estimate in
    minutes and in words, counter), equal to it ticket by ticket. Built in four queries, whatever the
    number of tickets or phones: the realtime channel builds it once per change and each server process
    sends every phone only its own ticket's facts (antrian.events).
    """
    day = local_today(unit, now)
    lines = {
        row.id: {"code": row.code, "name": row.name}
        for row in db.session.execute(
            select(QueueService.id, QueueService.code, QueueService.name).where(QueueService.unit_id == unit.id)
        )
    }
    counters = {
        row.id: {"number": row.number, "name": row.name}
        for row in db.session.execute(
            select(Counter.id, Counter.number, Counter.name).where(Counter.unit_id == unit.id)
        )
    }
    link = Counter.queue_services.property.secondary
    serving = dict(db.session.execute(
        select(link.c.queue_service_id, func.count())
        .join(Counter, Counter.id == link.c.counter_id)
        .where(Counter.unit_id == unit.id, Counter.active.is_(True))
        .group_by(link.c.queue_service_id)
    ).all())
    today = (Ticket.unit_id == unit.id, Ticket.day == day)
    spans: dict[int, list[float]] = {}
    for line_id, called, done in db.session.execute(
        select(Ticket.queue_service_id, Ticket.called_at, Ticket.finished_at).where(
            *today, Ticket.status == Ticket.DONE
        )
    ):
        if called and done:
            spans.setdefault(line_id, []).append((done - called).total_seconds() / 60)
    averages = {line_id: mean(values) for line_id, values in spans.items()}
    rows = db.session.execute(
        waiting_order(select(Ticket.id, Ticket.number, Ticket.queue_service_id, Ticket.status, Ticket.counter_id,
                             Ticket.locale).where(
            *today, Ticket.status.in_([Ticket.WAITING, Ticket.CALLED, Ticket.SERVING])
        ))
    )
    facts: dict[int, dict[str, Any]] = {}
    ahead_in: dict[int, int] = {}
    # The same estimate is worded once per language: in the language the visitor took the ticket in
    # (ticket.locale), not in that of whoever caused the change (an officer, in Indonesian).
    words: dict[tuple[int | None, str], str | None] = {}
    for ticket_id, number, line_id, status, counter_id, locale in rows:
        ahead = estimate = None
        if status == Ticket.WAITING:
            ahead = ahead_in.get(line_id, 0)
            ahead_in[line_id] = ahead + 1
            estimate = _wait_minutes(ahead, averages.get(line_id), serving.get(line_id, 0))
        key = (estimate, locale or "id")
        if key not in words:
            with force_locale(key[1]):
                words[key] = perkiraan_tunggu(estimate) or None
        facts[ticket_id] = {
            "number": number,
            "status": status,
            "service": lines.get(line_id),
            "people_ahead": ahead,
            "estimated_wait_minutes": estimate,
            "estimated_wait_text": words[key],
            "counter": counters.get(counter_id) if status != Ticket.WAITING else None,
        }
    return facts


def closed_tickets(unit: Unit, now: datetime | None = None) -> dict[int, tuple[str, str]]:
    """Today's closed tickets of the unit (done, skipped, cancelled): ticket id -> (number, status), in one query.

    For the phones that followed a ticket until it closed (antrian.events): small pairs, a day's worth.
    """
    rows = db.session.execute(
        select(Ticket.id, Ticket.number, Ticket.status).where(
            Ticket.unit_id == unit.id, Ticket.day == local_today(unit, now),
            Ticket.status.not_in([Ticket.WAITING, Ticket.CALLED, Ticket.SERVING]),
        )
    )
    return {ticket_id: (number, status) for ticket_id, number, status in rows}
