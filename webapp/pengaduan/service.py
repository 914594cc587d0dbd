"""The business rules of complaints: numbers and tracking codes, deadlines, routing, and every staff step.

Views validate and call these, passing the acting user. Filing and each staff step are one
unit of work (``webapp.core.db.transactional``): the step, its history line and its outbox
message commit together when it returns, or not at all when it raises ComplaintError (the
message is sent after the commit, by the outbox's hook). A step reads the complaint's state
before it changes it, so it is serial and holds the complaint's row (``hold``): two officers
pressing at once act one after the other, the second on what the first left. ``add_event``
and ``_notify`` are building blocks of those units: they add to the session, never commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from antrian.models import Ticket
from webapp.auth.models import User
from webapp.core.db import next_value, transactional, utcnow
from webapp.core.extensions import db
from webapp.core.formatting import hari_kerja, public_url, tanggal
from webapp.core.localtime import local_moment, local_today
from webapp.core.phone import international
from webapp.core.policy import can
from webapp.core.text import EMAIL_IN_TEXT
from webapp.core.units import Unit
from webapp.outbox.models import EMAIL as OUTBOX_EMAIL
from webapp.outbox.service import enqueue
from webapp.pengaduan.models import (
    BERAT,
    CHANNELS,
    DATANG_LANGSUNG,
    DITERIMA,
    DITINDAKLANJUTI,
    DITOLAK,
    DIVERIFIKASI,
    EMAIL,
    KOTAK_SARAN,
    LAPOR,
    ONLINE,
    ROUTING,
    SEDANG,
    SELESAI,
    SURAT,
    TELEPON,
    WEIGHTS,
    Complaint,
    ComplaintCounter,
    ComplaintEvent,
)
from webapp.standards.models import Service
from webapp.workdays.service import add_working_days, working_days_between

DEADLINE_WORKING_DAYS = 14  # seed 000: Jangka Waktu Penyelesaian 14 Hari Kerja
# Crockford's base32: no I, L, O or U, so a code read over the phone is not misheard.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 symbols x 5 bits = 80 bits from the system's CSPRNG
_CODE_READING = str.maketrans({"O": "0", "I": "1", "L": "1"})


class ComplaintError(ValueError):
    """A step that cannot be done now; the message is for the officer, in Indonesian."""


# --- numbers, codes, dates ----------------------------------------------------------------------


def generate_code() -> str:
    """A new tracking code: 80 random bits, unrelated to the complaint number."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """A code as typed ("abcd-efgh ...", O for 0, I or L for 1) in its canonical form; "" when malformed."""
    cleaned = re.sub(r"[\s\-]", "", (text or "").upper()).translate(_CODE_READING)
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return ""
    return cleaned


def format_code(code: str) -> str:
    """A code in groups of four, for reading aloud and writing down."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def hash_code(code: str) -> str:
    """What the database keeps of a code: 80 random bits need no slow hash."""
    return hashlib.sha256(code.encode()).hexdigest()


def find_by_code(text: str) -> Complaint | None:
    """The complaint a tracking code opens, or None."""
    code = normalise_code(text)
    if not code:
        return None
    return db.session.scalar(select(Complaint).where(Complaint.tracking_hash == hash_code(code)))


def format_number(year: int, sequence: int) -> str:
    """ADU-2026-000123."""
    return f"ADU-{year}-{sequence:06d}"


def deadline_for(received_on: date, unit_id: int | None) -> date:
    """14 working days of the unit's calendar after the local day of receipt (seed 000).

    ``unit_id`` is the complaint's unit: its own closures count, another unit's never;
    a complaint about no unit's service (None) follows the office-wide calendar.
    """
    return add_working_days(received_on, DEADLINE_WORKING_DAYS, unit_id)


def due_soon_limit(today: date, unit_id: int | None) -> date:
    """The last due date that counts as "due soon" today in the unit's calendar."""
    return add_working_days(today, current_app.config["PENGADUAN_DUE_SOON_DAYS"], unit_id)


