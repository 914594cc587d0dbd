"""The access matrix: every role (and no login) against every staff page."""

from __future__ import annotations

from datetime import date

import pytest
from flask import url_for

from tests.conftest import csrf_from
from webapp.core.extensions import db
from webapp.core.office import Signatory
from webapp.core.policy import POLICY, ROLES
from webapp.outbox.service import enqueue
from webapp.workdays.models import Closure

ADMIN_ONLY = {"admin"}
EVERY_STAFF = {"admin", "petugas_loket", "tim_pengaduan", "sekretaris", "kepala_dinas"}
COMPLAINT_STAFF = {"admin", "tim_pengaduan", "sekretaris", "kepala_dinas"}
LEADERS = {"admin", "sekretaris", "kepala_dinas"}

# What each action of the access policy admits. Written out here, not read from the code,
# so that a rule whose roles change fails this test, and so does an action added to the
# policy without a line here.
EXPECTED: dict[str, set[str]] = {
    "staff.home": EVERY_STAFF,
    "unit.edit": ADMIN_ONLY,
    "office.edit": ADMIN_ONLY,
    "service.edit": ADMIN_ONLY,
    "service.import": ADMIN_ONLY,
    "service.review_import": ADMIN_ONLY,
    "audit.view": ADMIN_ONLY,
    "user.manage": ADMIN_ONLY,
    "user.issue_token": ADMIN_ONLY,
    "counter.operate": {"admin", "petugas_loket"},
    "queue.setup": ADMIN_ONLY,
    "queue.statistics": EVERY_STAFF,
    "reservasi.view": {"admin", "petugas_loket"},
    "reservasi.checkin": {"admin", "petugas_loket"},
    "complaint.view": COMPLAINT_STAFF,
    "complaint.handle": COMPLAINT_STAFF,
    "complaint.record": {"admin", "tim_pengaduan", "sekretaris", "petugas_loket"},
    "complaint.see_anonymous": {"tim_pengaduan"},
    "report.view": COMPLAINT_STAFF,
    "report.submit": {"admin", "tim_pengaduan"},
    "report.review": {"sekretaris"},
    "outbox.view": {"admin", "tim_pengaduan", "sekretaris"},
    "closure.manage": {"admin", "sekretaris"},
    "berkas.view": EVERY_STAFF,
    "berkas.act": EVERY_STAFF,
    "berkas.stand_in": ADMIN_ONLY,
    "berkas.register": {"admin", "petugas_loket"},
    "berkas.route": ADMIN_ONLY,
    "document.issue": {"admin", "petugas_loket", "sekretaris", "kepala_dinas"},
    "document.revoke": LEADERS,
    "survey.view": COMPLAINT_STAFF,
    "survey.plan": LEADERS,
    "survey.setup": ADMIN_ONLY,
    "survey.file": EVERY_STAFF,
    "survey.enter_paper": {"admin", "petugas_loket", "tim_pengaduan"},
    "kinerja.view": LEADERS,
}

