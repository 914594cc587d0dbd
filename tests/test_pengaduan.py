"""Complaints: numbers and codes, the 14-working-day deadline, the public form, tracking and the API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from aiosmtpd.controller import Controller
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.pengaduan_helpers import EMAIL, NAME, NIB, NIK, PHONE, PHONE_STORED, complaint_data, file_one
from tests.test_api import _assert_valid
from tests.test_outbox import Inbox, free_port
from webapp.core.db import utcnow
from webapp.core.extensions import db, limiter
from webapp.core.localtime import local_today
from webapp.outbox.models import PENDING, SENT, OutboxMessage
from webapp.outbox.service import deliver_due, retry_delay
from webapp.pengaduan.models import Complaint, ComplaintAttachment
from webapp.pengaduan.service import (
    CODE_LENGTH,
    ComplaintInput,
    deadline_for,
    file_complaint,
    find_by_code,
    hash_code,
    normalise_code,
    reply,
    verify,
)


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


pytestmark = pytest.mark.usefixtures("fresh_limits")


# --- deadline -------------------------------------------------------------------------------------


def _oracle_deadline(received: date, cuti_bersama: bool = True) -> date:
    """14 working days counted the slow way, straight from the holidays package."""
    years = range(received.year, received.year + 2)
    off = set(holidays.Indonesia(years=years))
    if cuti_bersama:
        off |= set(holidays.Indonesia(years=years, categories=("government",)))
    day, left = received, 14
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 11, 30)))
def test_deadline_is_fourteen_working_days_across_weekends_and_holidays(received):
    due = deadline_for(received, None)
    assert due == _oracle_deadline(received)
    assert due.weekday() < 5


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)))
def test_deadline_counts_cuti_bersama_as_working_when_set(app, received):
    app.config["CUTI_BERSAMA_NONWORKING"] = False
    try:
        assert deadline_for(received, None) == _oracle_deadline(received, cuti_bersama=False)
    finally:
        app.config["CUTI_BERSAMA_NONWORKING"] = True


def test_deadline_across_lebaran_2026():
    # Tue 17 March 2026: 18, 20, 23, 24 March cuti bersama, 19 March Nyepi, 3 April Good Friday.
    assert deadline_for(date(2026, 3, 17), None) == date(2026, 4, 14)
    assert deadline_for(date(2026, 11, 2), None) == date(2026, 11, 20)  # a plain fortnight


def test_receipt_day_is_the_office_local_date():
    # Friday 6 Nov 2026 18:00 UTC is Saturday 01:00 in Jakarta: counting starts on Monday the 9th.
    complaint, _ = file_one()
    moment = datetime(2026, 11, 6, 18, 0, tzinfo=UTC)
    other, _ = file_complaint(ComplaintInput(description="Uraian cukup panjang.", phone=PHONE), now=moment)
    db.session.commit()
    assert other.received_on == date(2026, 11, 7)
    assert other.due_on == date(2026, 11, 26)
    assert complaint.received_on == local_today()


# --- numbers and codes ----------------------------------------------------------------------------


def test_numbers_run_per_year_and_codes_are_random_and_stored_hashed():
    first, code1 = file_one()
    second, code2 = file_one()
    year = local_today().year
    assert (first.number, second.number) == (f"ADU-{year}-000001", f"ADU-{year}-000002")
    assert len(code1) == CODE_LENGTH and re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{16}", code1)
    assert code1 != code2 and first.number not in code1
    assert first.tracking_hash == hash_code(code1) and code1 not in first.tracking_hash
    assert find_by_code(code1) is first
    # Read over the phone: lower case, dashes, O for 0 and I for 1 still find it.
    typed = "-".join(code1[i:i + 4] for i in range(0, 16, 4)).lower().replace("0", "o").replace("1", "i")
    assert normalise_code(typed) == code1
    assert find_by_code(code1[:-1]) is None and find_by_code("") is None
    next_year, _ = file_complaint(ComplaintInput(description="Uraian tahun depan.", phone=PHONE),
                                  now=datetime(year + 1, 1, 5, 3, 0, tzinfo=UTC))
    assert next_year.number == f"ADU-{year + 1}-000001"


# --- the public form ------------------------------------------------------------------------------


def test_form_files_a_complaint_confirms_and_queues_the_message(app, client, make_service):
    service = make_service()
    page = client.get(url_for("pengaduan.form", layanan=service.slug))
    assert page.status_code == 200
    assert f'<option selected value="{service.slug}">' in page.text or f'value="{service.slug}" selected' in page.text
    answer = client.post(url_for("pengaduan.form"), data=complaint_data(app, client, service=service.slug))
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(url_for("pengaduan.confirmation"))
    complaint = db.session.scalars(db.select(Complaint)).one()
    assert complaint.service_id == service.id and complaint.unit_id == service.unit_id
    assert (complaint.reporter_name, complaint.phone, complaint.nik, complaint.nib) == (NAME, PHONE_STORED, NIK, NIB)
    assert complaint.status == "diterima" and complaint.channel == "online"
    assert complaint.due_on == deadline_for(complaint.received_on, complaint.unit_id)
    confirmation = client.get(url_for("pengaduan.confirmation"))
    assert complaint.number in confirmation.text
    code = re.search(r'/pengaduan/lacak/([0-9A-Z]{16})/qr\.svg', confirmation.text).group(1)
    assert find_by_code(code) == complaint
    assert "b***@contoh.id" in confirmation.text
    qr = client.get(url_for("pengaduan.track_qr", code=code))
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.channel == "email" and message.recipient == EMAIL and message.reference == complaint.number
    assert complaint.number in message.body and code[:4] in message.body
    for secret in (NAME, NIK, PHONE, PHONE_STORED, "0812-9876-5432", NIB):
        assert secret not in message.body and secret not in message.subject


def test_phone_only_complaint_is_confirmed_by_whatsapp(app, client):
    client.post(url_for("pengaduan.form"), data=complaint_data(app, client, email="", phone="+62 812-9876-5432"))
    complaint = db.session.scalars(db.select(Complaint)).one()
    assert complaint.phone == PHONE_STORED
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert (message.channel, message.recipient) == ("whatsapp", PHONE_STORED)


def test_failed_validation_keeps_everything_typed_and_says_what_to_fix(app, client):
    data = complaint_data(app, client, phone="", email="", nik="12345", name="Siti Aminah",
                          description="Antrean panjang sekali di loket dua.")
    answer = client.post(url_for("pengaduan.form"), data=data)
    assert answer.status_code == 422
    html = answer.text
    assert "Ada yang perlu diperbaiki" in html
    assert "Isi nomor HP atau email" in html and "NIK terdiri dari 16 angka" in html
    assert 'value="Siti Aminah"' in html and "Antrean panjang sekali di loket dua." in html
    assert 'value="12345"' in html and 'value="Perizinan reklame"' in html
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0


def test_honeypot_and_hurried_posts_are_refused(app, client):
    trap = client.post(url_for("pengaduan.form"), data=complaint_data(app, client, website="http://spam.example"))
    assert trap.status_code == 422
    app.config["PENGADUAN_MIN_FILL_SECONDS"] = 3600
    try:
        hurried = client.post(url_for("pengaduan.form"), data=complaint_data(app, client))
    finally:
        app.config["PENGADUAN_MIN_FILL_SECONDS"] = 4
    assert hurried.status_code == 422 and "terlalu cepat" in hurried.text
    assert NAME in hurried.text  # still there to send again
    forged = client.post(url_for("pengaduan.form"), data=complaint_data(app, client, started="palsu"))
    assert forged.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0


# --- attachments ----------------------------------------------------------------------------------


def test_wrong_type_behind_a_right_name_is_refused(app, client):
    from io import BytesIO

    for name, content in (("foto.jpg", b"<html><script>alert(1)</script></html>"),
                          ("bukti.pdf", b"MZ\x90\x00 an executable"),
                          ("gambar.png", b"\x89PNG\r\n\x1a\n but truncated rubbish")):
        data = complaint_data(app, client)
        data["attachments"] = (BytesIO(content), name)
        answer = client.post(url_for("pengaduan.form"), data=data, content_type="multipart/form-data")
        assert answer.status_code == 422, name
        assert name in answer.text and NAME in answer.text
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0


def test_attachments_are_kept_by_content_and_served_to_staff_only(app, client, login, tmp_path):
    from io import BytesIO

    app.config["PENGADUAN_UPLOAD_DIR"] = str(tmp_path / "lampiran")
    try:
        data = complaint_data(app, client)
        data["attachments"] = [(BytesIO(PDF), "kuitansi.jpg"), (BytesIO(PNG), "foto.png")]
        answer = client.post(url_for("pengaduan.form"), data=data, content_type="multipart/form-data")
        assert answer.status_code == 302
        complaint = db.session.scalars(db.select(Complaint)).one()
        pdf, png = complaint.attachments
        assert (pdf.content_type, pdf.stored_name.endswith(".pdf"), pdf.original_name) == (
            "application/pdf", True, "kuitansi.jpg")
        assert png.content_type == "image/png"
        assert (tmp_path / "lampiran" / pdf.stored_name).read_bytes() == PDF
        url = url_for("pengaduan.attachment", complaint_id=complaint.id, attachment_id=pdf.id)
        assert client.get(url).status_code == 302  # not logged in
        login("petugas_loket")
        assert client.get(url).status_code == 403
        login("kepala_dinas")
        download = client.get(url)
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.mimetype == "application/pdf"
        assert "sandbox" in download.headers["Content-Security-Policy"]
    finally:
        app.config["PENGADUAN_UPLOAD_DIR"] = ""


def test_a_failed_file_save_never_loses_the_complaint(app, client, tmp_path):
    from io import BytesIO

    blocker = tmp_path / "bukan-folder"
    blocker.write_text("x")  # a file where the folder should be: mkdir fails
    app.config["PENGADUAN_UPLOAD_DIR"] = str(blocker / "lampiran")
    try:
        data = complaint_data(app, client)
        data["attachments"] = (BytesIO(PNG), "foto.png")
        answer = client.post(url_for("pengaduan.form"), data=data, content_type="multipart/form-data")
    finally:
        app.config["PENGADUAN_UPLOAD_DIR"] = ""
    assert answer.status_code == 302
    complaint = db.session.scalars(db.select(Complaint)).one()
    assert complaint.attachments == []
    assert any("gagal disimpan" in e.internal_text for e in complaint.events)
    confirmation = client.get(url_for("pengaduan.confirmation"))
    assert complaint.number in confirmation.text and "foto.png" in confirmation.text


# --- tracking and privacy -------------------------------------------------------------------------


def test_tracking_page_and_api_never_show_personal_data(client, login):
    complaint, code = file_one(nib=NIB, description=f"Saya {NAME}, HP {PHONE}, email {EMAIL}, NIK {NIK}, NIB {NIB}.",
                            service_other=f"Izin usaha atas nama {NAME}")
    staff = login("tim_pengaduan")
    verify(complaint, staff)
    reply(complaint, f"Kami sudah menghubungi Anda di {PHONE}. Petugas akan menelepon.", staff)
    db.session.commit()
    page = client.get(url_for("pengaduan.track", code=code))
    api = client.get(url_for("api.get_complaint", code=code))
    assert page.status_code == api.status_code == 200
    _assert_valid("ComplaintStatus", api.get_json())
    assert "Petugas akan menelepon" in page.text and "Petugas akan menelepon" in api.text
    for secret in (NAME, "Uniknama", PHONE, PHONE_STORED, "0812-9876-5432", EMAIL, NIK, NIB):
        assert secret not in page.text, secret
        assert secret not in api.text, secret
    assert page.headers["Cache-Control"] == "no-store"
    assert complaint.number in page.text


def test_confidential_complaints_keep_content_and_answers_off_the_tracking_page(client, login):
    complaint, code = file_one(confidential=True, service_other="Izin reklame rahasia")
    staff = login("tim_pengaduan")
    verify(complaint, staff)
    reply(complaint, "Jawaban khusus untuk pengadu.", staff)
    db.session.commit()
    page = client.get(url_for("pengaduan.track", code=code))
    body = client.get(url_for("api.get_complaint", code=code)).get_json()
    assert "Jawaban khusus" not in page.text and "rahasia" in page.text
    assert body["service"] is None and all("Jawaban khusus" not in r["text"] for r in body["replies"])
    assert body["replies"][0]["text"] == "Jawaban disampaikan langsung kepada pengadu."


def test_wrong_codes_answer_404_and_the_lookup_redirects_right_ones(client):
    _, code = file_one()
    assert client.get(url_for("pengaduan.track", code="A" * 16)).status_code == 404
    assert client.get(url_for("pengaduan.track_qr", code="A" * 16)).status_code == 404
    missing = client.get(url_for("api.get_complaint", code="A" * 16))
    assert missing.status_code == 404
    _assert_valid("Error", missing.get_json())
    assert client.get(url_for("pengaduan.lookup")).status_code == 200
    miss = client.get(url_for("pengaduan.lookup", kode="ABCD-EFGH"))
    assert miss.status_code == 404 and "Kode tidak ditemukan" in miss.text
    typed = f"{code[:4]}-{code[4:8]} {code[8:12]}-{code[12:]}".lower()
    hit = client.get(url_for("pengaduan.lookup", kode=typed))
    assert hit.status_code == 302 and hit.headers["Location"].endswith(f"/pengaduan/lacak/{code}")
    assert client.get(url_for("pengaduan.track", code=code.lower())).status_code == 302


def test_guesses_are_rate_limited_but_the_holder_reloading_is_not(app, client, monkeypatch):
    _, code = file_one()
    monkeypatch.setitem(app.config, "PENGADUAN_LACAK_RATE_LIMIT", "3 per minute")
    limiter.reset()
    assert all(client.get(url_for("pengaduan.track", code=code)).status_code == 200 for _ in range(6))
    guesses = [client.get(url_for("pengaduan.track", code=f"{i:016d}")).status_code for i in range(4)]
    assert guesses == [404, 404, 404, 429]
    assert client.get(url_for("api.get_complaint", code="0" * 16)).status_code == 429  # one budget per address
    # Security I1: the holder of the right code, behind the same address, is still answered everywhere.
    assert client.get(url_for("pengaduan.track", code=code)).status_code == 200
    assert client.get(url_for("pengaduan.track_qr", code=code)).status_code == 200
    assert client.get(url_for("pengaduan.lookup", kode=code)).status_code == 302
    assert client.get(url_for("api.get_complaint", code=code)).status_code == 200
    assert client.get(url_for("pengaduan.track", code="2" * 16)).status_code == 429  # wrong ones stay refused
    other = client.get(url_for("pengaduan.track", code="1" * 16), environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 404
    limiter.reset()


def test_a_flood_from_one_address_is_limited_and_every_accepted_complaint_kept(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PENGADUAN_RATE_LIMIT", "3 per minute")
    limiter.reset()
    statuses = []
    for i in range(6):
        data = complaint_data(app, client, description=f"Keluhan nomor {i} di loket.")
        answer = client.post(url_for("pengaduan.form"), data=data)
        statuses.append(answer.status_code)
    assert statuses == [302, 302, 302, 429, 429, 429]
    refused = client.post(url_for("pengaduan.form"), data=complaint_data(
        app, client, description="Keluhan panjang <b>yang tidak boleh hilang</b> di loket 3.", name="Siti Rahma"))
    assert refused.status_code == 429  # L2: the form again, with everything typed and the reason on top
    page = refused.get_data(as_text=True)
    assert page.index("Terlalu banyak pengaduan terkirim") < page.index("<form")
    assert "Keluhan panjang &lt;b&gt;yang tidak boleh hilang&lt;/b&gt; di loket 3." in page
    for typed in ("Siti Rahma", PHONE, EMAIL, NIK, NIB, "Perizinan reklame", "Loket 2", "Biaya dikembalikan."):
        assert typed in page, typed
    assert "Lampiran perlu dipilih ulang" in page
    api = app.test_client().post(url_for("api.create_complaint"), json={"phone": PHONE,
                                                                       "description": "Keluhan lewat API.",
                                                               "anonymous": True})
    assert api.status_code == 429  # the form and the API share the budget
    kept = db.session.scalars(db.select(Complaint).order_by(Complaint.sequence)).all()
    assert [c.description for c in kept] == [f"Keluhan nomor {i} di loket." for i in range(3)]
    assert len({c.number for c in kept}) == 3
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 3
    other = client.post(url_for("pengaduan.form"), data=complaint_data(app, client),
                        environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert other.status_code == 302
    limiter.reset()


# --- the outbox and a mail server that is down ---------------------------------------------------


def test_complaint_filed_while_mail_server_is_down_is_kept_and_confirmed_later(app, client):
    port = free_port()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_TIMEOUT")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    try:
        answer = client.post(url_for("pengaduan.form"), data=complaint_data(app, client))
        assert answer.status_code == 302
        complaint = db.session.scalars(db.select(Complaint)).one()
        assert deliver_due().retrying == 1  # nothing listens yet
        message = db.session.scalars(db.select(OutboxMessage)).one()
        assert message.status == PENDING and message.last_error
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert deliver_due(now=utcnow() + retry_delay(1) + timedelta(seconds=1)).sent == 1
        finally:
            controller.stop()
    finally:
        app.config.update(saved)
    db.session.expire_all()
    assert db.session.scalars(db.select(OutboxMessage)).one().status == SENT
    (recipients, content), = inbox.messages
    assert recipients == [EMAIL]
    assert complaint.number.encode() in content and b"/pengaduan/lacak/" in content
    assert NAME.encode() not in content and NIK.encode() not in content
    assert db.session.get(Complaint, complaint.id) is not None


# --- the JSON API --------------------------------------------------------------------------------


def _recording_staff(make_user) -> dict:
    """The headers of a staff token that may record complaints on a visitor's behalf."""
    user = make_user(role="tim_pengaduan")
    _, plain = user.issue_token("lapor")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_api_files_a_complaint_and_tracks_it(client, make_service, make_user):
    service = make_service()
    answer = client.post(url_for("api.create_complaint"), headers=_recording_staff(make_user), json={
        "name": NAME, "phone": PHONE, "email": EMAIL, "nik": NIK, "nib": NIB, "service": service.slug,
        "description": "Berkas saya hilang di back office.", "anonymous": False, "confidential": False,
        "channel": "lapor"})
    assert answer.status_code == 201, answer.text
    body = answer.get_json()
    _assert_valid("ComplaintCreated", body)
    complaint = db.session.scalars(db.select(Complaint)).one()
    assert body["number"] == complaint.number and complaint.channel == "lapor"
    assert body["url"] == f"http://localhost/pengaduan/lacak/{body['code']}"
    assert body["deadline"] == complaint.due_on.isoformat()
    tracked = client.get(url_for("api.get_complaint", code=body["code"])).get_json()
    _assert_valid("ComplaintStatus", tracked)
    assert tracked["status"] == "diterima" and tracked["service"] == service.title
    assert [h["action"] for h in tracked["history"]] == ["diterima"]


