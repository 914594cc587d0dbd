"""The rules of reservasi: the days and slots a line offers, booking a place (never overbooked), moving and
cancelling, the fairness rules, checking in for a ticket, and the daily jobs (reminders, no-shows, erasure).

Every function that changes data is one unit of work (``webapp.core.db.transactional``); those that
claim a place are serial (on SQLite they hold the write lock from their first read). A place is
claimed in one statement: ``INSERT INTO booking_slot ... taken = 1 ON CONFLICT DO UPDATE SET taken =
taken + 1 WHERE taken < capacity``, so twenty visitors pressing for the last place at once give exactly
one booking. A booking is six statements (counted in tests/test_reservasi.py; timed by
bench/bench_booking.py). ``now`` may be passed for tests (an aware UTC datetime). Domain errors are
``BookingError``; ``field`` names the form field at fault, ``status`` the API's answer (409 full or
duplicate, 422 a bad value).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, inspect, or_, select, update
from sqlalchemy.orm import contains_eager

from antrian.issuing import issue_marked
from antrian.models import QueueService, Ticket
from antrian.notify import set_contact
from antrian.service import QueueError, bump_version
from webapp.audit.models import record
from webapp.core.db import transactional, upsert, utcnow
from webapp.core.extensions import db
from webapp.core.formatting import public_url, tanggal
from webapp.core.i18n import N_, TranslatableError
from webapp.core.localtime import local_moment, local_now, local_time, local_today
from webapp.core.phone import normalise_phone
from webapp.core.text import is_email_address
from webapp.core.units import Unit
from webapp.outbox.models import EMAIL
from webapp.outbox.service import enqueue
from webapp.reservasi.models import Booking, BookingSetup, BookingSlot
from webapp.standards.models import Service
from webapp.workdays.service import calendar_for

# A booking code: 8 characters without 0/O/1/I (read over the phone without confusion), 40 random bits.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
TOPIC_CONFIRM, TOPIC_DAY, TOPIC_HOUR = "reservasi.konfirmasi", "reservasi.besok", "reservasi.sejam"


class BookingError(TranslatableError):
    """A booking action that cannot be done; the message is for the person, in Indonesian.

    Messages are msgids with their numbers and dates as values: the public pages show ``exc.translated()``.
    """

    def __init__(self, message: str, *, field: str | None = None, status: int = 409, **values: Any) -> None:
        super().__init__(message, **values)
        self.field = field
        self.status = status


# Why a booking can no longer change or check in, by its status (one sentence each, to translate whole).
ENDED: dict[str, str] = {
    Booking.HADIR: N_("Reservasi ini sudah check-in."),
    Booking.BATAL: N_("Reservasi ini sudah dibatalkan."),
    Booking.TIDAK_DATANG: N_("Reservasi ini sudah lewat: pemesan tidak datang."),
}


# --- setup ---------------------------------------------------------------------------------------


def setup_of(line: QueueService) -> BookingSetup | None:
    """The line's booking setup, or None when it never had one."""
    return db.session.get(BookingSetup, line.id)


def taking_bookings(line: QueueService) -> BookingSetup | None:
    """The line's setup when the line is active and takes bookings, else None."""
    setup = setup_of(line)
    return setup if setup is not None and setup.enabled and line.active else None


SETUP_FIELDS = ("enabled", "slot_minutes", "places", "days_ahead", "walk_in_percent", "early_minutes",
                "late_minutes", "mark", "max_per_contact", "noshow_limit", "noshow_days", "ask_nik")


@transactional
def save_setup(line: QueueService, values: dict[str, Any], *, actor: Any) -> BookingSetup:
    """Store the line's booking rules (``values`` keyed by SETUP_FIELDS, validated by the form), audited."""
    setup = setup_of(line) or BookingSetup(queue_service_id=line.id)
    for name in SETUP_FIELDS:
        if name in values:
            setattr(setup, name, values[name])
    if not 0 <= setup.walk_in_percent <= 100 or setup.slot_minutes < 5 or setup.places < 1:
        raise BookingError(N_("Pengaturan reservasi tidak sah."), status=422)
    db.session.add(setup)
    record("update", "booking_setup", line.id, f"Mengatur reservasi layanan antrian {line.code}", None,
           line.unit_id, actor=actor)
    return setup