# The action guarding each back-office route, written out too: a route guarded by another
# action than intended fails here even when both admit the same roles today.
ROUTE_ACTIONS: dict[str, str] = {
    "admin.audit": "audit.view",
    "admin.calendar": "closure.manage",
    "admin.change_password": "staff.home",
    "admin.compare": "service.edit",
    "admin.dashboard": "staff.home",
    "admin.delete_closure": "closure.manage",
    "admin.discard": "service.edit",
    "admin.edit_service": "service.edit",
    "admin.edit_unit": "unit.edit",
    "admin.office_profile": "office.edit",
    "admin.add_signatory_view": "office.edit",
    "admin.remove_signatory_view": "office.edit",
    "admin.edit_user": "user.manage",
    "admin.import_discard": "service.review_import",
    "admin.import_review": "service.review_import",
    "admin.import_standard": "service.import",
    "admin.issue_token": "user.issue_token",
    "admin.new_service": "service.edit",
    "admin.new_user": "user.manage",
    "admin.outbox": "outbox.view",
    "admin.preview": "service.edit",
    "admin.edit_english": "service.edit",
    "admin.publish": "service.edit",
    "admin.restore": "service.edit",
    "admin.retry_message": "outbox.view",
    "admin.revoke_token": "user.manage",
    "admin.services": "service.edit",
    "admin.units": "unit.edit",
    "admin.users": "user.manage",
    "admin.versions": "service.edit",
    "antrian.counter_action": "counter.operate",
    "antrian.counter_panel": "counter.operate",
    "antrian.setup": "queue.setup",
    "antrian.register_kiosk": "queue.setup",
    "antrian.statistics": "queue.statistics",
    "api.counter_action": "counter.operate",
    "reservasi.day_list": "reservasi.view",
    "reservasi.staff_checkin": "reservasi.checkin",
    "reservasi.setup": "queue.setup",
    "reservasi.stats": "queue.statistics",
    "berkas.act": "berkas.act",
    "berkas.complete": "berkas.register",
    "berkas.detail": "berkas.view",
    "berkas.document_pdf": "berkas.view",
    "berkas.document_qr": "berkas.view",
    "berkas.edit_route": "berkas.route",
    "berkas.index": "berkas.view",
    "berkas.letter_sent": "berkas.act",
    "berkas.missing_list": "berkas.view",
    "berkas.new_document": "document.issue",
    "berkas.notice_letter": "berkas.view",
    "berkas.receipt": "berkas.view",
    "berkas.card_pdf": "berkas.view",
    "berkas.register_view": "berkas.register",
    "berkas.revoke_document": "document.revoke",
    "berkas.routes": "berkas.route",
    "berkas.statistics": "berkas.view",
    "kinerja.dashboard_page": "kinerja.view",
    "kinerja.dashboard_pdf": "kinerja.view",
    "kinerja.dashboard_xlsx": "kinerja.view",
    "pengaduan.attachment": "complaint.view",
    "pengaduan.book": "complaint.view",
    "pengaduan.case_action": "complaint.handle",
    "pengaduan.case_view": "complaint.view",
    "pengaduan.minutes_pdf": "complaint.view",
    "pengaduan.receipt": "complaint.record",
    "pengaduan.receipt_pdf_view": "complaint.record",
    "pengaduan.report_pdf": "report.view",
    "pengaduan.report_review": "report.review",
    "pengaduan.report_submit": "report.submit",
    "pengaduan.report_view": "report.view",
    "pengaduan.report_xlsx": "report.view",
    "pengaduan.reports": "report.view",
    "pengaduan.staff_new": "complaint.record",
    "survei.follow_up": "survey.plan",
    "survei.queue_links": "survey.setup",
    "survei.report": "survey.view",
    "survei.results_page": "survey.view",
    "survei.tabulation": "survey.view",
}

# Paths of the back office: every route under them must be guarded by a policy action.
STAFF_PATHS = ("/admin", "/antrian/loket", "/antrian/pengaturan", "/antrian/statistik", "/api/v1/antrian/loket")
PUBLIC_UNDER_ADMIN = {"auth.login", "auth.logout"}


def _staff_endpoints(app) -> dict[str, str]:
    """Every back-office endpoint and the policy action guarding it ("" when none does)."""
    return {
        rule.endpoint: getattr(app.view_functions[rule.endpoint], "policy_action", "")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(STAFF_PATHS) and rule.endpoint not in PUBLIC_UNDER_ADMIN
    }


def test_the_policy_admits_what_is_written_here():
    assert set(POLICY) == set(EXPECTED), "an action of the policy without an expectation here, or the reverse"
    for action, roles in EXPECTED.items():
        assert set(POLICY[action].roles) == roles, action


def test_every_staff_route_is_guarded_by_a_policy_action(app):
    endpoints = _staff_endpoints(app)
    unguarded = sorted(endpoint for endpoint, action in endpoints.items() if not action)
    assert not unguarded, f"staff routes without @guard(...): {unguarded}"
    assert endpoints == ROUTE_ACTIONS


def test_views_guarded_outside_the_staff_paths_are_listed(app):
    """A guarded view outside STAFF_PATHS would escape the matrix below: keep the paths complete."""
    guarded = {rule.endpoint for rule in app.url_map.iter_rules()
               if getattr(app.view_functions[rule.endpoint], "policy_action", None)}
    assert guarded <= set(_staff_endpoints(app))


