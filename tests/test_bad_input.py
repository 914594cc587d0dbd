"""No 500 from bad input (security M7, L5, L9; conformance F2, F3, F4, F7): each reproduction, on both databases."""

from __future__ import annotations

import io
import re

import pytest
from flask import url_for
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import csrf_from
from tests.pengaduan_helpers import complaint_data
from tests.test_api import _assert_valid
from tests.test_api_antrian import _staff_token
from tests.test_survei_pages import PERSON, _answers_form
from webapp.core.extensions import db
from webapp.core.inputs import MAX_ID, page_number, parse_id
from webapp.pengaduan.models import Complaint
from webapp.survei.models import SurveyResponse

BIG = 2**31  # one past PostgreSQL's integer

# Many tests here post complaints: each starts with empty rate-limit counters.
pytestmark = pytest.mark.usefixtures("fresh_limits")


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- the edge guard: NUL and unpaired surrogates (M7, F4) ---------------------------------------------------

@pytest.mark.parametrize("path", [
    "/api/v1/antrian/tiket/abc%00def", "/antrian/tiket/abc%00def", "/api/v1/ikm?unit=a%00b",
    "/api/v1/layanan/a%00b", "/api/v1/antrian?unit=a%00b", "/api/v1/berkas/a%00b", "/layanan/a%00b",
    "/layanan?q=a%00b", "/instansi/a%00b/cetak-qr", "/antrian/layar?instansi=a%00b",
    "/antrian/ambil?instansi=a%00b", "/survei?instansi=a%00b", "/ikm?instansi=x&layanan=a%00b",
    "/izin/lacak/a%00b", "/layanan/a%00b/qr.png", "/pengaduan/lacak/a%00b", "/api/v1/ikm?service=a%00b",
])
def test_nul_in_a_url_is_a_400_in_indonesian(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "karakter NUL" in _text(response)


def test_nul_in_a_staff_search_is_a_400(client, login):
    login("admin")
    for endpoint in ("pengaduan.book", "berkas.index", "admin.audit"):
        response = client.get(url_for(endpoint, q="a\x00b"))
        assert response.status_code == 400, endpoint
        assert "karakter NUL" in _text(response)


@pytest.mark.parametrize("field", ["description", "name"])
def test_nul_in_the_complaint_api_names_the_field(client, field):
    body = {"name": "Nul Uji", "phone": "081234567890", "description": "ada NUL di sini, cukup panjang sekali"}
    body[field] += "\x00"
    response = client.post(url_for("api.create_complaint"), json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "karakter NUL" in error["message"] and list(error["fields"]) == [field]
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


@pytest.mark.parametrize("content_type", ["application/vnd.api+json", "application/merge-patch+json"])
@pytest.mark.parametrize("unstorable", ["\\u0000", "\\ud800"])
def test_every_json_content_type_is_guarded(client, content_type, unstorable):
    """get_json() reads any application/*+json: so does the guard (a review found the +json types unguarded)."""
    raw = ('{"name":"Uji","phone":"081234567890","description":"tersembunyi ' + unstorable
           + ' di sini, cukup panjang"}').encode()
    response = client.post(url_for("api.create_complaint"), data=raw, content_type=content_type)
    assert response.status_code == 400
    assert list(response.get_json()["error"]["fields"]) == ["description"]
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_a_lone_surrogate_in_json_is_a_400(client):
    raw = b'{"name":"Uji","phone":"081234567890","description":"pengganti \\ud800 sendirian, cukup panjang"}'
    response = client.post(url_for("api.create_complaint"), data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"description": [response.get_json()["error"]["message"]]}


def test_nul_in_ticket_and_survey_api_bodies_is_a_400(client, make_queue, make_service):
    q = make_queue()
    response = client.post(url_for("api.take_ticket"), json={"unit": q["unit"].slug + "\x00", "service": "A"})
    assert response.status_code == 400 and "unit" in response.get_json()["error"]["fields"]
    response = client.post(url_for("api.post_survey"), json={"service": "x", "suggestion": "a\x00b"})
    assert response.status_code == 400 and "suggestion" in response.get_json()["error"]["fields"]


def test_nul_in_the_complaint_form_is_refused_beside_the_field_with_the_text_kept(app, client, make_service):
    data = complaint_data(app, client, description="Petugas meminta biaya tambahan \x00 untuk izin saya.")
    response = client.post(url_for("pengaduan.form"), data=data)
    assert response.status_code == 422
    page = _text(response)
    assert re.search(r'id="description-error"[^>]*>[^<]*karakter NUL', page) or (
        "karakter NUL" in page and 'href="#description"' in page)
    assert "Petugas meminta biaya tambahan \ufffd untuk izin saya." in page
    assert complaint_data(app, client)["name"] in page  # the other fields are kept too
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_nul_in_the_survey_form_is_refused_beside_the_field(client, make_service):
    service = make_service()
    token = csrf_from(client, url_for("survei.form"))
    data = {"csrf_token": token, "service": service.slug, **PERSON,
            **_answers_form((4, 3, 2, 1, 4, 3, 2, 1, 3)), "suggestion": "Cepat\x00 sekali"}
    response = client.post(url_for("survei.form"), data=data)
    assert response.status_code == 422
    page = _text(response)
    assert "karakter NUL" in page and 'href="#suggestion"' in page
    assert "Cepat\ufffd sekali" in page
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0


def test_nul_in_a_form_without_its_own_refusal_answers_the_guard_page_with_the_text(client, make_service):
    token = csrf_from(client, url_for("berkas.lookup_form"))
    response = client.post(url_for("berkas.lookup_form"),
                           data={"csrf_token": token, "number": "2026-\x0000042", "phone": "0812"})
    assert response.status_code == 400
    page = _text(response)
    assert "karakter NUL" in page and "2026-\ufffd00042" in page and token not in page


def test_nul_in_a_staff_berkas_registration_is_a_400(client, login):
    login("admin")
    response = client.post(url_for("berkas.register_view"), data={"applicant_name": "Budi\x00 Santoso"})
    assert response.status_code == 400
    assert "karakter NUL" in _text(response) and "Budi\ufffd Santoso" in _text(response)


# --- ids, pages, dates and numbers out of range (L5) --------------------------------------------------------

@pytest.mark.parametrize("path", [
    f"/admin/pengaduan/{BIG}", "/admin/pengaduan/99999999999999999999", f"/admin/berkas/{BIG}",
    f"/admin/pengguna/{BIG}/ubah",
])
def test_ids_beyond_the_database_range_are_404(client, login, path):
    login("admin")
    assert client.get(path).status_code == 404


def test_a_counter_id_beyond_the_range_is_404_on_the_api(client, make_user, make_queue):
    q = make_queue()
    headers = _staff_token(make_user, q["unit"])
    response = client.post(f"/api/v1/antrian/loket/{BIG}/panggil", headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize("raw", [str(BIG), "9223372036854775807", "²", "-1", "1\u0661", "1.5"])
def test_staff_ticket_ids_out_of_range_or_not_ascii_are_ignored(client, login, raw):
    login("admin")
    assert client.get(url_for("pengaduan.staff_new", tiket=raw)).status_code == 200
    assert client.get(url_for("berkas.register_view", tiket=raw)).status_code in (200, 302)


def test_a_counter_ticket_field_never_shows_python_text(client, login, make_queue):
    q = make_queue()
    login("admin", unit=q["unit"])
    for raw in ("²", str(BIG), "9223372036854775807"):
        token_page = client.get(url_for("antrian.counter_panel", loket=q["loket1"].id))
        assert token_page.status_code == 200
        token = csrf_from(client, url_for("antrian.counter_panel", loket=q["loket1"].id))
        response = client.post(url_for("antrian.counter_action", counter_id=q["loket1"].id, action="ulang"),
                               data={"csrf_token": token, "ticket": raw}, follow_redirects=True)
        assert response.status_code == 200
        page = _text(response)
        assert "invalid literal" not in page and "int()" not in page and "Traceback" not in page


def test_staff_new_complaint_with_a_unicode_digit_ticket_is_no_500(client, login):
    login("admin")
    token = client.get(url_for("pengaduan.staff_new"))
    assert token.status_code == 200
    response = client.post(url_for("pengaduan.staff_new"),
                           data={"csrf_token": csrf_from(client, url_for("pengaduan.staff_new")), "ticket": "²"})
    assert response.status_code < 500


def test_a_huge_page_number_is_clamped(client, login):
    login("admin")
    for endpoint in ("pengaduan.book", "berkas.index", "admin.audit"):
        assert client.get(url_for(endpoint, halaman="99999999999999999999")).status_code == 200, endpoint
        assert client.get(url_for(endpoint, halaman="²")).status_code == 200, endpoint


def test_an_audit_date_at_the_edge_of_the_calendar_is_no_500(client, login):
    login("admin")
    for raw in ("0001-01-01", "9999-12-31"):
        response = client.get(url_for("admin.audit", date_from=raw, date_to=raw))
        assert response.status_code in (200, 422)


def test_parse_id_and_page_number_accept_only_ascii_digits_in_range():
    assert parse_id("42") == 42 and parse_id(str(MAX_ID)) == MAX_ID
    for raw in ("²", str(MAX_ID + 1), "0", "-3", "", None, "1e3", "٣", True):
        assert parse_id(raw) is None
    assert page_number("3") == 3 and page_number("99999999999999999999") == 100_000
    assert page_number("²") == 1 and page_number(None) == 1 and page_number("0") == 1


# --- wrong JSON types (F2, F3, F7) -------------------------------------------------------------------------

@pytest.mark.parametrize("channel", [["online"], [None], [None, None], {"a": 1}])
def test_a_complaint_channel_of_the_wrong_type_is_422(client, channel):
    body = {"name": "Uji", "phone": "081234567890", "description": "Pelayanan lambat sekali di loket.",
            "channel": channel}
    response = client.post(url_for("api.create_complaint"), json=body)
    assert response.status_code == 422
    assert "channel" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("field", ["sex", "education", "occupation"])
@pytest.mark.parametrize("value", [["L"], {"a": 1}])
def test_a_survey_respondent_field_of_the_wrong_type_is_422(client, make_service, field, value):
    service = make_service()
    respondent = {"sex": "L", "age": 30, "education": "s1", "occupation": "swasta", field: value}
    body = {"service": service.slug, "answers": {f"U{i}": 3 for i in range(1, 10)}, "respondent": respondent}
    response = client.post(url_for("api.post_survey"), json=body)
    assert response.status_code == 422
    assert f"respondent.{field}" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("raw", [b"true", b'"C"', b"123", b"[]", b"null"])
def test_a_transfer_body_that_is_not_an_object_is_422(client, make_user, make_queue, raw):
    q = make_queue()
    headers = _staff_token(make_user, q["unit"])
    client.post(url_for("api.take_ticket"), json={"unit": q["unit"].slug, "service": "A"})
    client.post(url_for("api.counter_action", counter_id=q["loket1"].id, action="panggil"), headers=headers)
    response = client.post(url_for("api.counter_action", counter_id=q["loket1"].id, action="alihkan"),
                           data=raw, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert "service" in response.get_json()["error"]["fields"]


def test_panggil_with_a_body_that_is_not_json_is_400_and_calls_nobody(client, make_user, make_queue):
    q = make_queue()
    headers = _staff_token(make_user, q["unit"])
    client.post(url_for("api.take_ticket"), json={"unit": q["unit"].slug, "service": "A"})
    url = url_for("api.counter_action", counter_id=q["loket1"].id, action="panggil")
    response = client.post(url, data=b"\xff\x0fG\x1c*", content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]["message"]
    _assert_valid("Error", response.get_json())
    # An empty body and an empty object still call the next ticket.
    assert client.post(url, headers=headers).status_code == 200


# --- uploads: decompression bombs (M7) and oversize forms (L9) ----------------------------------------------

def test_a_decompression_bomb_is_refused_beside_the_attachment_field(app, client):
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, "PNG")
    data = complaint_data(app, client)
    data["attachments"] = [(io.BytesIO(buffer.getvalue()), "bom.png")]
    response = client.post(url_for("pengaduan.form"), data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = _text(response)
    assert "bom.png" in page and "terlalu besar" in page
    assert data["description"] in page
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_a_413_says_the_limit_in_words(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(url_for("survei.form"), data={"suggestion": "x" * (limit + 10)})
    assert response.status_code == 413
    page = _text(response)
    assert f"{limit // (1024 * 1024)} MB" in page and "Tidak ada yang tersimpan" in page
    response = client.post(url_for("api.create_complaint"), data=b"x" * (limit + 10), content_type="application/json")
    assert response.status_code == 413 and "MB" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(("raw", "valid"), [("99999999999", False), ("10001", False), ("0", False),
                                            ("²", False), ("10000", True), ("40", True)])
def test_daily_cap_is_bounded(app, raw, valid):
    from werkzeug.datastructures import MultiDict

    from antrian.forms import QueueServiceForm

    with app.test_request_context():
        form = QueueServiceForm(MultiDict({"code": "A", "name": "Pendaftaran", "opens_at": "08:00",
                                           "closes_at": "15:00", "daily_cap": raw}))
        assert form.validate() is valid
        if not valid:
            assert form.daily_cap.errors


def test_a_fee_beyond_a_trillion_is_refused(app):
    from werkzeug.datastructures import MultiDict

    from webapp.admin.forms import MAX_AMOUNT, BlockForm

    with app.test_request_context():
        form = BlockForm(MultiDict({"value": str(MAX_AMOUNT * 10)}), meta={"csrf": False})
        form.validate()
        assert form.value.errors == ["Antara 0 dan 1 triliun."]


def test_ikm_dates_at_the_edge_of_the_calendar_are_no_500(client, make_service):
    service = make_service()
    for first, last in (("0001-01-01", "9999-12-31"), ("2026-02-30", ""), ("²", "")):
        response = client.get(url_for("api.get_ikm", unit=service.unit.slug, **{"from": first, "to": last}))
        assert response.status_code in (200, 400), (first, last)
    assert client.get(url_for("survei.ikm", instansi=service.unit.slug, periode="0001-S1")).status_code == 200


def test_the_robot_check_refuses_a_filled_honeypot_a_fast_send_and_a_forged_stamp(app):
    """One robot check (webapp.core.forms.RobotCheck) for the complaint and booking forms."""
    import time

    from webapp.pengaduan.forms import ComplaintForm
    from webapp.reservasi.forms import BookingForm

    with app.test_request_context():
        for form_class in (ComplaintForm, BookingForm):
            form = form_class(meta={"csrf": False})
            form.started.data = form._stamps().dumps(int(time.time()) - 600)
            assert not form.looks_like_a_robot()
            form.website.data = "http://spam.example"
            assert form.looks_like_a_robot()
            form.website.data = ""
            form.stamp()  # shown just now: sent back too soon
            assert form.looks_like_a_robot()
            form.started.data = "dipalsukan"
            assert form.looks_like_a_robot()
        # A stamp of one form is not accepted by the other.
        complaint, booking = ComplaintForm(meta={"csrf": False}), BookingForm(meta={"csrf": False})
        booking.started.data = complaint._stamps().dumps(int(time.time()) - 600)
        assert booking.looks_like_a_robot()
