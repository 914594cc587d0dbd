"""The access matrix: every role (and no login) against every staff page."""

from __future__ import annotations

from datetime import date

import pytest
from flask import url_for

from tests.conftest import csrf_from
from webapp.core.extensions import db
from webapp.core.policy import ROLES
from webapp.outbox.service import enqueue
from webapp.workdays.models import Closure

ADMIN_ONLY = {"admin"}
EVERY_STAFF = set(ROLES)
COMPLAINT_STAFF = {"admin", "tim_pengaduan", "sekretaris", "kepala_dinas"}

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
    "pengaduan.book": COMPLAINT_STAFF,
    "pengaduan.case_view": COMPLAINT_STAFF,
    "pengaduan.case_action": COMPLAINT_STAFF,
    "pengaduan.attachment": COMPLAINT_STAFF,
    "pengaduan.minutes_pdf": COMPLAINT_STAFF,
    "pengaduan.staff_new": {"admin", "tim_pengaduan", "sekretaris", "petugas_loket"},
    "pengaduan.receipt": {"admin", "tim_pengaduan", "sekretaris", "petugas_loket"},
    "pengaduan.reports": COMPLAINT_STAFF,
    "pengaduan.report_view": COMPLAINT_STAFF,
    "pengaduan.report_submit": {"admin", "tim_pengaduan"},
    "pengaduan.report_review": {"sekretaris"},
    "pengaduan.report_pdf": COMPLAINT_STAFF,
    "pengaduan.report_xlsx": COMPLAINT_STAFF,
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
# A form posted empty by the matrix is answered 422 once the role is let in.
CHECKED_FORMS = {"pengaduan.case_action", "pengaduan.report_review"}
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
def test_access_matrix(app, client, login, make_service, make_user, make_queue, role, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # this test is about roles
    service = make_service()
    counter = make_queue(unit=service.unit)["loket1"]
    other = make_user(role="petugas_loket", username="lain")
    token, _ = other.issue_token("uji")
    closure = Closure(day=date(2026, 11, 10), reason="Uji")
    db.session.add(closure)
    message = enqueue("email", "warga@example.com", "Uji", unit_id=None)
    db.session.commit()
    monkeypatch.setitem(app.config, "PENGADUAN_UPLOAD_DIR", str(tmp_path))
    complaint = _resolved_complaint(other)
    extra = {"admin.delete_closure": {"closure_id": closure.id}, "admin.retry_message": {"message_id": message.id},
             **_complaint_urls(complaint), **_berkas_urls(service, other)}
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
            expected = (200, 302, 422) if endpoint in CHECKED_FORMS else (200, 302)
            assert response.status_code in expected, f"{role} {endpoint}: {response.status_code}"
        else:
            assert response.status_code == 403, f"{role} {endpoint}: {response.status_code}"
            assert "Anda tidak berhak" in response.get_data(as_text=True)


def _complaint_urls(complaint: dict) -> dict[str, dict]:
    """URL values of the complaint pages for the complaint made by _resolved_complaint."""
    month = {"year": complaint["year"], "month": complaint["month"]}
    return {
        "pengaduan.case_view": {"complaint_id": complaint["id"]},
        "pengaduan.case_action": {"complaint_id": complaint["id"], "action": "catatan"},
        "pengaduan.attachment": {"complaint_id": complaint["id"], "attachment_id": complaint["attachment"]},
        "pengaduan.minutes_pdf": {"complaint_id": complaint["id"]},
        **dict.fromkeys(("pengaduan.report_view", "pengaduan.report_submit", "pengaduan.report_review",
                         "pengaduan.report_pdf", "pengaduan.report_xlsx"), month),
    }


def _resolved_complaint(user) -> dict:
    """A resolved complaint with one attachment and a submitted monthly report, for the complaint pages."""
    from webapp.pengaduan.attachments import Upload, store
    from webapp.pengaduan.models import ComplaintReport
    from webapp.pengaduan.service import ComplaintInput, classify, file_complaint, resolve, verify

    complaint, _ = file_complaint(ComplaintInput(description="Uraian pengaduan uji.", phone="081234567890"))
    verify(complaint, user)
    classify(complaint, "ringan", user)
    resolve(complaint, "Selesai.", user)
    db.session.commit()
    store(complaint, [Upload("a.pdf", "application/pdf", b"%PDF-1.4 uji")])
    month = complaint.received_on.month
    db.session.add(ComplaintReport(year=complaint.year, month=month, status="diajukan", history=[], summary=""))
    db.session.commit()
    return {"id": complaint.id, "attachment": complaint.attachments[0].id, "year": complaint.year, "month": month}


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
