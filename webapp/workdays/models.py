"""Days the office is closed beyond the national calendar, entered by staff: for one unit or the whole office."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.units import Unit


class Closure(db.Model):
    """A day without service: a regional holiday, an office move, a power cut announced ahead.

    A closure of a unit moves only that unit's deadlines; one without a unit closes the
    whole office and moves every unit's. One closure per unit and day, and one office-wide
    closure per day: the unique constraint covers rows with a unit, and a partial unique
    index the rows without one (both databases treat NULLs in a unique constraint as
    distinct, so the constraint alone would let two office-wide closures share a day).
    """

    __tablename__ = "closure"
    __table_args__ = (
        UniqueConstraint("unit_id", "day"),
        Index("uq_closure_office_day", "day", unique=True, sqlite_where=text("unit_id IS NULL"),
              postgresql_where=text("unit_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the whole office (every unit) is closed that day.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    unit: Mapped[Unit | None] = relationship()
