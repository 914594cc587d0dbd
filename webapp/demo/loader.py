"""Load the demo data files of data/ into the database, creating or refreshing by slug."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from webapp.core.db import transactional
from webapp.core.extensions import db
from webapp.core.office import OfficeError, Signatory, clean_nip, parse_day_hours
from webapp.core.units import Unit
from webapp.standards.components import StandardError, normalise_contacts, normalise_standard
from webapp.standards.models import Service
from webapp.standards.versions import publish_document

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass
class LoadReport:
    """What a load did, for the command's output."""

    units_created: list[str] = field(default_factory=list)
    units_updated: list[str] = field(default_factory=list)
    services_created: list[str] = field(default_factory=list)
    services_updated: list[str] = field(default_factory=list)
    services_unchanged: list[str] = field(default_factory=list)


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StandardError(f"{path.name}: tidak dapat dibaca ({exc}).") from exc


@transactional
def load_demo(data_dir: Path = DATA_DIR) -> LoadReport:
    """Create or refresh every unit and standard in ``data_dir``; one unit of work, all or nothing.

    A standard whose file changed is published as a new version (the old one is kept);
    running it twice changes nothing the second time; services an office added itself
    are left alone.
    """
    report = LoadReport()
    units = _load_units(data_dir / "units.json", report)
    for path in sorted((data_dir / "standards").glob("*.json")):
        _load_standard(path, units, report)
    queue_file = data_dir / "antrian.json"
    if queue_file.exists():
        _load_queues(queue_file, units)
    return report


def _load_units(path: Path, report: LoadReport) -> dict[str, Unit]:
    raw_units = _read_json(path)
    if not isinstance(raw_units, list):
        raise StandardError(f"{path.name}: harus berupa daftar instansi.")
    units: dict[str, Unit] = {}
    for raw in raw_units:
        unit = Unit.by_slug(raw["slug"])
        if unit is None:
            unit = Unit(slug=raw["slug"])
            db.session.add(unit)
            report.units_created.append(raw["slug"])
        else:
            report.units_updated.append(raw["slug"])
        unit.name = raw["name"]
        unit.short_name = raw["short_name"]
        unit.city = raw.get("city")
        unit.address = raw.get("address")
        unit.timezone = raw.get("timezone") or "Asia/Jakarta"
        unit.contacts = normalise_contacts(raw.get("contacts"), f"{path.name} {raw['slug']}")
        _load_office(unit, raw, f"{path.name} {raw['slug']}")
        units[unit.slug] = unit
    db.session.flush()
    for raw in raw_units:
        _load_signatories(units[raw["slug"]], raw.get("signatories") or [], f"{path.name} {raw['slug']}")
    return units


def _load_office(unit: Unit, raw: dict, where: str) -> None:
    """The kop surat's fields as the seeds print them; a field they do not print stays empty."""
    for name in ("government_name", "phone", "whatsapp", "email", "website", "place_name"):
        setattr(unit, name, raw.get(name) or None)
    hours = {}
    for day, text in (raw.get("opening_hours") or {}).items():
        try:
            hours[day] = parse_day_hours(text)
        except OfficeError as exc:
            raise StandardError(f"{where}: jam layanan {day}: {exc}") from exc
    unit.opening_hours = hours


def _load_signatories(unit: Unit, rows: list[dict], where: str) -> None:
    """Signatories printed in the seeds, added once (a unit, role and start date is one row)."""
    for row in rows:
        valid_from = date.fromisoformat(row["valid_from"])
        try:
            nip = clean_nip(row.get("nip"))
        except OfficeError as exc:
            raise StandardError(f"{where}: {row.get('name')}: {exc}") from exc
        existing = db.session.scalar(
            select(Signatory).where(
                Signatory.unit_id == unit.id, Signatory.role == row["role"], Signatory.valid_from == valid_from
            )
        )
        signatory = existing or Signatory(unit_id=unit.id, role=row["role"], valid_from=valid_from)
        signatory.name, signatory.rank, signatory.nip = row["name"], row.get("rank") or None, nip
        db.session.add(signatory)


def _load_queues(path: Path, units: dict[str, Unit]) -> None:
    """Queue services and counters per unit, matched by letter and by counter number."""
    from datetime import time

    from antrian.models import Counter, QueueService, QueueState

    for raw in _read_json(path):  # type: ignore[union-attr]
        unit = units[raw["unit"]]
        services = {s.code: s for s in db.session.scalars(select(QueueService).where(QueueService.unit_id == unit.id))}
        for position, item in enumerate(raw["services"]):
            service = services.get(item["code"]) or QueueService(unit=unit, code=item["code"])
            service.name = item["name"]
            service.opens_at = time.fromisoformat(item["opens_at"])
            service.closes_at = time.fromisoformat(item["closes_at"])
            service.daily_cap = item.get("daily_cap")
            service.position = position
            service.active = True
            db.session.add(service)
            services[service.code] = service
            if item.get("reservasi"):
                _load_booking_setup(service, item["reservasi"])
        counters = {c.number: c for c in db.session.scalars(select(Counter).where(Counter.unit_id == unit.id))}
        for item in raw["counters"]:
            counter = counters.get(item["number"]) or Counter(unit=unit, number=item["number"])
            counter.name = item["name"]
            counter.active = True
            counter.queue_services = [services[code] for code in item["services"]]
            db.session.add(counter)
        state = db.session.get(QueueState, unit.id) or QueueState(unit_id=unit.id, version=0)
        state.running_text = raw.get("running_text", "")
        db.session.add(state)


def _load_booking_setup(line: Any, raw: dict[str, Any]) -> None:
    """Turn booking on for a demo line with the file's rules (Kampar's line A: 30-minute slots of 4 places,
    14 days ahead, half of each slot kept for walk-ins)."""
    from webapp.reservasi.models import BookingSetup

    db.session.flush()  # the line's id
    setup = db.session.get(BookingSetup, line.id) or BookingSetup(queue_service_id=line.id)
    setup.enabled = True
    for name in ("slot_minutes", "places", "days_ahead", "walk_in_percent"):
        setattr(setup, name, raw[name])
    db.session.add(setup)


def _load_standard(path: Path, units: dict[str, Unit], report: LoadReport) -> None:
    raw = _read_json(path)
    try:
        doc = normalise_standard(raw)  # type: ignore[arg-type]
    except StandardError as exc:
        raise StandardError(f"{path.name}: {exc}") from exc
    unit = units.get(doc["unit"]) or Unit.by_slug(doc["unit"] or "")
    if unit is None:
        raise StandardError(f"{path.name}: instansi {doc['unit']!r} tidak ada.")
    service = Service.by_slug(doc["slug"])
    created = service is None
    if service is None:
        service = Service(unit=unit)
        db.session.add(service)
        service.apply_document(doc)
        db.session.flush()
    service.unit = unit
    version = publish_document(service, doc, "data demo", actor=None)  # demo data: sistem
    if created:
        report.services_created.append(doc["slug"])
    elif version is not None:
        report.services_updated.append(doc["slug"])
    else:
        report.services_unchanged.append(doc["slug"])
