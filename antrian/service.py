"""Queue rules: numbering, issuing, calling (priority first, then arrival), the counter actions,
positions and waiting estimates, and the state snapshot that displays and phones show.

Functions add to the session and commit themselves where a number or a claim must be
atomic; ``now`` may be passed for tests (an aware UTC datetime).
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antrian.models import Counter, DailySequence, QueueService, QueueState, Ticket
from webapp.extensions import db
from webapp.standards.models import Unit

RECENT_CALLS = 6
CLAIM_ATTEMPTS = 5
PRIORITY_REASONS = {"lansia": "Lanjut usia", "disabilitas": "Penyandang disabilitas", "hamil": "Ibu hamil"}


class QueueError(ValueError):
    """A queue action that cannot be done; the message is for the visitor or officer, in Indonesian."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _as_utc(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns.
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_now(unit: Unit, now: datetime | None = None) -> datetime:
    """The unit's local time: numbering restarts at the unit's midnight, not UTC's."""
    return _now(now).astimezone(ZoneInfo(unit.timezone))


def local_day(unit: Unit, now: datetime | None = None) -> date:
    """The unit's local date."""
    return local_now(unit, now).date()


def format_number(code: str, sequence: int) -> str:
    """A-001 style: the service's letter and a three-digit sequence (more digits past 999)."""
    return f"{code}-{sequence:03d}"


def begin_write() -> None:
    """Start the transaction of a queue change.

    On SQLite there is one writer at a time: BEGIN IMMEDIATE takes the write lock before
    the first read, so a read-then-write (call next) never finds its snapshot stale and
    waits for busy_timeout instead of failing. PostgreSQL needs nothing here: row locks
    and the atomic counter do it.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.commit()  # end whatever read transaction the request began
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def bump_version(unit_id: int) -> None:
    """Raise the unit's queue version in the same transaction as the change it marks."""
    updated = db.session.execute(
        update(QueueState).where(QueueState.unit_id == unit_id).values(version=QueueState.version + 1)
    )
    if updated.rowcount == 0:
        db.session.add(QueueState(unit_id=unit_id, version=1))


def _next_sequence(queue_service_id: int, day: date) -> int:
    """Atomically take the next number: one row per service and day, incremented in place."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(DailySequence).values(queue_service_id=queue_service_id, day=day, last=0).on_conflict_do_nothing()
    )
    return db.session.execute(
        update(DailySequence)
        .where(DailySequence.queue_service_id == queue_service_id, DailySequence.day == day)
        .values(last=DailySequence.last + 1)
        .returning(DailySequence.last)
    ).scalar_one()


def is_open(service: QueueService, moment: datetime) -> bool:
    """Whether the service takes tickets at this local moment (a queue day, within its hours)."""
    return moment.isoweekday() in current_app.config["QUEUE_DAYS"] and service.is_open_at(moment.time())


def open_services(unit: Unit, now: datetime | None = None) -> list[QueueService]:
    """The unit's queue services taking tickets at this moment (local time, queue days)."""
    moment = local_now(unit, now)
    services = db.session.scalars(
        select(QueueService).where(QueueService.unit_id == unit.id).order_by(QueueService.position, QueueService.code)
    )
    return [s for s in services if is_open(s, moment)]


def issue_ticket(
    service: QueueService,
    *,
    priority_reason: str | None = None,
    now: datetime | None = None,
    check_hours: bool = True,
) -> Ticket:
    """Issue the next number of ``service`` for today and commit; never a duplicate, never a gap."""
    begin_write()
    unit = service.unit
    moment = local_now(unit, now)
    if check_hours and not is_open(service, moment):
        raise QueueError(f"Layanan {service.name} sedang tutup.")
    if priority_reason is not None and priority_reason not in PRIORITY_REASONS:
        raise QueueError("Alasan prioritas tidak dikenal.")
    day = moment.date()
    sequence = _next_sequence(service.id, day)
    if service.daily_cap is not None and sequence > service.daily_cap:
        db.session.rollback()
        raise QueueError(f"Kuota harian {service.name} ({service.daily_cap} nomor) sudah habis. Silakan datang besok.")
    ticket = Ticket(
        unit_id=unit.id,
        queue_service_id=service.id,
        issued_service_id=service.id,
        day=day,
        sequence=sequence,
        number=format_number(service.code, sequence),
        token=secrets.token_urlsafe(18),
        priority=priority_reason is not None,
        priority_reason=priority_reason,
        issued_at=_now(now),
    )
    db.session.add(ticket)
    bump_version(unit.id)
    db.session.commit()
    return ticket


def _waiting_order(statement: Any) -> Any:
    return statement.order_by(Ticket.priority.desc(), Ticket.issued_at, Ticket.id)


