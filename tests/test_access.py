"""The access matrix: every role (and no login) against every staff page."""

from __future__ import annotations

from datetime import date

import pytest
from flask import url_for

from tests.conftest import csrf_from
from webapp.auth.roles import ROLES
from webapp.extensions import db
from webapp.outbox.service import enqueue
from webapp.workdays.models import Closure

ADMIN_ONLY = {"admin"}
EVERY_STAFF = set(ROLES)

# What each staff page admits. Written out here, not read from the code, so that a page
# whose guard changes fails this test.
MATRIX: dict[str, set[str]] = {
    "admin.dashboard": EVERY_STAFF,
    "admin.change_password": EVERY_STAFF,
    "admin.units": ADMIN_ONLY,
    "admin.edit_unit": ADMIN_ONLY,
    "admin.services": ADMIN_ONLY,
    "admin.new_service": ADMIN_ONLY,
    "admin.edit_service": ADMIN_ONLY,
    "admin.preview": ADMIN_ONLY,
    "admin.versions": ADMIN_ONLY,
    "admin.compare": ADMIN_ONLY,
    "admin.import_standard": ADMIN_ONLY,
    "admin.audit": ADMIN_ONLY,
    "admin.publish": ADMIN_ONLY,
    "admin.discard": ADMIN_ONLY,
    "admin.restore": ADMIN_ONLY,
    "admin.users": ADMIN_ONLY,
    "admin.new_user": ADMIN_ONLY,
    "admin.edit_user": ADMIN_ONLY,
    "admin.issue_token": ADMIN_ONLY,
    "admin.revoke_token": ADMIN_ONLY,
    "antrian.counter_panel": {"admin", "petugas_loket"},
    "antrian.setup": ADMIN_ONLY,
    "antrian.statistics": EVERY_STAFF,
    "antrian.counter_action": {"admin", "petugas_loket"},
    "admin.calendar": {"admin", "sekretaris"},
    "admin.delete_closure": {"admin", "sekretaris"},
    "admin.outbox": {"admin", "tim_pengaduan", "sekretaris"},
    "admin.retry_message": {"admin", "tim_pengaduan", "sekretaris"},
    "berkas.index": EVERY_STAFF,
    "berkas.statistics": EVERY_STAFF,
    "berkas.register_view": {"admin", "petugas_loket"},
    "berkas.complete": {"admin", "petugas_loket"},
    "berkas.detail": EVERY_STAFF,
    "berkas.act": EVERY_STAFF,
    "berkas.receipt": EVERY_STAFF,
    "berkas.missing_list": EVERY_STAFF,
    "berkas.notice_letter": EVERY_STAFF,
    "berkas.letter_sent": EVERY_STAFF,
    "berkas.new_document": {"admin", "petugas_loket", "sekretaris", "kepala_dinas"},
    "berkas.document_pdf": EVERY_STAFF,
    "berkas.document_qr": EVERY_STAFF,
    "berkas.revoke_document": {"admin", "sekretaris", "kepala_dinas"},
    "berkas.routes": ADMIN_ONLY,
    "berkas.edit_route": ADMIN_ONLY,
    "survei.results_page": {"admin", "sekretaris", "kepala_dinas", "tim_pengaduan"},
    "survei.tabulation": {"admin", "sekretaris", "kepala_dinas", "tim_pengaduan"},
    "survei.report": {"admin", "sekretaris", "kepala_dinas", "tim_pengaduan"},
    "survei.follow_up": {"admin", "sekretaris", "kepala_dinas"},
    "survei.queue_links": ADMIN_ONLY,
}
PUBLIC_UNDER_ADMIN = {"auth.login", "auth.logout"}


def _url(
    endpoint: str, service_id: int, unit_id: int, user_id: int, token_id: int, counter_id: int, unit_slug: str,
    extra: dict[str, dict] | None = None,
) -> str:
    values = (extra or {}).get(endpoint) or {
        "admin.edit_user": {"user_id": user_id},
        "antrian.counter_action": {"counter_id": counter_id, "action": "panggil"},
        "antrian.setup": {"slug": unit_slug},
        "antrian.statistics": {"slug": unit_slug},
        "survei.tabulation": {"slug": unit_slug},
        "survei.report": {"slug": unit_slug},
        "survei.follow_up": {"slug": unit_slug},
        "survei.queue_links": {"slug": unit_slug},
        "admin.issue_token": {"user_id": user_id},
        "admin.revoke_token": {"user_id": user_id, "token_id": token_id},
        "admin.edit_unit": {"unit_id": unit_id},
        "admin.edit_service": {"service_id": service_id, "section": "persyaratan"},
        "admin.preview": {"service_id": service_id},
        "admin.versions": {"service_id": service_id},
        "admin.compare": {"service_id": service_id},
        "admin.publish": {"service_id": service_id},
        "admin.discard": {"service_id": service_id},
        "admin.restore": {"service_id": service_id, "number": 1},
    }.get(endpoint, {})
    return url_for(endpoint, **values)


