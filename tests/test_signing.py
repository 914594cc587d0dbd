"""PAdES signatures: issued permits are signed, pyHanko and pdfsig accept them, tampering is detected."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date
from io import BytesIO

import pytest
from flask import url_for
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from tests.signing_support import HOLDER, PASSWORD, FakeSigningService, configure, off_loop
from webapp.berkas.documents import record_issued, revoke
from webapp.berkas.pdf_check import DICABUT, DIUBAH, PERHATIAN, TANPA_TTD, check_upload
from webapp.berkas.service import Applicant, register
from webapp.core.extensions import db
from webapp.core.pdf import pdf_bytes
from webapp.core.signing import (
    TEST_MARK,
    Stamp,
    check_pdf,
    load_certificate,
    make_test_certificate,
    sign_pdf,
    signer_for,
    signing_state,
    unit_key,
)


@pytest.fixture(scope="module")
def expired_cert(tmp_path_factory):
    from datetime import datetime, timedelta

    start = datetime.now(UTC) - timedelta(days=30)
    return make_test_certificate("Dinas Uji Tanda Tangan", tmp_path_factory.mktemp("ttd-lama"), PASSWORD, days=2,
                                 not_before=start)


@pytest.fixture
def berkas(make_service, make_user):
    service = make_service(title="Izin Usaha Uji", decree={"signer_title": "Kepala Dinas Uji",
                                                           "signer_name": "Drs. Ahmad Fauzi, M.Si.",
                                                           "signer_nip": "197001012000031001"})
    officer = make_user(role="petugas_loket", username="loket")
    found = register(service, Applicant(HOLDER, "nik", "1471010101900001", "081299998888", address="Jl. Uji 9"),
                     [True, True], officer)
    db.session.commit()
    return found


def _issue(berkas, number="503/IU/2026/0001"):
    return record_issued(berkas, number=number, title="Izin Usaha Uji", holder_name=HOLDER,
                         issued_on=date(2026, 11, 30), valid_until=None, pdf=None, actor=None)


def _roots(cert):
    return [load_certificate(str(cert.root_path))]


def test_a_document_issued_in_the_berkas_flow_is_signed_and_validates(app, monkeypatch, berkas, cert, artifacts):
    configure(app, monkeypatch, berkas.unit, cert)
    document = _issue(berkas)
    pdf = document.pdf
    # pyHanko's own validator, against the unit's trust list.
    reader = PdfFileReader(BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    status = off_loop(lambda: validate_pdf_signature(
        signature, ValidationContext(trust_roots=_roots(cert), allow_fetching=False)))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert signature.sig_object["/Reason"] == f"Penerbitan Izin Usaha Uji nomor {document.number}"
    assert TEST_MARK in status.signing_cert.subject.human_friendly
    # The recorded hash is the signed file's, so the holder's copy matches the record.
    assert check_upload(pdf).document.id == document.id
    assert check_upload(pdf).outcome == PERHATIAN  # valid and trusted, but a test certificate says so
    # The box: name, NIP, the words, on the page (pdftotext reads the appearance stream).
    path = artifacts / "izin-ditandatangani.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Ditandatangani secara" in text and "elektronik oleh:" in text and "NIP 197001012000031001" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(artifacts / "ttd-elektronik")],
                       check=True)
        assert (artifacts / "ttd-elektronik.png").stat().st_size > 0


def test_pdfsig_reads_the_signature_as_valid(app, monkeypatch, berkas, cert, artifacts):
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    configure(app, monkeypatch, berkas.unit, cert)
    path = artifacts / "izin-pdfsig.pdf"
    path.write_bytes(_issue(berkas).pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    assert f"Signer Certificate Common Name: {TEST_MARK}" in out


def test_a_byte_changed_after_signing_is_detected(app, monkeypatch, berkas, cert):
    configure(app, monkeypatch, berkas.unit, cert)
    pdf = _issue(berkas).pdf
    changed = pdf.replace(b"WeasyPrint", b"WeasyPrinT", 1)
    assert changed != pdf
    (check,) = check_pdf(changed, _roots(cert)).signatures
    assert not check.intact
    assert check_upload(changed).outcome == DIUBAH
    assert "telah diubah setelah ditandatangani" in " ".join(f.text for f in check_upload(changed).findings)


def test_an_incremental_update_adding_a_page_is_not_covered(app, monkeypatch, berkas, cert):
    configure(app, monkeypatch, berkas.unit, cert)
    document = _issue(berkas)
    writer = IncrementalPdfFileWriter(BytesIO(document.pdf))
    content = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 720 Td (Halaman sisipan) Tj ET"))
    writer.insert_page(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        generic.NameObject("/Resources"): generic.DictionaryObject(),
        generic.NameObject("/Contents"): content,
    }))
    out = BytesIO()
    writer.write(out)
    (check,) = check_pdf(out.getvalue(), _roots(cert)).signatures
    assert check.intact and not check.covers_whole
    result = check_upload(out.getvalue())
    assert result.outcome == DIUBAH
    assert result.document.id == document.id  # still named by the revision that was signed
    assert any("tidak mencakup seluruh dokumen" in f.text for f in result.findings)


def test_an_expired_certificate_is_reported(app, monkeypatch, berkas, expired_cert):
    configure(app, monkeypatch, berkas.unit, expired_cert)
    signed = sign_pdf(pdf_bytes("<p>Surat</p>"), signer_for(berkas.unit), Stamp(signatory="Dinas Uji"))
    (check,) = check_pdf(signed, _roots(expired_cert)).signatures
    assert check.intact and not check.trusted and check.expired
    assert "kedaluwarsa" in check.trust_problem


def test_an_untrusted_root_is_reported(app, monkeypatch, berkas, cert, tmp_path):
    configure(app, monkeypatch, berkas.unit, cert)
    signed = sign_pdf(pdf_bytes("<p>Surat</p>"), signer_for(berkas.unit), Stamp(signatory="Dinas Uji"))
    other = make_test_certificate("Dinas Lain", tmp_path, PASSWORD)
    (check,) = check_pdf(signed, _roots(other)).signatures  # another CA's root
    assert check.intact and not check.trusted
    assert "tidak berasal dari penerbit yang dipercaya" in check.trust_problem


def test_the_http_signing_service_signs_with_its_own_key(app, monkeypatch, berkas, cert, tmp_path):
    with FakeSigningService(cert) as service:
        chain = tmp_path / "rantai.pem"
        chain.write_bytes(service.chain_pem)
        key = unit_key(berkas.unit.slug)
        monkeypatch.setitem(app.config, f"SIGNING_SERVICE_URL_{key}", service.url)
        monkeypatch.setitem(app.config, f"SIGNING_SERVICE_TOKEN_{key}", "token-uji")
        monkeypatch.setitem(app.config, f"SIGNING_SERVICE_CERT_{key}", str(chain))
        monkeypatch.setitem(app.config, f"SIGNING_TRUST_{key}", str(cert.root_path))
        assert signing_state(berkas.unit).kind == "layanan"
        document = _issue(berkas)
    assert len(service.requests) == 1  # one digest, never the document
    assert set(service.requests[0]["body"]) == {"digest", "digest_algorithm", "key_algorithm"}
    (check,) = check_pdf(document.pdf, _roots(cert)).signatures
    assert check.intact and check.covers_whole and check.trusted


def test_a_failing_signing_service_issues_nothing(app, monkeypatch, berkas, cert, tmp_path):
    with FakeSigningService(cert) as service:
        chain = tmp_path / "rantai.pem"
        chain.write_bytes(service.chain_pem)
        key = unit_key(berkas.unit.slug)
        monkeypatch.setitem(app.config, f"SIGNING_SERVICE_URL_{key}", service.url)
        monkeypatch.setitem(app.config, f"SIGNING_SERVICE_TOKEN_{key}", "token-salah")
        monkeypatch.setitem(app.config, f"SIGNING_SERVICE_CERT_{key}", str(chain))
        from webapp.berkas.documents import DocumentError
        from webapp.berkas.models import IssuedDocument

        with pytest.raises(DocumentError, match="tidak dapat ditandatangani"):
            _issue(berkas)
    assert db.session.query(IssuedDocument).count() == 0


def test_a_unit_without_a_certificate_issues_as_before_and_the_page_says_so(berkas, login, client):
    document = _issue(berkas)
    assert not check_pdf(document.pdf, []).signed
    assert check_upload(document.pdf).outcome == TANPA_TTD
    login(role="admin")
    page = client.get(url_for("berkas.new_document", berkas_id=berkas.id)).get_data(as_text=True)
    assert "belum memiliki sertifikat tanda tangan elektronik" in page


def test_the_staff_page_names_a_test_certificate(app, monkeypatch, berkas, cert, login, client):
    configure(app, monkeypatch, berkas.unit, cert)
    login(role="admin")
    page = client.get(url_for("berkas.new_document", berkas_id=berkas.id)).get_data(as_text=True)
    assert "ditandatangani secara elektronik (PAdES)" in page and "UJI COBA, bukan sertifikat resmi" in page


def test_a_wrong_password_is_named_on_the_staff_page(app, monkeypatch, berkas, cert):
    configure(app, monkeypatch, berkas.unit, cert)
    monkeypatch.setitem(app.config, f"SIGNING_P12_PASSWORD_{unit_key(berkas.unit.slug)}", "salah")
    state = signing_state(berkas.unit)
    assert not state.configured and "tidak dapat dibuka" in state.problem


def test_a_revoked_signed_document_says_dicabut_with_the_date(app, monkeypatch, berkas, cert):
    configure(app, monkeypatch, berkas.unit, cert)
    document = _issue(berkas)
    revoke(document, "Usaha ditutup", None)
    result = check_upload(document.pdf)
    assert result.outcome == DICABUT
    assert any("dicabut pada" in f.text and "Usaha ditutup" in f.text for f in result.findings)
    assert result.as_json()["document"]["status"] == "dicabut"


def test_cli_makes_a_test_certificate_signs_and_checks(app, runner, make_unit, tmp_path, monkeypatch):
    unit = make_unit(slug="dinas-cli")
    made = runner.invoke(args=["dokumen", "sertifikat-uji", "--unit", "dinas-cli", "--folder", str(tmp_path)])
    assert made.exit_code == 0, made.output
    assert "UJI COBA - BUKAN SERTIFIKAT RESMI" in made.output
    settings = dict(line.strip().split("=", 1) for line in made.output.splitlines() if line.startswith("  SIGNING_"))
    assert set(settings) == {"SIGNING_P12_DINAS_CLI", "SIGNING_P12_PASSWORD_DINAS_CLI", "SIGNING_TRUST_DINAS_CLI"}
    source, target = tmp_path / "surat.pdf", tmp_path / "surat-ttd.pdf"
    source.write_bytes(pdf_bytes("<p>Surat dari aplikasi lain</p>"))
    unsigned = runner.invoke(args=["dokumen", "tandatangani", str(source), "--unit", "dinas-cli", "--out", str(target)])
    assert unsigned.exit_code != 0 and "belum memiliki sertifikat" in unsigned.output
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    signed = runner.invoke(args=["dokumen", "tandatangani", str(source), "--unit", "dinas-cli", "--out", str(target)])
    assert signed.exit_code == 0, signed.output
    checked = runner.invoke(args=["dokumen", "periksa", str(target)])
    assert "Dokumen utuh" in checked.output and "UJI COBA" in checked.output
    assert "penerbit yang dipercaya" in checked.output
    assert unit.name in checked.output
    garbage = tmp_path / "sampah.pdf"
    garbage.write_bytes(b"bukan pdf sama sekali")
    bad = runner.invoke(args=["dokumen", "periksa", str(garbage)])
    assert bad.exit_code == 1 and "bukan PDF" in bad.output


def test_the_berita_acara_and_the_approved_report_are_signed(app, monkeypatch, make_unit, make_complaint, make_user,
                                                              login, client, cert):
    from webapp.core.localtime import local_today
    from webapp.pengaduan.reporting import approve, open_report, submit
    from webapp.pengaduan.service import classify, resolve, verify

    unit = make_unit(slug="dinas-aduan", city="Bangkinang")
    configure(app, monkeypatch, unit, cert)
    complaint = make_complaint(unit)
    verify(complaint, None)
    classify(complaint, "ringan", None)
    resolve(complaint, "Antrean diurai dengan loket tambahan.", None)
    team, secretary = make_user(role="tim_pengaduan", unit=unit), make_user(role="sekretaris", unit=unit)
    today = local_today(unit)
    report = open_report(today.year, today.month, unit, team)
    submit(report, team)
    login(role="admin")
    draft = client.get(url_for("pengaduan.report_pdf", year=today.year, month=today.month, instansi=unit.slug))
    assert draft.status_code == 200 and not check_pdf(draft.data, []).signed  # a draft is never signed
    approve(report, secretary, "Baik.")
    db.session.commit()
    for response in (client.get(url_for("pengaduan.minutes_pdf", complaint_id=complaint.id)),
                     client.get(url_for("pengaduan.report_pdf", year=today.year, month=today.month,
                                        instansi=unit.slug))):
        assert response.status_code == 200
        (check,) = check_pdf(response.data, _roots(cert)).signatures
        assert check.intact and check.covers_whole and check.trusted and check.location == "Bangkinang"


def test_with_a_timestamp_server_the_signature_is_pades_b_t(app, monkeypatch, berkas, cert):
    from tests.signing_support import FakeTimestampServer

    configure(app, monkeypatch, berkas.unit, cert)
    with FakeTimestampServer() as tsa:
        monkeypatch.setitem(app.config, "TSA_URL", tsa.url)
        document = _issue(berkas)
    assert tsa.requests >= 1  # pyHanko also asks once to size the signature
    (signature,) = PdfFileReader(BytesIO(document.pdf)).embedded_signatures
    context = ValidationContext(trust_roots=[*_roots(cert), tsa.cert], allow_fetching=False)
    status = off_loop(lambda: validate_pdf_signature(signature, context, ts_validation_context=context))
    assert status.intact and status.trusted and status.timestamp_validity is not None
    assert status.timestamp_validity.trusted
    (check,) = check_pdf(document.pdf, _roots(cert)).signatures
    assert check.timestamped and check.signed_at == status.timestamp_validity.timestamp
