"""Reading the catalogue: search, listing by unit, and the public view of a standard."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.models import Service

MAX_QUERY_WORDS = 8


def search_services(query: str | None, unit: Unit | None = None) -> list[Service]:
    """Services whose title, requirements, product or unit name contain every word of ``query``."""
    statement = (
        select(Service).join(Service.unit).options(selectinload(Service.unit)).where(Service.is_published.is_(True))
    )
    if unit is not None:
        statement = statement.where(Service.unit_id == unit.id)
    for word in (query or "").casefold().split()[:MAX_QUERY_WORDS]:
        statement = statement.where(
            or_(Service.search_text.contains(word, autoescape=True), Unit.short_name.icontains(word, autoescape=True))
        )
    statement = statement.order_by(Unit.name, Service.position, Service.title)
    return list(db.session.scalars(statement))


def units_with_services() -> Sequence[Unit]:
    """Every unit with its services loaded, for the home page and the catalogue."""
    statement = select(Unit).options(selectinload(Unit.services)).order_by(Unit.name)
    return db.session.scalars(statement).all()


def group_by_unit(services: list[Service]) -> list[tuple[Unit, list[Service]]]:
    """Services grouped under their unit, keeping the given order."""
    groups: dict[int, tuple[Unit, list[Service]]] = {}
    for service in services:
        groups.setdefault(service.unit_id, (service.unit, []))[1].append(service)
    return list(groups.values())


class StandardView:
    """A standard document dressed like a ``Service`` for the public templates: draft previews."""

    def __init__(self, doc: dict, unit: Unit) -> None:
        self._doc = doc
        self.unit = unit
        self.slug = doc["slug"]
        self.title = doc["title"]
        self.category = doc["category"]
        self.source = doc.get("source")
        self.source_note = doc.get("source_note")
        self.complaint_channels = doc.get("complaint_channels") or []
        self.sop = doc.get("sop")
        self.guides = doc.get("guides") or []
        self.decree = doc.get("decree")
        components = doc["components"]
        self.duration_days = (components.get("jangka_waktu") or {}).get("days")
        self.fee_amount = (components.get("biaya") or {}).get("amount")
        self.staff_count = (components.get("jumlah_pelaksana") or {}).get("count")

    def block(self, code: str) -> dict | None:
        """The component ``code`` as a block, or None when unpublished."""
        return self._doc["components"].get(code)
