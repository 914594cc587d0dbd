"""Public complaint pages: the form, the confirmation, and tracking by code."""

from __future__ import annotations

import time

from flask import Response, abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.core.db import begin_write
from webapp.core.extensions import db, limiter
from webapp.core.forms import flatten_errors
from webapp.core.localtime import local_today
from webapp.core.phone import normalise_phone
from webapp.core.qr import private_qr_response
from webapp.outbox.models import mask_recipient
from webapp.outbox.service import send_soon
from webapp.pengaduan import bp
from webapp.pengaduan.attachments import Upload, check_upload, store
from webapp.pengaduan.forms import OTHER_SERVICE, ComplaintFields, ComplaintForm, TrackLookupForm
from webapp.pengaduan.models import Complaint
from webapp.pengaduan.service import (
    ComplaintInput,
    deadline_state,
    file_complaint,
    find_by_code,
    format_code,
    normalise_code,
    public_text,
    reply_route,
    tracking_url,
    working_days_left,
)
from webapp.standards.models import Service
from webapp.standards.service import search_services

CONFIRMATION_KEY = "pengaduan_terkirim"
# The confirmation (with the code) stays in this browser's session for an hour: long enough to
# reload it, short enough that the next person at a shared computer does not find it.
CONFIRMATION_SECONDS = 3600


def submission_limit() -> str:
    """Complaints per address, the form and the API together."""
    return current_app.config["PENGADUAN_RATE_LIMIT"]


def lookup_limit() -> str:
    """Wrong tracking codes per address."""
    return current_app.config["PENGADUAN_LACAK_RATE_LIMIT"]


def is_miss(response: Response) -> bool:
    """Only wrong codes count against the lookup limit: a person reloading their page is not guessing."""
    return response.status_code == 404


def published_services() -> list[Service]:
    """Services a complaint may be about, by unit and catalogue order."""
    return search_services(None)


def read_uploads(form: ComplaintFields) -> list[Upload] | None:
    """The form's files, checked by content; None (with errors on the field) when one is refused."""
    uploads: list[Upload] = []
    problems: list[str] = []
    for storage in form.attachments.data or []:
        if not getattr(storage, "filename", ""):
            continue
        checked = check_upload(storage.filename, storage.read(current_app.config["PENGADUAN_ATTACHMENT_MAX_BYTES"] + 1))
        if isinstance(checked, str):
            problems.append(checked)
        else:
            uploads.append(checked)
    if problems:
        form.attachments.errors = [*form.attachments.errors, *problems, "Pilih lagi berkas yang benar."]
        return None
    return uploads


def complaint_input(form: ComplaintFields, channel: str) -> ComplaintInput:
    """The validated form as the service layer's input."""
    slug = form.service.data
    service = None if slug == OTHER_SERVICE else Service.published_by_slug(slug)
    return ComplaintInput(
        description=form.description.data or "",
        name=form.name.data or "",
        phone=normalise_phone(form.phone.data) if form.phone.data else "",
        email=(form.email.data or "").strip(),
        nik=(form.nik.data or "").replace(" ", ""),
        nib=(form.nib.data or "").replace(" ", ""),
        service=service,
        service_other=form.service_other.data or "",
        incident_date=form.incident_date.data,
        incident_place=form.incident_place.data or "",
        desired_outcome=form.desired_outcome.data or "",
        anonymous=bool(form.anonymous.data),
        confidential=bool(form.confidential.data),
        channel=channel,
    )


def save_new_complaint(data: ComplaintInput, uploads: list[Upload], **kwargs) -> tuple[Complaint, str, list[str]]:
    """Number, record and commit the complaint, then its files; a file that fails never loses the complaint."""
    begin_write()
    complaint, code = file_complaint(data, **kwargs)
    db.session.commit()
    failed: list[str] = []
    if uploads:
        try:
            failed = store(complaint, uploads)
            db.session.commit()
        except Exception:  # the complaint is committed; losing an attachment row must not undo it
            db.session.rollback()
            current_app.logger.exception("attachments of %s not recorded", complaint.number)
            failed = [u.original_name for u in uploads]
    send_soon()
    return complaint, code, failed


