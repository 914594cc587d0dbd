"""Reading the catalogue: search, listing by unit, and the public view of a standard."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.standards.models import Service, Unit

MAX_QUERY_WORDS = 8


def search_services(query: str | None, unit: Unit | None = None) -> list[Service]:
    """Services whose title, unit, requirements or product contain every word of ``query``."""
    statement = select(Service).join(Service.unit).options(selectinload(Service.unit))
    if unit is not None:
        statement = statement.where(Service.unit_id == unit.id)
    for word in (query or "").casefold().split()[:MAX_QUERY_WORDS]:
        statement = statement.where(Service.search_text.contains(word, autoescape=True))
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
