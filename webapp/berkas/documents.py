"""Issued documents: the verification code, its signature, the record's seal, and the PDF.

The code printed in a document's QR is 32 base32 characters: an 80-bit random serial and
80 bits of HMAC-SHA256 over the serial and the document number. A code typed or forged
without the key fails; a code whose characters were altered fails. The record's *seal*,
another HMAC-SHA256 over the code, number, holder, dates and the PDF's SHA-256, is checked
too, so a row edited in the database (another number, another hash) no longer verifies.

The code cannot sign the PDF's own hash: a generated PDF prints the code in its QR, so its
hash exists only after the code does. The seal binds the hash instead, and the public page
shows it so anyone can compare a copy (or upload it to be compared).

The key is VERIFICATION_KEY, or one derived from SECRET_KEY when that is unset.

When the unit has a signer (webapp.core.signing), the PDF, generated or uploaded, is signed
(PAdES) before its hash is taken: the stored bytes, the sealed hash and the copy the holder
receives are the signed file. A unit without one issues unsigned documents, as before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.audit.models import SYSTEM, Actor, record
from webapp.berkas.models import REVOKED, VALID, Berkas, IssuedDocument
from webapp.core.db import transactional, utcnow
from webapp.core.extensions import db
from webapp.core.formatting import public_url, tanggal
from webapp.core.localtime import local_today
from webapp.core.office import format_nip, signatory_for
from webapp.core.pdf import pdf_bytes
from webapp.core.qr import qr_svg
from webapp.core.signing import SigningError, Stamp, sign_for_unit
from webapp.core.units import Unit

_CODE = re.compile(r"^[a-z2-7]{32}$")
SERIAL_CHARS = 16

# Verification outcomes.
SAH = "sah"
DICABUT = "dicabut"
TIDAK_DIKENAL = "tidak_dikenal"
TIDAK_SAH = "tidak_sah"


def _key() -> bytes:
    configured = current_app.config.get("VERIFICATION_KEY")
    if configured:
        return configured.encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"loket:verifikasi-dokumen:v1", hashlib.sha256).digest()


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=").lower()


def _mac(serial: str, number: str) -> str:
    digest = hmac.new(_key(), f"kode-v1|{serial}|{number}".encode(), hashlib.sha256).digest()
    return _b32(digest[:10])


def new_code(number: str) -> str:
    """A fresh verification code for the document ``number``."""
    serial = _b32(secrets.token_bytes(10))
    return serial + _mac(serial, number)


def seal_of(document: IssuedDocument) -> str:
    """The HMAC-SHA256 (hex) binding the document's record to its code."""
    fields = [
        "segel-v1", document.code, document.number, document.holder_name, document.issued_on.isoformat(),
        document.valid_until.isoformat() if document.valid_until else "", document.pdf_sha256,
    ]  # fmt: skip
    return hmac.new(_key(), "|".join(fields).encode(), hashlib.sha256).hexdigest()


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex."""
    return hashlib.sha256(data).hexdigest()


def mask_name(name: str) -> str:
    """``Budi Santoso`` -> ``B*** S******``: enough to recognise, not enough to learn a name."""
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in name.split())


@dataclass
class Verification:
    """The outcome of checking a code, with the document when it is known and intact."""

    outcome: str
    document: IssuedDocument | None = None


def verify(code: str) -> Verification:
    """Check a verification code: valid, revoked, unknown, or refused (forged, altered, tampered)."""
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        return Verification(TIDAK_DIKENAL)
    serial, mac = code[:SERIAL_CHARS], code[SERIAL_CHARS:]
    document = db.session.scalar(select(IssuedDocument).where(IssuedDocument.code.startswith(serial, autoescape=True)))
    if document is None:
        return Verification(TIDAK_DIKENAL)
    intact = (
        hmac.compare_digest(document.code, code)
        and hmac.compare_digest(mac, _mac(serial, document.number))
        and hmac.compare_digest(document.seal, seal_of(document))
    )
    if not intact:
        return Verification(TIDAK_SAH)
    return Verification(DICABUT if document.status == REVOKED else SAH, document)


def verification_url(document: IssuedDocument) -> str:
    """The public page the document's QR opens."""
    return public_url("berkas.verify_page", code=document.code)


def render_pdf(document: IssuedDocument, signer: dict | None = None) -> bytes:
    """The document as an A4 PDF (WeasyPrint) carrying its QR code and verification link."""
    url = verification_url(document)
    qr = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode()
    html = render_template("berkas/document_pdf.html", document=document, qr=qr, url=url, signer=signer or {},
                           unit=document.unit, paper_date=document.issued_on)
    return pdf_bytes(html)


def issue(document: IssuedDocument, pdf: bytes | None, created_by: str, signer: dict | None = None) -> IssuedDocument:
    """Give ``document`` its code, its PDF (the uploaded one, or one generated now) and its seal.

    A building block of ``record_issued``'s unit of work: it adds to the session and never commits.
    """
    document.code = new_code(document.number)
    document.status = VALID
    document.created_by = created_by
    document.created_at = utcnow()
    if pdf is None:
        document.generated = True
        pdf = render_pdf(document, signer)
    pdf = _signed(pdf, document, signer or {})
    document.pdf = pdf
    document.pdf_sha256 = sha256_hex(pdf)
    document.seal = seal_of(document)
    db.session.add(document)
    return document