@bp.route("/pengaduan", methods=["GET", "POST"])
@limiter.shared_limit(submission_limit, scope="pengaduan-kirim", methods=["POST"])
def form() -> WerkzeugResponse | str | tuple[str, int]:
    """The public complaint form."""
    form = ComplaintForm()
    form.set_services(published_services())
    if request.method == "GET":
        chosen = request.args.get("layanan", "")
        if chosen and any(c.value == chosen for c in form.service.choices):
            form.service.data = chosen
        form.stamp()
        return render_template("pengaduan/form.html", form=form, errors=[])
    if form.validate():
        uploads = read_uploads(form)
        if uploads is not None:
            complaint, code, failed = save_new_complaint(complaint_input(form, "online"), uploads)
            route = reply_route(complaint)
            session[CONFIRMATION_KEY] = {
                "at": int(time.time()),
                "number": complaint.number,
                "code": code,
                "failed": failed,
                "sent_to": mask_recipient(route[1]) if route else "",
            }
            return redirect(url_for("pengaduan.confirmation"))
    if not form.website.data and not form.filled_slowly():
        form.stamp()  # a person who was too quick may send again after reading the message
    return render_template("pengaduan/form.html", form=form, errors=flatten_errors(form)), 422


@bp.route("/pengaduan/terkirim")
def confirmation() -> WerkzeugResponse | str:
    """Number, tracking code and QR of the complaint just sent (kept in this browser's session)."""
    sent = session.get(CONFIRMATION_KEY)
    if not sent or time.time() - sent.get("at", 0) > CONFIRMATION_SECONDS:
        session.pop(CONFIRMATION_KEY, None)
        return redirect(url_for("pengaduan.form"))
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == sent["number"]))
    if complaint is None:
        session.pop(CONFIRMATION_KEY, None)
        return redirect(url_for("pengaduan.form"))
    response = Response(render_template(
        "pengaduan/confirmation.html", complaint=complaint, code=sent["code"], code_text=format_code(sent["code"]),
        url=tracking_url(sent["code"]), failed=sent.get("failed", []), sent_to=sent.get("sent_to", ""),
    ))
    response.headers["Cache-Control"] = "no-store"
    return response


def _tracking_response(html: str, status: int = 200) -> Response:
    response = Response(html, status=status)
    response.headers["Cache-Control"] = "no-store"  # a code in the URL: keep the page out of shared caches
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/pengaduan/lacak")
@limiter.shared_limit(lookup_limit, scope="pengaduan-lacak", deduct_when=is_miss)
def lookup() -> WerkzeugResponse | Response:
    """The lookup form; a known code goes to its tracking page, a wrong one answers 404."""
    form = TrackLookupForm(request.args)
    if "kode" not in request.args:
        return _tracking_response(render_template("pengaduan/lookup.html", form=form, errors=[]))
    if form.validate():
        complaint = find_by_code(form.kode.data)
        if complaint is not None:
            return redirect(url_for("pengaduan.track", code=normalise_code(form.kode.data)))
        form.kode.errors = ["Kode tidak ditemukan. Periksa kembali kode pada pesan atau tanda terima Anda."]
    return _tracking_response(render_template("pengaduan/lookup.html", form=form, errors=flatten_errors(form)), 404)


@bp.route("/pengaduan/lacak/<code>")
@limiter.shared_limit(lookup_limit, scope="pengaduan-lacak", deduct_when=is_miss)
def track(code: str) -> WerkzeugResponse | Response:
    """A complaint's status, timeline, public replies and deadline: never who sent it."""
    complaint = find_by_code(code)
    if complaint is None:
        abort(404)
    canonical = normalise_code(code)
    if canonical != code:
        return redirect(url_for("pengaduan.track", code=canonical))
    today = local_today()
    return _tracking_response(render_template(
        "pengaduan/track.html", complaint=complaint, code=canonical, code_text=format_code(canonical),
        events=complaint.public_events(), state=deadline_state(complaint, today),
        days_left=working_days_left(complaint, today) if complaint.is_open else None,
        public_text=lambda event: public_text(complaint, event),
    ))


@bp.route("/pengaduan/lacak/<code>/qr.svg")
@limiter.shared_limit(lookup_limit, scope="pengaduan-lacak", deduct_when=is_miss)
def track_qr(code: str) -> Response:
    """The QR code of a tracking page, for the confirmation and the counter receipt."""
    canonical = normalise_code(code)
    if find_by_code(canonical) is None:
        abort(404)
    url = tracking_url(canonical)
    return private_qr_response(url, max_age=3600)
