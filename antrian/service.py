"""Queue rules: numbering, issuing, calling (priority first, then arrival), the counter actions,
positions and waiting estimates, and the state snapshot that displays and phones show.

Functions add to the session and commit themselves where a number or a claim must be
atomic; ``now`` may be passed for tests (an aware UTC datetime).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from statistics import mean
from typing import Any, NamedTuple, NoReturn

from flask import current_app
from sqlalchemy import and_, func, insert, or_, select, text, update

from antrian.models import Counter, DailySequence, QueueService, QueueState, Ticket, within_hours
from webapp.core.db import begin_write, next_value, upsert
from webapp.core.extensions import db
from webapp.core.localtime import local_now, local_time, local_today
from webapp.core.units import Unit

RECENT_CALLS = 6
CLAIM_ATTEMPTS = 5
PRIORITY_REASONS = {"lansia": "Lanjut usia", "disabilitas": "Penyandang disabilitas", "hamil": "Ibu hamil"}


class QueueError(ValueError):
    """A queue action that cannot be done; the message is for the visitor or officer, in Indonesian."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def format_number(code: str, sequence: int) -> str:
    """A-001 style: the service's letter and a three-digit sequence (more digits past 999)."""
    return f"{code}-{sequence:03d}"


def raise_version(unit_id: int) -> None:
    """Raise the unit's queue version in a transaction of its own: the announcement of new tickets."""
    begin_write()
    bump_version(unit_id)
    db.session.commit()


def bump_version(unit_id: int) -> None:
    """Raise the unit's queue version in the same transaction as the change it marks.

    An upsert: two counters making a unit's very first change at once must not both try to create its row.
    """
    db.session.execute(
        upsert(QueueState)
        .values(unit_id=unit_id, version=1, running_text="")
        .on_conflict_do_update(index_elements=[QueueState.unit_id], set_={"version": QueueState.version + 1})
    )


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


class UnknownQueueError(QueueError):
    """The unit or the queue service asked for does not exist; ``field`` says which ("unit" or "service")."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class UnitRef(NamedTuple):
    """What publish_change needs of a unit: its id and slug."""

    id: int
    slug: str


@dataclass(frozen=True)
class IssuedTicket:
    """A ticket just issued, with what its answer and its broadcast need."""

    id: int
    number: str
    token: str
    sequence: int
    day: date
    unit: UnitRef


# Issuing on PostgreSQL in one statement, one round trip, its own transaction (autocommit): find the
# unit and the service, check the hours (as QueueService.is_open_at and is_open do) and the daily cap,
# take the next number (the upsert locks the service's row for the day until the commit, so two
# kiosks never get the same number and none is skipped) and insert the ticket. The final SELECT
# always answers one row when the unit exists; ``id`` is NULL when no ticket was issued (unknown
# service, closed, or the cap reached: ``open`` tells the last two apart).
# Issuing does not raise the unit's version: that row is one per unit, and every kiosk of the unit
# would queue behind its lock until the commit. The announcement of new tickets raises it, once for
# all the tickets issued within QUEUE_STATE_DELAY (antrian.events.publish_change).
ISSUE_SQL = text("""
WITH svc AS (
    SELECT u.id AS unit_id, u.slug AS unit_slug, s.id AS service_id, s.code, s.name, s.daily_cap,
           s.active, s.opens_at, s.closes_at, CAST(:now AT TIME ZONE u.timezone AS timestamp) AS local_now
    FROM unit u LEFT JOIN queue_service s ON s.unit_id = u.id AND s.code = :code
    WHERE u.slug = :unit
), open_svc AS (
    SELECT * FROM svc
    WHERE service_id IS NOT NULL AND (NOT :check_hours OR (
        active AND strpos(:days, CAST(EXTRACT(ISODOW FROM local_now) AS text)) > 0
        AND opens_at <= CAST(local_now AS time)
        AND (closes_at = TIME '00:00' OR CAST(local_now AS time) < closes_at)))
), seq AS (
    INSERT INTO daily_sequence AS d (queue_service_id, day, last)
    SELECT service_id, CAST(local_now AS date), 1 FROM open_svc WHERE coalesce(daily_cap, 1) >= 1
    ON CONFLICT (queue_service_id, day) DO UPDATE SET last = d.last + 1
        WHERE d.last < coalesce((SELECT daily_cap FROM open_svc), 2147483647)
    RETURNING d.queue_service_id, d.day, d.last
), new AS (
    INSERT INTO ticket (unit_id, queue_service_id, issued_service_id, day, sequence, number, token,
                        priority, priority_reason, status, issued_at, call_count)
    SELECT o.unit_id, q.queue_service_id, q.queue_service_id, q.day, q.last,
           o.code || '-' || lpad(CAST(q.last AS text), greatest(3, length(CAST(q.last AS text))), '0'),
           :token, :priority, :priority_reason, 'waiting', :now, 0
    FROM seq q CROSS JOIN open_svc o
    RETURNING id, day, sequence, number
)
SELECT svc.unit_id, svc.unit_slug, svc.service_id, svc.name, svc.daily_cap,
       EXISTS (SELECT 1 FROM open_svc) AS open, new.id, new.day, new.sequence, new.number
