"""The rules of a berkas: registration, the route step by step, time against mutu baku, the ready notice.

Every function takes ``now`` so tests (and the daily reminder) can run on a chosen clock;
views pass nothing and get the current time. Each function that changes a berkas is one
unit of work (``webapp.core.db.transactional``): the change, its kartu kendali line, its
audit line and its message to the applicant commit together, or not at all when it raises
BerkasError. They are serial: they read the file's state before they change it (and
``register`` takes a number), so on SQLite they hold the write lock from the first read, and
on PostgreSQL they lock the file's row (``hold``). The officer acting is a parameter, never
the logged-in user. The kartu kendali's buttons are dispatched by ``actions``; the reminder
a month later is in ``reminders``; what the applicant sees, in ``tracking``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app

from antrian.models import Ticket
from webapp.audit.models import record
from webapp.auth.models import User
from webapp.berkas.models import (
    AMBIL,
    DAFTAR,
    DIKEMBALIKAN,
    DIPROSES,
    KEMBALI,
    LENGKAPI,
    SELESAI,
    SERAH,
    SIAP,
    TERIMA,
    TOLAK,
    Berkas,
    BerkasCounter,
    BerkasMovement,
    BerkasStep,
)
from webapp.berkas.steps import jangka_waktu, requirements, route_for
from webapp.berkas.survey import berkas_invitation
from webapp.core.db import next_value, transactional, utcnow
from webapp.core.extensions import db
from webapp.core.formatting import public_url
from webapp.core.localtime import local_time, local_today
from webapp.core.phone import normalise_phone
from webapp.core.policy import can
from webapp.core.units import Unit
from webapp.outbox.models import EMAIL, SMS
from webapp.outbox.service import enqueue
from webapp.standards.models import Service
from webapp.workdays.service import WorkCalendar, add_working_days, calendar_for, working_days_between


class BerkasError(ValueError):
    """An action the file's state does not allow; the message is for the officer."""


# --- small helpers ---------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def hold(berkas: Berkas) -> None:
    """Lock the file's row until the unit of work commits, and read it afresh.

    Two officers pressing at once: the second waits for the first's commit, then sees the
    file as the first left it (PostgreSQL: ``SELECT ... FOR UPDATE``; SQLite's serial unit
    of work already holds the one write lock, and the refresh reads inside it).
    """
    db.session.refresh(berkas, with_for_update=True)


def working_hours() -> tuple[time, time]:
    """The office hours of WORKING_HOURS ("08:00-16:00"): the minutes a step's time counts."""
    start, _, end = current_app.config["WORKING_HOURS"].partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def minutes_per_working_day() -> int:
    """Length of a working day in minutes: what a mutu baku of "1 hari" allows."""
    opens, closes = working_hours()
    return (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)


def working_minutes(unit: Unit, start: datetime, end: datetime, calendar: WorkCalendar | None = None) -> int:
    """Minutes between two moments that fall within office hours on working days.

    A file handed over at 15.50 and received the next morning at 08.10 waited 20 minutes of
    office time, not 16 hours: nights, weekends and holidays do not count against a step.
    ``calendar``: the unit's calendar loaded once for many files (it must span both dates).
    """
    if end <= start:
        return 0
    opens, closes = working_hours()
    first, last = local_time(start, unit), local_time(end, unit)
    calendar = calendar or calendar_for(first.date(), last.date(), unit.id)
    total = timedelta()
    day = first.date()
    while day <= last.date():
        if calendar.is_working_day(day):
            day_start = datetime.combine(day, opens, first.tzinfo)
            day_end = datetime.combine(day, closes, first.tzinfo)
            overlap = min(day_end, last) - max(day_start, first)
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)


def standard_minutes(step: BerkasStep) -> int | None:
    """A step's mutu baku in working minutes (days count as whole office days); None without one."""
    if not step.has_standard:
        return None
    return (step.minutes or 0) + (step.days or 0) * minutes_per_working_day()


def format_number(year: int, sequence: int) -> str:
    """The registration number printed on the receipt: ``2026-00042``."""
    return f"{year}-{sequence:05d}"


def new_tracking_code() -> str:
    """120 random bits, URL-safe (20 characters): the applicant's tracking link cannot be guessed."""
    return secrets.token_urlsafe(15)