@pytest.mark.parametrize("channel", ["lapor", "datang_langsung", "surat", "telepon", "email", "kotak_saran"])
def test_an_anonymous_caller_may_only_file_online(client, make_user, channel):
    """Security review I2: the staff channels are recorded by staff, never set by an anonymous caller."""
    payload = {"phone": PHONE, "description": "Keluhan yang cukup panjang uraiannya.", "anonymous": True,
               "channel": channel}
    refused = client.post(url_for("api.create_complaint"), json=payload)
    assert refused.status_code == 403
    body = refused.get_json()
    _assert_valid("Error", body)
    assert "channel" in body["error"]["fields"] and "petugas" in body["error"]["message"]
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0
    counter_clerk = make_user(role="petugas_loket")  # may record complaints too (complaint.record)
    _, plain = counter_clerk.issue_token("catat")
    db.session.commit()
    assert client.post(url_for("api.create_complaint"), json=payload,
                       headers={"Authorization": f"Bearer {plain}"}).status_code == 201
    online = client.post(url_for("api.create_complaint"), json={**payload, "channel": "online"})
    assert online.status_code == 201
    assert [c.channel for c in db.session.scalars(db.select(Complaint).order_by(Complaint.id))] == [channel, "online"]


def test_api_says_what_is_wrong(client):
    assert client.post(url_for("api.create_complaint"), data="x").status_code == 400
    wrong_type = client.post(url_for("api.create_complaint"), json={"description": 5, "name": "Uji", "phone": "0812"})
    assert wrong_type.status_code == 422
    assert wrong_type.get_json()["error"]["fields"] == {"description": ["description harus berupa teks."]}
    bad = client.post(url_for("api.create_complaint"), json={"description": "pendek", "nik": "12",
                                                               "service": "tidak-ada", "channel": "online"})
    assert bad.status_code == 422
    body = bad.get_json()
    _assert_valid("Error", body)
    fields = body["error"]["fields"]
    assert {"description", "nik", "phone", "name"} <= set(fields)  # every rule openapi.json states, at once
    assert fields["phone"] == ["Isi nomor HP atau email agar kami dapat menjawab."]
    assert fields["name"] == ["Isi nama, atau kirim anonymous: true."]
    unknown = client.post(url_for("api.create_complaint"), json={"description": "Cukup panjang uraiannya.",
                                                                  "phone": PHONE, "name": "Uji",
                                                                  "service": "tidak-ada"})
    assert unknown.status_code == 422 and "service" in unknown.get_json()["error"]["fields"]  # the form's rule
    assert client.post(url_for("api.create_complaint"), json={"description": "Cukup panjang uraiannya.",
                                                                "phone": PHONE, "anonymous": True,
                                                                "channel": "merpati"}).status_code == 422
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0


