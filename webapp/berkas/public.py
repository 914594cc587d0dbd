"""Public pages: the applicant's tracking page and lookup, and the verification of issued documents.

Nothing here shows a name (the applicant's or an officer's), a NIK, a phone or an address;
the verification page shows the holder's name masked. Pages are never cached: they change
as the file moves, and the tracking code is the applicant's own.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from flask import Response, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.berkas import bp
from webapp.berkas.documents import DICABUT, SAH, TIDAK_DIKENAL, TIDAK_SAH, mask_name, sha256_hex, verify
from webapp.berkas.forms import LookupForm, VerifyUploadForm
from webapp.berkas.pdf_check import check_upload
from webapp.berkas.service import tracking_url
from webapp.berkas.survey import survey_token
from webapp.berkas.tracking import by_code, lookup, public_view
from webapp.core.extensions import limiter
from webapp.core.formatting import tanggal
from webapp.core.forms import flatten_errors
from webapp.core.htmx import is_htmx
from webapp.core.i18n import N_
from webapp.core.localtime import local_time
from webapp.core.qr import private_qr_response
from webapp.survei.invitations import survey_url


def _private(response: Response) -> Response:
    """No shared cache keeps these pages; search engines do not index them."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # the code in the URL is the applicant's key
    response.vary.add("HX-Request")
    return response


def _asks_known_berkas() -> bool:
    """The posted number and phone open a berkas: answered even past the limit for wrong ones (security I1)."""
    number, phone = request.form.get("number"), request.form.get("phone")
    if not number or not phone or len(number) > 64 or len(phone) > 64 or "\x00" in number + phone:
        return False
    return lookup(number, phone) is not None


def _lookup_missed(response: Response) -> bool:
    """Only lookups that found nothing count against the limit."""
    return response.status_code == 422


@bp.route("/izin/lacak", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["BERKAS_LOOKUP_RATE_LIMIT"], methods=["POST"],
               exempt_when=_asks_known_berkas, deduct_when=_lookup_missed)
def lookup_form() -> WerkzeugResponse | tuple[str, int] | str:
    """Find a berkas by registration number and the phone given at registration."""
    form = LookupForm()
    status = 200
    if form.validate_on_submit():
        found = lookup(form.number.data, form.phone.data)
        if found is not None:
            return redirect(url_for("berkas.track", code=found.tracking_code))
        # One message for both: whether a number exists is not told to someone without the phone.
        form.number.errors.append(_("Nomor registrasi dan nomor HP tidak cocok dengan berkas mana pun."))
    if request.method == "POST":
        status = 422
    return _private(make_response(render_template("berkas/lookup.html", form=form, errors=flatten_errors(form)),
                                  status))  # fmt: skip


@bp.route("/izin/lacak/<code>")
def track(code: str) -> Response:
    """The applicant's page: where the file is in plain words, when it is due, where to collect it."""
    berkas = by_code(code)
    if berkas is None:
        abort(404)
    view = public_view(berkas)
    if is_htmx() and request.args.get("v") == view["version"]:
        return _private(make_response("", 204))  # unchanged: htmx swaps nothing
    refresh = current_app.config.get("BERKAS_TRACK_REFRESH_SECONDS", 60)
    template = "berkas/_track_status.html" if is_htmx() else "berkas/track.html"
    # Handed over: one survey about this service. The invitation was made at the hand-over, so this reads it
    # (only a permit handed over before that gets its invitation now, once: see berkas.survey).
    token = survey_token(berkas)
    survey_link = survey_url(token) if token is not None else None
    html = render_template(template, view=view, code=code, refresh=refresh, url=tracking_url(berkas),
                           survey_link=survey_link)
    return _private(make_response(html))


@bp.route("/izin/lacak/<code>/qr.svg")
def track_qr(code: str) -> Response:
    """The QR of the tracking page (printed on the receipt)."""
    berkas = by_code(code) or abort(404)
    url = tracking_url(berkas)
    return private_qr_response(url)


