"""Issuing queue tickets: the service's letter and number (A-001), opening hours and the daily cap,
one number per press and never a duplicate or a gap, on PostgreSQL in one statement.

Issuing commits itself: a number must be taken atomically. On PostgreSQL the issue is one
autocommit statement, a transaction of its own (so it commits explicitly, see
``_issue_in_one_statement``); on SQLite it is one serial unit of work
(``webapp.core.db.transactional``). ``now`` may be passed for tests (an aware UTC datetime).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, NoReturn

from flask import current_app
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from antrian.models import DailySequence, QueueService, Ticket, within_hours
from antrian.service import QueueError
from webapp.core.db import in_unit_of_work, next_value, transactional
from webapp.core.extensions import db
from webapp.core.i18n import N_
from webapp.core.localtime import local_now, local_time
from webapp.core.units import Unit

PRIORITY_REASONS = {"lansia": N_("Lanjut usia"), "disabilitas": N_("Penyandang disabilitas"), "hamil": N_("Ibu hamil")}


def format_number(code: str, sequence: int) -> str:
    """A-001 style: the service's letter and a three-digit sequence (more digits past 999)."""
    return f"{code}-{sequence:03d}"


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
    """A ticket just issued, with what its answer and its broadcast need.

    ``replayed``: the ticket was issued earlier for the same idempotency key (a retried request).
    """

    id: int
    number: str
    token: str
    sequence: int
    day: date
    unit: UnitRef
    replayed: bool = False


class KeyReusedError(QueueError):
    """An idempotency key already used today for a ticket of another service."""


# An idempotency key: what a uuid is made of, and no more than the column holds.
REQUEST_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")


def valid_request_key(key: str | None) -> bool:
    """Whether ``key`` may serve as an idempotency key (8 to 64 letters, digits, - or _; a uuid fits)."""
    return key is not None and REQUEST_KEY_PATTERN.fullmatch(key) is not None


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
                        priority, priority_reason, status, issued_at, call_count, request_key, locale)
    SELECT o.unit_id, q.queue_service_id, q.queue_service_id, q.day, q.last,
           o.code || '-' || lpad(CAST(q.last AS text), greatest(3, length(CAST(q.last AS text))), '0'),
           :token, :priority, :priority_reason, 'waiting', :now, 0, :request_key, :locale
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
    request_key: str | None = None,
    locale: str = "id",
) -> IssuedTicket:
    """Issue the next number of the unit's queue service ``code`` for today and commit; never a duplicate, never
    a gap. Raises UnknownQueueError for an unknown unit or service, QueueError when closed or when the cap is reached.
    Announce it with publish_change(..., issued=True), which raises the unit's version.

    ``request_key`` (an idempotency key, see valid_request_key): when the unit issued a ticket for this key today,
    that ticket is answered again (``replayed``), also to a request that raced the first one; KeyReusedError when
    it was for another service. The key is unique per unit and day in the database (security L8).

    ``locale`` is the language the visitor took the ticket in ("id" or "en"; anything else is taken as
    "id"): its page words the estimate in it (antrian.reading.open_ticket_facts). The view passes it.

    On PostgreSQL one statement (ISSUE_SQL) does it all; elsewhere (SQLite, a single writer) the same steps run
    one by one inside BEGIN IMMEDIATE.
    """
    if priority_reason is not None and priority_reason not in PRIORITY_REASONS:
        raise QueueError("Alasan prioritas tidak dikenal.")
    if request_key is not None and not valid_request_key(request_key):
        raise QueueError("Kunci idempoten tidak sah.")
    params = {"unit": unit_slug, "code": code, "now": now or datetime.now(UTC), "check_hours": check_hours,
              "token": secrets.token_urlsafe(18), "priority": priority_reason is not None,
              "priority_reason": priority_reason, "request_key": request_key, "locale": _known_locale(locale)}
    earlier = find_replay(unit_slug, code, request_key, now=params["now"])  # SQLite asks again under its lock
    if earlier is not None:
        return earlier
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            return _issue_in_one_statement(params)
        return _issue_step_by_step(params)
    except IntegrityError as exc:  # a request with the same key committed first: answer its ticket
        if KEY_CONSTRAINT not in str(exc.orig) and "request_key" not in str(exc.orig):
            raise
        if in_unit_of_work():  # the caller's unit of work is broken: it must roll back itself
            raise
        db.session.rollback()  # the failed statement took nothing: its number was rolled back with it
        earlier = find_replay(unit_slug, code, request_key, now=params["now"])
        if earlier is None:
            raise
        return earlier


KEY_CONSTRAINT = "uq_ticket_unit_id_day_request_key"


def _known_locale(locale: str | None) -> str:
    """``locale`` if the ticket pages speak it, else Indonesian (the column holds only what they can show)."""
    return locale if locale in ("id", "en") else "id"


def find_replay(unit_slug: str, code: str, request_key: str | None, *, now: datetime | None = None,
                ) -> IssuedTicket | None:
    """The ticket the unit issued today for ``request_key`` (``replayed``), or None; reads only.

    Raises KeyReusedError when that ticket is of another service than ``code``. Call it before counting an
    anonymous ticket (antrian.flood), so that a retry is not counted twice.
    """
    if request_key is None or not valid_request_key(request_key):
        return None
    unit = db.session.execute(select(Unit.id, Unit.slug, Unit.timezone).where(Unit.slug == unit_slug)).first()
    if unit is None:
        return None
    row = db.session.execute(
        select(Ticket.id, Ticket.number, Ticket.token, Ticket.sequence, Ticket.day, QueueService.code)
        .join(QueueService, QueueService.id == Ticket.issued_service_id)
        .where(Ticket.unit_id == unit.id, Ticket.day == local_time(now or datetime.now(UTC), unit).date(),
               Ticket.request_key == request_key)
    ).first()
    if row is None:
        return None
    if row.code != code:
        raise KeyReusedError("Kunci idempoten ini sudah dipakai hari ini untuk tiket layanan lain.")
    return IssuedTicket(row.id, row.number, row.token, row.sequence, row.day, UnitRef(unit.id, unit.slug),
                        replayed=True)


