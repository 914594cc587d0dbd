"""Checking an uploaded PDF: its electronic signature and whether it is a document Loket issued.

The public page (/verifikasi), the API (POST /api/v1/verifikasi) and ``flask dokumen periksa``
all answer from ``check_upload``, so the three say the same thing in the same words.

A signed document is matched by the SHA-256 of the file *as it was signed* (the bytes its
signature's range ends at), which is the hash Loket recorded when it issued it: a copy with
something appended after signing still names its document, and is reported as changed. An
unsigned document matches only byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from webapp.berkas.documents import mask_name, sha256_hex
from webapp.berkas.models import REVOKED, IssuedDocument
from webapp.core.extensions import db
from webapp.core.formatting import tanggal
from webapp.core.localtime import local_time
from webapp.core.signing import (
    PDF_MAGIC,
    PdfCheck,
    SignatureCheck,
    all_trust_roots,
    check_pdf,
    signed_revisions,
    trust_roots_for,
)
from webapp.core.units import Unit

# Outcomes, from best to worst.
SAH = "sah"  # signed, intact, whole, trusted, and (when it is Loket's) not revoked
PERHATIAN = "perhatian"  # signed but something needs a look: untrusted, expired, a test certificate
DIUBAH = "diubah"  # changed after signing
DICABUT = "dicabut"
TANPA_TTD = "tanpa_ttd"  # no signature
BUKAN_PDF = "bukan_pdf"

HEADLINES = {
    SAH: "Tanda tangan elektronik sah",
    PERHATIAN: "Tanda tangan ada, tetapi perlu diperhatikan",
    DIUBAH: "Dokumen telah diubah setelah ditandatangani",
    DICABUT: "Dokumen sudah dicabut",
    TANPA_TTD: "Berkas ini tidak memiliki tanda tangan elektronik",
    BUKAN_PDF: "Berkas tidak dapat diperiksa",
}


@dataclass
class Finding:
    """One line of the answer: what was checked, whether it passed, and what that means."""

    topic: str
    ok: bool
    text: str


@dataclass
class UploadCheck:
    """The answer about an uploaded PDF."""

    outcome: str
    pdf: PdfCheck
    document: IssuedDocument | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """The outcome in a few words."""
        return HEADLINES[self.outcome]

    def as_json(self) -> dict[str, Any]:
        """The answer as the API publishes it (openapi.json: PdfVerification)."""
        document = None
        if self.document is not None:
            d = self.document
            document = {
                "number": d.number, "title": d.title, "holder": mask_name(d.holder_name), "unit": d.unit.name,
                "issued_on": d.issued_on.isoformat(), "status": "dicabut" if d.status == REVOKED else "berlaku",
                "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
            }  # fmt: skip
        return {
            "result": self.outcome, "headline": self.headline, "signed": self.pdf.signed,
            "signatures": [_signature_json(s) for s in self.pdf.signatures], "document": document,
            "findings": [{"topic": f.topic, "ok": f.ok, "text": f.text} for f in self.findings],
        }  # fmt: skip


def _signature_json(check: SignatureCheck) -> dict[str, Any]:
    return {
        "intact": check.intact, "covers_whole_document": check.covers_whole, "signer": check.signer_name,
        "organization": check.signer_org, "signed_at": check.signed_at.isoformat() if check.signed_at else None,
        "timestamped": check.timestamped, "trusted": check.trusted, "trust_problem": check.trust_problem or None,
        "expired": check.expired, "test_certificate": check.is_test, "reason": check.reason or None,
        "location": check.location or None,
    }  # fmt: skip


def _document_by_hash(hashes: list[str]) -> IssuedDocument | None:
    hashes = [h for h in hashes if h]
    if not hashes:
        return None
    return db.session.scalar(select(IssuedDocument).where(IssuedDocument.pdf_sha256.in_(hashes)).limit(1))


def _when(check: SignatureCheck) -> str:
    if check.signed_at is None:
        return "waktu tidak tercatat"
    moment = local_time(check.signed_at)
    source = "menurut cap waktu" if check.timestamped else "menurut komputer penanda tangan"
    return f"{tanggal(moment.date())} pukul {moment:%H.%M} ({source})"


def check_upload(data: bytes) -> UploadCheck:
    """Check ``data`` (an uploaded file): its signature, and the Loket document it is, if any."""
    if not data.startswith(PDF_MAGIC):
        return UploadCheck(BUKAN_PDF, PdfCheck(readable=False, problem="Berkas ini bukan PDF."),
                           findings=[Finding("Berkas", False, "Berkas ini bukan PDF.")])
    whole = sha256_hex(data)
    # A cheap first look (no validation) learns which revisions were signed, so which document this is and
    # which trust list applies; then each signature is validated once, against that list.
    first = signed_revisions(data)
    if not first.readable:
        return UploadCheck(BUKAN_PDF, first, findings=[Finding("Berkas", False, first.problem)])
    document = _document_by_hash([whole] + [s.signed_revision_sha256 for s in first.signatures])
    if first.signed:
        units = [document.unit] if document is not None else list(db.session.scalars(select(Unit)))
        roots = trust_roots_for(document.unit) if document is not None else all_trust_roots(units)
        result = check_pdf(data, roots)
    else:
        result = first
    findings: list[Finding] = []
    outcome = SAH
    if not result.signed:
        findings.append(Finding("Tanda tangan elektronik", False, "Berkas ini tidak memuat tanda tangan elektronik."))
        outcome = TANPA_TTD
    for check in result.signatures:
        findings.append(Finding("Tanda tangan elektronik", True, "Berkas ini memuat tanda tangan elektronik."))
        if not check.intact:
            findings.append(Finding("Keutuhan", False, "Isi dokumen telah diubah setelah ditandatangani: "
                                    "tanda tangan tidak cocok lagi dengan isinya."))
            outcome = DIUBAH
        elif not check.covers_whole:
            findings.append(Finding("Keutuhan", False, "Bagian yang ditandatangani utuh, tetapi ada tambahan "
                                    "setelah penandatanganan (misalnya halaman baru): tanda tangan tidak "
                                    "mencakup seluruh dokumen."))
            outcome = DIUBAH
        else:
            findings.append(Finding("Keutuhan", True, "Dokumen utuh: tidak ada perubahan sejak ditandatangani, "
                                    "dan tanda tangan mencakup seluruh dokumen."))
        who = check.signer_name + (f" ({check.signer_org})" if check.signer_org else "")
        findings.append(Finding("Penanda tangan", True, f"{who}, {_when(check)}."))
        if check.is_test:
            findings.append(Finding("Sertifikat", False, "Sertifikat UJI COBA, bukan sertifikat resmi: dokumen ini "
                                    "hanya contoh dan tidak berlaku."))
        if check.intact and check.trusted:
            findings.append(Finding("Sertifikat", True, "Sertifikat berasal dari penerbit yang dipercaya instansi."))
        elif check.intact:
            findings.append(Finding("Sertifikat", False, check.trust_problem))
        if outcome == SAH and (not check.trusted or check.is_test or check.expired):
            outcome = PERHATIAN
    if document is not None:
        if document.status == REVOKED:
            when = tanggal(local_time(document.revoked_at).date()) if document.revoked_at else ""
            findings.append(Finding("Dokumen Loket", False, f"Dokumen {document.number} ({document.title}) dicabut "
                                    f"pada {when}: {document.revoked_reason}".rstrip(": ")))
            if outcome in (SAH, PERHATIAN, TANPA_TTD):
                outcome = DICABUT
        else:
            findings.append(Finding("Dokumen Loket", True, f"Cocok dengan dokumen {document.number} ({document.title}) "
                                    f"yang diterbitkan {document.unit.name} pada {tanggal(document.issued_on)}; "
                                    "dokumen masih berlaku."))
    else:
        findings.append(Finding("Dokumen Loket", False, "Tidak cocok dengan dokumen terbit mana pun yang tercatat "
                                "di Loket."))
        if result.signed:
            # Berita Acara and approved reports are signed when downloaded but not recorded as issued documents.
            findings.append(Finding("Berita Acara dan laporan", True, "Berita Acara dan laporan pengaduan yang "
                                    "ditandatangani Loket tidak tercatat sebagai dokumen terbit: keasliannya "
                                    "diperiksa dari tanda tangan elektroniknya saja (lihat hasil di atas)."))
    return UploadCheck(outcome, result, document, findings)