def booking_lines(unit: Unit) -> list[QueueService]:
    """The unit's lines that take bookings, in the kiosk's order."""
    return list(db.session.scalars(
        select(QueueService).join(BookingSetup, BookingSetup.queue_service_id == QueueService.id)
        .where(QueueService.unit_id == unit.id, QueueService.active.is_(True), BookingSetup.enabled.is_(True))
        .order_by(QueueService.position, QueueService.code)
    ))


def booking_units() -> list[Unit]:
    """Units with at least one line taking bookings."""
    ids = select(QueueService.unit_id).join(BookingSetup, BookingSetup.queue_service_id == QueueService.id).where(
        BookingSetup.enabled.is_(True), QueueService.active.is_(True))
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.name)))


# --- days and slots -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One slot of a line on a day: local start and end, the moments, and the places left."""

    day: date
    start: time
    end: time
    starts_at: datetime
    ends_at: datetime
    capacity: int
    available: int


def booking_days(line: QueueService, setup: BookingSetup, now: datetime | None = None) -> list[date]:
    """The days a line may be booked: today and the next ``days_ahead`` days that are working days of the unit
    (weekends, national holidays, cuti bersama per the setting, the unit's closures) and queue days."""
    today = local_today(line.unit, now)
    last = today + timedelta(days=setup.days_ahead)
    calendar = calendar_for(today, last, line.unit_id)
    queue_days = current_app.config["QUEUE_DAYS"]
    return [day for offset in range(setup.days_ahead + 1)
            if (day := today + timedelta(days=offset)) and calendar.is_working_day(day)
            and day.isoweekday() in queue_days]