def deadline_state(complaint: Complaint, today: date, soon_limit: date | None = None) -> str:
    """"terlambat" (overdue), "segera" (due soon), "berjalan", or "" once closed.

    ``soon_limit`` is the list's limit when a page gives one; else the complaint's unit's.
    """
    if not complaint.is_open:
        return ""
    if complaint.due_on < today:
        return "terlambat"
    if complaint.due_on <= (soon_limit or due_soon_limit(today, complaint.unit_id)):
        return "segera"
    return "berjalan"


def working_days_left(complaint: Complaint, today: date) -> int:
    """Working days of the complaint's unit from today to the deadline (negative once overdue)."""
    return working_days_between(today, complaint.due_on, complaint.unit_id)


_LONG_NUMBER_RE = re.compile(r"(?<!\w)(\+?\d[\d .\-]{8,}\d)(?!\w)")


def office_contacts(unit: Unit | None) -> tuple[frozenset[str], frozenset[str]]:
    """The office's own public numbers (as E.164 digits) and email addresses (lower case): never masked.

    They come from the unit's profile (phone, WhatsApp, email) and its published channels; with
    no unit, every unit's. A citizen's own number is not among them, so it stays hidden.
    """
    units = [unit] if unit is not None else list(db.session.scalars(select(Unit)))
    numbers: set[str] = set()
    emails: set[str] = set()
    for one in units:
        values = [("phone", one.phone), ("whatsapp", one.whatsapp), ("email", one.email)]
        values += [(c.get("kind"), c.get("value")) for c in one.contacts or []]
        for kind, value in values:
            if not value:
                continue
            if kind == "email":
                emails.add(value.strip().lower())
            elif kind in ("phone", "whatsapp"):
                numbers.add(international(value))
    return frozenset(numbers), frozenset(emails)


def redact(text: str, keep: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())) -> str:
    """Text for a public page with email addresses and long numbers (phone, NIK, NIB) hidden.

    People sometimes type their contact into the description; tracking pages must not repeat it.
    ``keep`` are the office's own numbers and addresses (``office_contacts``): a reply that says
    "hubungi kami di 0812-7646-0487" keeps them (ux review §2.4).
    """
    numbers, emails = keep

    def email(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0).lower() in emails else "[email disembunyikan]"

    def number(match: re.Match[str]) -> str:
        return match.group(0) if international(match.group(0)) in numbers else "[nomor disembunyikan]"

    text = EMAIL_IN_TEXT.sub(email, text or "")
    return _LONG_NUMBER_RE.sub(number, text)


CONFIDENTIAL_REPLY = "Jawaban disampaikan langsung kepada pengadu."
CONFIDENTIAL_ACTIONS = frozenset({"balasan", "selesai", "ditolak"})


def public_text(complaint: Complaint, event: ComplaintEvent) -> str:
    """What a tracking page or the API shows of a step: replies of confidential complaints stay private.

    The description is never shown (the person knows it, and may have typed their name in it);
    staff text passes through ``redact`` in case a number or address slipped in; the office's own
    contacts stay readable.
    """
    if complaint.confidential and event.action in CONFIDENTIAL_ACTIONS:
        return CONFIDENTIAL_REPLY
    return redact(event.public_text, office_contacts(complaint.unit))


# --- filing -------------------------------------------------------------------------------------


@dataclass
class ComplaintInput:
    """What a complaint form or the API gathered, already validated."""

    description: str
    name: str = ""
    phone: str = ""
    email: str = ""
    nik: str = ""
    nib: str = ""
    service: Service | None = None
    service_other: str = ""
    incident_date: date | None = None
    incident_place: str = ""
    desired_outcome: str = ""
    anonymous: bool = False
    confidential: bool = False
    channel: str = ONLINE
    extra: dict = field(default_factory=dict)
    locale: str = "id"  # the language the person used: the messages sent later speak it


