"""Staff pages of issued documents: record the product of a berkas, its PDF and QR, revoke it."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.berkas import bp
from webapp.berkas.documents import DocumentError, record_issued, revoke, verification_url
from webapp.berkas.forms import DocumentForm, RevokeForm
from webapp.berkas.models import DIKEMBALIKAN, Berkas, IssuedDocument
from webapp.core.extensions import db
from webapp.core.forms import flatten_errors
from webapp.core.localtime import local_today
from webapp.core.pdf import pdf_response
from webapp.core.policy import guard, require
from webapp.core.qr import qr_svg
from webapp.core.signing import signing_state


@bp.route("/admin/berkas/<int:berkas_id>/dokumen", methods=["GET", "POST"])
@guard("document.issue")
def new_document(berkas_id: int) -> WerkzeugResponse | str | tuple[str, int]:
    """Record the issued product: number, holder, dates, and the PDF (uploaded or generated with its QR)."""
    berkas = db.get_or_404(Berkas, berkas_id)
    require(current_user, "document.issue", berkas)
    if berkas.status == DIKEMBALIKAN:
        abort(404)
    form = DocumentForm()
    if request.method == "GET":
        form.title.data = berkas.service.title
        form.holder_name.data = berkas.applicant_name
        form.issued_on.data = local_today(berkas.unit)
    if form.validate_on_submit():
        upload = form.pdf.data
        try:
            document = record_issued(
                berkas, number=form.number.data, title=form.title.data, holder_name=form.holder_name.data,
                issued_on=form.issued_on.data, valid_until=form.valid_until.data,
                pdf=upload.read() if upload and getattr(upload, "filename", "") else None, actor=current_user,
            )  # fmt: skip
        except DocumentError as exc:  # rolled back by the unit of work: the form again, with what was typed
            getattr(form, exc.field).errors.append(str(exc))
        else:
            flash(f"Dokumen {document.number} tercatat dengan kode verifikasi.", "success")
            return redirect(url_for("berkas.detail", berkas_id=berkas.id))
    status = 422 if request.method == "POST" else 200
    return render_template("berkas/document_form.html", berkas=berkas, form=form, errors=flatten_errors(form),
                           signing=signing_state(berkas.unit)), status  # fmt: skip


def _document_or_403(document_id: int) -> IssuedDocument:
    document = db.get_or_404(IssuedDocument, document_id)
    require(current_user, "berkas.view", document)
    return document


@bp.route("/admin/dokumen/<int:document_id>/pdf")
@guard("berkas.view")
def document_pdf(document_id: int) -> Response:
    """The recorded PDF, byte for byte (its SHA-256 is the one on the verification page)."""
    document = _document_or_403(document_id)
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in document.number)
    return pdf_response(document.pdf, f"dokumen-{safe}.pdf")


@bp.route("/admin/dokumen/<int:document_id>/qr.svg")
@guard("berkas.view")
def document_qr(document_id: int) -> Response:
    """The QR of the verification page, to stamp on an uploaded document."""
    document = _document_or_403(document_id)
    return Response(qr_svg(verification_url(document)), mimetype="image/svg+xml")


@bp.route("/admin/dokumen/<int:document_id>/cabut", methods=["POST"])
@guard("document.revoke")
def revoke_document(document_id: int) -> WerkzeugResponse:
    """Revoke an issued document with a reason; its public page says so from now on."""
    document = _document_or_403(document_id)
    require(current_user, "document.revoke", document)
    form = RevokeForm()
    target = url_for("berkas.detail", berkas_id=document.berkas_id) if document.berkas_id else url_for("berkas.index")
    if not form.validate_on_submit():
        flash("Tulis alasan pencabutan.", "error")
        return redirect(target)
    try:
        revoke(document, form.reason.data or "", current_user)
    except DocumentError as exc:  # rolled back by the unit of work
        flash(str(exc), "error")
        return redirect(target)
    flash(f"Dokumen {document.number} dicabut.", "success")
    return redirect(target)
