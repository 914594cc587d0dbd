"""A unit's public profile: its names, address, time zone and complaint channels.

The profile is what the public standard pages print above every service of the unit, and
its channels follow the standards' own contact rules (``normalise_contacts``), so the rule
lives here, in the catalogue's feature, not in the core: the core holds the ``Unit`` row
only, and may not write to the audit log. ``update_unit_profile`` is one unit of work
(``@transactional``); the admin page passes ``current_user`` as ``actor``.
"""

from __future__ import annotations

from typing import Any, TypedDict

from webapp.audit.models import Actor, diff_documents, record
from webapp.core.db import transactional
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
