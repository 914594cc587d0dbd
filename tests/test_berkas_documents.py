"""Issued documents: the signed verification code, the public page, revocation, the PDF, the API."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import url_for
from sqlalchemy import select, update

from tests.conftest import csrf_from
from tests.test_api import _assert_valid
from webapp.berkas.documents import (
    DICABUT,
    SAH,
    TIDAK_DIKENAL,
    TIDAK_SAH,
    DocumentError,
    issue,
    mask_name,
    new_code,
    record_issued,
    revoke,
    sha256_hex,
    verify,
)
from webapp.berkas.models import IssuedDocument
from webapp.berkas.service import Applicant, hand_over, register
from webapp.core.extensions import db, limiter

HOLDER, NIK, PHONE = "Budi Santoso Pemohon", "1471010101900001", "081299998888"
PDF = b"%PDF-1.4\n% dokumen uji yang ditandatangani di luar sistem\n%%EOF\n"


@pytest.fixture
def berkas(make_service, make_user):
    service = make_service(title="Izin Praktik Uji")
    officer = make_user(role="petugas_loket", username="loket")
    officer.name = "Petugas Rahasia Loket"
    found = register(service, Applicant(HOLDER, "nik", NIK, PHONE, address="Jl. Uji 9"), [True, True], officer)
    db.session.commit()
    return found


def _document(berkas, number="503/SIK-TS/2026/0042", pdf=PDF, holder=HOLDER) -> IssuedDocument:
    document = IssuedDocument(berkas_id=berkas.id, unit_id=berkas.unit_id, service_id=berkas.service_id,
                              number=number, title="Surat Izin Kerja Tenaga Sanitarian", holder_name=holder,
                              issued_on=date(2026, 11, 24), valid_until=date(2031, 11, 24))  # fmt: skip
    document.unit = berkas.unit
    issue(document, pdf, "uji")
    db.session.commit()
    return document


def test_codes_are_32_base32_characters_and_unpredictable(app):
    codes = {new_code("1/2026") for _ in range(50)}
    assert len(codes) == 50
    assert all(len(c) == 32 and c.isalnum() and c == c.lower() for c in codes)


def test_a_valid_code_verifies_and_forged_or_altered_ones_do_not(berkas):
    document = _document(berkas)
    assert verify(document.code).outcome == SAH
    assert verify(document.code.upper()).outcome == SAH  # typed from paper in capitals
    assert verify("a" * 32).outcome == TIDAK_DIKENAL  # forged: no such serial
    assert verify("tidak-ada").outcome == TIDAK_DIKENAL
    last = document.code[-1]
    altered = document.code[:-1] + ("a" if last != "a" else "b")
    assert verify(altered).outcome == TIDAK_SAH  # the signature part changed
    # A code made with another key (someone who guessed the format) is refused.
    forged_serial = document.code[:16] + new_code(document.number)[16:]
    assert verify(forged_serial).outcome == TIDAK_SAH


def test_a_record_changed_in_the_database_no_longer_verifies(berkas):
    document = _document(berkas)
    db.session.execute(update(IssuedDocument).where(IssuedDocument.id == document.id).values(pdf_sha256="0" * 64))
    db.session.commit()
    assert verify(document.code).outcome == TIDAK_SAH
    other = _document(berkas, number="503/SIK-TS/2026/0043")
    db.session.execute(update(IssuedDocument).where(IssuedDocument.id == other.id).values(number="503/PALSU"))
    db.session.commit()
    assert verify(other.code).outcome == TIDAK_SAH


def test_the_key_can_be_set_apart_from_the_secret_key(app, berkas, monkeypatch):
    document = _document(berkas)
    monkeypatch.setitem(app.config, "VERIFICATION_KEY", "kunci-verifikasi-lain")
    assert verify(document.code).outcome == TIDAK_SAH  # printed codes depend on the key
    made = _document(berkas, number="503/LAIN")
    assert verify(made.code).outcome == SAH


def test_names_are_masked():
    assert mask_name("Budi Santoso") == "B*** S******"
    assert mask_name("  Ani ") == "A**"


def test_the_public_page_shows_valid_revoked_unknown_and_refused(client, berkas, make_user):
    document = _document(berkas)
    page = client.get(url_for("berkas.verify_page", code=document.code))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Dokumen sah" in html
    assert document.number in html and "B*** S****** P******" in html and document.pdf_sha256 in html
    assert "24 November 2026" in html
    for secret in (HOLDER, "Budi", NIK, PHONE, "Petugas Rahasia Loket"):
        assert secret not in html
    assert page.headers["Cache-Control"] == "no-store"
    unknown = client.get(url_for("berkas.verify_page", code="b" * 32))
    assert unknown.status_code == 404 and "Kode tidak dikenal" in unknown.get_data(as_text=True)
    ending = "zz" if document.code[-2:] != "zz" else "yy"  # never the code itself
    altered = client.get(url_for("berkas.verify_page", code=document.code[:-2] + ending))
    assert altered.status_code == 404 and "Kode tidak sah" in altered.get_data(as_text=True)
    revoke(document, "Diterbitkan berdasarkan data yang keliru", make_user(role="kepala_dinas", username="kadis"))
    revoked = client.get(url_for("berkas.verify_page", code=document.code)).get_data(as_text=True)
    assert "Dokumen sudah dicabut" in revoked and "data yang keliru" in revoked
    assert verify(document.code).outcome == DICABUT


def test_an_uploaded_pdf_is_compared_with_the_recorded_hash(client, berkas, app, monkeypatch):
    document = _document(berkas)
    url = url_for("berkas.verify_page", code=document.code)
    token = csrf_from(client, url)
    same = client.post(url, data={"csrf_token": token, "pdf": (io.BytesIO(PDF), "izin.pdf")},
                       content_type="multipart/form-data")  # fmt: skip
    assert "Cocok: berkas ini sama persis" in same.get_data(as_text=True)
    changed = client.post(url, data={"csrf_token": token, "pdf": (io.BytesIO(PDF + b" "), "izin.pdf")},
                          content_type="multipart/form-data")  # fmt: skip
    text = changed.get_data(as_text=True)
    assert "Tidak cocok" in text and sha256_hex(PDF + b" ") in text
    empty = client.post(url, data={"csrf_token": token}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Pilih berkas PDF" in empty.get_data(as_text=True)
    monkeypatch.setitem(app.config, "VERIFY_UPLOAD_RATE_LIMIT", "1 per minute")
    limiter.reset()
    codes = [client.post(url, data={"csrf_token": token}, content_type="multipart/form-data").status_code
             for _ in range(2)]  # fmt: skip
    assert codes == [422, 429]
    limiter.reset()


def test_staff_record_a_generated_pdf_with_its_qr(client, login, berkas, tmp_path):
    login("petugas_loket")
    url = url_for("berkas.new_document", berkas_id=berkas.id)
    page = client.get(url).get_data(as_text=True)
    assert f'value="{HOLDER}"' in page
    token = csrf_from(client, url)
    data = {"csrf_token": token, "number": "503/SIK-TS/2026/0099", "title": "Surat Izin Uji",
            "holder_name": HOLDER, "issued_on": "2026-11-24", "valid_until": "2026-11-01"}  # fmt: skip
    bad = client.post(url, data=data)
    assert bad.status_code == 422 and "tidak boleh sebelum tanggal terbit" in bad.get_data(as_text=True)
    data["valid_until"] = ""
    assert client.post(url, data=data).status_code == 302
    document = db.session.scalars(select(IssuedDocument)).one()
    assert document.generated and document.pdf.startswith(b"%PDF-")
    assert document.pdf_sha256 == sha256_hex(document.pdf)
    assert verify(document.code).outcome == SAH
    pdf = client.get(url_for("berkas.document_pdf", document_id=document.id))
    assert pdf.mimetype == "application/pdf" and pdf.data == document.pdf
    (tmp_path / "dokumen.pdf").write_bytes(document.pdf)
    duplicate = client.post(url, data=data)
    assert "sudah tercatat" in duplicate.get_data(as_text=True)
    not_pdf = client.post(url, data={**data, "number": "503/LAIN", "pdf": (io.BytesIO(b"GIF89a"), "x.pdf")},
                          content_type="multipart/form-data")  # fmt: skip
    assert "Berkas bukan PDF" in not_pdf.get_data(as_text=True)


def test_a_document_number_is_recorded_once_and_an_upload_must_be_a_pdf(berkas, make_user):
    from webapp.audit.models import AuditEvent

    actor = make_user(role="sekretaris")
    fields = {"number": " 503/UJI/1 ", "title": "Surat Izin Uji", "holder_name": HOLDER,
              "issued_on": date(2026, 11, 24), "valid_until": None, "actor": actor}  # fmt: skip
    with pytest.raises(DocumentError) as not_pdf:
        record_issued(berkas, pdf=b"GIF89a", **fields)
    assert not_pdf.value.field == "pdf"
    document = record_issued(berkas, pdf=PDF, **fields)
    db.session.commit()
    assert (document.number, document.created_by, document.pdf) == ("503/UJI/1", actor.username, PDF)
    assert verify(document.code).outcome == SAH
    summaries = db.session.scalars(select(AuditEvent.summary).order_by(AuditEvent.id)).all()
    assert summaries[-2:] == [f"Mendaftarkan berkas {berkas.number} (Izin Praktik Uji)",
                              f"Mencatat dokumen 503/UJI/1 (berkas {berkas.number})"]  # fmt: skip
    with pytest.raises(DocumentError) as twice:
        record_issued(berkas, pdf=None, **fields)
    assert twice.value.field == "number"


def test_staff_revoke_with_a_reason(client, login, berkas):
    document = _document(berkas)
    login("kepala_dinas")
    detail = url_for("berkas.detail", berkas_id=berkas.id)
    token = csrf_from(client, detail)
    client.post(url_for("berkas.revoke_document", document_id=document.id), data={"csrf_token": token, "reason": ""})
    assert db.session.get(IssuedDocument, document.id).status == "berlaku"
    client.post(url_for("berkas.revoke_document", document_id=document.id),
                data={"csrf_token": token, "reason": "Salah nama"})  # fmt: skip
    db.session.expire_all()
    assert db.session.get(IssuedDocument, document.id).status == "dicabut"
    assert verify(document.code).outcome == DICABUT


# --- JSON API -------------------------------------------------------------------------------------


def test_the_api_tracks_a_berkas_without_personal_data(client, berkas):
    hand_over(berkas, berkas.holder)
    db.session.commit()
    response = client.get(url_for("api.track_berkas", code=berkas.tracking_code))
    assert response.status_code == 200
    body = response.get_json()
    _assert_valid("BerkasTracking", body)
    assert body["number"] == berkas.number and body["status"] == "diproses" and body["step_number"] == 2
    assert body["current_step"] == "Verifikasi dan pemrosesan permohonan"
    text = response.get_data(as_text=True)
    for secret in (HOLDER, "Budi", NIK, PHONE, "99998888", "Jl. Uji", "Petugas Rahasia Loket"):
        assert secret not in text, secret
    missing = client.get(url_for("api.track_berkas", code="tidak-ada"))
    assert missing.status_code == 404
    _assert_valid("Error", missing.get_json())


def test_the_api_verifies_documents(client, berkas):
    document = _document(berkas)
    valid = client.get(url_for("api.verify_document", code=document.code))
    assert valid.status_code == 200
    body = valid.get_json()
    _assert_valid("Verification", body)
    assert body["result"] == "sah" and body["document"]["holder"] == "B*** S****** P******"
    assert HOLDER not in valid.get_data(as_text=True)
    forged_code = document.code[:-1] + ("2" if document.code[-1] != "2" else "3")  # never the code itself
    forged = client.get(url_for("api.verify_document", code=forged_code))
    assert forged.status_code == 404
    _assert_valid("Verification", forged.get_json())
    assert forged.get_json() == {"result": "tidak_sah", "document": None}
    revoke(document, "Dicabut uji", None)  # the system (a CLI command) revokes too
    revoked = client.get(url_for("api.verify_document", code=document.code)).get_json()
    _assert_valid("Verification", revoked)
    assert revoked["result"] == "dicabut" and revoked["document"]["revoked_reason"] == "Dicabut uji"
