"""Reservasi: a line's booking setup, its slots' claimed places, and the bookings themselves.

A booking is personal data (name, phone or email, NIK) until the daily erasure job nulls it 90 days
after its day (UU 27/2022); the counts stay. The booking code is never stored: only its HMAC
(``code_hash``) and its last four characters, which staff read back to a caller.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import ClassVar

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from antrian.models import QueueService, Ticket
from webapp.core.db import UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.i18n import N_


class BookingSetup(db.Model):
    """Whether a queue line takes bookings, and its rules (one row per line; no row: no bookings)."""

    __tablename__ = "booking_setup"

    queue_service_id: Mapped[int] = mapped_column(ForeignKey("queue_service.id", ondelete="CASCADE"),
                                                  primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # People the line serves in one slot; the bookable share is ``bookable_places`` (the rest is for walk-ins).
    places: Mapped[int] = mapped_column(Integer, default=4)
    days_ahead: Mapped[int] = mapped_column(Integer, default=14)
    walk_in_percent: Mapped[int] = mapped_column(Integer, default=50)
    early_minutes: Mapped[int] = mapped_column(Integer, default=15)
    late_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # The mark before the number of a booked ticket: "R" makes A-007 into RA-007.
    mark: Mapped[str] = mapped_column(String(1), default="R")
    max_per_contact: Mapped[int] = mapped_column(Integer, default=1)
    noshow_limit: Mapped[int] = mapped_column(Integer, default=2)
    noshow_days: Mapped[int] = mapped_column(Integer, default=14)
    ask_nik: Mapped[bool] = mapped_column(Boolean, default=False)

    line: Mapped[QueueService] = relationship()

    @property
    def bookable_places(self) -> int:
        """Places of one slot that may be booked: floor(places x (100 - walk-in share) / 100)."""
        return max(0, self.places * (100 - self.walk_in_percent) // 100)


class BookingSlot(db.Model):
    """How many places of one slot (line, day, local start) are claimed: the atomic count behind bookings."""

    __tablename__ = "booking_slot"
    __table_args__ = (UniqueConstraint("queue_service_id", "day", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_service_id: Mapped[int] = mapped_column(ForeignKey("queue_service.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[time] = mapped_column(Time)
    taken: Mapped[int] = mapped_column(Integer, default=0)


class Booking(db.Model):
    """One booking of a slot. ``status``: AKTIF, HADIR (checked in), BATAL (cancelled), TIDAK_DATANG."""

    __tablename__ = "booking"
    __table_args__ = (
        Index("ix_booking_line_day_status", "queue_service_id", "day", "status"),
        Index("ix_booking_phone", "phone"),
        Index("ix_booking_email", "email"),
    )

    AKTIF, HADIR, BATAL, TIDAK_DATANG = "aktif", "hadir", "batal", "tidak_datang"
    STATUSES: ClassVar[dict[str, str]] = {
        AKTIF: N_("Terjadwal"), HADIR: N_("Sudah hadir"), BATAL: N_("Dibatalkan"), TIDAK_DATANG: N_("Tidak datang")}

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    queue_service_id: Mapped[int] = mapped_column(ForeignKey("queue_service.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[time] = mapped_column(Time)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_tail: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(14), default=AKTIF)
    # Personal data: staff of the unit only; nulled by the erasure job (``erased_at``).
    name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    nik: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # True when the visitor came past the grace window and got a walk-in ticket.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))
    reminded_day: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_hour: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language the visitor booked in ("id", "en"): the confirmation and reminders speak it (issue 17).
    locale: Mapped[str] = mapped_column(String(5), default="id")
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    line: Mapped[QueueService] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
