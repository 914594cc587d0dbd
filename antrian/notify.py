"""What a visitor does from the phone ticket, and what the queue tells them: cancelling a place, leaving
a phone number for the day, and the two messages "giliran Anda hampir tiba" and "dipanggil".

Cancelling is its own status, ``Ticket.CANCELLED``, not a no-show with a reason: a no-show is the
office's record that someone called did not come (statistics count it against the wait), while a
cancelled place was given back before any call. No counter action accepts a cancelled ticket
(they take waiting, called or serving ones), and it leaves every list.

The phone number is personal data kept for the ticket's day only: stored as ``62...``
(webapp.core.phone), shown back masked, never logged, and erased by ``erase_contacts`` (the daily
job ``flask antrian hapus-kontak``). Each message goes once per ticket: a conditional UPDATE of its
flag claims it, so two counters changing the queue at once never send it twice, and it is put in
the outbox inside that unit of work, which sends it after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from flask import current_app, has_request_context
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from antrian.models import QueueState, Ticket
from antrian.reading import positions
from antrian.service import QueueError, bump_version
from webapp.core.db import transactional, utcnow
from webapp.core.extensions import db
from webapp.core.i18n import N_
from webapp.core.localtime import local_moment, local_today
from webapp.core.phone import mask_phone, normalise_phone
from webapp.core.units import Unit
from webapp.outbox.models import FAILED, SENT, SMS, WHATSAPP, OutboxMessage, mask_recipient
from webapp.outbox.service import enqueue, send_soon

DEFAULT_NOTIFY_AHEAD = 3
TOPIC_NEAR, TOPIC_CALLED = "antrian.hampir", "antrian.dipanggil"
OPEN = (Ticket.WAITING, Ticket.CALLED, Ticket.SERVING)


def notify_ahead(unit_id: int) -> int:
    """How many people ahead make a visitor's turn "near" in this unit (default 3)."""
    value = db.session.scalar(select(QueueState.notify_ahead).where(QueueState.unit_id == unit_id))
    return DEFAULT_NOTIFY_AHEAD if value is None else value