def _starts(line: QueueService, setup: BookingSetup) -> list[tuple[time, time]]:
    """Local (start, end) of every slot within the line's opening hours (a close at 00:00 means midnight)."""
    opens = line.opens_at.hour * 60 + line.opens_at.minute
    closes = line.closes_at.hour * 60 + line.closes_at.minute or 24 * 60
    step = max(5, setup.slot_minutes)
    result = []
    for minute in range(opens, closes - step + 1, step):
        end = minute + step
        result.append((time(minute // 60, minute % 60), time((end // 60) % 24, end % 60)))
    return result


def slots(line: QueueService, setup: BookingSetup, day: date, now: datetime | None = None) -> list[Slot]:
    """The slots of ``line`` on ``day`` that may still be booked (they start after ``now``), with the places left;
    none on a day that is not bookable."""
    if day not in booking_days(line, setup, now):
        return []
    moment = now or utcnow()
    taken = dict(db.session.execute(
        select(BookingSlot.start, BookingSlot.taken).where(BookingSlot.queue_service_id == line.id,
                                                            BookingSlot.day == day)
    ).all())
    capacity = setup.bookable_places
    result = []
    for start, end in _starts(line, setup):
        starts_at = local_moment(day, start, line.unit)
        if starts_at <= moment:  # the cut-off: a slot that has begun is no longer booked
            continue
        ends_at = starts_at + timedelta(minutes=setup.slot_minutes)
        result.append(Slot(day, start, end, starts_at, ends_at, capacity, max(0, capacity - taken.get(start, 0))))
    return result


def find_slot(line: QueueService, setup: BookingSetup, day: date, start: time,
              now: datetime | None = None) -> Slot:
    """The bookable slot of ``line`` at ``day`` ``start``; BookingError (422) when there is none."""
    if day not in booking_days(line, setup, now):
        raise BookingError(N_("Tanggal ini tidak dapat dipesan: pilih hari kerja dalam jangka pemesanan."),
                           field="date", status=422)
    found = next((s for s in slots(line, setup, day, now) if s.start == start), None)
    if found is None:
        raise BookingError(N_("Jam ini tidak tersedia: pilih jam yang ada pada daftar."), field="start", status=422)
    return found


def _slot_moments(line: QueueService, setup: BookingSetup, day: date, start: time,
                  now: datetime | None = None) -> tuple[datetime, datetime]:
    """The start and end moments of the slot to book, by the rules of ``find_slot`` but without counting its
    places (the claim counts them, atomically): one query fewer per booking. BookingError (422) when there
    is no such slot."""
    if day not in booking_days(line, setup, now):
        raise BookingError(N_("Tanggal ini tidak dapat dipesan: pilih hari kerja dalam jangka pemesanan."),
                           field="date", status=422)
    starts_at = local_moment(day, start, line.unit)
    if all(start != begins for begins, _ in _starts(line, setup)) or starts_at <= (now or utcnow()):
        raise BookingError(N_("Jam ini tidak tersedia: pilih jam yang ada pada daftar."), field="start", status=422)
    return starts_at, starts_at + timedelta(minutes=setup.slot_minutes)


def _claim(line: QueueService, day: date, start: time, capacity: int) -> None:
    """Take one place of the slot in one statement, or BookingError (409) when it is full.

    One upsert: the slot's row is created with the place taken, or, when it exists, its count is
    raised only while below ``capacity``. PostgreSQL locks the existing row and checks the
    condition on its latest version; SQLite holds the write lock (``serial``). So of twenty
    visitors racing for the last place, exactly one gets a row back.
    """
    full = BookingError(N_("Jam ini sudah penuh. Silakan pilih jam lain."), field="start")
    if capacity < 1:
        raise full
    statement = upsert(BookingSlot).values(queue_service_id=line.id, day=day, start=start, taken=1)
    statement = statement.on_conflict_do_update(
        index_elements=[BookingSlot.queue_service_id, BookingSlot.day, BookingSlot.start],
        set_={"taken": BookingSlot.taken + 1}, where=BookingSlot.taken < capacity,
    ).returning(BookingSlot.taken)
    if db.session.execute(statement).first() is None:
        raise full


def _release(booking: Booking) -> None:
    """Give a place of the booking's slot back."""
    db.session.execute(
        update(BookingSlot)
        .where(BookingSlot.queue_service_id == booking.queue_service_id, BookingSlot.day == booking.day,
               BookingSlot.start == booking.start, BookingSlot.taken > 0)
        .values(taken=BookingSlot.taken - 1)
        .execution_options(synchronize_session=False)
    )


# --- codes ----------------------------------------------------------------------------------------


def new_code() -> str:
    """A fresh booking code (8 characters of ALPHABET)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(raw: str) -> str:
    """A code as typed or scanned ("abcd-efgh", a whole URL) reduced to its 8 characters; "" when it is none."""
    text = (raw or "").strip().rstrip("/").rsplit("/", 1)[-1].upper()
    text = "".join(ch for ch in text if ch not in "- ")
    return text if len(text) == CODE_LENGTH and all(ch in ALPHABET for ch in text) else ""


def format_code(code: str) -> str:
    """ABCD-EFGH: two groups of four, to read out."""
    return f"{code[:4]}-{code[4:]}"


def code_hash(code: str) -> str:
    """The stored form of a code: HMAC-SHA256 with the app's secret key (a leaked table gives no codes)."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), code.encode(), hashlib.sha256).hexdigest()


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="loket-reservasi-tautan")


def link_key(booking: Booking) -> str:
    """A key for the booking's page without its code (the code is not stored): the reminders' links."""
    return _signer().dumps(booking.id)


def find_booking(key: str) -> Booking | None:
    """The booking of a code (typed, scanned, or in a URL) or of a reminder's signed key; None otherwise."""
    code = clean_code(key)
    if code:
        return db.session.scalar(select(Booking).where(Booking.code_hash == code_hash(code)))
    if "." in (key or ""):
        try:
            booking_id = _signer().loads(key)
        except BadSignature:
            return None
        return db.session.get(Booking, booking_id) if isinstance(booking_id, int) else None
    return None


# --- booking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """Who books: a name and a phone number (WhatsApp/SMS) or an email; a NIK only when the unit asks."""

    name: str
    phone: str = ""
    email: str = ""
    nik: str = ""
    locale: str = "id"  # the language of the booking page: the messages are sent in it


def _contact_filter(phone: str | None, email: str | None) -> Any:
    terms = []
    if phone:
        terms.append(Booking.phone == phone)
    if email:
        terms.append(Booking.email == email)
    return or_(*terms)


def check_fairness(line: QueueService, setup: BookingSetup, day: date, phone: str | None, email: str | None,
                   *, now: datetime | None = None, ignore: int | None = None) -> None:
    """The fairness rules: at most ``max_per_contact`` active bookings per phone (or email), line and day; no
    booking for ``noshow_days`` days after ``noshow_limit`` no-shows. BookingError (409) otherwise."""
    if not phone and not email:
        return
    # Both counts in one query: the contact's bookings of this line, counted twice with a FILTER.
    since = local_today(line.unit, now) - timedelta(days=setup.noshow_days)
    active, missed = db.session.execute(select(
        func.count().filter(Booking.day == day, Booking.status == Booking.AKTIF, Booking.id != (ignore or 0)),
        func.count().filter(Booking.status == Booking.TIDAK_DATANG, Booking.day >= since),
    ).where(Booking.queue_service_id == line.id, _contact_filter(phone, email))).one()
    if active >= setup.max_per_contact:
        raise BookingError(N_("Nomor atau email ini sudah punya reservasi untuk layanan ini pada hari itu. "
                              "Ubah atau batalkan reservasi itu lebih dulu."), field="phone")
    if 0 < setup.noshow_limit <= missed:
        raise BookingError(N_("Reservasi dengan nomor atau email ini tidak dapat dibuat sementara: %(missed)d "
                              "kali tidak datang dalam %(days)d hari terakhir. Silakan datang langsung dan ambil "
                              "nomor antrian di kios."), field="phone", missed=missed, days=setup.noshow_days)


def _clean_contact(setup: BookingSetup, contact: Contact) -> tuple[str, str | None, str | None, str | None]:
    """Name, phone (62...), email and NIK as stored; BookingError (422) naming the field at fault."""
    name = " ".join((contact.name or "").split())
    if not name:
        raise BookingError(N_("Tulis nama Anda."), field="name", status=422)
    if len(name) > 120:
        raise BookingError(N_("Nama paling banyak 120 huruf."), field="name", status=422)
    phone = email = None
    if contact.phone:
        try:
            phone = normalise_phone(contact.phone)
        except ValueError as exc:
            raise BookingError(str(exc), field="phone", status=422) from exc
    if contact.email:
        if not is_email_address(contact.email.strip()) or len(contact.email.strip()) > 254:
            raise BookingError(N_("Tulis alamat email yang benar, misalnya nama@contoh.id."), field="email", status=422)
        email = contact.email.strip().lower()
    if not phone and not email:
        raise BookingError(N_("Tulis nomor HP (WhatsApp/SMS) atau email untuk konfirmasi."), field="phone", status=422)
    nik = (contact.nik or "").strip() or None
    if nik is not None and (not setup.ask_nik or len(nik) != 16 or not nik.isascii() or not nik.isdigit()):
        raise BookingError(N_("NIK terdiri dari 16 angka.") if setup.ask_nik else N_("NIK tidak diminta."),
                           field="nik", status=422)
    return name, phone, email, nik


def _route(booking: Booking) -> tuple[str, str]:
    """(outbox channel, recipient) of a booking's messages: the email when given, else the phone."""
    if booking.email:
        return EMAIL, booking.email
    return current_app.config["RESERVASI_PHONE_CHANNEL"], booking.phone or ""


def _link(key: str) -> str:
    """The absolute link of a booking's page for a message (PUBLIC_BASE_URL outside a request)."""
    try:
        return public_url("reservasi.booking", key=key)
    except RuntimeError:  # a CLI job without PUBLIC_BASE_URL: the path alone
        return f"/reservasi/{key}"


def _slot_words(booking: Booking) -> str:
    return _("%(day)s pukul %(time)s", day=tanggal(booking.day), time=f"{booking.start:%H.%M}")


def _message(booking: Booking, topic: str, compose: Callable[[], str]) -> None:
    """Put a message about ``booking`` in the outbox (sent after the commit). No name or NIK in the body.

    ``compose`` words the body in the language the visitor booked in (``booking.locale``).
    """
    channel, recipient = _route(booking)
    if recipient:
        with force_locale(booking.locale or "id"):
            body, subject = compose(), _("Reservasi antrian")
        enqueue(channel, recipient, body, unit_id=booking.unit_id, subject=subject, topic=topic,
                reference=booking.code_tail)


def _confirm(booking: Booking, line: QueueService, code: str, moved: bool = False) -> None:
    _message(booking, TOPIC_CONFIRM, lambda: " ".join((
        _("Reservasi antrian %(line)s di %(unit)s dipindahkan: %(slot)s.", line=line.name,
          unit=line.unit.short_name, slot=_slot_words(booking)) if moved else
        _("Reservasi antrian %(line)s di %(unit)s diterima: %(slot)s.", line=line.name,
          unit=line.unit.short_name, slot=_slot_words(booking)),
        _("Kode reservasi %(code)s. Tunjukkan kode atau QR di kios saat tiba.", code=format_code(code)),
        _("Lihat, ubah atau batalkan: %(link)s", link=_link(code)),
    )))


@transactional(serial=True)
def book(line: QueueService, day: date, start: time, contact: Contact, *, now: datetime | None = None,
         actor: Any = None) -> tuple[Booking, str]:
    """Book one place of ``line`` on ``day`` at ``start`` for ``contact``; answers the booking and its code.

    The code is answered once and never stored (only its HMAC and last four characters). The
    confirmation goes through the outbox after the commit. BookingError: 422 for a bad value
    (``field``), 409 when the slot is full or the fairness rules refuse.
    """
    setup = _load_for_booking(line)
    if setup is None:
        raise BookingError(N_("Layanan ini tidak menerima reservasi."), field="service", status=422)
    name, phone, email, nik = _clean_contact(setup, contact)
    starts_at, ends_at = _slot_moments(line, setup, day, start, now)
    check_fairness(line, setup, day, phone, email, now=now)
    _claim(line, day, start, setup.bookable_places)
    code = new_code()
    booking = Booking(unit_id=line.unit_id, queue_service_id=line.id, day=day, start=start,
                      starts_at=starts_at, ends_at=ends_at, code_hash=code_hash(code), code_tail=code[-4:],
                      status=Booking.AKTIF, name=name, phone=phone, email=email, nik=nik,
                      locale=contact.locale if contact.locale in ("id", "en") else "id", created_at=now or utcnow())
    db.session.add(booking)  # inserted with the confirmation by the commit's one flush
    _confirm(booking, line, code)
    return booking, code


def _load_for_booking(line: QueueService) -> BookingSetup | None:
    """The line, its unit and its setup in one query (on SQLite the line was expired by ``begin_write``'s
    commit, and would be read again attribute by attribute); the setup when the line takes bookings."""
    line_id = inspect(line).identity[0]  # the key without loading the expired row
    row = db.session.execute(
        select(QueueService, BookingSetup)
        .join(QueueService.unit).options(contains_eager(QueueService.unit))  # line.unit set, not only mapped
        .join(BookingSetup, BookingSetup.queue_service_id == QueueService.id)
        .where(QueueService.id == line_id)
    ).first()
    if row is None or not (row.BookingSetup.enabled and row.QueueService.active):
        return None
    return row.BookingSetup


def _active(booking: Booking) -> Booking:
    """The booking re-read and locked; BookingError unless it is still active."""
    current = db.session.scalars(select(Booking).where(Booking.id == booking.id).with_for_update()
                                 .execution_options(populate_existing=True)).one()
    if current.status != Booking.AKTIF:
        raise BookingError(ENDED[current.status])
    return current


@transactional(serial=True)
def cancel(booking: Booking, *, now: datetime | None = None) -> Booking:
    """Cancel an active booking and give its place back; no reminder goes out afterwards."""
    current = _active(booking)
    current.status = Booking.BATAL
    current.cancelled_at = now or utcnow()
    _release(current)
    return current


@transactional(serial=True)
def move(booking: Booking, day: date, start: time, *, now: datetime | None = None) -> Booking:
    """Move an active booking to another slot of its line, by the same rules as booking; the old place is given
    back and the reminders start again. The code stays the same."""
    current = _active(booking)
    line = current.line
    setup = taking_bookings(line)
    if setup is None:
        raise BookingError(N_("Layanan ini tidak menerima reservasi lagi."), status=422)
    starts_at, ends_at = _slot_moments(line, setup, day, start, now)
    check_fairness(line, setup, day, current.phone, current.email, now=now, ignore=current.id)
    _claim(line, day, start, setup.bookable_places)
    _release(current)
    current.day, current.start, current.starts_at, current.ends_at = day, start, starts_at, ends_at
    current.reminded_day = current.reminded_hour = False
    db.session.flush()
    _message(current, TOPIC_CONFIRM, lambda: " ".join((
        _("Reservasi antrian %(line)s dipindahkan ke %(slot)s. Kode reservasi tetap sama.", line=line.name,
          slot=_slot_words(current)),
        _("Lihat atau batalkan: %(link)s", link=_link(link_key(current))),
    )))
    return current


# --- check-in -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """A check-in: the ticket, and whether it came too late for the booked order (a walk-in ticket)."""

    booking: Booking
    ticket: Ticket
    late: bool
    message: str  # Indonesian: staff pages and the API
    msgid: str = ""
    values: dict[str, Any] | None = None

    def translated(self) -> str:
        """The message in the request's language (the public kiosk), its number put in after translation."""
        return _(self.msgid, **(self.values or {})) if self.msgid else self.message


def grace_window(booking: Booking, setup: BookingSetup) -> tuple[datetime, datetime]:
    """From when to when a booking may check in for a booked ticket."""
    return (booking.starts_at - timedelta(minutes=setup.early_minutes),
            booking.starts_at + timedelta(minutes=setup.late_minutes))


@transactional(serial=True)
def check_in(booking: Booking, *, unit: Unit | None = None, now: datetime | None = None, actor: Any = None,
             ) -> CheckIn:
    """Check a booking in (kiosk or counter) and issue its ticket, in one unit of work.

    Within the grace window: a booked ticket (its number marked, called ahead of walk-ins from the
    slot's start). Before the window: refused, with the time to come back. After it: a walk-in
    ticket, with a message that says so. ``unit``: the kiosk's unit (a booking of another unit is
    refused). BookingError (409) with the reason otherwise.
    """
    moment = now or utcnow()
    current = db.session.scalars(select(Booking).where(Booking.id == booking.id).with_for_update()
                                 .execution_options(populate_existing=True)).one()
    line = current.line
    if unit is not None and current.unit_id != unit.id:
        raise BookingError(N_("Reservasi ini untuk kantor lain."), field="code")
    if current.status == Booking.HADIR:
        number = current.ticket.number if current.ticket else ""
        if number:
            raise BookingError(N_("Reservasi ini sudah check-in dengan nomor %(number)s."), number=number)
        raise BookingError(N_("Reservasi ini sudah check-in."))
    if current.status != Booking.AKTIF:
        raise BookingError(ENDED[current.status])
    if current.day != local_today(line.unit, moment):
        raise BookingError(N_("Reservasi ini untuk %(day)s pukul %(time)s, bukan hari ini."),
                           day=tanggal(current.day), time=f"{current.start:%H.%M}")
    setup = setup_of(line) or BookingSetup(early_minutes=15, late_minutes=30, mark="R")
    opens, closes = grace_window(current, setup)
    if moment < opens:
        raise BookingError(N_("Anda datang lebih awal. Check-in reservasi dibuka pukul %(time)s; silakan menunggu "
                              "dan scan kembali saat itu."), time=f"{local_time(opens, line.unit):%H.%M}")
    late = moment > closes
    if late:
        ticket = issue_marked(line, now=moment, locale=current.locale)
        msgid = N_("Anda terlambat lebih dari %(minutes)d menit dari jam reservasi, sehingga mendapat nomor antrian "
                   "biasa %(number)s dan dipanggil sesuai urutan kedatangan.")
        values: dict[str, Any] = {"minutes": setup.late_minutes, "number": ticket.number}
    else:
        ticket = issue_marked(line, now=moment, booked_from=current.starts_at, mark=setup.mark or "",
                              locale=current.locale)
        msgid = N_("Check-in berhasil. Nomor reservasi Anda %(number)s, dipanggil mulai pukul %(time)s sebelum "
                   "antrian tanpa reservasi.")
        values = {"number": ticket.number, "time": f"{current.start:%H.%M}"}
    _link_phone(ticket, current, moment)
    current.status = Booking.HADIR
    current.checked_in_at = moment
    current.ticket_id = ticket.id
    current.late = late
    bump_version(line.unit_id)
    return CheckIn(current, ticket, late, msgid % values, msgid, values)


def _link_phone(ticket: Ticket, booking: Booking, moment: datetime) -> None:
    """Keep the booker's phone on the ticket, so that "near" and "called" reach them as they reach a
    walk-in who left a number (antrian.notify.set_contact: the same checks, the same erasure with the
    ticket's contact). A number the queue will not take (not a mobile, or on too many tickets today)
    leaves the ticket without one: the check-in itself must not fail for a notification.
    """
    if not booking.phone:
        return
    try:
        set_contact(ticket, booking.phone, now=moment, locale=booking.locale)
    except (ValueError, QueueError):
        return


# --- daily jobs -----------------------------------------------------------------------------------


@transactional
def send_reminders(now: datetime | None = None) -> int:
    """Put the due reminders in the outbox: the afternoon before (from RESERVASI_REMINDER_HOUR, local) and one
    hour before the slot. Each goes once per booking (its flag is claimed by a conditional UPDATE); a
    cancelled, moved-away or checked-in booking gets nothing more. Answers how many were queued."""
    moment = now or utcnow()
    hour = current_app.config["RESERVASI_REMINDER_HOUR"]
    sent = 0
    upcoming = db.session.scalars(select(Booking).where(
        Booking.status == Booking.AKTIF, Booking.starts_at > moment,
        Booking.starts_at <= moment + timedelta(days=2),
        or_(Booking.reminded_day.is_(False), Booking.reminded_hour.is_(False))))
    for booking in list(upcoming):
        unit = booking.line.unit
        local = local_now(unit, moment)
        link = _link(link_key(booking))
        if (not booking.reminded_hour and booking.starts_at - timedelta(hours=1) <= moment
                and _flag(booking, "reminded_hour")):
            booking.reminded_day = True  # the hour's reminder says it all: no day-before one after it
            _message(booking, TOPIC_HOUR, lambda booking=booking, unit=unit, link=link: _(
                "Pengingat: reservasi antrian %(line)s hari ini pukul %(time)s di %(unit)s. Check-in di kios dengan "
                "kode reservasi. Batal atau ubah: %(link)s", line=booking.line.name, time=f"{booking.start:%H.%M}",
                unit=unit.short_name, link=link))
            sent += 1
        elif (not booking.reminded_day and booking.day == local.date() + timedelta(days=1) and local.hour >= hour
              and _flag(booking, "reminded_day")):
            _message(booking, TOPIC_DAY, lambda booking=booking, unit=unit, link=link: _(
                "Pengingat: besok %(slot)s Anda punya reservasi antrian %(line)s di %(unit)s. Batal atau ubah: "
                "%(link)s", slot=_slot_words(booking), line=booking.line.name, unit=unit.short_name, link=link))
            sent += 1
    return sent


def _flag(booking: Booking, flag: str) -> bool:
    """Claim a reminder's flag of an active booking; whether this call claimed it (never sent twice)."""
    column = getattr(Booking, flag)
    claimed = db.session.execute(update(Booking).where(Booking.id == booking.id, column.is_(False),
                                                       Booking.status == Booking.AKTIF)
                                 .values({flag: True}).execution_options(synchronize_session=False)).rowcount
    if claimed == 1:
        setattr(booking, flag, True)
    return claimed == 1


@transactional
def mark_no_shows(now: datetime | None = None) -> int:
    """Active bookings of a day that has ended (in their unit's time) become "tidak datang"; answers how many."""
    moment = now or utcnow()
    count = 0
    for booking in list(db.session.scalars(select(Booking).where(Booking.status == Booking.AKTIF,
                                                                  Booking.starts_at < moment))):
        if booking.day < local_today(booking.line.unit, moment):
            booking.status = Booking.TIDAK_DATANG
            count += 1
    return count


@transactional
def erase_personal_data(now: datetime | None = None, days: int | None = None) -> int:
    """Null the name, phone, email and NIK of bookings ``days`` (RESERVASI_ERASE_DAYS, 90) after their day;
    the counts stay. Answers how many bookings were erased."""
    moment = now or utcnow()
    keep = current_app.config["RESERVASI_ERASE_DAYS"] if days is None else days
    before = local_today(None, moment) - timedelta(days=keep)
    return db.session.execute(
        update(Booking).where(Booking.day < before, Booking.erased_at.is_(None))
        .values(name=None, phone=None, email=None, nik=None, erased_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount


# --- staff ----------------------------------------------------------------------------------------


def day_bookings(unit: Unit, day: date) -> list[Booking]:
    """The unit's bookings of ``day`` by line and slot (staff of the unit only: they carry names)."""
    return list(db.session.scalars(
        select(Booking).join(QueueService, QueueService.id == Booking.queue_service_id)
        .where(Booking.unit_id == unit.id, Booking.day == day, Booking.status != Booking.BATAL)
        .order_by(QueueService.position, QueueService.code, Booking.start, Booking.id)
    ))


@dataclass
class LineFigures:
    """One line's booking figures over a span of days."""

    code: str
    name: str
    bookings: int = 0
    checked_in: int = 0
    no_shows: int = 0
    cancelled: int = 0
    booked_wait: float | None = None
    walk_in_wait: float | None = None

    @property
    def show_up_rate(self) -> float | None:
        """Check-ins / (check-ins + no-shows), in percent; None before any of both."""
        base = self.checked_in + self.no_shows
        return round(100 * self.checked_in / base, 1) if base else None


def _mean_wait(rows: list[tuple[datetime, datetime | None, datetime | None]]) -> float | None:
    """Mean minutes from the later of arrival and slot start to the call."""
    spans = [(called - max(issued, booked or issued)).total_seconds() / 60 for issued, booked, called in rows
             if called is not None]
    return round(sum(spans) / len(spans), 1) if spans else None


def statistics(unit: Unit, start: date, end: date) -> list[LineFigures]:
    """Per line of the unit: bookings, check-ins, no-shows, cancellations, show-up rate, and the mean wait of
    booked and walk-in visitors (from arrival, or from the slot's start for a booked ticket, to the call)."""
    figures = []
    lines = db.session.scalars(select(QueueService).where(QueueService.unit_id == unit.id)
                               .order_by(QueueService.position, QueueService.code))
    for line in lines:
        counts = dict(db.session.execute(
            select(Booking.status, func.count()).where(Booking.queue_service_id == line.id, Booking.day >= start,
                                                       Booking.day <= end).group_by(Booking.status)).all())
        if not counts and setup_of(line) is None:
            continue
        waits = db.session.execute(select(Ticket.issued_at, Ticket.booked_from, Ticket.called_at).where(
            Ticket.issued_service_id == line.id, Ticket.day >= start, Ticket.day <= end)).all()
        figures.append(LineFigures(
            line.code, line.name, bookings=sum(counts.values()), checked_in=counts.get(Booking.HADIR, 0),
            no_shows=counts.get(Booking.TIDAK_DATANG, 0), cancelled=counts.get(Booking.BATAL, 0),
            booked_wait=_mean_wait([w for w in waits if w[1] is not None]),
            walk_in_wait=_mean_wait([w for w in waits if w[1] is None])))
    return figures


STAT_HEADERS = ("Kode", "Layanan", "Reservasi", "Check-in", "Tidak datang", "Batal", "Tingkat kehadiran (%)",
                "Rata-rata tunggu reservasi (menit)", "Rata-rata tunggu tanpa reservasi (menit)")


def statistic_rows(figures: list[LineFigures]) -> list[tuple[Any, ...]]:
    """The figures as table rows under STAT_HEADERS (CSV and XLSX)."""
    return [(f.code, f.name, f.bookings, f.checked_in, f.no_shows, f.cancelled, f.show_up_rate, f.booked_wait,
             f.walk_in_wait) for f in figures]


@dataclass(frozen=True)
class Requirement:
    """One item to bring: the official Indonesian text, and its English when admin wrote it for that very text."""

    text: str
    en: str | None = None


def requirements(line: QueueService) -> list[Requirement]:
    """The catalogue service's requirements (persyaratan) of the line, to bring; [] when none is linked.

    The English comes from ``Service.english_requirements``, the one pairing the service page uses too;
    the page shows it only in English.
    """
    if line.service_id is None:
        return []
    service = db.session.get(Service, line.service_id)
    if service is None or not service.is_published:
        return []
    pairs = zip(service.requirement_texts(), service.english_requirements(), strict=True)
    return [Requirement(text, english) for text, english in pairs if text]


def catalogue_slug(line: QueueService) -> str | None:
    """The slug of the line's published catalogue service, for a link to its standard."""
    if line.service_id is None:
        return None
    service = db.session.get(Service, line.service_id)
    return service.slug if service is not None and service.is_published else None


def line_for(unit: Unit, code: str) -> QueueService | None:
    """The unit's line with letter ``code``."""
    return db.session.scalar(select(QueueService).where(QueueService.unit_id == unit.id, QueueService.code == code))


def lines_of_service(service_id: int) -> list[QueueService]:
    """The lines delivering catalogue service ``service_id`` that take bookings."""
    return list(db.session.scalars(
        select(QueueService).join(BookingSetup, BookingSetup.queue_service_id == QueueService.id)
        .where(QueueService.service_id == service_id, QueueService.active.is_(True),
               BookingSetup.enabled.is_(True)).order_by(QueueService.position, QueueService.code)))


def parse_day(raw: str | None) -> date | None:
    """YYYY-MM-DD or None."""
    try:
        return date.fromisoformat(raw or "") if raw and len(raw) == 10 else None
    except ValueError:
        return None


def parse_start(raw: str | None) -> time | None:
    """HH:MM or None."""
    try:
        return time.fromisoformat(raw or "") if raw and len(raw) == 5 and raw[2] == ":" else None
    except ValueError:
        return None