@pytest.mark.parametrize("field", ["name", "service_other", "description", "incident_place", "desired_outcome"])
def test_api_and_form_store_markup_as_text(client, field):
    payload = {"name": "Warga", "phone": PHONE, "description": "Uraian yang cukup panjang.",
               field: "<script>alert('x')</script> teks"}
    assert client.post(url_for("api.create_complaint"), json=payload).status_code == 201
    complaint = db.session.scalars(db.select(Complaint)).one()
    assert getattr(complaint, "reporter_name" if field == "name" else field) == "<script>alert('x')</script> teks"


def test_attachment_rows_cascade_with_the_complaint():
    complaint, _ = file_one()
    complaint.attachments.append(ComplaintAttachment(original_name="a.pdf", stored_name="x.pdf",
                                                     content_type="application/pdf", size=3, sha256="0" * 64))
    db.session.commit()
    db.session.delete(complaint)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(ComplaintAttachment.id))) == 0


def test_complaints_filed_at_once_get_unique_gapless_numbers(app):
    """Eight form posts at the same moment, ten each: the per-year counter never repeats or skips."""
    import threading

    from webapp.pengaduan.intake import save_new_complaint

    workers, each = 8, 10
    barrier = threading.Barrier(workers)
    numbers: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        with app.test_request_context():
            try:
                barrier.wait()
                for _ in range(each):
                    complaint, _, _ = save_new_complaint(
                        ComplaintInput(description="Pengaduan serentak dari kios.", phone=PHONE), [])
                    with lock:
                        numbers.append(complaint.number)
            except Exception as error:  # reported below
                with lock:
                    errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    year = local_today().year
    assert sorted(numbers) == [f"ADU-{year}-{n:06d}" for n in range(1, workers * each + 1)]
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == workers * each