def _unit_for(service: Service | None) -> Unit | None:
    if service is not None:
        return service.unit
    units = db.session.scalars(select(Unit).limit(2)).all()
    return units[0] if len(units) == 1 else None


def _actor(user: User | None) -> tuple[int | None, str]:
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id, user.display_name
    return None, "Sistem"


def add_event(complaint: Complaint, action: str, *, user: User | None = None, public: bool = False,
              public_text: str = "", internal_text: str = "", actor: str | None = None) -> ComplaintEvent:
    """Append a step to the complaint's history (who, when, what); the unit of work that calls it commits."""
    user_id, name = _actor(user)
    event = ComplaintEvent(action=action, user_id=user_id, actor=actor or name, public=public,
                           public_text=public_text, internal_text=internal_text, status_after=complaint.status,
                           at=utcnow())
    complaint.events.append(event)
    return event


@transactional(serial=True)
def file_complaint(data: ComplaintInput, *, user: User | None = None, ticket: Ticket | None = None,
                   now: datetime | None = None, received_on: date | None = None) -> tuple[Complaint, str]:
    """Record a complaint with its number, deadline, first history line and confirmation message: one unit of work.

    ``user`` is the officer recording it for the person (None: the person, through the form or
    the API). ``received_on`` is the day a letter or the complaint box's paper arrived, when
    staff record it later: the deadline counts from that day (taken at noon of the unit's clock).
    Returns the complaint and its tracking code, which exists only here (the database keeps
    its hash): show it to the person now. Serial: it takes a number (``next_value``).
    """
    if data.channel not in CHANNELS:
        raise ComplaintError("Saluran pengaduan tidak dikenal.")
    moment = now or utcnow()
    unit = _unit_for(data.service)
    unit_id = unit.id if unit is not None else None
    if user is not None and not can(user, "complaint.record", unit_id):
        raise ComplaintError("Layanan ini milik instansi lain: akun Anda hanya mencatat pengaduan untuk instansi "
                             "sendiri.")
    if received_on is not None and received_on != local_today(unit, moment):
        moment = local_moment(received_on, time(12, 0), unit)
    received_on = local_today(unit, moment)
    year = received_on.year
    sequence = next_value(ComplaintCounter, year=year)
    code = generate_code()
    user_id, _name = _actor(user)
    complaint = Complaint(
        number=format_number(year, sequence),
        year=year,
        sequence=sequence,
        tracking_hash=hash_code(code),
        channel=data.channel,
        service=data.service,
        unit=unit,
        unit_id=unit_id,  # set with the unit, not at the flush: the confirmation message reads it
        service_other=data.service_other.strip() if data.service is None else "",
        reporter_name=data.name.strip(),
        phone=data.phone,
        email=data.email,
        nik=data.nik,
        nib=data.nib,
        anonymous=data.anonymous,
        confidential=data.confidential,
        locale=data.locale if data.locale in ("id", "en") else "id",
        description=data.description.strip(),
        incident_date=data.incident_date,
        incident_place=data.incident_place.strip(),
        desired_outcome=data.desired_outcome.strip(),
        status=DITERIMA,
        received_at=moment,
        received_on=received_on,
        due_on=deadline_for(received_on, unit_id),
        holder="Tim Pengaduan",
        recorded_by_id=user_id,
        ticket_id=ticket.id if ticket is not None else None,
    )
    db.session.add(complaint)
    how = f" melalui {CHANNELS[data.channel].lower()}" if data.channel != ONLINE else " melalui formulir daring"
    internal = ""
    if user is not None:
        internal = f"Dicatat oleh petugas untuk pengadu ({CHANNELS[data.channel]})."
        if ticket is not None:
            internal += f" Dari tiket antrian {ticket.number}."
    add_event(complaint, "diterima", user=user, public=True, actor=None if user else "Pengadu",
              public_text=f"Pengaduan diterima{how}. Batas waktu penyelesaian {tanggal(complaint.due_on)}.",
              internal_text=internal)
    with force_locale(complaint.locale):
        _notify(complaint, "pengaduan.diterima", _("Pengaduan diterima"), "\n".join((
            _("Pengaduan %(number)s telah kami terima pada %(date)s.", number=complaint.number,
              date=tanggal(received_on)),
            _("Kode lacak: %(code)s", code=format_code(code)),
            _("Ikuti perkembangannya di %(url)s", url=tracking_url(code)),
            _("Batas waktu penyelesaian: %(days)s, paling lambat %(date)s.", days=hari_kerja(DEADLINE_WORKING_DAYS),
              date=tanggal(complaint.due_on)),
        )))
    return complaint, code


