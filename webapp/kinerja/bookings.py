"""Bookings today (``webapp.reservasi``): how many of the day's booked visitors have checked in at the kiosk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.kinerja.common import Scope
from webapp.reservasi.models import Booking


@dataclass
class BookingsToday:
    """Today's bookings that still stand (not cancelled), and those checked in."""

    booked: int
    checked_in: int


def today(scope: Scope, now: datetime | None = None) -> BookingsToday:
    """Bookings of the scope's local day, cancelled ones left out; checked in = status "hadir"."""
    day = local_today(scope.unit, now)
    booked, checked_in = db.session.execute(
        select(func.count(Booking.id), func.sum(case((Booking.status == Booking.HADIR, 1), else_=0)))
        .where(*scope.where(Booking.unit_id), Booking.day == day, Booking.status != Booking.BATAL)
    ).one()
    return BookingsToday(int(booked or 0), int(checked_in or 0))