def _move(berkas: Berkas, kind: str, officer: User | None, at: datetime, *, src: int | None = None,
          dst: int | None = None, note: str = "") -> BerkasMovement:
    movement = BerkasMovement(kind=kind, from_position=src, to_position=dst, officer_id=officer.id if officer else None,
                              officer_name=officer.display_name if officer else "sistem", at=at, note=note)
    berkas.movements.append(movement)
    return movement


# --- registration ----------------------------------------------------------------------------


@dataclass
class Applicant:
    """What the front office writes down about the applicant."""

    name: str
    id_kind: str
    id_number: str
    phone: str
    email: str = ""
    address: str = ""


def ticket_fits(ticket: Ticket, service: Service) -> bool:
    """A queue ticket is linked only to a berkas of its own unit's services."""
    return ticket.unit_id == service.unit_id


def ticket_for(user: User, ticket_id: int | None) -> Ticket | None:
    """The queue ticket ``user`` may register a berkas for (the counter's "Daftarkan berkas"), or None."""
    ticket = db.session.get(Ticket, ticket_id) if ticket_id is not None else None
    return ticket if ticket is not None and can(user, "berkas.register", ticket) else None


@transactional(serial=True)
def register(service: Service, applicant: Applicant, received: list[bool], officer: User, *,
             ticket_id: int | None = None, note: str = "", now: datetime | None = None) -> Berkas:
    """Register a berkas at the front office, with its audit line: one unit of work.

    With every requirement received the file starts its route at the first step, signed for
    by ``officer``; otherwise it is recorded as returned to the applicant, with what is missing.
    A linked queue ticket must be one of the service's unit. Registration takes a number
    (``next_value``), hence serial. Raises BerkasError, with nothing written.
    """
    moment = _now(now)
    items = requirements(service)
    if len(received) != len(items):
        raise BerkasError("Daftar persyaratan berubah; muat ulang formulir.")
    if ticket_id is not None:
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is None:
            raise BerkasError("Tiket antrian yang ditautkan tidak ditemukan.")
        if not ticket_fits(ticket, service):
            raise BerkasError(f"Tiket antrian {ticket.number} milik instansi lain; berkas ini tidak dapat "
                              "ditautkan kepadanya. Pilih layanan instansi tiket itu.")  # fmt: skip
    unit = service.unit
    year = local_today(unit, moment).year
    sequence = next_value(BerkasCounter, unit_id=unit.id, year=year)
    berkas = Berkas(
        unit_id=unit.id, service_id=service.id, year=year, sequence=sequence, number=format_number(year, sequence),
        tracking_code=new_tracking_code(), applicant_name=applicant.name.strip(), applicant_id_kind=applicant.id_kind,
        applicant_id_number=applicant.id_number.strip(), applicant_phone=normalise_phone(applicant.phone),
        applicant_email=applicant.email.strip(),
        applicant_address=applicant.address.strip(),
        checklist=[{"text": text, "received": bool(ok)} for text, ok in zip(items, received, strict=True)],
        note=note.strip(), registered_at=moment, registered_by_id=officer.id, ticket_id=ticket_id,
    )  # fmt: skip
    berkas.unit, berkas.service = unit, service
    db.session.add(berkas)
    _move(berkas, DAFTAR, officer, moment)
    if berkas.missing:
        berkas.status = DIKEMBALIKAN
        _move(berkas, TOLAK, officer, moment, note="; ".join(berkas.missing))
    else:
        _start_route(berkas, officer, moment)
    db.session.flush()
    record("create", "berkas", berkas.id, f"Mendaftarkan berkas {berkas.number} ({service.title})", [], unit.id,
           actor=officer)
    return berkas


def _start_route(berkas: Berkas, officer: User, moment: datetime) -> None:
    """Copy the service's route onto the file and sign for it at the first step."""
    berkas.steps = [BerkasStep(position=i, **spec.as_dict()) for i, spec in enumerate(route_for(berkas.service))]
    berkas.status = DIPROSES
    berkas.duration_days = jangka_waktu(berkas.service)
    start = local_today(berkas.unit, moment)
    berkas.due_date = (add_working_days(start, berkas.duration_days, berkas.unit.id)
                       if berkas.duration_days is not None else None)
    _arrive(berkas, 0, moment)
    _receive(berkas, officer, moment)