def tracking_url(code: str) -> str:
    """The public tracking page of a code."""
    return public_url("pengaduan.track", code=code)


# --- messages through the complaint's channel (seed 004, items f to i) ------------------------


def reply_route(complaint: Complaint) -> tuple[str, str] | None:
    """(outbox channel, recipient) by which the office answers, or None when only in person or by letter.

    Email complaints are answered by email, telephone/WhatsApp ones by WhatsApp or SMS,
    letters by phone when a number was given; online and other channels use the email
    when given, else the phone.
    """
    phone_channel = current_app.config["PENGADUAN_PHONE_CHANNEL"]
    if complaint.channel == EMAIL and complaint.email:
        return OUTBOX_EMAIL, complaint.email
    if complaint.channel in (TELEPON, SURAT) and complaint.phone:
        return phone_channel, complaint.phone
    if complaint.channel in (ONLINE, EMAIL, DATANG_LANGSUNG, KOTAK_SARAN, LAPOR):
        if complaint.email:
            return OUTBOX_EMAIL, complaint.email
        if complaint.phone:
            return phone_channel, complaint.phone
    return None


def reply_route_label(complaint: Complaint) -> str:
    """How the answer reaches the person, in words, for staff."""
    route = reply_route(complaint)
    extra = {
        DATANG_LANGSUNG: "Jawab juga secara langsung kepada pengadu.",
        SURAT: "Kirim juga balasan tertulis melalui surat.",
        LAPOR: "Tanggapi juga di SP4N-LAPOR!.",
    }.get(complaint.channel, "")
    if route is None:
        base = {
            DATANG_LANGSUNG: "Dijawab secara langsung kepada pengadu (tidak ada kontak).",
            SURAT: "Dibalas melalui surat (tidak ada nomor telepon).",
        }.get(complaint.channel, "Tidak ada kontak: jawaban hanya tampil di halaman lacak.")
        return base
    channel, _recipient = route
    word = {"email": "email", "sms": "SMS", "whatsapp": "WhatsApp"}[channel]
    return f"Dikirim melalui {word}. {extra}".strip()


def _notify(complaint: Complaint, topic: str, subject: str, body: str) -> bool:
    """Queue a message to the person through the complaint's route; never with their name or NIK."""
    route = reply_route(complaint)
    if route is None:
        return False
    channel, recipient = route
    # The message belongs to the complaint's unit, and says whether the person asked to stay anonymous.
    enqueue(channel, recipient, body, unit_id=complaint.unit_id, subject=f"{subject} · {complaint.number}",
            topic=topic, reference=complaint.number, anonymous=complaint.anonymous)
    return True


# --- staff steps --------------------------------------------------------------------------------


def hold(complaint: Complaint) -> None:
    """Lock the complaint's row until the unit of work commits, and read it afresh (see the module's docstring)."""
    db.session.refresh(complaint, with_for_update=True)


def _require_open(complaint: Complaint) -> None:
    if not complaint.is_open:
        raise ComplaintError("Pengaduan ini sudah ditutup. Buka kembali dahulu bila perlu ditangani lagi.")


