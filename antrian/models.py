"""Queue services, counters, tickets, the per-day number sequences and each unit's state version."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    and_,
    case,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.units import Unit

counter_queue_service = Table(
    "counter_queue_service",
    db.metadata,
    Column("counter_id", ForeignKey("counter.id", ondelete="CASCADE"), primary_key=True),
    Column("queue_service_id", ForeignKey("queue_service.id", ondelete="CASCADE"), primary_key=True),
)


class QueueService(db.Model):
    """A line people queue in: a letter prefix (A, B ...), opening hours and an optional daily cap."""

    __tablename__ = "queue_service"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(120))
    opens_at: Mapped[time] = mapped_column(Time, default=time(8, 0))
    closes_at: Mapped[time] = mapped_column(Time, default=time(15, 0))
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The catalogue service this line delivers, when it delivers one: a served ticket's survey
    # is then about that service; otherwise the respondent picks it on the form.
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"))

    unit: Mapped[Unit] = relationship()
    counters: Mapped[list[Counter]] = relationship(secondary=counter_queue_service, back_populates="queue_services")

    def is_open_at(self, moment: time) -> bool:
        """Whether tickets may be taken at this local time of day (a close at 00:00 means midnight)."""
        return self.active and within_hours(self.opens_at, self.closes_at, moment)


def within_hours(opens_at: time, closes_at: time, moment: time) -> bool:
    """Whether a local time of day lies in opening hours; a close at 00:00 means midnight.

    antrian.issuing.ISSUE_SQL says the same in SQL for PostgreSQL; the rules tests run on both.
    """
    closes = closes_at if closes_at != time(0, 0) else time.max
    return opens_at <= moment < closes


class Counter(db.Model):
    """A counter (loket) and the queue services it calls from."""

    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("unit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship()
    queue_services: Mapped[list[QueueService]] = relationship(
        secondary=counter_queue_service, back_populates="counters", order_by="QueueService.code"
    )


class Ticket(db.Model):
    """One queue number for one local day. The database is the source of truth for the queue."""

    __tablename__ = "ticket"
    __table_args__ = (
        # A number is issued once by its service on its day (a transfer moves the ticket, not the number).
        UniqueConstraint("issued_service_id", "day", "sequence"),
        Index("ix_ticket_unit_day_status", "unit_id", "day", "status"),
        # One ticket per idempotency key, unit and day: a retried request finds the first one (security L8).
        UniqueConstraint("unit_id", "day", "request_key", name="uq_ticket_unit_id_day_request_key"),
    )

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    SKIPPED = "skipped"
    # The visitor gave up the place from the phone ticket (antrian.notify.cancel_ticket): never
    # callable, and neither served nor a no-show in the statistics.
    CANCELLED = "cancelled"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    # The line the ticket waits in now; issued_service_id is the one that gave its number.
    queue_service_id: Mapped[int] = mapped_column(ForeignKey("queue_service.id", ondelete="CASCADE"), index=True)
    issued_service_id: Mapped[int] = mapped_column(ForeignKey("queue_service.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer)
    # Kept as printed: a ticket transferred to another line keeps the number the visitor holds.
    number: Mapped[str] = mapped_column(String(8))
    token: Mapped[str] = mapped_column(String(43), unique=True)
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_reason: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default=WAITING)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    serving_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id", ondelete="SET NULL"))
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    transferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("queue_service.id", ondelete="SET NULL"))
    # Personal data, for the day only: the visitor's mobile number (62...) for the "near" and "called"
    # messages; never shown back in full, never logged, erased after the day (antrian.notify).
    phone: Mapped[str | None] = mapped_column(String(20))
    near_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    called_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language the visitor used ("id", "en"): the messages sent later speak it (issue 17).
    locale: Mapped[str] = mapped_column(String(5), default="id")
    # The idempotency key the kiosk or API client asked with (a uuid per tap), or None.
    request_key: Mapped[str | None] = mapped_column(String(64))
    # The start of the booked slot this ticket was issued for at check-in, or None (a walk-in). From that
    # moment the ticket is called after priority tickets and ahead of walk-ins (antrian.reading.call_order);
    # the queue knows nothing more of bookings (webapp.reservasi issues these tickets).
    booked_from: Mapped[datetime | None] = mapped_column(UtcDateTime)

    queue_service: Mapped[QueueService] = relationship(foreign_keys=[queue_service_id])
    counter: Mapped[Counter | None] = relationship()

    @hybrid_property
    def wait_start(self) -> datetime | None:
        """When the ticket's wait begins: taking the number, or for a booked visitor who checked in early the
        start of the slot (the minutes before it were the visitor's choice, not the office's delay); a ticket
        called before its slot waited from the call. The one wait definition of the queue statistics
        (antrian.stats) and the performance figures (webapp.kinerja.queue)."""
        if self.booked_from is None or self.issued_at is None or self.booked_from <= self.issued_at:
            return self.issued_at
        if self.called_at is not None and self.called_at < self.booked_from:
            return self.called_at
        return self.booked_from

    @wait_start.inplace.expression
    @classmethod
    def _wait_start_expression(cls) -> Any:
        # CASE, not GREATEST: SQLite has no GREATEST, and both databases must count the same wait.
        early = and_(cls.booked_from.is_not(None), cls.booked_from > cls.issued_at)
        return case((and_(early, cls.called_at.is_not(None), cls.called_at < cls.booked_from), cls.called_at),
                    (early, cls.booked_from), else_=cls.issued_at)


class DailySequence(db.Model):
    """The last number issued for a queue service on a local day: the atomic counter behind A-001."""

    __tablename__ = "daily_sequence"

    queue_service_id: Mapped[int] = mapped_column(ForeignKey("queue_service.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class QueueState(db.Model):
    """A unit's queue version, raised with every change, so that clients can spot a missed event."""

    __tablename__ = "queue_state"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    running_text: Mapped[str] = mapped_column(Text, default="")
    # The kiosk offers priority tickets (lansia, disabilitas, ibu hamil): a setting of the unit.
    kiosk_priority: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A visitor is told "giliran Anda hampir tiba" with this many people ahead (antrian.notify).
    notify_ahead: Mapped[int] = mapped_column(Integer, default=3)
    # How lobby displays announce calls (migration 0011_display_announce): the words, and the age in
    # seconds past which a call still waiting to be spoken is only shown.
    announce_style: Mapped[str] = mapped_column(String(10), default="singkat", server_default="singkat")
    announce_max_age_seconds: Mapped[int] = mapped_column(Integer, default=60, server_default="60")


# The words lobby displays speak for a call (QueueState.announce_style).
ANNOUNCE_STYLES = {"singkat": "Singkat: “A nol nol tujuh, loket dua”",
                   "lengkap": "Lengkap: “Nomor antrian A nol nol tujuh, silakan ke loket dua”"}  # fmt: skip