def test_an_oversized_file_is_refused_beside_the_field_and_the_text_kept(app, client):
    from io import BytesIO

    data = complaint_data(app, client)
    # Larger than one attachment may be, and than MAX_CONTENT_LENGTH (5 MB) for any other form.
    data["attachments"] = (BytesIO(b"%PDF-" + b"0" * (app.config["PENGADUAN_ATTACHMENT_MAX_BYTES"] + 10)), "besar.pdf")
    answer = client.post(url_for("pengaduan.form"), data=data, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "besar.pdf lebih besar dari 5 MB" in answer.text and NAME in answer.text


def test_home_and_service_pages_link_the_complaint_form(client, make_service):
    service = make_service()
    home = client.get(url_for("main.home")).text
    assert f'href="{url_for("pengaduan.form")}"' in home and f'href="{url_for("pengaduan.lookup")}"' in home
    detail = client.get(url_for("standards.detail", slug=service.slug)).text
    assert f'href="{url_for("pengaduan.form", layanan=service.slug)}"' in detail
    unit = client.get(url_for("standards.unit", slug=service.unit.slug)).text
    assert f'href="{url_for("pengaduan.form")}"' in unit


def test_the_confirmation_expires(app, client, monkeypatch):
    client.post(url_for("pengaduan.form"), data=complaint_data(app, client))
    assert client.get(url_for("pengaduan.confirmation")).status_code == 200
    monkeypatch.setattr("webapp.pengaduan.routes.CONFIRMATION_SECONDS", -1)
    assert client.get(url_for("pengaduan.confirmation")).status_code == 302