@transactional(serial=True)
def verify(complaint: Complaint, user: User | None, note: str = "") -> None:
    """The complaint team checked the complaint is complete and genuine."""
    hold(complaint)
    if complaint.status != DITERIMA:
        raise ComplaintError("Hanya pengaduan berstatus diterima yang dapat diverifikasi.")
    complaint.status = DIVERIFIKASI
    add_event(complaint, "diverifikasi", user=user, public=True,
              public_text="Pengaduan telah diverifikasi oleh Tim Pengaduan.", internal_text=note.strip())


def holder_for(weight: str | None, assignee: User | None = None) -> str:
    """Who holds a complaint of this weight (seed 004): the officer, or the heads who coordinate it."""
    officer = assignee.display_name if assignee is not None else "Tim Pengaduan"
    if weight == SEDANG:
        return f"Kepala Bidang dan Kepala Dinas (bersama {officer})"
    if weight == BERAT:
        return "Kepala Dinas bersama Bupati/Wali Kota c.q. Asisten/Sekda"
    return officer


def _start_follow_up(complaint: Complaint, user: User | None) -> None:
    if complaint.status in (DITERIMA, DIVERIFIKASI):
        complaint.status = DITINDAKLANJUTI
        add_event(complaint, "ditindaklanjuti", user=user, public=True,
                  public_text="Pengaduan sedang ditindaklanjuti.")


@transactional(serial=True)
def classify(complaint: Complaint, weight: str, user: User | None, note: str = "") -> None:
    """Set the weight, which routes the complaint as seed 004 says, and start the follow-up."""
    hold(complaint)
    _require_open(complaint)
    if weight not in WEIGHTS:
        raise ComplaintError("Pilih bobot ringan, sedang atau berat.")
    if complaint.status == DITERIMA:
        raise ComplaintError("Verifikasi pengaduan dahulu sebelum menetapkan bobot.")
    before = complaint.weight
    complaint.weight = weight
    complaint.holder = holder_for(weight, complaint.assignee)
    text = f"Bobot {WEIGHTS[weight].lower()}" + (f" (sebelumnya {WEIGHTS[before].lower()})" if before else "")
    text += f". {ROUTING[weight]}"
    if note.strip():
        text += f" Catatan: {note.strip()}"
    add_event(complaint, "klasifikasi", user=user, internal_text=text)
    _start_follow_up(complaint, user)


@transactional(serial=True)
def assign(complaint: Complaint, assignee: User, user: User | None, note: str = "") -> None:
    """Hand the complaint to an officer of the complaint team."""
    hold(complaint)
    _require_open(complaint)
    complaint.assignee_id = assignee.id
    complaint.assignee = assignee
    complaint.holder = holder_for(complaint.weight, assignee)
    text = f"Ditugaskan kepada {assignee.display_name}."
    if note.strip():
        text += f" {note.strip()}"
    add_event(complaint, "ditugaskan", user=user, internal_text=text)
    if complaint.status == DIVERIFIKASI:
        _start_follow_up(complaint, user)


@transactional
def add_note(complaint: Complaint, text: str, user: User | None) -> None:
    """An internal note: staff only, never on the tracking page or in a message."""
    if not text.strip():
        raise ComplaintError("Tulis catatannya.")
    add_event(complaint, "catatan", user=user, internal_text=text.strip())


@transactional(serial=True)
def reply(complaint: Complaint, text: str, user: User | None) -> bool:
    """A public answer: on the tracking page and sent through the complaint's channel. True when queued."""
    hold(complaint)
    _require_open(complaint)
    if not text.strip():
        raise ComplaintError("Tulis balasannya.")
    if complaint.status == DITERIMA:
        raise ComplaintError("Verifikasi pengaduan dahulu sebelum membalas.")
    _start_follow_up(complaint, user)
    with force_locale(complaint.locale):
        sent = _notify(complaint, "pengaduan.balasan", _("Balasan pengaduan"),
                       _("Balasan atas pengaduan %(number)s:", number=complaint.number) + f"\n\n{text.strip()}")
    add_event(complaint, "balasan", user=user, public=True, public_text=text.strip(),
              internal_text=reply_route_label(complaint) if sent else "Tidak terkirim: tidak ada kontak.")
    return sent