@transactional(serial=True)
def complete_requirements(berkas: Berkas, received: list[bool], officer: User, now: datetime | None = None) -> None:
    """The applicant came back: tick what is now received; a complete file starts its route today."""
    hold(berkas)
    if berkas.status != DIKEMBALIKAN:
        raise BerkasError("Berkas ini tidak sedang menunggu kelengkapan persyaratan.")
    if len(received) != len(berkas.checklist):
        raise BerkasError("Daftar persyaratan berubah; muat ulang halaman.")
    moment = _now(now)
    berkas.checklist = [{"text": item["text"], "received": bool(item.get("received")) or bool(ok)}
                        for item, ok in zip(berkas.checklist, received, strict=True)]  # fmt: skip
    if berkas.missing:
        _move(berkas, TOLAK, officer, moment, note="; ".join(berkas.missing))
        return
    _move(berkas, LENGKAPI, officer, moment)
    _start_route(berkas, officer, moment)


# --- the route -----------------------------------------------------------------------------


def may_act(user: User, step: BerkasStep | None) -> bool:
    """Whether ``user`` may sign for, hand over or return the file at ``step``."""
    if step is None or not can(user, "berkas.act", step.berkas):
        return False
    return step.role is None or user.role == step.role or can(user, "berkas.stand_in", step.berkas)


def _guard(berkas: Berkas, officer: User) -> BerkasStep:
    """Hold the file, then the step ``officer`` may act at; BerkasError when the file is not moving or not theirs."""
    hold(berkas)
    step = berkas.current_step
    if berkas.status not in (DIPROSES, SIAP) or step is None:
        raise BerkasError("Berkas ini tidak sedang berjalan.")
    if not may_act(officer, step):
        raise BerkasError(f"Langkah {step.name} dikerjakan oleh {step.executor}.")
    return step


def _arrive(berkas: Berkas, position: int, moment: datetime) -> None:
    step = berkas.steps[position]
    berkas.current_position = position
    berkas.arrived_at = moment
    berkas.received_at = None
    berkas.holder_id, berkas.holder_name = None, ""
    step.first_arrived_at = step.first_arrived_at or moment


def _leave(berkas: Berkas, moment: datetime) -> BerkasStep:
    step = berkas.steps[berkas.current_position]
    if berkas.status != SIAP:  # a ready product waits for the applicant: not the office's time
        step.spent_minutes += working_minutes(berkas.unit, berkas.arrived_at or moment, moment)
    step.visits += 1
    step.last_left_at = moment
    return step


def _receive(berkas: Berkas, officer: User, moment: datetime) -> None:
    berkas.received_at = moment
    berkas.holder_id, berkas.holder_name = officer.id, officer.display_name
    berkas.holder = officer
    _move(berkas, TERIMA, officer, moment, dst=berkas.current_position)


@transactional(serial=True)
def receive(berkas: Berkas, officer: User, now: datetime | None = None) -> None:
    """The officer of the current step signs for the file (the kartu kendali's "diterima")."""
    _guard(berkas, officer)
    if berkas.received_at is not None:
        raise BerkasError(f"Berkas sudah diterima oleh {berkas.holder_name}.")
    _receive(berkas, officer, _now(now))


@transactional(serial=True)
def hand_over(berkas: Berkas, officer: User, note: str = "", now: datetime | None = None) -> None:
    """The officer who holds the file hands it to the next step; the last step means ready to collect."""
    step = _guard(berkas, officer)
    if berkas.received_at is None:
        raise BerkasError("Terima berkas dulu sebelum menyerahkannya.")
    if step.position == len(berkas.steps) - 1:
        raise BerkasError("Ini langkah terakhir: serahkan dokumen kepada pemohon.")
    moment = _now(now)
    _leave(berkas, moment)
    target = step.position + 1
    _move(berkas, SERAH, officer, moment, src=step.position, dst=target, note=note.strip())
    _arrive(berkas, target, moment)
    if target == len(berkas.steps) - 1:
        _mark_ready(berkas, moment)


@transactional(serial=True)
def return_to(berkas: Berkas, position: int, reason: str, officer: User, now: datetime | None = None) -> None:
    """Send the file back to an earlier step, with the reason (a correction, a missing paraf)."""
    step = _guard(berkas, officer)
    if berkas.received_at is None:
        raise BerkasError("Terima berkas dulu sebelum mengembalikannya.")
    if not 0 <= position < step.position:
        raise BerkasError("Pilih langkah sebelumnya.")
    if not reason.strip():
        raise BerkasError("Tulis alasan pengembalian.")
    moment = _now(now)
    _leave(berkas, moment)
    _move(berkas, KEMBALI, officer, moment, src=step.position, dst=position, note=reason.strip())
    _arrive(berkas, position, moment)
    if berkas.status == SIAP:  # taken back from the collection counter: no longer ready
        berkas.status, berkas.ready_at = DIPROSES, None