def _matrix() -> dict[str, set[str]]:
    """The roles each staff page admits: its written action's written roles."""
    return {endpoint: EXPECTED[action] for endpoint, action in ROUTE_ACTIONS.items() if not endpoint.startswith("api.")}


# A form posted empty by the matrix is answered 422 once the role is let in.
CHECKED_FORMS = {
    "pengaduan.case_action", "pengaduan.report_review", "admin.add_signatory_view", "reservasi.staff_checkin",
}


def _url(
    endpoint: str, service_id: int, unit_id: int, user_id: int, token_id: int, counter_id: int, unit_slug: str,
    extra: dict[str, dict] | None = None,
) -> str:
    values = (extra or {}).get(endpoint) or {
        "admin.edit_user": {"user_id": user_id},
        "antrian.counter_action": {"counter_id": counter_id, "action": "panggil"},
        "antrian.setup": {"slug": unit_slug},
        "antrian.statistics": {"slug": unit_slug},
        "reservasi.setup": {"slug": unit_slug},
        "reservasi.stats": {"slug": unit_slug},
        "reservasi.day_list": {"instansi": unit_slug},
        "reservasi.staff_checkin": {"instansi": unit_slug},
        "survei.tabulation": {"slug": unit_slug},
        "survei.report": {"slug": unit_slug},
        "survei.follow_up": {"slug": unit_slug},
        "survei.queue_links": {"slug": unit_slug},
        "admin.issue_token": {"user_id": user_id},
        "admin.revoke_token": {"user_id": user_id, "token_id": token_id},
        "admin.edit_unit": {"unit_id": unit_id},
        "admin.office_profile": {"unit_id": unit_id},
        "admin.add_signatory_view": {"unit_id": unit_id},
        "admin.edit_service": {"service_id": service_id, "section": "persyaratan"},
        "admin.preview": {"service_id": service_id},
        "admin.edit_english": {"service_id": service_id},
        "admin.versions": {"service_id": service_id},
        "admin.compare": {"service_id": service_id},
        "admin.publish": {"service_id": service_id},
        "admin.discard": {"service_id": service_id},
        "admin.restore": {"service_id": service_id, "number": 1},
        "admin.import_review": {"service_id": service_id},
        "admin.import_discard": {"service_id": service_id},
    }.get(endpoint, {})
    return url_for(endpoint, **values)


BERKAS_PAGES = ("berkas.complete", "berkas.detail", "berkas.receipt", "berkas.card_pdf", "berkas.missing_list",
                "berkas.notice_letter", "berkas.letter_sent", "berkas.new_document")


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
    signatory = Signatory(unit_id=service.unit_id, role="sekretaris", name="Sekretaris Uji",
                          valid_from=date(2026, 1, 1))  # fmt: skip
    db.session.add(signatory)
    db.session.commit()
    extra = {"admin.delete_closure": {"closure_id": closure.id}, "admin.retry_message": {"message_id": message.id},
             "admin.remove_signatory_view": {"unit_id": service.unit_id, "signatory_id": signatory.id},
             **_complaint_urls(complaint), **_berkas_urls(service, other)}
    if role:
        login(role)
    for endpoint, allowed in _matrix().items():
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


@pytest.mark.parametrize("role", [None, *ROLES])
def test_the_staff_api_asks_the_same_policy(app, client, make_queue, make_user, role):
    """A bearer token acts as its account: the counter API admits the roles of its page, in the unit only."""
    q = make_queue()
    headers = {}
    if role:
        user = make_user(role=role, unit=q["unit"])
        _, plain = user.issue_token("uji")
        db.session.commit()
        headers = {"Authorization": f"Bearer {plain}"}
    response = client.post(url_for("api.counter_action", counter_id=q["loket1"].id, action="panggil"), headers=headers)
    if role is None:
        assert response.status_code == 401
    elif role in EXPECTED[ROUTE_ACTIONS["api.counter_action"]]:
        assert response.status_code in (200, 404), response.get_json()  # 404: nobody waiting
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["status"] == 403