@transactional(serial=True)
def cancel_ticket(ticket: Ticket) -> Ticket:
    """The visitor gives the place back: a waiting ticket becomes cancelled, and its number is erased.

    A conditional UPDATE, so a counter calling the ticket at the same moment wins or loses
    cleanly. Raises QueueError once the ticket is no longer waiting (it was called meanwhile).
    """
    claimed = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == Ticket.WAITING)
        .values(status=Ticket.CANCELLED, finished_at=utcnow(), phone=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise QueueError(N_("Antrian ini tidak dapat dibatalkan lagi: nomor Anda sudah dipanggil atau selesai."))
    bump_version(ticket.unit_id)
    db.session.flush()
    db.session.refresh(ticket)
    return ticket


# Tickets of one unit and day that may carry the same number: a family queueing together, not a
# stranger's number typed into many tickets to have the office message it.
MAX_TICKETS_PER_PHONE = 3


@transactional(serial=True)
def set_contact(ticket: Ticket, raw: str, now: datetime | None = None, locale: str = "id") -> Ticket:
    """Keep the visitor's mobile number on the ticket for today (``raw`` as typed; ValueError if not a mobile).

    ``locale`` is the language the visitor reads the ticket page in: the messages are sent in it.

    Only for a waiting ticket of today (one called already has nothing left to announce but the call,
    which a counter is making), re-read and locked inside the unit of work, so a cancel or a call in
    between is seen; and only on ``MAX_TICKETS_PER_PHONE`` tickets per number, unit and day, so a
    ticket link cannot make the office send messages to any number at will.
    """
    phone = normalise_phone(raw)
    current = db.session.scalars(
        select(Ticket).where(Ticket.id == ticket.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()  # fmt: skip
    if current.status != Ticket.WAITING:
        raise QueueError(N_("Nomor HP hanya dapat dititipkan selama antrian Anda masih menunggu."))
    if current.day != local_today(current.queue_service.unit, now):
        raise QueueError(N_("Tiket ini bukan untuk hari ini; tidak ada pemberitahuan yang dikirim."))
    if current.phone != phone:
        used = db.session.scalar(
            select(func.count()).select_from(Ticket).where(
                Ticket.unit_id == current.unit_id, Ticket.day == current.day, Ticket.phone == phone,
                Ticket.id != current.id,
            )
        )  # fmt: skip
        if used >= MAX_TICKETS_PER_PHONE:
            raise QueueError(N_("Nomor HP ini sudah dititipkan pada %(num)d tiket hari ini; gunakan nomor lain "
                                "atau pantau antrian dari halaman ini."), num=MAX_TICKETS_PER_PHONE)
    current.phone = phone
    current.locale = locale if locale in ("id", "en") else "id"
    return current


@transactional
def clear_contact(ticket: Ticket) -> Ticket:
    """Forget the visitor's number now (the visitor asked)."""
    ticket.phone = None
    return ticket


def masked_phone(ticket: Ticket) -> str:
    """The ticket's number as the page shows it back, masked (webapp.core.phone.mask_phone; never in full)."""
    return mask_phone(ticket.phone)


def _claim(ticket_id: int, flag: str) -> bool:
    """Set the ticket's ``flag`` (near_sent or called_sent) if it was unset; whether this call set it."""
    column = getattr(Ticket, flag)
    return db.session.execute(
        update(Ticket).where(Ticket.id == ticket_id, column.is_(False)).values({flag: True})
        .execution_options(synchronize_session=False)
    ).rowcount == 1  # fmt: skip


def _send(ticket: Ticket, topic: str, body: str) -> None:
    channel = SMS if current_app.config["QUEUE_NOTIFY_CHANNEL"] == SMS else WHATSAPP
    enqueue(channel, ticket.phone or "", body, unit_id=ticket.unit_id, topic=topic, reference=ticket.number)


def _due(unit: Unit, now: datetime | None) -> list[tuple[Ticket, str, int]]:
    """The messages due now in the unit, by reading only: (ticket, topic, people ahead) each.

    Today's open tickets with a number and a message not yet sent: "called" for one a counter
    holds, "near" for one waiting with ``notify_ahead`` people or fewer ahead.
    """
    candidates = db.session.scalars(
        select(Ticket).where(
            Ticket.unit_id == unit.id,
            Ticket.day == local_today(unit, now),
            Ticket.phone.is_not(None),
            Ticket.status.in_(OPEN),
            Ticket.near_sent.is_(False) | Ticket.called_sent.is_(False),
        ).order_by(Ticket.id)
    ).all()
    if not candidates:
        return []
    limit = notify_ahead(unit.id)
    # The people ahead of every waiting candidate in one query, not one COUNT each.
    ahead_of = positions(unit.id, local_today(unit, now),
                         [t.id for t in candidates if t.status == Ticket.WAITING and not t.near_sent])
    due: list[tuple[Ticket, str, int]] = []
    for ticket in candidates:
        if ticket.status in (Ticket.CALLED, Ticket.SERVING):
            if not ticket.called_sent:
                due.append((ticket, TOPIC_CALLED, 0))
        elif (ahead := ahead_of.get(ticket.id)) is not None and ahead <= limit:
            due.append((ticket, TOPIC_NEAR, ahead))
    return due


def notify_due(unit_id: int, now: datetime | None = None) -> list[tuple[str, str]]:
    """Queue the messages now due to visitors of the unit who left a number: (ticket number, topic) each.

    "Near" when a waiting ticket has ``notify_ahead`` people or fewer ahead, "called" when a
    counter calls it; each once per ticket. A ticket called before it was ever "near" gets the
    call only. Called with the `state` broadcast that follows every queue change
    (antrian.events.publish_change): while no message is due it only reads, and takes no write lock.
    """
    unit = db.session.get(Unit, unit_id)
    if unit is None or not _due(unit, now):
        return []
    queued = _queue_messages(unit, now)
    if queued and not has_request_context():
        # The delayed state broadcast calls this outside any request, where the outbox's after-commit
        # hook leaves the messages to the worker's next round: a called visitor must hear it now.
        send_soon()
    return queued


@transactional(serial=True)
def _queue_messages(unit: Unit, now: datetime | None) -> list[tuple[str, str]]:
    """The unit of work of ``notify_due``: read again under the lock, claim each message's flag, queue it."""
    queued: list[tuple[str, str]] = []
    for ticket, topic, ahead in _due(unit, now):
        if topic == TOPIC_CALLED:
            if not _claim(ticket.id, "called_sent"):
                continue
            _claim(ticket.id, "near_sent")  # a call makes "near" old news
            with force_locale(ticket.locale or "id"):
                where = ticket.counter.name if ticket.counter else _("loket")
                body = _("%(unit)s: nomor antrian %(number)s dipanggil. Silakan ke %(counter)s sekarang.",
                         unit=unit.short_name, number=ticket.number, counter=where)
        else:
            if not _claim(ticket.id, "near_sent"):
                continue
            with force_locale(ticket.locale or "id"):
                people = _("Anda berikutnya") if ahead == 0 else ngettext(
                    "%(num)d orang lagi di depan Anda", "%(num)d orang lagi di depan Anda", ahead)
                body = _("%(unit)s: giliran Anda hampir tiba. Nomor %(number)s (%(line)s): %(people)s. "
                         "Mohon bersiap di dekat loket.", unit=unit.short_name, number=ticket.number,
                         line=ticket.queue_service.name, people=people)
        _send(ticket, topic, body)
        queued.append((ticket.number, topic))
    return queued


@dataclass
class Erased:
    """What the daily erasure did."""

    tickets: int = 0
    messages: int = 0


@transactional(serial=True)
def erase_contacts(now: datetime | None = None) -> Erased:
    """Erase the phone numbers of tickets whose day is over, in every unit by its own calendar.

    The queue's messages of those days lose their recipient too (kept masked, as staff lists
    show it), and one still waiting is not sent any more: a call of yesterday is no news.
    """
    done = Erased()
    unit_ids = set(db.session.scalars(select(Ticket.unit_id).where(Ticket.phone.is_not(None)).distinct()))
    unit_ids |= set(db.session.scalars(
        select(OutboxMessage.unit_id).where(OutboxMessage.topic.in_([TOPIC_NEAR, TOPIC_CALLED]),
                                            OutboxMessage.unit_id.is_not(None)).distinct()
    ))  # fmt: skip
    for unit_id in sorted(unit_ids):
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            continue
        today = local_today(unit, now)
        done.tickets += db.session.execute(
            update(Ticket).where(Ticket.unit_id == unit_id, Ticket.day < today, Ticket.phone.is_not(None))
            .values(phone=None).execution_options(synchronize_session=False)
        ).rowcount  # fmt: skip
        day_start = local_moment(today, time(0, 0), unit)
        for message in db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.unit_id == unit_id,
                OutboxMessage.topic.in_([TOPIC_NEAR, TOPIC_CALLED]),
                OutboxMessage.created_at < day_start,
                OutboxMessage.recipient.not_like("%*%"),
            )
        ):
            message.recipient = mask_recipient(message.recipient)
            if message.status != SENT:
                message.status, message.last_error = FAILED, "Tidak dikirim: hari antriannya sudah lewat."
            done.messages += 1
    return done