@transactional(serial=True)
def collect(berkas: Berkas, officer: User, recipient: str, now: datetime | None = None) -> None:
    """The applicant (or a representative) collects the document at the last step.

    The applicant's one-time survey invitation is made here, in the same unit of work, so
    the tracking page only reads it (``survey.survey_token``).
    """
    step = _guard(berkas, officer)
    if berkas.status != SIAP or step.position != len(berkas.steps) - 1:
        raise BerkasError("Dokumen belum siap diserahkan.")
    if berkas.received_at is None:
        raise BerkasError("Terima berkas di loket penyerahan dulu.")
    if not recipient.strip():
        raise BerkasError("Tulis nama yang mengambil dokumen.")
    moment = _now(now)
    _leave(berkas, moment)
    _move(berkas, AMBIL, officer, moment, src=step.position, note=recipient.strip())
    berkas.status, berkas.collected_at, berkas.collected_by = SELESAI, moment, recipient.strip()[:160]
    berkas.holder_id, berkas.holder_name = None, ""
    berkas_invitation(berkas)


# --- time against the standard ------------------------------------------------------------


def step_minutes(berkas: Berkas, step: BerkasStep, now: datetime | None = None) -> int:
    """Working minutes spent at ``step``, the visit under way included."""
    spent = step.spent_minutes
    # A ready file waits for the applicant, not for an officer: only a file in process runs the clock.
    if berkas.status == DIPROSES and berkas.current_position == step.position and berkas.arrived_at:
        spent += working_minutes(berkas.unit, berkas.arrived_at, _now(now))
    return spent


def step_is_late(berkas: Berkas, step: BerkasStep, now: datetime | None = None) -> bool:
    """Whether the step took (or is taking) longer than its mutu baku."""
    allowed = standard_minutes(step)
    return allowed is not None and step_minutes(berkas, step, now) > allowed


def finish_date(berkas: Berkas) -> date | None:
    """The local date the product was ready (None while it is not)."""
    return local_today(berkas.unit, berkas.ready_at) if berkas.ready_at else None


def days_used(berkas: Berkas, now: datetime | None = None) -> int:
    """Working days from registration to ready (or to today while in process)."""
    start = local_today(berkas.unit, berkas.registered_at)
    end = finish_date(berkas) or local_today(berkas.unit, now)
    return max(working_days_between(start, end, berkas.unit.id), 0)


def is_late(berkas: Berkas, now: datetime | None = None) -> bool:
    """Past its jangka waktu: still in process after the due date, or made ready after it."""
    if berkas.due_date is None or berkas.status == DIKEMBALIKAN:
        return False
    end = finish_date(berkas) or local_today(berkas.unit, now)
    return end > berkas.due_date


# --- notices -------------------------------------------------------------------------------


def tracking_url(berkas: Berkas) -> str:
    """The applicant's tracking link (empty outside a request when PUBLIC_BASE_URL is unset)."""
    try:
        return public_url("berkas.track", code=berkas.tracking_code)
    except RuntimeError:
        return ""


def notify_applicant(berkas: Berkas, topic: str, sms: str, subject: str, email: str) -> None:
    """Queue the SMS (seed 004) and, when the applicant gave one, an email; never a name or NIK."""
    enqueue(SMS, berkas.applicant_phone, sms, unit_id=berkas.unit.id, topic=topic, reference=berkas.number)
    if berkas.applicant_email:
        enqueue(EMAIL, berkas.applicant_email, email, unit_id=berkas.unit.id, subject=subject, topic=topic,
                reference=berkas.number)


def _mark_ready(berkas: Berkas, moment: datetime) -> None:
    berkas.status, berkas.ready_at = SIAP, moment
    link = tracking_url(berkas)
    unit = berkas.unit.short_name
    sms = (f"{unit}: permohonan {berkas.number} ({berkas.service.title}) sudah selesai. "
           f"Silakan ambil di loket penyerahan pada hari kerja, bawa tanda terima.{' ' + link if link else ''}")
    email = (f"Permohonan nomor {berkas.number} untuk {berkas.service.title} sudah selesai diproses.\n\n"
             f"Silakan ambil dokumen di loket penyerahan {berkas.unit.name} pada hari dan jam kerja, "
             f"dengan membawa tanda terima berkas.\n\n{link}")  # fmt: skip
    notify_applicant(berkas, "berkas.siap", sms, f"Permohonan {berkas.number} siap diambil", email)
