"""The template globals through which other features' pages link to reservasi without importing it."""

from __future__ import annotations

from typing import Any

from flask import url_for

from antrian.models import QueueService
from webapp.core.units import Unit
from webapp.reservasi.service import booking_lines, lines_of_service, taking_bookings


def reservasi_url(target: Any) -> str | None:
    """The booking page of a queue line, or of a catalogue service (``webapp.standards.models.Service``) when
    some line delivering it takes bookings; None otherwise (the page then shows no booking link)."""
    if isinstance(target, QueueService):
        line = target if taking_bookings(target) else None
    elif target is not None and getattr(target, "id", None) is not None and hasattr(target, "slug"):
        found = lines_of_service(target.id)
        line = found[0] if found else None
    else:
        line = None
    if line is None:
        return None
    return url_for("reservasi.start", instansi=line.unit.slug, layanan=line.code)


def reservasi_checkin_url(unit: Unit | None) -> str | None:
    """The kiosk's "Saya sudah reservasi" screen of ``unit`` when some line of it takes bookings, else None."""
    if unit is None or not booking_lines(unit):
        return None
    return url_for("reservasi.kiosk_checkin", instansi=unit.slug)