def _signed(pdf: bytes, document: IssuedDocument, signer: dict) -> bytes:
    """``pdf`` signed by the document's unit when it has a signer; unchanged when it has none."""
    unit = document.unit or db.session.get(Unit, document.unit_id)  # a new row may carry only the id
    if unit is None:
        return pdf
    try:
        url = verification_url(document)
    except RuntimeError:  # outside a request and without PUBLIC_BASE_URL (a CLI run): the box has no QR
        url = ""
    stamp = Stamp(
        signatory=signer.get("name") or unit.name, nip=signer.get("nip") or "",
        title=signer.get("title") or "" if signer.get("name") else "", date_text=tanggal(document.issued_on),
        url=url, reason=f"Penerbitan {document.title} nomor {document.number}",
        location=unit.city or "",
    )  # fmt: skip
    try:
        return sign_for_unit(pdf, unit, stamp)[0]
    except SigningError as exc:  # a configured signer that fails: nothing is issued unsigned by accident
        raise DocumentError(f"Dokumen tidak dapat ditandatangani secara elektronik: {exc}", "pdf") from exc


class DocumentError(ValueError):
    """A document that cannot be recorded; ``field`` names the form field the message is about."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def signer_of(berkas: Berkas, on_date: date | None = None) -> dict:
    """Who signs a generated document: the unit's Kepala Dinas of that date, else the service's decree.

    The office's signatories (webapp.core.office) are the truth: a document keeps the one of its
    own date. The decree printed in the standard is the fallback for an office that has not yet
    filled them in.
    """
    on_date = on_date or local_today(berkas.unit)
    person = signatory_for(berkas.unit, "kepala_dinas", on_date)
    if person is not None:
        return {"title": f"Kepala {berkas.unit.name}", "name": person.name, "rank": person.rank or "",
                "nip": person.nip or "", "nip_display": person.nip_display}
    decree = berkas.service.decree or {}
    nip = "".join((decree.get("signer_nip") or "").split())
    return {"title": decree.get("signer_title") or f"Kepala {berkas.unit.name}", "name": decree.get("signer_name"),
            "rank": decree.get("signer_rank") or "", "nip": nip,
            "nip_display": format_nip(nip) if len(nip) == 18 else nip}


@transactional
def record_issued(berkas: Berkas, *, number: str, title: str, holder_name: str, issued_on: date,
                  valid_until: date | None, pdf: bytes | None, actor: Actor | None) -> IssuedDocument:
    """Record the product issued for ``berkas``, with its code, its PDF (``None``: generated now) and an
    audit line: one unit of work. A document number is recorded once (the column is unique, so two
    officers recording one number at once cannot both succeed); an upload must be a PDF. Raises
    DocumentError, with nothing written.

    Not serial: generating the PDF takes a moment, and on SQLite the write lock is taken only
    at the insert, not while WeasyPrint renders.
    """
    if pdf is not None and not pdf.startswith(b"%PDF-"):
        raise DocumentError("Berkas bukan PDF.", "pdf")
    number = number.strip()
    if db.session.scalar(select(IssuedDocument.id).where(IssuedDocument.number == number)):
        raise DocumentError("Nomor dokumen ini sudah tercatat.", "number")
    document = IssuedDocument(
        berkas_id=berkas.id, unit_id=berkas.unit_id, service_id=berkas.service_id, number=number,
        title=title.strip(), holder_name=holder_name.strip(), issued_on=issued_on, valid_until=valid_until,
    )  # fmt: skip
    document.unit = berkas.unit
    issue(document, pdf, actor.username if actor is not None else SYSTEM, signer_of(berkas, issued_on))
    try:
        db.session.flush()
    except IntegrityError:  # another officer recorded this number since the check above
        raise DocumentError("Nomor dokumen ini sudah tercatat.", "number") from None
    record("create", "dokumen", document.id, f"Mencatat dokumen {document.number} (berkas {berkas.number})", [],
           berkas.unit_id, actor=actor)  # fmt: skip
    return document


@transactional(serial=True)
def revoke(document: IssuedDocument, reason: str, actor: Actor | None) -> None:
    """Revoke a document: its page says so from now on, with the date and the reason. One unit of work, with its
    audit line.

    Raises DocumentError (field ``reason``), with nothing changed, when it is revoked already or
    no reason is given. Serial: it reads the document's state before it changes it.
    """
    db.session.refresh(document, with_for_update=True)  # PostgreSQL: two revocations at once, one wins
    if document.status == REVOKED:
        raise DocumentError("Dokumen ini sudah dicabut.", "reason")
    if not reason.strip():
        raise DocumentError("Tulis alasan pencabutan.", "reason")
    document.status = REVOKED
    document.revoked_at = utcnow()
    document.revoked_reason = reason.strip()
    document.revoked_by = actor.username if actor is not None else SYSTEM
    record("update", "dokumen", document.id, f"Mencabut dokumen {document.number}: {reason.strip()}", [],
           document.unit_id, actor=actor)  # fmt: skip

