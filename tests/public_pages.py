"""One list of every public page, with real slugs, a real ticket, complaint and booking, and the forms shown again
with their errors, for the tests that read them all: the Nu HTML check (tests/test_html_validity.py) and the
English check (tests/test_english.py)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from tests.conftest import csrf_from, open_all_day
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.core.units import Unit
from webapp.standards.models import Service

# Pages that stay Indonesian whatever the visitor chose (issue 17): the lobby TV, printed paper, the staff
# sign-in. The English check leaves them out; the HTML check reads them too.
INDONESIAN_ONLY = ("display", "ticket-print", "login", "unit-qr-sheet", "poster-")


def public_pages(client) -> dict[str, str]:
    """Name -> URL of every public page of the demo data (posters named ``poster-<slug>``)."""
    unit = db.session.scalars(select(Unit).order_by(Unit.id)).first()
    services = db.session.scalars(select(Service).order_by(Service.id)).all()
    open_all_day(unit)  # a ticket whatever the hour the suite runs
    ticket = client.post(url_for("api.take_ticket"), json={"unit": unit.slug, "service": "A"}).get_json()
    complaint = client.post(url_for("api.create_complaint"), json={
        "name": "Uji", "phone": "081234567890", "description": "Pelayanan lambat sekali di loket."}).get_json()
    assert ticket and "token" in ticket and complaint and "code" in complaint, (ticket, complaint)
    pages = {
        "home": url_for("main.home"),
        "catalogue": url_for("standards.catalogue"),
        "catalogue-search": url_for("standards.catalogue", q="izin"),
        "catalogue-nothing": url_for("standards.catalogue", q="zzzzqqq"),
        "unit": url_for("standards.unit", slug=unit.slug),
        "unit-qr-sheet": url_for("standards.unit_qr_sheet", slug=unit.slug),
        "survey": url_for("survei.form"),
        "ikm": url_for("survei.ikm"),
        "ikm-unit": url_for("survei.ikm", instansi=unit.slug),
        # Every unit in this semester, and one unit in this month and this year (the ticket and complaint above
        # make fewer than 5 cases, so the "< 5" note and its marks show).
        "kinerja": url_for("kinerja.public_page"),
        "kinerja-unit": url_for("kinerja.public_page", instansi=unit.slug, periode=f"{local_today(unit):%Y-%m}"),
        "kinerja-year": url_for("kinerja.public_page", instansi=unit.slug, periode=f"{local_today(unit):%Y}"),
        "complaint": url_for("pengaduan.form"),
        "complaint-lookup": url_for("pengaduan.lookup"),
        "complaint-track": url_for("pengaduan.track", code=complaint["code"]),
        "berkas-lookup": url_for("berkas.lookup_form"),
        "verify-index": url_for("berkas.verify_index"),
        "verify-unknown": url_for("berkas.verify_page", code="TIDAK-ADA"),
        "kiosk": url_for("antrian.kiosk", instansi=unit.slug),
        "display": url_for("antrian.display", instansi=unit.slug),
        "ticket": url_for("antrian.ticket", token=ticket["token"]),
        "ticket-print": url_for("antrian.print_ticket", token=ticket["token"]),
        "booking-home": url_for("reservasi.start"),
        "booking-unit": url_for("reservasi.start", instansi=unit.slug),
        "login": url_for("auth.login"),
        "not-found": "/tidak-ada-halaman-ini",
    }
    pages.update(_booking_pages(unit))
    for service in services:
        pages[f"service-{service.slug}"] = url_for("standards.detail", slug=service.slug)
        pages[f"poster-{service.slug}"] = url_for("standards.poster", slug=service.slug)
    return pages


def visitor_pages(client) -> dict[str, str]:
    """``public_pages`` without those that stay Indonesian: what a visitor may read in English."""
    return {name: url for name, url in public_pages(client).items() if not name.startswith(INDONESIAN_ONLY)}


def _booking_pages(unit: Unit) -> dict[str, str]:
    """The booking steps with a slot chosen, a booking's page and the kiosk's check-in screen (demo line A)."""
    from webapp.reservasi.service import Contact, book, booking_days, booking_lines, setup_of, slots

    line = booking_lines(unit)[0]
    setup = setup_of(line)
    day = next(d for d in booking_days(line, setup)[1:] if slots(line, setup, d))
    slot = slots(line, setup, day)[0]
    _, code = book(line, day, slot.start, Contact("Warga Uji", "081234567890"))
    return {
        "booking-start": url_for("reservasi.start", instansi=unit.slug, layanan=line.code, tanggal=day.isoformat(),
                                 jam=slot.start.strftime("%H:%M")),
        "booking": url_for("reservasi.booking", key=code),
        "booking-move": url_for("reservasi.booking", key=code, pindah=day.isoformat()),
        "booking-kiosk": url_for("reservasi.kiosk_checkin", instansi=unit.slug),
    }


def refused_forms(client) -> dict[str, str]:
    """The complaint and survey forms shown again with their errors (the pages a person sees most after a slip)."""
    token = csrf_from(client, url_for("pengaduan.form"))
    complaint = client.post(url_for("pengaduan.form"), data={"csrf_token": token, "description": "pendek",
                                                             "phone": "12", "email": "x"})
    token = csrf_from(client, url_for("survei.form"))
    survey = client.post(url_for("survei.form"), data={"csrf_token": token, "age": "7"})
    assert complaint.status_code == 422 and survey.status_code == 422
    return {"complaint-refused": complaint.get_data(as_text=True), "survey-refused": survey.get_data(as_text=True)}
