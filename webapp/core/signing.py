"""Electronic signatures (PAdES) of the PDFs an office issues, and their verification.

A unit signs with one of two signers, configured outside the database (a key never enters it):

- a PKCS#12 file: ``SIGNING_P12_<UNIT>`` is its path, ``SIGNING_P12_PASSWORD_<UNIT>`` its password;
- an HTTP signing service (a BSrE-style remote signer): ``SIGNING_SERVICE_URL_<UNIT>``, an optional
  bearer token ``SIGNING_SERVICE_TOKEN_<UNIT>``, and the signer's certificate chain as PEM in
  ``SIGNING_SERVICE_CERT_<UNIT>``. Loket builds the CMS itself; the service receives only the
  SHA-256 digest of the signed attributes and answers the raw signature (see ``HttpSigner``).

``<UNIT>`` is the unit's slug upper-cased with ``-`` as ``_`` (``dpmptsp-kampar`` ->
``DPMPTSP_KAMPAR``). Each setting is read from the app config first, then the environment.
``SIGNING_TRUST_<UNIT>`` names a PEM file of the roots a unit trusts; verification trusts the
union of every unit's list. ``TSA_URL`` adds an RFC 3161 timestamp (PAdES B-T instead of B-B).

A unit with no signer issues unsigned documents, as before; ``signing_state`` says so.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import json
import os
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import x509
from flask import current_app
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.general import load_cert_from_pemder, load_certs_from_pemder
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko.stamp import QRStampStyle, TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from webapp.core.units import Unit

# Words a test certificate carries in its subject, so that it never passes for a real one.
TEST_MARK = "UJI COBA - BUKAN SERTIFIKAT RESMI"
# "Ditandatangani secara elektronik", on two lines: the box's font is Courier (pyHanko's built-in one; an
# embedded font needs uharfbuzz), so the longest line must be a name or a date for the text to stay readable.
_STAMP_HEADING = ("Ditandatangani secara", "elektronik oleh:")
PDF_MAGIC = b"%PDF-"
# What the box says above the signatory when the certificate is a test one, on two lines for the Courier width.
TEST_STAMP_LINES = ("SERTIFIKAT UJI COBA -", "BUKAN TANDA TANGAN RESMI")
# The box on the last page, in PDF points, placed from that page's CropBox (else MediaBox): its right edge 57 pt
# (20 mm) in from the right, its bottom 155 pt up (above the footer where documents print their verification QR).
# On A4 (595 x 842) that is (300, 155, 538, 255), under the signature column of a 20 mm margin document.
STAMP_SIZE = (238, 100)
STAMP_MARGIN_RIGHT = 57
STAMP_RAISE = 155
# More signatures than this in an uploaded PDF are refused unchecked: each one costs a full validation.
MAX_SIGNATURES = 5
TOO_MANY_SIGNATURES = (f"Berkas ini memuat lebih dari {MAX_SIGNATURES} tanda tangan elektronik. Loket hanya "
                       f"memeriksa berkas dengan paling banyak {MAX_SIGNATURES} tanda tangan.")
_SERVICE_TIMEOUT = 20
T = TypeVar("T")


def _outside_event_loop(work: Callable[[], T]) -> T:
    """Run ``work`` (pyHanko's sync API, which calls ``asyncio.run``) where no event loop is running.

    A thread that already runs a loop (Playwright's sync API in the browser tests, an async server)
    cannot start another: the work goes to a short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


class SigningError(RuntimeError):
    """A signer that is configured but cannot sign (a missing file, a wrong password, a failed service)."""


def unit_key(slug: str) -> str:
    """The environment suffix of a unit: ``dpmptsp-kampar`` -> ``DPMPTSP_KAMPAR``."""
    return slug.upper().replace("-", "_")


def _setting(name: str, slug: str) -> str:
    key = f"{name}_{unit_key(slug)}"
    value = current_app.config.get(key)
    if value is None:
        value = os.environ.get(key, "")
    return str(value).strip()


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require_https(url: str) -> None:
    """Refuse a service URL that would carry the bearer token (and the digests) in clear over a network.

    Plain http:// is allowed only to this machine (a local signing proxy, the tests' fake service).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return
    raise SigningError(f"Alamat layanan tanda tangan harus memakai https:// (http:// hanya untuk komputer ini "
                       f"sendiri, 127.0.0.1 atau localhost): {parts.scheme}://{parts.hostname or ''}")


class HttpSigner(signers.Signer):
    """A signer whose key lives in a signing service reached over HTTP(S).

    pyHanko builds the CMS and its signed attributes; this signer sends the service
    ``{"digest": <base64 SHA-256 of the signed attributes>, "digest_algorithm": "sha256",
    "key_algorithm": "rsa"}`` with ``Authorization: Bearer <token>`` when a token is set, and expects
    ``{"signature": <base64 raw signature (RSA PKCS#1 v1.5)>}``. The service never sees the document.
    """

    def __init__(self, url: str, chain: list[x509.Certificate], token: str = "") -> None:
        """``chain`` starts with the signer's certificate, then its issuers."""
        if not chain:
            raise SigningError("Sertifikat penanda tangan layanan belum diatur.")
        _require_https(url)
        self.url = url
        self.token = token
        super().__init__(signing_cert=chain[0], cert_registry=SimpleCertificateStore.from_certs(chain))

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        """Ask the service to sign the digest of ``data`` (on a dry run, a placeholder of the right size)."""
        key_bytes = (self.signing_cert.public_key.bit_size + 7) // 8
        if dry_run:
            return bytes(key_bytes)
        digest = hashlib.new(digest_algorithm, data).digest()
        body = json.dumps({"digest": base64.b64encode(digest).decode(), "digest_algorithm": digest_algorithm,
                           "key_algorithm": self.signing_cert.public_key.algorithm}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",  # noqa: S310 (configured URL)
                                         headers={"Content-Type": "application/json"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=_SERVICE_TIMEOUT) as response:  # noqa: S310 (configured URL)
                answer = json.loads(response.read(1024 * 1024))
            return base64.b64decode(answer["signature"], validate=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SigningError(f"Layanan tanda tangan tidak menjawab dengan benar: {exc}") from exc


def signer_for(unit: Unit) -> signers.Signer | None:
    """The unit's signer (its signing service, else its PKCS#12 file), or None when it has neither.

    Raises SigningError when one is configured but cannot be loaded.
    """
    service = _setting("SIGNING_SERVICE_URL", unit.slug)
    if service:
        cert_path = _setting("SIGNING_SERVICE_CERT", unit.slug)
        try:
            chain = list(load_certs_from_pemder([cert_path])) if cert_path else []
        except (OSError, ValueError) as exc:
            raise SigningError(f"Sertifikat layanan tanda tangan tidak terbaca: {cert_path}") from exc
        return HttpSigner(service, chain, _setting("SIGNING_SERVICE_TOKEN", unit.slug))
    path = _setting("SIGNING_P12", unit.slug)
    if not path:
        return None
    if not Path(path).is_file():
        raise SigningError(f"Berkas sertifikat {path} tidak ditemukan.")
    password = _setting("SIGNING_P12_PASSWORD", unit.slug)
    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=password.encode() if password else None)
    if signer is None:  # pyHanko logs the reason and answers None on a wrong password or a broken file
        raise SigningError(f"Berkas sertifikat {path} tidak dapat dibuka (kata sandi salah atau berkas rusak).")
    return signer


@dataclass
class SigningState:
    """What the staff page says about a unit's signature."""

    configured: bool
    kind: str = ""  # "berkas" (PKCS#12) or "layanan" (HTTP service)
    subject: str = ""
    valid_until: datetime | None = None
    is_test: bool = False
    problem: str = ""


def is_test_certificate(cert: x509.Certificate | None) -> bool:
    """Whether ``cert`` is a test one (``TEST_MARK`` anywhere in its subject)."""
    return cert is not None and TEST_MARK in str(cert.subject.native)


def signing_state(unit: Unit) -> SigningState:
    """Whether ``unit`` signs its documents, with what, and what is wrong when it cannot."""
    try:
        signer = signer_for(unit)
    except SigningError as exc:
        return SigningState(configured=False, problem=str(exc))
    if signer is None:
        return SigningState(configured=False)
    cert = signer.signing_cert
    subject = cert.subject.native.get("common_name", "") if cert is not None else ""
    return SigningState(
        configured=True, kind="layanan" if isinstance(signer, HttpSigner) else "berkas", subject=subject,
        valid_until=cert.not_valid_after if cert is not None else None, is_test=is_test_certificate(cert),
    )  # fmt: skip


def trust_roots_for(unit: Unit) -> list[x509.Certificate]:
    """The roots in the unit's trust list (``SIGNING_TRUST_<UNIT>``, a PEM file); none when unset or unreadable."""
    path = _setting("SIGNING_TRUST", unit.slug)
    if not path:
        return []
    try:
        return list(load_certs_from_pemder([path]))
    except (OSError, ValueError):
        current_app.logger.warning("Daftar sertifikat akar %s tidak terbaca", path)
        return []


def all_trust_roots(units: list[Unit]) -> list[x509.Certificate]:
    """The union of the trust lists of ``units``."""
    roots: dict[bytes, x509.Certificate] = {}
    for unit in units:
        for cert in trust_roots_for(unit):
            roots[cert.sha256] = cert
    return list(roots.values())


@dataclass
class Stamp:
    """What the visible signature box says, and the signature's reason and location."""

    signatory: str  # the signatory's name, else the unit's name
    nip: str = ""
    title: str = ""
    date_text: str = ""
    url: str = ""  # the verification page the QR opens
    reason: str = "Dokumen resmi diterbitkan melalui Loket"
    location: str = ""


def _page_box(page: generic.DictionaryObject) -> tuple[float, float, float, float]:
    """The visible area of ``page``: its CropBox, else its MediaBox, looked up the page tree as PDF inherits them."""
    for name in ("/CropBox", "/MediaBox"):
        node: Any = page
        while node is not None:
            if name in node:
                x1, y1, x2, y2 = (float(v) for v in node[name])
                return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
            parent = node.get("/Parent")
            node = parent.get_object() if parent is not None else None
    return 0.0, 0.0, 595.0, 842.0  # no box at all (a broken file): A4, the PDF default of our renderer


def stamp_box(page: generic.DictionaryObject) -> tuple[int, int, int, int]:
    """Where the signature box goes on ``page``: the bottom-right area within the margins, whatever its size."""
    left, bottom, right, top = _page_box(page)
    width, height = STAMP_SIZE
    x2 = right - STAMP_MARGIN_RIGHT
    x1 = max(left + 10, x2 - width)  # a page narrower than the box: it shrinks rather than leaves the page
    y1 = bottom + min(STAMP_RAISE, max(10.0, top - bottom - height - 10))
    return round(x1), round(y1), round(x2), round(min(top - 10, y1 + height))


def sign_pdf(pdf: bytes, signer: signers.Signer, stamp: Stamp, tsa_url: str | None = None) -> bytes:
    """``pdf`` signed (PAdES B-B, or B-T with ``tsa_url``) with a visible box on its last page.

    A test certificate says so in the box. Raises SigningError when the file cannot be read as a PDF
    or when the signer or the timestamp server fails.
    """
    lines = [*TEST_STAMP_LINES] if is_test_certificate(signer.signing_cert) else []
    lines += [*_STAMP_HEADING, stamp.signatory]
    if stamp.title:
        lines.append(stamp.title)
    if stamp.nip:
        lines.append(f"NIP {stamp.nip}")
    if stamp.date_text:
        lines.append(f"Tanggal {stamp.date_text}")
    meta = signers.PdfSignatureMetadata(
        field_name="TandaTanganElektronik", reason=stamp.reason, location=stamp.location or None,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256", name=stamp.signatory,
    )  # fmt: skip
    # "%" in a name must not be read as a format field by the stamp's template.
    text = "\n".join(line.replace("%", "%%") for line in lines)
    if stamp.url:
        style: Any = QRStampStyle(stamp_text=text, border_width=1)
        params = {"url": stamp.url}
    else:
        style, params = TextStampStyle(stamp_text=text, border_width=1), {}
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        page_ref, _ = writer.find_page_for_modification(-1)
        spec = fields.SigFieldSpec("TandaTanganElektronik", on_page=-1, box=stamp_box(page_ref.get_object()))
    except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # A broken upload: pyHanko's reader raises its own errors and, on odd structures, Python's.
        raise SigningError("Berkas PDF rusak atau tidak dapat dibaca, sehingga tidak dapat ditandatangani.") from exc
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec,
                                   timestamper=timestamper)
    try:
        out = _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, appearance_text_params=params))
    except SigningError:
        raise
    except (PyHankoSigningError, OSError) as exc:
        raise SigningError(f"Penandatanganan gagal: {exc}") from exc
    except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise SigningError("Berkas PDF rusak atau tidak dapat dibaca, sehingga tidak dapat ditandatangani.") from exc
    return out.getvalue()


def sign_for_unit(pdf: bytes, unit: Unit, stamp: Stamp) -> tuple[bytes, bool]:
    """``pdf`` signed by the unit's signer, and whether it was: a unit without one returns it unchanged."""
    signer = signer_for(unit)
    if signer is None:
        return pdf, False
    return sign_pdf(pdf, signer, stamp, current_app.config.get("TSA_URL") or None), True


def sign_print(pdf: bytes, unit: Unit | None, stamp: Stamp) -> bytes:
    """A printed paper (a Berita Acara, an approved report) signed when its unit can sign.

    Unlike an issued permit, these are drawn again at each download: a signer that fails is logged
    and the paper comes unsigned rather than not at all (the staff page names the problem).
    """
    if unit is None:
        return pdf
    try:
        return sign_for_unit(pdf, unit, stamp)[0]
    except SigningError as exc:
        current_app.logger.warning("Tanda tangan elektronik unit %s gagal: %s", unit.slug, exc)
        return pdf


# --- verification -------------------------------------------------------------------------------


@dataclass
class SignatureCheck:
    """What one signature of a PDF says, in the terms the verification page uses."""

    intact: bool = False  # the signed bytes are unchanged
    covers_whole: bool = False  # nothing was added after signing
    modified_after: bool = False  # something was added after signing (a page, a change)
    signer_name: str = ""
    signer_org: str = ""
    signed_at: datetime | None = None
    timestamped: bool = False
    trusted: bool = False
    trust_problem: str = ""  # in plain Indonesian, when not trusted
    expired: bool = False
    is_test: bool = False
    reason: str = ""
    location: str = ""
    signed_revision_sha256: str = ""  # the SHA-256 of the file as it was signed

    @property
    def valid(self) -> bool:
        """Intact, whole, and from a trusted certificate."""
        return self.intact and self.covers_whole and self.trusted


@dataclass
class PdfCheck:
    """The result of checking an uploaded PDF: readable or not, and its signatures."""

    readable: bool
    problem: str = ""
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        """Whether the file carries a signature at all."""
        return bool(self.signatures)


def _trust_problem(status: PdfSignatureStatus) -> tuple[str, bool]:
    indic = status.trust_problem_indic
    name = getattr(indic, "name", "") or ""
    if "EXPIRED" in name or "OUT_OF_BOUNDS" in name:
        return "Sertifikat penanda tangan sudah kedaluwarsa (atau belum berlaku) pada saat diperiksa.", True
    if "REVOKED" in name:
        return "Sertifikat penanda tangan sudah dicabut oleh penerbitnya.", False
    if "NO_CERTIFICATE_CHAIN" in name or "CHAIN_CONSTRAINTS" in name:
        return "Sertifikat penanda tangan tidak berasal dari penerbit yang dipercaya instansi.", False
    return "Sertifikat penanda tangan tidak dapat dipastikan keabsahannya.", False


def _embedded(data: bytes) -> tuple[list[Any], str]:
    """The signatures embedded in ``data``, or the reason they cannot be checked (not a PDF, broken, too many)."""
    if not data.startswith(PDF_MAGIC):
        return [], "Berkas ini bukan PDF."
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:
        return [], "Berkas PDF rusak atau tidak dapat dibaca."
    if len(embedded) > MAX_SIGNATURES:
        return [], TOO_MANY_SIGNATURES
    return embedded, ""


def _signed_revision_sha256(data: bytes, signature: Any) -> str:
    end = signature.byte_range[-2] + signature.byte_range[-1]
    return hashlib.sha256(data[:end]).hexdigest()


def signed_revisions(data: bytes) -> PdfCheck:
    """A cheap first look at ``data``: readable or not, and the hash of each signed revision, validating nothing.

    Enough to find the issued document a file is, and so the trust list to validate it against, once.
    """
    embedded, problem = _embedded(data)
    if problem:
        return PdfCheck(readable=False, problem=problem)
    checks = []
    for signature in embedded:
        try:
            checks.append(SignatureCheck(signed_revision_sha256=_signed_revision_sha256(data, signature)))
        except Exception:  # a broken /ByteRange: the full check reports the signature as not intact
            checks.append(SignatureCheck())
    return PdfCheck(readable=True, signatures=checks)


def check_pdf(data: bytes, trust_roots: list[x509.Certificate]) -> PdfCheck:
    """Check every signature of ``data`` against ``trust_roots``; never raises on bad input.

    A file with more than ``MAX_SIGNATURES`` signatures is refused unchecked (``TOO_MANY_SIGNATURES``).
    """
    embedded, problem = _embedded(data)
    if problem:
        return PdfCheck(readable=False, problem=problem)
    context_kwargs = {"trust_roots": trust_roots, "allow_fetching": False}
    checks = []
    for signature in embedded:
        check = SignatureCheck()
        try:
            status = _outside_event_loop(
                lambda sig=signature: validate_pdf_signature(sig, ValidationContext(**context_kwargs)))
        except Exception:
            checks.append(check)
            continue
        check.intact = bool(status.intact and status.valid)
        check.covers_whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        check.modified_after = not check.covers_whole
        cert = status.signing_cert
        subject = cert.subject.native if cert is not None else {}
        check.signer_name = subject.get("common_name", "")
        check.signer_org = subject.get("organization_name", "")
        check.is_test = is_test_certificate(cert)
        check.timestamped = status.timestamp_validity is not None
        if status.timestamp_validity is not None:
            check.signed_at = status.timestamp_validity.timestamp
        else:
            check.signed_at = status.signer_reported_dt
        check.trusted = bool(status.trusted)
        if not check.trusted:
            check.trust_problem, check.expired = _trust_problem(status)
        if cert is not None and cert.not_valid_after < datetime.now(cert.not_valid_after.tzinfo):
            check.expired = True
        sig_object = signature.sig_object
        check.reason = str(sig_object.get("/Reason", "") or "")
        check.location = str(sig_object.get("/Location", "") or "")
        check.signed_revision_sha256 = _signed_revision_sha256(data, signature)
        checks.append(check)
    return PdfCheck(readable=True, signatures=checks)


def load_certificate(path: str) -> x509.Certificate:
    """One certificate from a PEM or DER file."""
    return load_cert_from_pemder(path)


@dataclass
class TestCertificate:
    """The files ``make_test_certificate`` wrote."""

    p12_path: Path
    root_path: Path
    password: str


def make_test_certificate(unit_name: str, directory: Path, password: str, *, days: int = 365,
                          not_before: datetime | None = None) -> TestCertificate:
    """A self-signed test CA and a signer it issues, for development and demos only.

    Both carry ``TEST_MARK`` in their common name, so every reader and every verification shows
    them as a test. Writes ``<directory>/penanda-tangan-uji.p12`` (the signer, its key and the CA)
    and ``<directory>/akar-uji.pem`` (the CA, for the trust list).
    """
    from datetime import timedelta

    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    end = start + timedelta(days=days)

    def name(common: str) -> cx509.Name:
        return cx509.Name([
            cx509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            cx509.NameAttribute(NameOID.ORGANIZATION_NAME, unit_name[:64]),
            cx509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_MARK),
            cx509.NameAttribute(NameOID.COMMON_NAME, common[:64]),
        ])  # fmt: skip

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = name(f"CA {TEST_MARK}")
    ca = (
        cx509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(cx509.random_serial_number()).not_valid_before(start).not_valid_after(end + timedelta(days=1))
        .add_extension(cx509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(cx509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                      crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(cx509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        cx509.CertificateBuilder().subject_name(name(TEST_MARK)).issuer_name(ca_name).public_key(key.public_key())
        .serial_number(cx509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .add_extension(cx509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(cx509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                      crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(cx509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(cx509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    directory.mkdir(parents=True, exist_ok=True)
    p12_path, root_path = directory / "penanda-tangan-uji.p12", directory / "akar-uji.pem"
    p12_path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"penanda-tangan-uji", key, cert, [ca], serialization.BestAvailableEncryption(password.encode())))
    p12_path.chmod(0o600)
    root_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return TestCertificate(p12_path=p12_path, root_path=root_path, password=password)