BERKAS_PAGES = ("berkas.complete", "berkas.detail", "berkas.receipt", "berkas.missing_list", "berkas.notice_letter",
                "berkas.letter_sent", "berkas.new_document")


def _berkas_urls(service, officer) -> dict[str, dict]:
    """A registered berkas with an issued document, for the berkas pages of the matrix."""
    from webapp.berkas.documents import issue
    from webapp.berkas.models import IssuedDocument
    from webapp.berkas.service import Applicant, register

    applicant = Applicant("Warga Uji", "nik", "1471010101010001", "081234567890", address="Jl. Uji 1")
    berkas = register(service, applicant, [True, True], officer)
    db.session.flush()
    document = IssuedDocument(berkas_id=berkas.id, unit_id=service.unit_id, service_id=service.id, number="UJI/1",
                              title="Izin Uji", holder_name="Warga Uji", issued_on=date(2026, 11, 20))
    issue(document, b"%PDF-1.4 uji", "uji")
    db.session.commit()
    return {
        **{key: {"berkas_id": berkas.id} for key in BERKAS_PAGES},
        "berkas.act": {"berkas_id": berkas.id, "action": "terima"},
        "berkas.edit_route": {"service_id": service.id},
        **{key: {"document_id": document.id}
           for key in ("berkas.document_pdf", "berkas.document_qr", "berkas.revoke_document")},
    }  # fmt: skip


def test_every_staff_endpoint_is_in_the_matrix(app):
    staff = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        or rule.endpoint in ("antrian.counter_panel", "antrian.counter_action", "antrian.setup", "antrian.statistics")
    }
    assert staff - PUBLIC_UNDER_ADMIN == set(MATRIX)


@pytest.mark.parametrize("role", [None, *ROLES])
def test_access_matrix(app, client, login, make_service, make_user, make_queue, role, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # this test is about roles
    service = make_service()
    counter = make_queue(unit=service.unit)["loket1"]
    other = make_user(role="petugas_loket", username="lain")
    token, _ = other.issue_token("uji")
    closure = Closure(day=date(2026, 11, 10), reason="Uji")
    db.session.add(closure)
    message = enqueue("email", "warga@example.com", "Uji")
    db.session.commit()
    extra = {"admin.delete_closure": {"closure_id": closure.id}, "admin.retry_message": {"message_id": message.id}}
    extra.update(_berkas_urls(service, other))
    if role:
        login(role)
    for endpoint, allowed in MATRIX.items():
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        method = "GET" if "GET" in rule.methods else "POST"
        url = _url(endpoint, service.id, service.unit_id, other.id, token.id, counter.id, service.unit.slug, extra)
        response = client.open(url, method=method)
        if role is None:
            assert response.status_code == 302, endpoint
            assert response.headers["Location"].startswith(url_for("auth.login")), endpoint
        elif role in allowed:
            assert response.status_code in (200, 302), f"{role} {endpoint}: {response.status_code}"
        else:
            assert response.status_code == 403, f"{role} {endpoint}: {response.status_code}"
            assert "Anda tidak berhak" in response.get_data(as_text=True)


def test_a_unit_limited_admin_sees_and_edits_only_that_unit(client, login, make_unit, make_service):
    own, other = make_unit(), make_unit()
    mine = make_service(unit=own, slug="layanan-saya", title="Layanan Saya")
    theirs = make_service(unit=other, slug="layanan-lain", title="Layanan Lain")
    login("admin", unit=own)
    listing = client.get(url_for("admin.services")).get_data(as_text=True)
    assert "Layanan Saya" in listing
    assert "Layanan Lain" not in listing
    assert client.get(url_for("admin.edit_service", service_id=mine.id, section="umum")).status_code == 200
    assert client.get(url_for("admin.edit_service", service_id=theirs.id, section="umum")).status_code == 403
    assert client.get(url_for("admin.edit_unit", unit_id=other.id)).status_code == 403
    token = csrf_from(client, url_for("admin.versions", service_id=mine.id))
    assert client.post(url_for("admin.publish", service_id=theirs.id), data={"csrf_token": token}).status_code == 403
    units = client.get(url_for("admin.units")).get_data(as_text=True)
    assert own.name in units and other.name not in units


def test_an_unrestricted_admin_sees_every_unit(client, login, make_unit, make_service):
    make_service(unit=make_unit(), slug="a-satu", title="A Satu")
    make_service(unit=make_unit(), slug="b-dua", title="B Dua")
    login("admin")
    listing = client.get(url_for("admin.services")).get_data(as_text=True)
    assert "A Satu" in listing and "B Dua" in listing
