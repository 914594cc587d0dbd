"""JSON API of berkas: the applicant's tracking view and the verification of an issued document.

Neither answer carries personal data: no applicant or officer names, NIK, phone or address;
the holder's name on a verified document is masked as on the public page.
"""

from __future__ import annotations

from flask import current_app, jsonify, request

from webapp.api import bp
from webapp.berkas.documents import DICABUT, SAH, mask_name, verify
from webapp.berkas.pdf_check import BUKAN_PDF, check_upload
from webapp.berkas.service import tracking_url
from webapp.berkas.tracking import by_code, public_view
from webapp.core.api import api_error
from webapp.core.db import as_utc
from webapp.core.extensions import limiter


def _iso(value) -> str | None:
    if value is None:
        return None
    return as_utc(value).isoformat() if hasattr(value, "hour") else value.isoformat()


@bp.route("/berkas/<code>")
def track_berkas(code: str):
    """Where a berkas is, by its tracking code: status, current step, steps, due date, history."""
    berkas = by_code(code)
    if berkas is None:
        return api_error(404, "Kode lacak tidak dikenal.")
    view = public_view(berkas)
    response = jsonify(
        number=view["number"],
        service=view["service"],
        unit=view["unit"],
        status=view["status"],
        status_label=view["status_label"],
        registered_at=_iso(view["registered_at"]),
        current_step=view["current_step"],
        step_number=view["step_number"],
        steps=view["steps"],
        duration_days=view["duration_days"],
        due_date=_iso(view["due_date"]),
        late=view["late"],
        ready_at=_iso(view["ready_at"]),
        collected_at=_iso(view["collected_at"]),
        collect_where=view["collect_where"] if view["status"] == "siap" else None,
        missing=view["missing"],
        history=[{"at": _iso(h["at"]), "text": h["text"]} for h in view["history"]],
        url=tracking_url(berkas),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/verifikasi/<code>")
def verify_document(code: str):
    """Check a document's verification code: sah, dicabut, tidak_dikenal or tidak_sah."""
    result = verify(code)
    document = result.document
    body: dict = {"result": result.outcome, "document": None}
    if document is not None:
        body["document"] = {
            "number": document.number,
            "title": document.title,
            "holder": mask_name(document.holder_name),
            "unit": document.unit.name,
            "issued_on": document.issued_on.isoformat(),
            "valid_until": document.valid_until.isoformat() if document.valid_until else None,
            "status": "dicabut" if result.outcome == DICABUT else "berlaku",
            "revoked_at": _iso(document.revoked_at),
            "revoked_reason": document.revoked_reason or None,
            "pdf_sha256": document.pdf_sha256,
        }
    response = jsonify(body)
    response.status_code = 200 if result.outcome in (SAH, DICABUT) else 404
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/verifikasi", methods=["POST"])
@limiter.limit(lambda: current_app.config["VERIFY_UPLOAD_RATE_LIMIT"], override_defaults=False)
def verify_pdf():
    """Check an uploaded PDF's electronic signature and whether it is a document the office issued.

    The PDF comes as the body (``Content-Type: application/pdf``) or as the ``pdf`` field of a
    multipart form. The file is read, never stored.
    """
    limit = current_app.config["VERIFY_UPLOAD_MAX_BYTES"]
    upload = request.files.get("pdf")
    if upload is not None:
        data = upload.read(limit + 1)
    elif request.mimetype == "application/pdf":
        data = request.get_data(cache=False)
    else:
        return api_error(400, "Kirim berkas PDF sebagai badan permintaan (application/pdf) atau kolom 'pdf'.",
                         field="pdf")
    if not data:
        return api_error(422, "Berkas kosong.", field="pdf")
    if len(data) > limit:
        return api_error(413, f"Berkas terlalu besar (paling besar {limit // (1024 * 1024)} MB).", field="pdf")
    result = check_upload(data)
    if result.outcome == BUKAN_PDF:
        return api_error(422, result.findings[0].text, field="pdf")
    response = jsonify(result.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response
