"""Review fixes of the signing: broken uploads, signature floods, the box's words and place, the service's URL."""

from __future__ import annotations

import io
import subprocess
from io import BytesIO

import pytest
from flask import url_for
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import load_certs_from_pemder

import webapp.core.signing as signing
from tests.conftest import csrf_from
from tests.signing_support import HOLDER, PASSWORD, configure, off_loop
from webapp.berkas.models import IssuedDocument
from webapp.berkas.pdf_check import BUKAN_PDF, check_upload
from webapp.berkas.service import Applicant, register
from webapp.core.extensions import db
from webapp.core.signing import (
    MAX_SIGNATURES,
    TOO_MANY_SIGNATURES,
    HttpSigner,
    SigningError,
    Stamp,
    load_certificate,
    sign_pdf,
    signer_for,
    signing_state,
    unit_key,
)


@pytest.fixture
def berkas(make_service, make_user):
    service = make_service(title="Izin Usaha Uji")
    officer = make_user(role="petugas_loket", username="loket")
    found = register(service, Applicant(HOLDER, "nik", "1471010101900001", "081299998888", address="Jl. Uji 9"),
                     [True, True], officer)
    db.session.commit()
    return found


def blank_pdf(media_box: tuple[float, ...], crop_box: tuple[float, ...] | None = None) -> bytes:
    """A one-page PDF of the given MediaBox (and CropBox), written by hand with a correct xref table."""
    crop = f" /CropBox [{' '.join(str(v) for v in crop_box)}]" if crop_box else ""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [{' '.join(str(v) for v in media_box)}]{crop} "
        "/Resources << >> /Contents 4 0 R >>".encode(),
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _rect(pdf: bytes) -> list[float]:
    (signature,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
    return [float(v) for v in signature.sig_field["/Rect"]]


def _signed_times(pdf: bytes, signer: signers.Signer, times: int) -> bytes:
    """``pdf`` signed ``times`` times, each an incremental update with a field of its own (no appearance)."""
    for n in range(times):
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(field_name=f"Ttd{n}", md_algorithm="sha256")
        pdf = off_loop(lambda w=writer, m=meta: signers.sign_pdf(w, m, signer=signer)).getvalue()
    return pdf


# --- finding 4: a malformed upload ---------------------------------------------------------------------


def test_a_malformed_pdf_upload_is_named_on_the_form_when_the_unit_signs(app, monkeypatch, berkas, cert, client,
                                                                        login):
    configure(app, monkeypatch, berkas.unit, cert)
    login("petugas_loket")
    url = url_for("berkas.new_document", berkas_id=berkas.id)
    data = {"csrf_token": csrf_from(client, url), "number": "503/RUSAK/2026/0001", "title": "Izin Usaha Uji",
            "holder_name": HOLDER, "issued_on": "2026-11-24", "valid_until": "",
            "pdf": (io.BytesIO(b"%PDF-1.4 bukan isi pdf yang benar"), "izin.pdf")}  # fmt: skip
    answer = client.post(url, data=data, content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Berkas PDF rusak atau tidak dapat dibaca" in page
    assert 'value="503/RUSAK/2026/0001"' in page  # what was typed stays
    assert db.session.query(IssuedDocument).count() == 0


def test_sign_pdf_turns_a_parse_error_into_a_signing_error(app, monkeypatch, berkas, cert):
    configure(app, monkeypatch, berkas.unit, cert)
    with pytest.raises(SigningError, match="rusak"):
        sign_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", signer_for(berkas.unit), Stamp("Dinas Uji"))


# --- finding 5: one validation per signature, and no more than MAX_SIGNATURES -----------------------------


@pytest.fixture
def validations(monkeypatch):
    """Count the calls to pyHanko's signature validation."""
    calls = []
    real = signing.validate_pdf_signature

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(signing, "validate_pdf_signature", counting)
    return calls


def test_more_than_five_signatures_are_refused_without_validating_any(app, monkeypatch, berkas, cert, validations):
    configure(app, monkeypatch, berkas.unit, cert)
    pdf = _signed_times(blank_pdf((0, 0, 595, 842)), signer_for(berkas.unit), MAX_SIGNATURES + 1)
    result = check_upload(pdf)
    assert result.outcome == BUKAN_PDF
    assert [f.text for f in result.findings] == [TOO_MANY_SIGNATURES]
    assert "lebih dari 5 tanda tangan" in TOO_MANY_SIGNATURES
    assert validations == []


def test_each_signature_is_validated_once_even_with_a_trust_list(app, monkeypatch, berkas, cert, validations):
    configure(app, monkeypatch, berkas.unit, cert)  # the unit's trust list is set
    pdf = _signed_times(blank_pdf((0, 0, 595, 842)), signer_for(berkas.unit), 2)
    result = check_upload(pdf)
    assert len(result.pdf.signatures) == 2 and all(s.trusted for s in result.pdf.signatures)
    assert len(validations) == 2
    # Not an issued document: the page says such papers are verified by their signature only.
    texts = " ".join(f.text for f in result.findings)
    assert "Tidak cocok dengan dokumen terbit" in texts and "tanda tangan elektroniknya saja" in texts


# --- finding 15a and c: the box's words and place -------------------------------------------------------


def test_the_box_says_a_test_certificate_is_not_an_official_signature(app, monkeypatch, berkas, cert, tmp_path):
    configure(app, monkeypatch, berkas.unit, cert)
    pdf = sign_pdf(blank_pdf((0, 0, 595, 842)), signer_for(berkas.unit), Stamp("Dinas Uji"))
    path = tmp_path / "uji.pdf"
    path.write_bytes(pdf)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "SERTIFIKAT UJI COBA - BUKAN TANDA TANGAN RESMI" in text
    assert "Ditandatangani secara elektronik oleh:" in text


@pytest.mark.parametrize(("media", "crop", "expected"), [
    ((0, 0, 595, 842), None, [300, 155, 538, 255]),  # A4, as before
    ((0, 0, 609.45, 935.43), None, [314, 155, 552, 255]),  # F4 (215 x 330 mm)
    ((0, 0, 792, 612), None, [497, 155, 735, 255]),  # Letter, landscape
    ((0, 0, 700, 1000), (50, 40, 650, 960), [355, 195, 593, 295]),  # the CropBox wins over the MediaBox
])  # fmt: skip
def test_the_box_is_placed_from_the_last_page_size(app, monkeypatch, berkas, cert, media, crop, expected):
    configure(app, monkeypatch, berkas.unit, cert)
    pdf = sign_pdf(blank_pdf(media, crop), signer_for(berkas.unit), Stamp("Dinas Uji"))
    assert _rect(pdf) == expected
    (check,) = signing.check_pdf(pdf, [load_certificate(str(cert.root_path))]).signatures
    assert check.intact and check.covers_whole


# --- finding 17c: the signing service's URL ---------------------------------------------------------------


def test_a_signing_service_over_plain_http_to_another_host_is_a_configuration_error(app, monkeypatch, berkas,
                                                                                     cert, tmp_path):
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    _key, signer_cert, extra = pkcs12.load_key_and_certificates(cert.p12_path.read_bytes(), PASSWORD.encode())
    chain_path = tmp_path / "rantai.pem"
    chain_path.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in [signer_cert, *extra]))
    key = unit_key(berkas.unit.slug)
    monkeypatch.setitem(app.config, f"SIGNING_SERVICE_URL_{key}", "http://ttd.example.go.id/sign")
    monkeypatch.setitem(app.config, f"SIGNING_SERVICE_TOKEN_{key}", "token-uji")
    monkeypatch.setitem(app.config, f"SIGNING_SERVICE_CERT_{key}", str(chain_path))
    state = signing_state(berkas.unit)
    assert not state.configured and "harus memakai https://" in state.problem
    chain = list(load_certs_from_pemder([str(chain_path)]))
    for url in ("ftp://ttd.example.go.id/sign", "https:///sign", "http://10.0.0.5/sign"):
        with pytest.raises(SigningError, match="https://"):
            HttpSigner(url, chain, "token-uji")
    for url in ("https://ttd.example.go.id/sign", "http://127.0.0.1:8080/sign", "http://localhost/sign",
                "http://[::1]:9000/sign"):
        assert HttpSigner(url, chain, "token-uji").url == url
