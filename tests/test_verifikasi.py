"""The public /verifikasi page and POST /api/v1/verifikasi: a code typed, a PDF uploaded, garbage refused."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import url_for

from tests.conftest import csrf_from
from tests.signing_support import HOLDER, configure
from tests.test_api import _assert_valid
from webapp.berkas.documents import record_issued, revoke
from webapp.berkas.service import Applicant, register
from webapp.core.extensions import db


@pytest.fixture
def signed(app, monkeypatch, make_service, make_user, cert):
    """A permit issued (and signed) through the berkas flow."""
    service = make_service(title="Izin Usaha Uji", decree={"signer_name": "Drs. Ahmad Fauzi, M.Si.",
                                                           "signer_nip": "197001012000031001"})
    officer = make_user(role="petugas_loket", username="loket")
    berkas = register(service, Applicant(HOLDER, "nik", "1471010101900001", "081299998888", address="Jl. Uji"),
                      [True, True], officer)
    db.session.commit()
    configure(app, monkeypatch, berkas.unit, cert)
    return record_issued(berkas, number="503/IU/2026/0007", title="Izin Usaha Uji", holder_name=HOLDER,
                         issued_on=date(2026, 11, 30), valid_until=None, pdf=None, actor=None)


def _upload(client, data: bytes, name: str = "izin.pdf"):
    token = csrf_from(client, url_for("berkas.verify_index"))
    return client.post(url_for("berkas.verify_index"), data={"csrf_token": token, "pdf": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_page_offers_a_code_and_an_upload(client):
    page = client.get(url_for("berkas.verify_index"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="kode"' in html and 'type="file"' in html
    assert page.headers["Cache-Control"] == "no-store"


def test_a_typed_code_opens_its_page(client, signed):
    typed = signed.code.upper()[:8] + " " + signed.code.upper()[8:]  # typed from paper, with a space
    response = client.get(url_for("berkas.verify_index", kode=typed))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url_for("berkas.verify_page", code=signed.code))


def test_a_malformed_code_is_said_beside_the_field(client):
    response = client.get(url_for("berkas.verify_index", kode="<script>"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Kode verifikasi terdiri atas huruf dan angka" in html and "&lt;script&gt;" in html


def test_an_uploaded_signed_permit_is_reported(client, signed):
    response = _upload(client, signed.pdf)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tanda tangan ada, tetapi perlu diperhatikan" in html  # a test certificate is never "sah"
    assert "Dokumen utuh" in html and "mencakup seluruh dokumen" in html
    assert "UJI COBA" in html
    assert "Sertifikat berasal dari penerbit yang dipercaya instansi" in html
    assert f"Cocok dengan dokumen {signed.number}" in html
    assert HOLDER not in html


def test_a_changed_pdf_and_a_revoked_document_are_reported(client, signed):
    changed = signed.pdf.replace(b"WeasyPrint", b"WeasyPrinT", 1)
    html = _upload(client, changed).get_data(as_text=True)
    assert "Dokumen telah diubah setelah ditandatangani" in html
    revoke(signed, "Usaha ditutup", None)
    html = _upload(client, signed.pdf).get_data(as_text=True)
    assert "Dokumen sudah dicabut" in html and "Usaha ditutup" in html


@pytest.mark.parametrize("data", [b"", b"bukan pdf", b"%PDF-1.7\n\x00\xff rusak total", b"%PDF-" + b"x" * 2000])
def test_garbage_is_refused_without_a_500(client, data):
    response = _upload(client, data)
    assert response.status_code in (200, 422)
    html = response.get_data(as_text=True)
    assert any(text in html for text in ("Berkas kosong", "bukan PDF", "rusak", "Pilih berkas"))


def test_a_file_over_the_cap_is_refused(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_UPLOAD_MAX_BYTES", 1000)
    response = _upload(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 422
    assert "Berkas terlalu besar" in response.get_data(as_text=True)


def test_the_upload_is_rate_limited(app, client, monkeypatch, fresh_limits):
    monkeypatch.setitem(app.config, "VERIFY_UPLOAD_RATE_LIMIT", "2 per minute")
    codes = [_upload(client, b"bukan pdf").status_code for _ in range(3)]
    assert codes[-1] == 429


def test_the_api_checks_a_pdf_body_or_field(client, signed):
    raw = client.post(url_for("api.verify_pdf"), data=signed.pdf, content_type="application/pdf")
    assert raw.status_code == 200
    body = raw.get_json()
    _assert_valid("PdfVerification", body)
    assert body["result"] == "perhatian" and body["signed"] is True
    (signature,) = body["signatures"]
    assert signature["intact"] and signature["covers_whole_document"] and signature["trusted"]
    assert signature["test_certificate"] is True
    assert body["document"]["number"] == signed.number and body["document"]["status"] == "berlaku"
    assert body["document"]["holder"] != HOLDER
    form = client.post(url_for("api.verify_pdf"), data={"pdf": (io.BytesIO(signed.pdf), "izin.pdf")},
                       content_type="multipart/form-data")
    assert form.status_code == 200 and form.get_json()["result"] == "perhatian"
    changed = client.post(url_for("api.verify_pdf"), data=signed.pdf.replace(b"WeasyPrint", b"WeasyPrinT", 1),
                          content_type="application/pdf")
    assert changed.get_json()["result"] == "diubah"


def test_the_api_refuses_what_is_not_a_pdf(client):
    assert client.post(url_for("api.verify_pdf"), json={"pdf": "x"}).status_code == 400
    empty = client.post(url_for("api.verify_pdf"), data=b"", content_type="application/pdf")
    assert empty.status_code == 422
    garbage = client.post(url_for("api.verify_pdf"), data=b"GIF89a", content_type="application/pdf")
    assert garbage.status_code == 422
    assert garbage.get_json()["error"]["fields"] == {"pdf": ["Berkas ini bukan PDF."]}


@pytest.mark.browser
def test_the_page_in_a_browser(browser, live_server, signed, artifacts, tmp_path):
    path = tmp_path / "izin.pdf"
    path.write_bytes(signed.pdf)
    context = browser.new_context(viewport={"width": 900, "height": 1100}, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server}/verifikasi")
    page.get_by_label("Berkas PDF dokumen").set_input_files(str(path))
    page.get_by_role("button", name="Periksa PDF").click()
    page.wait_for_selector(".verify-result")
    assert "Cocok dengan dokumen" in page.inner_text(".verify-result")
    page.screenshot(path=str(artifacts / "verifikasi.png"), full_page=True)
    page.goto(f"{live_server}/verifikasi?kode={signed.code}")
    assert page.url.endswith(f"/verifikasi/{signed.code}")
    context.close()
    assert not errors


def test_the_code_page_checks_the_signature_of_an_uploaded_copy(client, signed):
    url = url_for("berkas.verify_page", code=signed.code)
    token = csrf_from(client, url)
    response = client.post(url, data={"csrf_token": token, "pdf": (io.BytesIO(signed.pdf), "izin.pdf")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Cocok: berkas ini sama persis" in html and "Dokumen utuh" in html
    assert 'href="' + url_for("berkas.verify_index") + '"' in html