@transactional(serial=True)
def resolve(complaint: Complaint, resolution: str, user: User | None, now: datetime | None = None) -> None:
    """Close the complaint as resolved; the resolution goes into the Berita Acara Penyelesaian."""
    hold(complaint)
    _require_open(complaint)
    if complaint.status == DITERIMA:
        raise ComplaintError("Verifikasi pengaduan dahulu sebelum menyelesaikannya.")
    if not resolution.strip():
        raise ComplaintError("Tulis hasil tindak lanjutnya.")
    if complaint.weight is None:
        raise ComplaintError("Tetapkan bobot pengaduan dahulu.")
    complaint.status = SELESAI
    complaint.resolution = resolution.strip()
    complaint.closed_at = now or utcnow()
    complaint.holder = "Selesai"
    add_event(complaint, "selesai", user=user, public=True, public_text=resolution.strip(),
              internal_text="Berita Acara Penyelesaian dibuat.")
    with force_locale(complaint.locale):
        _notify(complaint, "pengaduan.selesai", _("Pengaduan selesai"),
                _("Pengaduan %(number)s telah selesai ditindaklanjuti.", number=complaint.number)
                + f"\n\n{resolution.strip()}")


@transactional(serial=True)
def reject(complaint: Complaint, reason: str, user: User | None, now: datetime | None = None) -> None:
    """Close the complaint as rejected, with the reason the person will read."""
    hold(complaint)
    _require_open(complaint)
    if not reason.strip():
        raise ComplaintError("Tulis alasan penolakan.")
    complaint.status = DITOLAK
    complaint.rejection_reason = reason.strip()
    complaint.closed_at = now or utcnow()
    complaint.holder = "Ditutup"
    add_event(complaint, "ditolak", user=user, public=True, public_text=reason.strip())
    with force_locale(complaint.locale):
        _notify(complaint, "pengaduan.ditolak", _("Pengaduan tidak dapat ditindaklanjuti"),
                _("Pengaduan %(number)s tidak dapat ditindaklanjuti.", number=complaint.number) + "\n"
                + _("Alasan: %(reason)s", reason=reason.strip()))


@transactional(serial=True)
def reopen(complaint: Complaint, reason: str, user: User | None, now: datetime | None = None) -> None:
    """Open a closed complaint again, with a fresh deadline of 14 working days from today."""
    hold(complaint)
    if complaint.is_open:
        raise ComplaintError("Pengaduan ini masih terbuka.")
    if not reason.strip():
        raise ComplaintError("Tulis alasan membuka kembali.")
    today = local_today(complaint.unit, now)
    complaint.status = DITINDAKLANJUTI
    complaint.closed_at = None
    complaint.due_on = deadline_for(today, complaint.unit_id)
    complaint.holder = holder_for(complaint.weight, complaint.assignee)
    add_event(complaint, "dibuka_kembali", user=user, public=True,
              public_text=f"Pengaduan dibuka kembali. Batas waktu baru {tanggal(complaint.due_on)}.",
              internal_text=reason.strip())


@transactional
def new_code(complaint: Complaint, user: User | None) -> str:
    """Replace a lost tracking code; the old one stops working. Sent to the person when a contact exists."""
    code = generate_code()
    complaint.tracking_hash = hash_code(code)
    with force_locale(complaint.locale):
        sent = _notify(complaint, "pengaduan.kode_baru", _("Kode lacak baru"),
                       _("Kode lacak baru pengaduan %(number)s: %(code)s", number=complaint.number,
                         code=format_code(code)) + f"\n{tracking_url(code)}")
    add_event(complaint, "kode_baru", user=user,
              internal_text="Kode lama tidak berlaku lagi." + (" Kode baru dikirim ke pengadu." if sent else ""))
    return code