FROM svc LEFT JOIN new ON true
""")


def issue(
    unit_slug: str,
    code: str,
    *,
    priority_reason: str | None = None,
    now: datetime | None = None,
    check_hours: bool = True,
) -> IssuedTicket:
    """Issue the next number of the unit's queue service ``code`` for today and commit; never a duplicate, never
    a gap. Raises UnknownQueueError for an unknown unit or service, QueueError when closed or when the cap is reached.
    Announce it with publish_change(..., issued=True), which raises the unit's version.

    On PostgreSQL one statement (ISSUE_SQL) does it all; elsewhere (SQLite, a single writer) the same steps run
    one by one inside BEGIN IMMEDIATE.
    """
    if priority_reason is not None and priority_reason not in PRIORITY_REASONS:
        raise QueueError("Alasan prioritas tidak dikenal.")
    params = {"unit": unit_slug, "code": code, "now": _now(now), "check_hours": check_hours,
              "token": secrets.token_urlsafe(18), "priority": priority_reason is not None,
              "priority_reason": priority_reason}
    if db.session.get_bind().dialect.name == "postgresql":
        return _issue_in_one_statement(params)
    return _issue_step_by_step(params)


def _issue_in_one_statement(params: dict[str, Any]) -> IssuedTicket:
    db.session.commit()  # end whatever the request began: the statement is a transaction of its own
    connection = db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    days = "".join(str(day) for day in sorted(current_app.config["QUEUE_DAYS"]))  # ISO weekdays, "12345"
    row = connection.execute(ISSUE_SQL, {**params, "days": days}).first()
    db.session.commit()  # hands the connection back to the pool
    if row is None:
        raise UnknownQueueError("Instansi tidak dikenal.", "unit")
    if row.id is None:
        _refuse(row.service_id, row.name, row.daily_cap, row.open)
    return IssuedTicket(row.id, row.number, params["token"], row.sequence, row.day, UnitRef(row.unit_id, row.unit_slug))


def _refuse(service_id: int | None, name: str, daily_cap: int | None, open_now: bool) -> NoReturn:
    if service_id is None:
        raise UnknownQueueError("Layanan antrian tidak dikenal.", "service")
    if not open_now:
        raise QueueError(f"Layanan {name} sedang tutup.")
    raise QueueError(f"Kuota harian {name} ({daily_cap} nomor) sudah habis. Silakan datang besok.")


def _issue_step_by_step(params: dict[str, Any]) -> IssuedTicket:
    begin_write()
    found = db.session.execute(
        select(Unit.id, Unit.slug, Unit.timezone, QueueService.id.label("service_id"), QueueService.code,
               QueueService.name, QueueService.daily_cap, QueueService.active, QueueService.opens_at,
               QueueService.closes_at)
        .outerjoin(QueueService, (QueueService.unit_id == Unit.id) & (QueueService.code == params["code"]))
        .where(Unit.slug == params["unit"])
    ).first()
    if found is None:
        db.session.rollback()
        raise UnknownQueueError("Instansi tidak dikenal.", "unit")
    moment = local_time(params["now"], found)
    open_now = found.service_id is not None and (
        not params["check_hours"]
        or (moment.isoweekday() in current_app.config["QUEUE_DAYS"] and found.active
            and within_hours(found.opens_at, found.closes_at, moment.time()))
    )
    day = moment.date()
    sequence = next_value(DailySequence, queue_service_id=found.service_id, day=day) if open_now else 0
    if not open_now or (found.daily_cap is not None and sequence > found.daily_cap):
        db.session.rollback()
        _refuse(found.service_id, found.name, found.daily_cap, open_now)
    number = format_number(found.code, sequence)
    ticket_id = db.session.execute(
        insert(Ticket).values(
            unit_id=found.id, queue_service_id=found.service_id, issued_service_id=found.service_id, day=day,
            sequence=sequence, number=number, token=params["token"], priority=params["priority"],
            priority_reason=params["priority_reason"], status=Ticket.WAITING, issued_at=params["now"], call_count=0,
        ).returning(Ticket.id)
    ).scalar_one()
    db.session.commit()
    return IssuedTicket(ticket_id, number, params["token"], sequence, day, UnitRef(found.id, found.slug))


def issue_ticket(
    service: QueueService,
    *,
    priority_reason: str | None = None,
    now: datetime | None = None,
    check_hours: bool = True,
) -> Ticket:
    """Issue the next number of ``service`` for today (see issue) and return the stored ticket."""
    issued = issue(service.unit.slug, service.code, priority_reason=priority_reason, now=now,
                   check_hours=check_hours)
    return db.session.get(Ticket, issued.id)


def _waiting_order(statement: Any) -> Any:
    return statement.order_by(Ticket.priority.desc(), Ticket.issued_at, Ticket.id)


def current_ticket(counter: Counter, now: datetime | None = None) -> Ticket | None:
    """The ticket a counter has called or is serving today."""
    return db.session.scalar(
        select(Ticket)
        .where(
            Ticket.counter_id == counter.id,
            Ticket.day == local_today(counter.unit, now),
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
    day = local_today(counter.unit, now)
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
    if ticket.day != local_today(counter.unit, now):
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
        Ticket.unit_id == unit.id, Ticket.day == local_today(unit, now), Ticket.status == Ticket.WAITING
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
    spans = [(done - called).total_seconds() / 60 for called, done in rows if called and done]
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
        _waiting_order(select(Ticket.number, Ticket.queue_service_id).where(*today, Ticket.status == Ticket.WAITING))
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
            {"code": s.code, "name": s.name, "waiting": waiting_by_service[s.id]} for s in services
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
        "issued_at": ticket.issued_at.isoformat(),
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
