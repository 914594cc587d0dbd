"""Load the demo data files of data/ into the database, creating or refreshing by slug."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from webapp.extensions import db
from webapp.standards.components import StandardError, normalise_contacts, normalise_standard
from webapp.standards.models import Service, Unit
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


def load_demo(data_dir: Path = DATA_DIR) -> LoadReport:
    """Create or refresh every unit and standard in ``data_dir``; all or nothing.

    A standard whose file changed is published as a new version (the old one is kept);
    running it twice changes nothing the second time; services an office added itself
    are left alone.
    """
    report = LoadReport()
    try:
        units = _load_units(data_dir / "units.json", report)
        for path in sorted((data_dir / "standards").glob("*.json")):
            _load_standard(path, units, report)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
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
        units[unit.slug] = unit
    db.session.flush()
    return units


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
    version = publish_document(service, doc, "data demo")
    if created:
        report.services_created.append(doc["slug"])
    elif version is not None:
        report.services_updated.append(doc["slug"])
    else:
        report.services_unchanged.append(doc["slug"])
