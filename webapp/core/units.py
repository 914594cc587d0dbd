"""Units (instansi): the offices whose rows every feature keeps, and whose time zone every clock follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import JsonType, UtcDateTime, utcnow
from webapp.core.extensions import db


class Unit(db.Model):
    """An office (instansi) that publishes service standards: a DPMPTSP or a tenant of a Mal Pelayanan Publik."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    # The office profile printed in the kop surat and on public pages (webapp.core.office).
    # Empty where the office has not filled it: nothing is invented.
    government_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    whatsapp: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(200))
    place_name: Mapped[str | None] = mapped_column(String(120))
    # {"0": [["08:00", "16:00"]], ..., "4": [["08:00", "11:30"], ["13:30", "16:00"]]}: Monday is "0".
    opening_hours: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=dict)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    # The catalogue's services (webapp.standards.models.Service), named by string: the core imports no
    # feature, not even for type checkers, so the type is Any here.
    services: Mapped[list[Any]] = relationship(
        "Service", back_populates="unit", order_by="Service.position, Service.title", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.slug}>"

    @property
    def published_services(self) -> list[Any]:
        """The services the public may see, in catalogue order."""
        return [s for s in self.services if s.is_published]

    @classmethod
    def by_slug(cls, slug: str) -> Unit | None:
        """The unit with this slug, or None."""
        return db.session.scalar(select(cls).where(cls.slug == slug))
