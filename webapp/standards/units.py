"""A unit's public profile: its names, address, time zone and complaint channels; its kop surat and signatories.

The profile is what the public standard pages print above every service of the unit, and
its channels follow the standards' own contact rules (``normalise_contacts``), so the rule
lives here, in the catalogue's feature, not in the core: the core holds the ``Unit`` row
only, and may not write to the audit log. ``update_unit_profile`` is one unit of work
(``@transactional``); the admin page passes ``current_user`` as ``actor``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from sqlalchemy import select

from webapp.audit.models import Actor, diff_documents, record
from webapp.core.db import transactional
from webapp.core.extensions import db
from webapp.core.office import (
    ROLES,
    WEEKDAYS,
    OfficeError,
    Signatory,
    check_logo,
    clean_nip,
    day_hours_text,
    parse_day_hours,
)
from webapp.core.units import Unit
from webapp.standards.components import normalise_contacts


class UnitProfile(TypedDict):
    """A unit's profile as the edit form holds it (empty strings where nothing is set)."""

    name: str
    short_name: str
    city: str
    address: str
    timezone: str
    contacts: list[dict[str, Any]]


def unit_profile(unit: Unit) -> UnitProfile:
    """The unit's profile, to fill the form and to compare before and after a change."""
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "city": unit.city or "",
        "address": unit.address or "",
        "timezone": unit.timezone,
        "contacts": [dict(c, value=c.get("value") or "") for c in unit.contacts or []],
    }


def _filled(contact: dict[str, Any]) -> bool:
    """A channel row the officer typed something into (an empty row of the form is no channel)."""
    return bool((contact.get("label") or "").strip() or (contact.get("value") or "").strip())


@transactional
def update_unit_profile(unit: Unit, profile: UnitProfile, *, actor: Actor | None) -> list[dict[str, Any]]:
    """Store the unit's profile (trimmed, channels checked) and record it; returns the changes recorded.

    Raises StandardError when a channel is not valid; nothing changes then. The time zone
    is checked by the form (an IANA name).
    """
    # Checked before anything is set, so a refusal leaves the unit as it was.
    contacts = normalise_contacts([c for c in profile["contacts"] if _filled(c)])
    before = unit_profile(unit)
    unit.name = profile["name"].strip()
    unit.short_name = profile["short_name"].strip()
    unit.city = (profile["city"] or "").strip() or None
    unit.address = (profile["address"] or "").strip() or None
    unit.timezone = profile["timezone"].strip()
    unit.contacts = contacts
    changes = diff_documents(before, unit_profile(unit))
    record("update", "unit", unit.id, f"Mengubah profil {unit.short_name}", changes, unit.id, actor=actor)
    return changes


# --- the office profile: kop surat, hours, logo, signatories (issue 16) ------------------------


class OfficeProfileInput(TypedDict):
    """The kop surat's fields as the form holds them; ``hours`` are seven texts, Monday first."""

    government_name: str
    phone: str
    whatsapp: str
    email: str
    website: str
    place_name: str
    hours: list[str]


def office_profile_input(unit: Unit) -> OfficeProfileInput:
    """The unit's office profile, to fill the form and to compare before and after a change."""
    hours = unit.opening_hours or {}
    return {
        "government_name": unit.government_name or "",
        "phone": unit.phone or "",
        "whatsapp": unit.whatsapp or "",
        "email": unit.email or "",
        "website": unit.website or "",
        "place_name": unit.place_name or "",
        "hours": [day_hours_text(hours.get(str(day))) for day in range(7)],
    }


@transactional
def update_office_profile(
    unit: Unit, data: OfficeProfileInput, *, logo: bytes | None = None, remove_logo: bool = False,
    actor: Actor | None,
) -> list[dict[str, Any]]:
    """Store the kop surat's fields, the opening hours and the logo, and record it: one unit of work.

    Raises OfficeError naming the weekday or the logo when a value is not valid; nothing changes then.
    """
    # Everything is checked before anything is set, so a refusal leaves the unit as it was.
    hours: dict[str, list[list[str]]] = {}
    for day, text in enumerate(data["hours"]):
        try:
            sessions = parse_day_hours(text)
        except OfficeError as exc:
            raise OfficeError(f"{WEEKDAYS[day]}: {exc}") from exc
        if sessions:
            hours[str(day)] = sessions
    logo_type = check_logo(logo) if logo else None
    before = office_profile_input(unit)
    for name in ("government_name", "phone", "whatsapp", "email", "website", "place_name"):
        setattr(unit, name, (data[name] or "").strip() or None)  # type: ignore[literal-required]
    unit.opening_hours = hours
    changes = diff_documents(before, office_profile_input(unit))
    if logo:
        unit.logo, unit.logo_type = logo, logo_type
        changes.append({"path": "logo", "old": None, "new": f"{logo_type}, {len(logo)} byte"})
    elif remove_logo and unit.logo_type:
        unit.logo, unit.logo_type = None, None
        changes.append({"path": "logo", "old": "ada", "new": None})
    record("update", "unit", unit.id, f"Mengubah kop surat {unit.short_name}", changes, unit.id, actor=actor)
    return changes


@transactional
def add_signatory(
    unit: Unit, *, role: str, name: str, rank: str, nip: str, valid_from: date, actor: Actor | None
) -> Signatory:
    """Add who signs for ``role`` from ``valid_from``: earlier documents keep their own signatory.

    Raises OfficeError for an unknown role, an empty name, a NIP that is not valid, or a second
    signatory for the same role and date.
    """
    if role not in ROLES:
        raise OfficeError("Pilih jabatan penandatangan.")
    if not name.strip():
        raise OfficeError("Isi nama penandatangan.")
    clean = clean_nip(nip)
    taken = db.session.scalar(
        select(Signatory.id).where(Signatory.unit_id == unit.id, Signatory.role == role,
                                   Signatory.valid_from == valid_from)
    )  # fmt: skip
    if taken:
        raise OfficeError(f"Sudah ada {ROLES[role]} yang berlaku mulai tanggal itu; hapus dahulu bila keliru.")
    signatory = Signatory(unit_id=unit.id, role=role, name=name.strip(), rank=rank.strip() or None, nip=clean,
                          valid_from=valid_from)  # fmt: skip
    db.session.add(signatory)
    db.session.flush()
    summary = f"Menambah {ROLES[role]} {signatory.name} ({unit.short_name})"
    changes = [{"path": "valid_from", "old": None, "new": valid_from.isoformat()}]
    record("create", "signatory", signatory.id, summary, changes, unit.id, actor=actor)
    return signatory


@transactional
def remove_signatory(signatory: Signatory, *, actor: Actor | None) -> None:
    """Remove a signatory row entered by mistake (a change of person is a new row, not a removal)."""
    record("delete", "signatory", signatory.id, f"Menghapus {signatory.role_label} {signatory.name}", None,
           signatory.unit_id, actor=actor)  # fmt: skip
    db.session.delete(signatory)