def _issue_in_one_statement(params: dict[str, Any]) -> IssuedTicket:
    """PostgreSQL: ISSUE_SQL on an autocommit connection, its own transaction; not a unit of work (see ``issue``)."""
    if in_unit_of_work():  # the commit below would end the caller's unit of work half-way
        raise RuntimeError("issue commits by itself on PostgreSQL: call it outside a unit of work")
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
        raise QueueError(N_("Layanan %(name)s sedang tutup."), name=name)
    raise QueueError(N_("Kuota harian %(name)s (%(cap)d nomor) sudah habis. Silakan datang besok."), name=name,
                     cap=daily_cap or 0)


@transactional(serial=True)
def _issue_step_by_step(params: dict[str, Any]) -> IssuedTicket:
    """SQLite: the steps of ISSUE_SQL one by one, holding the write lock from the first read; a refusal rolls back."""
    found = db.session.execute(
        select(Unit.id, Unit.slug, Unit.timezone, QueueService.id.label("service_id"), QueueService.code,
               QueueService.name, QueueService.daily_cap, QueueService.active, QueueService.opens_at,
               QueueService.closes_at)
        .outerjoin(QueueService, (QueueService.unit_id == Unit.id) & (QueueService.code == params["code"]))
        .where(Unit.slug == params["unit"])
    ).first()
    if found is None:
        raise UnknownQueueError("Instansi tidak dikenal.", "unit")
    # Checked under the write lock (no race on SQLite), and before the hours: a retry just after closing time
    # still finds its ticket.
    earlier = find_replay(params["unit"], params["code"], params["request_key"], now=params["now"])
    if earlier is not None:
        return earlier
    moment = local_time(params["now"], found)
    open_now = found.service_id is not None and (
        not params["check_hours"]
        or (moment.isoweekday() in current_app.config["QUEUE_DAYS"] and found.active
            and within_hours(found.opens_at, found.closes_at, moment.time()))
    )
    day = moment.date()
    sequence = next_value(DailySequence, queue_service_id=found.service_id, day=day) if open_now else 0
    if not open_now or (found.daily_cap is not None and sequence > found.daily_cap):
        _refuse(found.service_id, found.name, found.daily_cap, open_now)
    number = format_number(found.code, sequence)
    ticket_id = db.session.execute(
        insert(Ticket).values(
            unit_id=found.id, queue_service_id=found.service_id, issued_service_id=found.service_id, day=day,
            sequence=sequence, number=number, token=params["token"], priority=params["priority"],
            priority_reason=params["priority_reason"], status=Ticket.WAITING, issued_at=params["now"], call_count=0,
            request_key=params["request_key"], locale=params["locale"],
        ).returning(Ticket.id)
    ).scalar_one()
    return IssuedTicket(ticket_id, number, params["token"], sequence, day, UnitRef(found.id, found.slug))


def issue_ticket(
    service: QueueService,
    *,
    priority_reason: str | None = None,
    now: datetime | None = None,
    check_hours: bool = True,
    request_key: str | None = None,
    locale: str = "id",
) -> Ticket:
    """Issue the next number of ``service`` for today (see issue) and return the stored ticket."""
    issued = issue(service.unit.slug, service.code, priority_reason=priority_reason, now=now,
                   check_hours=check_hours, request_key=request_key, locale=locale)
    return db.session.get(Ticket, issued.id)


@transactional(serial=True)
def issue_marked(service: QueueService, *, now: datetime | None = None, booked_from: datetime | None = None,
                 mark: str = "", locale: str = "id") -> Ticket:
    """Issue the next number of ``service`` for today inside the caller's unit of work, for a visitor who
    holds an appointment made elsewhere (a booking's check-in, webapp.reservasi).

    ``booked_from`` (the slot's start) puts the ticket ahead of walk-ins from that moment
    (antrian.reading.call_order); ``mark`` goes before its number (RA-007) so that everyone sees it was
    booked. It takes its number from the line's daily sequence like any ticket (next_value: never a
    duplicate or a gap) and, unlike ``issue``, joins the caller's unit of work, so that the booking's
    check-in and its ticket commit together. The daily cap does not apply: the place was booked.
    ``locale``: the booker's language, in which the ticket page and its messages speak.
    """
    moment = now or datetime.now(UTC)
    day = local_time(moment, service.unit).date()
    sequence = next_value(DailySequence, queue_service_id=service.id, day=day)
    ticket = Ticket(unit_id=service.unit_id, queue_service_id=service.id, issued_service_id=service.id, day=day,
                    sequence=sequence, number=f"{mark}{format_number(service.code, sequence)}",
                    token=secrets.token_urlsafe(18), priority=False, status=Ticket.WAITING, issued_at=moment,
                    call_count=0, booked_from=booked_from, locale=_known_locale(locale))
    db.session.add(ticket)
    db.session.flush()
    return ticket