# Translated where shown (templates/berkas/verify.html).
OUTCOMES = {
    SAH: (N_("Dokumen sah"), N_("Dokumen ini diterbitkan oleh instansi dan masih berlaku menurut catatan kami.")),
    DICABUT: (N_("Dokumen sudah dicabut"),
              N_("Dokumen ini pernah diterbitkan, tetapi sudah dicabut dan tidak berlaku.")),
    TIDAK_DIKENAL: (N_("Kode tidak dikenal"), N_("Tidak ada dokumen dengan kode ini. Periksa kembali kode atau pindai "
                    "ulang kode QR. Dokumen dengan kode yang tidak dikenal tidak dapat dianggap sah.")),
    TIDAK_SAH: (N_("Kode tidak sah"), N_("Kode ini tidak cocok dengan tanda keaslian dokumen: kode atau data dokumen "
                "telah diubah. Jangan terima dokumen ini; laporkan kepada instansi penerbit.")),
}


def read_upload(upload: object, limit: int) -> tuple[bytes, str]:
    """The bytes of an uploaded file and an error message ("" when fine): empty, too large, not a PDF."""
    if not upload or not getattr(upload, "filename", ""):
        return b"", _("Pilih berkas PDF dokumen.")
    data = upload.read(limit + 1)  # type: ignore[attr-defined]
    if not data:
        return b"", _("Berkas kosong.")
    if len(data) > limit:
        return b"", _("Berkas terlalu besar (paling besar %(size)d MB).", size=limit // (1024 * 1024))
    if not data.startswith(b"%PDF-"):
        return b"", _("Berkas ini bukan PDF.")
    return data, ""


@bp.route("/verifikasi", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["VERIFY_UPLOAD_RATE_LIMIT"], methods=["POST"])
def verify_index() -> WerkzeugResponse:
    """Anyone checks a document: type the code printed under its QR, or upload its PDF to check its signature."""
    code = (request.args.get("kode") or "").strip().replace(" ", "").lower()
    if code:
        if len(code) <= 64 and code.isalnum():
            return redirect(url_for("berkas.verify_page", code=code))
        code_error = _("Kode verifikasi terdiri atas huruf dan angka, seperti tercetak di bawah kode QR.")
    else:
        code_error = _("Isi kode verifikasi.") if "kode" in request.args else ""
    form = VerifyUploadForm()
    result = None
    status = 422 if code_error else 200
    if request.method == "POST":
        upload = form.pdf.data if form.validate_on_submit() else None
        data, problem = read_upload(upload, current_app.config["VERIFY_UPLOAD_MAX_BYTES"])
        if problem:
            form.pdf.errors.append(problem)
            status = 422
        else:
            result = check_upload(data)
    html = render_template("berkas/verify_index.html", form=form, errors=flatten_errors(form), result=result,
                           code=request.args.get("kode", ""), code_error=code_error)
    return _private(make_response(html, status))


@bp.route("/verifikasi/<code>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["VERIFY_UPLOAD_RATE_LIMIT"], methods=["POST"])
def verify_page(code: str) -> Response:
    """Anyone checks a document: valid, revoked or unknown; upload the PDF to compare its hash."""
    result = verify(code)
    form = VerifyUploadForm()
    match: bool | None = None
    uploaded_hash = None
    signature_check = None
    status = 200 if result.outcome in (SAH, DICABUT) else 404
    if request.method == "POST" and result.document is not None:
        upload = form.pdf.data if form.validate_on_submit() else None
        data = upload.read() if upload and getattr(upload, "filename", "") else b""
        if not data:
            form.pdf.errors.append(_("Pilih berkas PDF dokumen."))
            status = 422
        else:
            uploaded_hash = sha256_hex(data)
            match = hmac.compare_digest(uploaded_hash, result.document.pdf_sha256)
            if data.startswith(b"%PDF-") and len(data) <= current_app.config["VERIFY_UPLOAD_MAX_BYTES"]:
                signature_check = check_upload(data)
    document = result.document
    html = render_template(
        "berkas/verify.html", result=result, outcome=OUTCOMES[result.outcome], document=document,
        holder=mask_name(document.holder_name) if document else None, form=form, errors=flatten_errors(form),
        match=match, uploaded_hash=uploaded_hash, code=code, signature_check=signature_check,
    )  # fmt: skip
    return _private(make_response(html, status))



@bp.app_template_filter("tanggal_lokal")
def tanggal_lokal(moment: datetime | None) -> str:
    """A timestamp's date in the office's time zone, as "25 Februari 2026"."""
    if moment is None:
        return ""
    return tanggal(local_time(moment).date())
