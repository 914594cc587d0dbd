"""Helpers shared by the complaint tests."""

from __future__ import annotations

from flask import url_for

from tests.conftest import csrf_from

NAME = "Budi Santoso Uniknama"
PHONE = "081298765432"
PHONE_STORED = "6281298765432"  # every number is stored as 62... (webapp.core.phone)
EMAIL = "budi.rahasia@contoh.id"
NIK = "1401021234567890"
NIB = "9120001234567"


def started_token(app) -> str:
    """A signed form-opening time far enough in the past."""
    import time

    from webapp.pengaduan.forms import ComplaintForm

    with app.test_request_context():
        form = ComplaintForm(meta={"csrf": False})
        return form._stamps().dumps(int(time.time()) - 600)


def complaint_data(app, client, **overrides) -> dict:
    """A valid public form post."""
    data = {
        "csrf_token": csrf_from(client, url_for("pengaduan.form")),
        "started": started_token(app),
        "name": NAME,
        "phone": PHONE,
        "email": EMAIL,
        "nik": NIK,
        "nib": NIB,
        "service": "lainnya",
        "service_other": "Perizinan reklame",
        "description": "Petugas meminta biaya tambahan untuk mempercepat izin.",
        "incident_place": "Loket 2",
        "desired_outcome": "Biaya dikembalikan.",
        "website": "",
    }
    data.update(overrides)
    return data



def file_one(**overrides):
    """A complaint filed through the service (committed), with the identity above; returns (complaint, code)."""
    from webapp.pengaduan.service import ComplaintInput, file_complaint

    data = ComplaintInput(description="Antrean di loket pendaftaran tidak bergerak.", name=NAME, phone=PHONE,
                          email=EMAIL, nik=NIK)
    for key, value in overrides.items():
        setattr(data, key, value)
    return file_complaint(data)
