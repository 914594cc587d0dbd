"""The applicant's side of a berkas: finding it by tracking code or by number and phone, and
what the tracking page (and the public API) may show of it."""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy import select

from webapp.berkas.models import (
    AMBIL,
    DAFTAR,
    DIKEMBALIKAN,
    DIPROSES,
    KEMBALI,
    LENGKAPI,
    SELESAI,
    SERAH,
    SIAP,
    TERIMA,
    TOLAK,
    Berkas,
    BerkasStep,
)
from webapp.berkas.reminders import reminder_due_on
from webapp.berkas.service import is_late, working_hours
from webapp.core.extensions import db
from webapp.core.i18n import N_
from webapp.core.phone import normalise_phone


def by_code(code: str) -> Berkas | None:
    """The berkas with this tracking code, or None."""
    if not code or len(code) > 32:
        return None
    return db.session.scalar(select(Berkas).where(Berkas.tracking_code == code))


def lookup(number: str, phone: str) -> Berkas | None:
    """The berkas with this registration number whose applicant's phone matches; None otherwise.

    Both must match; the answer for a wrong phone and an unknown number is the same.
    """
    try:
        digits = normalise_phone(phone)
    except ValueError:
        return None
    found = db.session.scalars(select(Berkas).where(Berkas.number == number.strip())).all()
    for berkas in found:
        if hmac.compare_digest(berkas.applicant_phone, digits):
            return berkas
    return None


# What the applicant reads of each movement, by (kind, names a step); translated where shown.
EVENTS: dict[tuple[str, bool], str] = {
    (DAFTAR, False): N_("Berkas didaftarkan di loket penerimaan"),
    (TOLAK, False): N_("Berkas dikembalikan: persyaratan belum lengkap"),
    (LENGKAPI, False): N_("Persyaratan dilengkapi, berkas mulai diproses"),
    (SERAH, True): N_("Berkas diteruskan: %(step)s"),
    (SERAH, False): N_("Berkas diteruskan"),
    (KEMBALI, True): N_("Berkas dikembalikan untuk perbaikan: %(step)s"),
    (KEMBALI, False): N_("Dikembalikan"),
    (AMBIL, False): N_("Dokumen sudah diambil"),
}


def public_view(berkas: Berkas, now: datetime | None = None) -> dict:
    """What the applicant may see: no names (theirs or the officers'), no NIK, no phone."""
    unit = berkas.unit
    step = berkas.current_step
    history = []
    for movement in berkas.movements:
        if movement.kind in (TERIMA,):
            continue  # signatures are the office's business; the applicant sees the file move
        to_step = berkas.steps[movement.to_position] if movement.to_position is not None and berkas.steps else None
        step_label = to_step.public_label if to_step and movement.kind in (SERAH, KEMBALI) else None
        event = EVENTS[(movement.kind, step_label is not None)]
        # "text" stays Indonesian (the record, and the API's field); the page translates "event" and shows
        # the step as its office published it.
        text = event % {"step": step_label} if step_label is not None else event
        history.append({"at": movement.at, "text": text, "event": event, "step": step_label})
    return {
        "number": berkas.number,
        "service": berkas.service.title,
        "unit": unit.name,
        "unit_short": unit.short_name,
        "status": berkas.status,
        "status_label": berkas.status_label,
        "registered_at": berkas.registered_at,
        "current_step": step.public_label if step and berkas.status == DIPROSES else None,
        "step_number": step.position + 1 if step else None,
        "step_count": len(berkas.steps),
        "steps": [{"label": s.public_label, "done": _step_done(berkas, s)} for s in berkas.steps],
        "duration_days": berkas.duration_days,
        "due_date": berkas.due_date,
        "late": is_late(berkas, now),
        "ready_at": berkas.ready_at,
        "collected_at": berkas.collected_at,
        "missing": berkas.missing if berkas.status == DIKEMBALIKAN else [],
        "collect_where": unit.address or unit.name,
        "collect_hours": "–".join(t.strftime("%H.%M") for t in working_hours()),
        # Changes whenever the applicant's view can: a movement, or a reminder.
        "version": f"{len(berkas.movements)}-{berkas.status}",
        "collect_until": reminder_due_on(berkas) if berkas.status == SIAP else None,
        "history": history,
    }


def _step_done(berkas: Berkas, step: BerkasStep) -> bool:
    if berkas.status == SELESAI:
        return True
    return berkas.status in (DIPROSES, SIAP) and step.position < berkas.current_position
