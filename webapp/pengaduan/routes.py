"""Public complaint pages: the form, the confirmation, and tracking by code."""

from __future__ import annotations

import time

from flask import Response, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.core.extensions import db, limiter
from webapp.core.forms import flatten_errors
from webapp.core.i18n import N_, current_language, indonesian_only
from webapp.core.inputs import keeps_refused_text, refused_fields
from webapp.core.localtime import local_today
from webapp.core.pdf import pdf_response
from webapp.core.qr import private_qr_response
from webapp.outbox.models import mask_recipient
from webapp.pengaduan import bp
from webapp.pengaduan.forms import ComplaintForm, TrackLookupForm
from webapp.pengaduan.intake import (
    complaint_input,
    is_known_code,
    is_miss,
    lookup_limit,
    published_services,
    read_uploads,
    receipt_pdf,
    save_new_complaint,
    submission_limit,
)
from webapp.pengaduan.models import Complaint
from webapp.pengaduan.service import (
    deadline_state,
    find_by_code,
    format_code,
    normalise_code,
    public_text,
    reply_route,
    tracking_url,
    working_days_left,
)

CONFIRMATION_KEY = "pengaduan_terkirim"
# The confirmation (with the code) stays in this browser's session for an hour: long enough to
# reload it, short enough that the next person at a shared computer does not find it.
CONFIRMATION_SECONDS = 3600


TOO_MANY = N_(
    "Terlalu banyak pengaduan terkirim dari alamat ini (sebuah kantor atau jaringan seluler bisa berbagi satu "
    "alamat). Tunggu sebentar lalu tekan Kirim lagi; isian Anda masih di sini. Lampiran perlu dipilih ulang."
)


def _form_kept(_limit: object) -> Response:
    """A refused (rate-limited) complaint: the form again, as typed, with the reason on top (429).

    Files cannot be put back into a file field: the message asks for them again.
    """
    form = ComplaintForm()
    form.set_services(published_services())
    return Response(render_template("pengaduan/form.html", form=form, errors=[("", _(TOO_MANY))]), status=429)


@bp.route("/pengaduan", methods=["GET", "POST"])
@limiter.shared_limit(submission_limit, scope="pengaduan-kirim", methods=["POST"], on_breach=_form_kept)
@keeps_refused_text
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
    valid = form.validate()
    if not refused_fields(form) and valid:  # after validate(), which clears the errors
        uploads = read_uploads(form)
        if uploads is not None:
            data = complaint_input(form, "online", locale=current_language())
            complaint, code, failed = save_new_complaint(data, uploads)
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


@bp.route("/pengaduan/terkirim/tanda-terima.pdf")
@indonesian_only  # a printed receipt is an official document of the office
def confirmation_pdf() -> WerkzeugResponse | Response:
    """The receipt of the complaint just sent from this browser, as PDF (kept in the session, like the page)."""
    sent = session.get(CONFIRMATION_KEY)
    if not sent or time.time() - sent.get("at", 0) > CONFIRMATION_SECONDS:
        return redirect(url_for("pengaduan.form"))
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == sent["number"]))
    if complaint is None:
        return redirect(url_for("pengaduan.form"))
    return pdf_response(receipt_pdf(complaint, sent["code"]), f"tanda-terima-{complaint.number}.pdf")


def _tracking_response(html: str, status: int = 200) -> Response:
    response = Response(html, status=status)
    response.headers["Cache-Control"] = "no-store"  # a code in the URL: keep the page out of shared caches
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _asks_known_code() -> bool:
    """The request names a right tracking code (in the path or ?kode=): not limited (security I1)."""
    return is_known_code((request.view_args or {}).get("code") or request.args.get("kode"))


@bp.route("/pengaduan/lacak")
@limiter.shared_limit(lookup_limit, scope="pengaduan-lacak", deduct_when=is_miss, exempt_when=_asks_known_code)
def lookup() -> WerkzeugResponse | Response:
    """The lookup form; a known code goes to its tracking page, a wrong one answers 404."""
    form = TrackLookupForm(request.args)
    if "kode" not in request.args:
        return _tracking_response(render_template("pengaduan/lookup.html", form=form, errors=[]))
    if form.validate():
        complaint = find_by_code(form.kode.data)
        if complaint is not None:
            return redirect(url_for("pengaduan.track", code=normalise_code(form.kode.data)))
        form.kode.errors = [_("Kode tidak ditemukan. Periksa kembali kode pada pesan atau tanda terima Anda.")]
    return _tracking_response(render_template("pengaduan/lookup.html", form=form, errors=flatten_errors(form)), 404)


@bp.route("/pengaduan/lacak/<code>")
@limiter.shared_limit(lookup_limit, scope="pengaduan-lacak", deduct_when=is_miss, exempt_when=_asks_known_code)
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
@limiter.shared_limit(lookup_limit, scope="pengaduan-lacak", deduct_when=is_miss, exempt_when=_asks_known_code)
def track_qr(code: str) -> Response:
    """The QR code of a tracking page, for the confirmation and the counter receipt."""
    canonical = normalise_code(code)
    if find_by_code(canonical) is None:
        abort(404)
    url = tracking_url(canonical)
    return private_qr_response(url, max_age=3600)
