"""Days the office is closed beyond the national calendar, entered by the admin."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.db import UtcDateTime, utcnow
from webapp.core.extensions import db


class Closure(db.Model):
    """A day without service: a regional holiday, an office move, a power cut announced ahead."""

    __tablename__ = "closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
