"""A product not collected: the monthly reminder to the applicant and the letter home.

Seed 004: a document ready for a month and not collected gets a reminder message, and the
staff list shows the surat pemberitahuan to print and send to the applicant's address.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from webapp.audit.models import Actor, record
from webapp.auth.models import User
from webapp.berkas.models import SIAP, Berkas
from webapp.berkas.service import BerkasError, finish_date, hold, notify_applicant, tracking_url
from webapp.core.db import transactional, utcnow
from webapp.core.extensions import db
from webapp.core.formatting import tanggal
from webapp.core.localtime import local_today
from webapp.core.policy import scoped


def add_month(day: date) -> date:
    """The same day a month later (31 January -> 28/29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


def reminder_due_on(berkas: Berkas) -> date | None:
    """The day a ready file not yet collected calls for a reminder and a letter home."""
    return add_month(finish_date(berkas)) if berkas.ready_at else None


@transactional(serial=True)
def send_reminders(now: datetime | None = None) -> list[Berkas]:
    """Remind every applicant whose product has waited a month since it was ready (once each): one unit of work.

    Each is queued a reminder message and marked so the staff list shows the surat
    pemberitahuan to print and send to the applicant's address. Serial: it reads which files
    are due before it marks them, so a second run at the same moment finds them marked.
    """
    moment = now or utcnow()
    candidates = db.session.scalars(
        select(Berkas)
        .where(Berkas.status == SIAP, Berkas.reminder_at.is_(None), Berkas.ready_at <= moment - timedelta(days=27))
        .order_by(Berkas.ready_at)
    ).all()
    reminded = []
    for berkas in candidates:
        due = reminder_due_on(berkas)
        if due is None or local_today(berkas.unit, moment) < due:
            continue
        berkas.reminder_at = moment
        link = tracking_url(berkas)
        sms = (f"{berkas.unit.short_name}: dokumen permohonan {berkas.number} sudah selesai sejak "
               f"{tanggal(finish_date(berkas))} dan belum diambil. Mohon segera diambil di loket penyerahan."
               f"{' ' + link if link else ''}")  # fmt: skip
        email = (f"Dokumen permohonan nomor {berkas.number} ({berkas.service.title}) sudah selesai sejak "
                 f"{tanggal(finish_date(berkas))} dan belum diambil.\n\nMohon segera mengambilnya di loket "
                 f"penyerahan {berkas.unit.name} pada hari dan jam kerja, dengan membawa tanda terima.\n\n{link}")
        notify_applicant(berkas, "berkas.pengingat", sms, f"Pengingat: dokumen {berkas.number} belum diambil", email)
        reminded.append(berkas)
    return reminded


def letters_due(user: User) -> list[Berkas]:
    """Files of the account's units reminded but whose surat pemberitahuan is not yet marked sent."""
    statement = (
        select(Berkas)
        .where(Berkas.status == SIAP, Berkas.reminder_at.is_not(None), Berkas.letter_sent_at.is_(None))
        .order_by(Berkas.reminder_at)
    )
    return list(db.session.scalars(scoped(user, statement, Berkas.unit_id, unitless=False)))


@transactional(serial=True)
def mark_letter_sent(berkas: Berkas, actor: Actor | None, now: datetime | None = None) -> None:
    """The surat pemberitahuan was sent: it leaves the list of letters to print. One unit of work, with its audit line.

    Raises BerkasError, with nothing changed, unless the product is ready and waiting.
    """
    hold(berkas)
    if berkas.status != SIAP:
        raise BerkasError("Surat pemberitahuan hanya untuk dokumen yang siap diambil.")
    berkas.letter_sent_at = now or utcnow()
    record("update", "berkas", berkas.id, f"Surat pemberitahuan berkas {berkas.number} dikirim", [], berkas.unit_id,
           actor=actor)