def current_ticket(counter: Counter, now: datetime | None = None) -> Ticket | None:
    """The ticket a counter has called or is serving today."""
    return db.session.scalar(
        select(Ticket)
        .where(
            Ticket.counter_id == counter.id,
            Ticket.day == local_day(counter.unit, now),
            Ticket.status.in_([Ticket.CALLED, Ticket.SERVING]),
        )
        .order_by(Ticket.called_at.desc())
    )


def _finish(ticket: Ticket, now: datetime) -> None:
    ticket.status = Ticket.DONE
    ticket.serving_at = ticket.serving_at or ticket.called_at
    ticket.finished_at = now


def call_next(counter: Counter, now: datetime | None = None) -> Ticket | None:
    """Call the next ticket over the counter's services (priority first, then arrival); None if nobody waits.

    Finishes the ticket the counter still holds. Two counters pressing at once never get
    the same ticket: the claim is an UPDATE that only succeeds while the ticket waits
    (with SKIP LOCKED on PostgreSQL, so the second counter takes the next one at once).
    """
    moment = _now(now)
    day = local_day(counter.unit, now)
    service_ids = [s.id for s in counter.queue_services]
    if not service_ids:
        raise QueueError("Loket ini belum melayani layanan antrian apa pun.")
    for _ in range(CLAIM_ATTEMPTS):
        begin_write()
        held = current_ticket(counter, now)
        if held is not None:
            _finish(held, moment)
        candidate = db.session.scalar(
            _waiting_order(
                select(Ticket.id).where(
                    Ticket.queue_service_id.in_(service_ids), Ticket.day == day, Ticket.status == Ticket.WAITING
                )
            )
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None:
            if held is not None:
                bump_version(counter.unit_id)
            db.session.commit()
            return None
        claimed = db.session.execute(
            update(Ticket)
            .where(Ticket.id == candidate, Ticket.status == Ticket.WAITING)
            .values(status=Ticket.CALLED, counter_id=counter.id, called_at=moment, call_count=Ticket.call_count + 1)
        )
        if claimed.rowcount == 1:
            bump_version(counter.unit_id)
            db.session.commit()
            return db.session.get(Ticket, candidate, populate_existing=True)
        db.session.rollback()  # another counter took it between our read and our claim
    raise QueueError("Terlalu banyak panggilan bersamaan. Tekan sekali lagi.")


def _counter_ticket(counter: Counter, ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.unit_id != counter.unit_id:
        raise QueueError("Tiket tidak ditemukan.")
    return ticket


def recall(counter: Counter, ticket_id: int, now: datetime | None = None) -> Ticket:
    """Announce a ticket again; a skipped (no-show) ticket of today comes back to this counter."""
    begin_write()
    ticket = _counter_ticket(counter, ticket_id)
    if ticket.day != local_day(counter.unit, now):
        raise QueueError("Tiket hari lain tidak dapat dipanggil.")
    if ticket.status not in (Ticket.CALLED, Ticket.SERVING, Ticket.SKIPPED):
        raise QueueError(f"Tiket {ticket.number} tidak sedang dipanggil.")
    if ticket.status == Ticket.SKIPPED or ticket.counter_id != counter.id:
        held = current_ticket(counter, now)
        if held is not None and held.id != ticket.id:
            _finish(held, _now(now))
    ticket.status = Ticket.CALLED if ticket.status == Ticket.SKIPPED else ticket.status
    ticket.counter_id = counter.id
    ticket.called_at = _now(now)
    ticket.call_count += 1
    bump_version(counter.unit_id)
    db.session.commit()
    return ticket


def _held(counter: Counter, ticket_id: int) -> Ticket:
    begin_write()
    ticket = _counter_ticket(counter, ticket_id)
    if ticket.counter_id != counter.id or ticket.status not in (Ticket.CALLED, Ticket.SERVING):
        raise QueueError(f"Tiket {ticket.number} tidak sedang di loket ini.")
    return ticket


def skip(counter: Counter, ticket_id: int, now: datetime | None = None) -> Ticket:
    """Mark a called ticket as a no-show; it can still be recalled today."""
    ticket = _held(counter, ticket_id)
    ticket.status = Ticket.SKIPPED
    bump_version(counter.unit_id)
    db.session.commit()
    return ticket


def start_serving(counter: Counter, ticket_id: int, now: datetime | None = None) -> Ticket:
    """The visitor has come to the counter."""
    ticket = _held(counter, ticket_id)
    ticket.status = Ticket.SERVING
    ticket.serving_at = _now(now)
    bump_version(counter.unit_id)
    db.session.commit()
    return ticket


def finish(counter: Counter, ticket_id: int, now: datetime | None = None) -> Ticket:
    """The visitor has been served."""
    ticket = _held(counter, ticket_id)
    _finish(ticket, _now(now))
    bump_version(counter.unit_id)
    db.session.commit()
    return ticket


def transfer(counter: Counter, ticket_id: int, target: QueueService, now: datetime | None = None) -> Ticket:
    """Send a ticket to another service's line, keeping its number and its place by arrival time."""
    ticket = _held(counter, ticket_id)
    if target.unit_id != counter.unit_id:
        raise QueueError("Layanan tujuan tidak ada di instansi ini.")
    if target.id == ticket.queue_service_id:
        raise QueueError("Tiket sudah berada di antrian layanan itu.")
    ticket.transferred_from_id = ticket.queue_service_id
    ticket.queue_service_id = target.id
    ticket.status = Ticket.WAITING
    ticket.counter_id = None
    bump_version(counter.unit_id)
    db.session.commit()
    return ticket


# --- reading the queue ---------------------------------------------------------------------


def waiting_tickets(unit: Unit, now: datetime | None = None) -> list[Ticket]:
    """Today's waiting tickets in call order."""
    statement = select(Ticket).where(
        Ticket.unit_id == unit.id, Ticket.day == local_day(unit, now), Ticket.status == Ticket.WAITING
    )
    return list(db.session.scalars(_waiting_order(statement)))


def position(ticket: Ticket) -> int | None:
    """How many tickets will be called before this one in its line; None once it is not waiting.

    Counted in the database in the call order (priority first, then arrival, then id).
    """
    if ticket.status != Ticket.WAITING:
        return None
    arrived_earlier = or_(
        Ticket.issued_at < ticket.issued_at, and_(Ticket.issued_at == ticket.issued_at, Ticket.id < ticket.id)
    )
    same_rank = and_(Ticket.priority.is_(ticket.priority), arrived_earlier)
    ahead = same_rank if ticket.priority else or_(Ticket.priority.is_(True), same_rank)
    return db.session.scalar(
        select(func.count()).where(
            Ticket.queue_service_id == ticket.queue_service_id,
            Ticket.day == ticket.day,
            Ticket.status == Ticket.WAITING,
            ahead,
        )
    )


def average_service_minutes(service: QueueService, day: date) -> float | None:
    """Today's mean minutes from call to finish in this line; None before the first finished ticket."""
    rows = db.session.execute(
        select(Ticket.called_at, Ticket.finished_at).where(
            Ticket.queue_service_id == service.id, Ticket.day == day, Ticket.status == Ticket.DONE
        )
    ).all()
    spans = [(_as_utc(done) - _as_utc(called)).total_seconds() / 60 for called, done in rows if called and done]
    return mean(spans) if spans else None


def estimated_wait_minutes(ticket: Ticket, ahead: int | None) -> int | None:
    """People ahead x today's mean service time, shared over the counters serving this line."""
    if ahead is None:
        return None
    average = average_service_minutes(ticket.queue_service, ticket.day)
    if average is None:
        return None
    counters = max(1, sum(1 for c in ticket.queue_service.counters if c.active))
    return round((ahead + 1) * average / counters)


def snapshot(unit: Unit, now: datetime | None = None) -> dict[str, Any]:
    """Everything a lobby display or a phone needs about the unit's queue today, with its version.

    Built from plain columns in five queries, whatever the number of tickets: it is sent
    after every change to every screen of the unit.
    """
    day = local_day(unit, now)
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
        _waiting_order(select(Ticket.number, Ticket.queue_service_id).where(*today, Ticket.status == Ticket.WAITING))
    ).all()
    held = {
        row.counter_id: {"number": row.number, "service": codes.get(row.queue_service_id), "status": row.status}
        for row in db.session.execute(
            select(Ticket.counter_id, Ticket.number, Ticket.queue_service_id, Ticket.status)
            .where(*today, Ticket.status.in_([Ticket.CALLED, Ticket.SERVING]))
            .order_by(Ticket.called_at)
        )
    }
    recent = db.session.execute(
        select(Ticket.number, Ticket.queue_service_id, Ticket.counter_id)
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
            {"code": s.code, "name": s.name, "waiting": [w.number for w in waiting if w.queue_service_id == s.id]}
            for s in services
        ],
        "counters": [{"id": c.id, "number": c.number, "name": c.name, "current": held.get(c.id)} for c in counters],
        "recent_calls": [
            {
                "number": r.number,
                "service": codes.get(r.queue_service_id),
                "counter": numbers_by_counter.get(r.counter_id),
            }
            for r in recent
        ],
    }


def ticket_view(ticket: Ticket) -> dict[str, Any]:
    """One ticket as its holder sees it: no personal data, since a ticket holds none."""
    ahead = position(ticket)
    return {
        "number": ticket.number,
        "service": {"code": ticket.queue_service.code, "name": ticket.queue_service.name},
        "unit": {"slug": ticket.queue_service.unit.slug, "name": ticket.queue_service.unit.short_name},
        "status": ticket.status,
        "priority": ticket.priority,
        "day": ticket.day.isoformat(),
        "issued_at": _as_utc(ticket.issued_at).isoformat(),
        "people_ahead": ahead,
        "estimated_wait_minutes": estimated_wait_minutes(ticket, ahead),
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
