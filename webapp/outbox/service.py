"""Queueing messages and delivering the ones that are due, with retries and back-off."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, has_request_context
from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session

from webapp.core.db import transactional, utcnow
from webapp.core.extensions import db
from webapp.core.policy import Account, can, scoped
from webapp.outbox.models import CHANNELS, FAILED, NO_SENDER, PENDING, SENT, STATUSES, OutboxMessage
from webapp.outbox.senders import SendError, has_sender, sender_for

logger = logging.getLogger("loket.outbox")

_delivering = threading.Lock()

# Waits after the 1st, 2nd, ... failed attempt: 1, 2, 4 ... minutes, at most 6 hours.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed attempts."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def enqueue(channel: str, recipient: str, body: str, *, unit_id: int | None, subject: str = "", topic: str = "",
            reference: str = "", anonymous: bool = False) -> OutboxMessage:
    """Add a message to the session; it is queued when the caller commits.

    ``unit_id`` is the unit of the complaint or berkas the message is about (None for a
    complaint about no unit's service): there is no default, so no caller forgets it and
    leaves a unit's message readable by every unit. ``anonymous`` marks a message to an
    anonymous complainant. Bodies must not carry the person's name or identity numbers:
    the development sender writes them to the log.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    message = OutboxMessage(channel=channel, recipient=recipient.strip(), body=body, subject=subject,
                            topic=topic, reference=reference, status=PENDING, attempts=0,
                            next_attempt_at=utcnow(), unit_id=unit_id, anonymous=anonymous)
    db.session.add(message)
    db.session.info[_QUEUED] = True
    return message


@dataclass
class DeliveryReport:
    """What one delivery round did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unsent: int = 0  # no sender for the channel: logged and marked NO_SENDER


def deliver_due(now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` due messages, one transaction each; return the counts.

    On PostgreSQL each message is claimed with ``FOR UPDATE SKIP LOCKED``, so several
    workers never send one message twice; on SQLite run a single worker.

    Not one unit of work but one per message, so it commits itself (docs/architecture.md):
    a message sent is marked sent at once, and its row lock released, before the next
    one waits on a slow mail server; a failure later in the round never unmarks it.
    """
    config = current_app.config
    report = DeliveryReport()
    # Messages kept back for want of a sender go out as soon as their channel has one.
    deliverable = [channel for channel in CHANNELS if has_sender(channel, config)]
    due = (OutboxMessage.status == PENDING) | (
        (OutboxMessage.status == NO_SENDER) & OutboxMessage.channel.in_(deliverable)
    )
    for _ in range(limit):
        moment = now or utcnow()
        message = db.session.scalars(
            select(OutboxMessage)
            .where(due, OutboxMessage.next_attempt_at <= moment)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            db.session.rollback()
            break
        sender = sender_for(message.channel, config)
        if not sender.delivers:
            sender.send(message)  # the log: not an attempt, and never "sent"
            message.status = NO_SENDER
            report.unsent += 1
            db.session.commit()
            continue
        message.attempts += 1
        try:
            sender.send(message)
        except Exception as error:  # any failure is one failed attempt: one bad message never blocks the rest
            if not isinstance(error, SendError):
                logger.error("outbox #%s: the sender failed with %s", message.id, type(error).__name__)
            # Error texts may quote the address (a refused recipient): never keep or log it unmasked.
            message.last_error = str(error).replace(message.recipient, message.masked_recipient)[:1000]
            if message.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
                message.status = FAILED
                report.failed += 1
            else:
                message.next_attempt_at = moment + retry_delay(message.attempts)
                report.retrying += 1
            logger.warning("outbox #%s attempt %s failed: %s", message.id, message.attempts, message.last_error)
        else:
            message.status, message.sent_at, message.last_error = SENT, utcnow(), ""
            report.sent += 1
        db.session.commit()
    return report


ANONYMOUS_RECIPIENT = "(pengadu anonim)"


def messages_for(user: Account, status: str = "") -> Select:
    """The messages ``user`` may list, newest first: its unit's and those of no unit (global accounts: all).

    A message of no unit answers a complaint about no unit's service, which every complaint
    reader may open and answer (``complaint.view``), so its message is listed to all too.
    """
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in STATUSES:
        statement = statement.where(OutboxMessage.status == status)
    return scoped(user, statement, OutboxMessage.unit_id)


def recipient_label(user: Account, message: OutboxMessage) -> str:
    """The recipient as ``user`` may read it: masked, and not at all for an anonymous complainant.

    Even a masked address gives away an initial and a mail domain: staff who may not see
    who filed an anonymous complaint (``complaint.see_anonymous``) read a placeholder.
    """
    if message.anonymous and not can(user, "complaint.see_anonymous", message):
        return ANONYMOUS_RECIPIENT
    return message.masked_recipient


class OutboxError(ValueError):
    """A staff action on a message that cannot be done; the message is for the officer, in Indonesian."""


@transactional
def retry_now(message: OutboxMessage) -> None:
    """Put a failed or waiting message back at the front of the queue (a staff action); one unit of work.

    It is sent after the commit, by the hook below. A message already sent is refused
    (``OutboxError``): the citizen would get it twice.
    """
    if message.status == SENT:
        raise OutboxError("Pesan ini sudah terkirim; tidak dikirim ulang.")
    message.status = PENDING
    message.next_attempt_at = utcnow()
    db.session.info[_QUEUED] = True


_QUEUED = "loket.outbox_queued"


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    """A request that committed a new (or retried) message starts its delivery: no view has to remember.

    Only within a request: a CLI command delivers by itself (``deliver_due``), since a
    background thread would die with the command. SQLAlchemy sends this event when a
    savepoint is released too: the message is not committed yet then, so it waits for the
    transaction's own commit.
    """
    if session.in_nested_transaction():
        return
    if session.info.pop(_QUEUED, False) and has_request_context():
        send_soon()


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    """A rolled-back message was never queued (a savepoint rolled back keeps the transaction's messages)."""
    if not session.in_nested_transaction():
        session.info.pop(_QUEUED, None)


def send_soon(app: Flask | None = None) -> None:
    """Deliver due messages in a background thread, so a request never waits on SMTP.

    Turned off by ``OUTBOX_SEND_AFTER_REQUEST = False`` (tests, or when only the
    ``flask outbox kirim`` worker should send).
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["OUTBOX_SEND_AFTER_REQUEST"]:
        return

    def run() -> None:
        # One delivering thread per process: SQLite has no SKIP LOCKED, and two threads
        # would send one message twice. A round already running picks up the new message.
        if not _delivering.acquire(blocking=False):
            return
        try:
            with app.app_context():
                try:
                    deliver_due()
                except Exception:  # the worker will try again; never crash a thread silently
                    logger.exception("outbox delivery round failed")
                    db.session.rollback()
        finally:
            _delivering.release()

    threading.Thread(target=run, name="outbox", daemon=True).start()
