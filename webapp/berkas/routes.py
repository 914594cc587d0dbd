"""Staff pages of berkas: the list and its figures, registration, the kartu kendali and its actions, printouts."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.berkas import actions, bp
from webapp.berkas.forms import (
    ButtonForm,
    CompleteForm,
    FilterForm,
    RegistrationForm,
    RevokeForm,
    StepActionForm,
)
from webapp.berkas.listing import EVERY, OPEN, counts, filtered, officers_for, page_of, rows, services_for
from webapp.berkas.models import (
    DIKEMBALIKAN,
    OPEN_STATUSES,
    SIAP,
    STATUSES,
    Berkas,
)
from webapp.berkas.reminders import letters_due, mark_letter_sent, reminder_due_on
from webapp.berkas.reports import minutes_text, step_figures, to_csv, to_xlsx
from webapp.berkas.service import (
    Applicant,
    BerkasError,
    complete_requirements,
    days_used,
    is_late,
    may_act,
    register,
    standard_minutes,
    step_is_late,
    step_minutes,
    ticket_fits,
    ticket_for,
    tracking_url,
)
from webapp.berkas.steps import requirements, route_for
from webapp.berkas.survey import survey_token
from webapp.core.db import utcnow
from webapp.core.extensions import db
from webapp.core.forms import choices, flatten_errors
from webapp.core.inputs import page_number, parse_id
from webapp.core.localtime import local_today
from webapp.core.pdf import pdf_bytes, pdf_response
from webapp.core.policy import guard, require
from webapp.core.qr import qr_svg
from webapp.core.tables import csv_response, xlsx_bytes_response


def _berkas_or_403(berkas_id: int, action: str = "berkas.view") -> Berkas:
    """The berkas, once the policy allows ``action`` on it (the service's unit of work locks it to change it)."""
    berkas = db.session.scalar(select(Berkas).where(Berkas.id == berkas_id)) or abort(404)
    require(current_user, action, berkas)
    return berkas


# --- list, figures, export -------------------------------------------------------------------


@bp.route("/admin/berkas")
@guard("berkas.view")
def index() -> Response | str:
    """Berkas by status, service, step and officer; late ones first, a page at a time; CSV and XLSX of them all."""
    form = FilterForm(request.args)
    services = services_for(current_user)
    form.status.choices = choices([(OPEN, "Sedang berjalan"), *STATUSES.items(), (EVERY, "Semua")])
    form.layanan.choices = choices([("", "Semua layanan"), *((str(s.id), s.title) for s in services)])
    form.petugas.choices = choices([("", "Siapa saja"),
                                    *((str(o.id), o.display_name) for o in officers_for(current_user))])
    form.validate()
    found = rows(filtered(current_user, form.criteria()))
    export = request.args.get("format")
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    if export == "csv":
        return csv_response(to_csv(found), f"berkas-{stamp}.csv")
    if export == "xlsx":
        return xlsx_bytes_response(to_xlsx(found, f"Daftar berkas {stamp}"), f"berkas-{stamp}.xlsx")
    pagination = page_of(found, page_number(request.args.get("halaman")))
    args = {k: v for k, v in request.args.items() if k not in ("halaman", "format")}
    return render_template("berkas/index.html", form=form, pagination=pagination, counts=counts(found),
                           letters=letters_due(current_user), minutes_text=minutes_text, args=args)  # fmt: skip


@bp.route("/admin/berkas/statistik")
@guard("berkas.view")
def statistics() -> str:
    """Step durations per service as bars against the mutu baku: where files wait."""
    days = request.args.get("hari", default=90, type=int)
    days = min(max(days, 7), 366)
    since = utcnow() - timedelta(days=days)
    charts = []
    for service in services_for(current_user):
        figures = step_figures(service, since)
        if any(f.samples for f in figures):
            top = max([f.mean or 0 for f in figures] + [f.standard or 0 for f in figures] + [1])
            charts.append({"service": service, "figures": figures, "top": top})
    return render_template("berkas/statistics.html", charts=charts, days=days, minutes_text=minutes_text)


# --- registration --------------------------------------------------------------------------


@bp.route("/admin/berkas/daftar", methods=["GET", "POST"])
@guard("berkas.register")
def register_view() -> WerkzeugResponse | str | tuple[str, int]:
    """Register a file: choose the service, write the applicant down, tick what was handed in."""
    ticket = ticket_for(current_user, parse_id(request.args.get("tiket")))
    services = [s for s in services_for(current_user) if ticket is None or ticket_fits(ticket, s)]
    service = next((s for s in services if str(s.id) == request.args.get("layanan", "")), None)
    if service is None:
        return render_template("berkas/choose_service.html", services=services, ticket=ticket)
    items = requirements(service)
    form = RegistrationForm()
    form.received.choices = [(str(i), text) for i, text in enumerate(items)]
    if ticket is not None and request.method == "GET":
        form.ticket.data = str(ticket.id)
    context = {"service": service, "items": items, "route": route_for(service), "ticket": ticket}
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("berkas/register.html", form=form, errors=flatten_errors(form), **context), status
    received = [str(i) in (form.received.data or []) for i in range(len(items))]
    missing = [text for text, ok in zip(items, received, strict=True) if not ok]
    if missing and form.action.data != "kembalikan":
        # Ask once more: a missed tick must not send an applicant home.
        return render_template("berkas/register.html", form=form, errors=[], confirm_missing=missing, **context), 422
    applicant = Applicant(name=form.applicant_name.data, id_kind=form.id_kind.data, id_number=form.id_number.data,
                          phone=form.phone.data, email=form.email.data or "", address=form.address.data)
    ticket_id = parse_id(form.ticket.data)
    try:
        berkas = register(service, applicant, received, current_user, ticket_id=ticket_id, note=form.note.data or "")
    except BerkasError as exc:  # refused before anything was written
        form.form_errors.append(str(exc))
        return render_template("berkas/register.html", form=form, errors=flatten_errors(form), **context), 422
    if berkas.status == DIKEMBALIKAN:
        flash(f"Berkas {berkas.number} dicatat sebagai belum lengkap. Cetak daftar kekurangan untuk pemohon.", "info")
        return redirect(url_for("berkas.missing_list", berkas_id=berkas.id))
    flash(f"Berkas {berkas.number} terdaftar. Cetak tanda terima untuk pemohon.", "success")
    return redirect(url_for("berkas.detail", berkas_id=berkas.id))


@bp.route("/admin/berkas/<int:berkas_id>/lengkapi", methods=["POST"])
@guard("berkas.register")
def complete(berkas_id: int) -> WerkzeugResponse:
    """The applicant brought what was missing: tick it; a complete file starts its route."""
    berkas = _berkas_or_403(berkas_id, action="berkas.register")
    form = CompleteForm()
    form.received.choices = [(str(i), item["text"]) for i, item in enumerate(berkas.checklist)]
    if not form.validate_on_submit():
        flash("Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.", "error")
        return redirect(url_for("berkas.detail", berkas_id=berkas.id))
    received = [str(i) in (form.received.data or []) for i in range(len(berkas.checklist))]
    try:
        complete_requirements(berkas, received, current_user)
    except BerkasError as exc:  # rolled back by the unit of work
        flash(str(exc), "error")
        return redirect(url_for("berkas.detail", berkas_id=berkas_id))
    if berkas.status == DIKEMBALIKAN:
        flash("Persyaratan masih belum lengkap.", "error")
        return redirect(url_for("berkas.missing_list", berkas_id=berkas.id))
    flash(f"Persyaratan lengkap; berkas {berkas.number} mulai diproses. Cetak tanda terima.", "success")
    return redirect(url_for("berkas.detail", berkas_id=berkas.id))


# --- the kartu kendali -----------------------------------------------------------------------


def _card(berkas: Berkas) -> dict:
    now = utcnow()
    steps = [
        {"step": s, "minutes": step_minutes(berkas, s, now), "standard": standard_minutes(s),
         "late": step_is_late(berkas, s, now), "current": berkas.status in OPEN_STATUSES
         and s.position == berkas.current_position}
        for s in berkas.steps
    ]  # fmt: skip
    return {"steps": steps, "late": is_late(berkas, now), "days_used": days_used(berkas, now),
            "reminder_due": reminder_due_on(berkas)}  # fmt: skip


@bp.route("/admin/berkas/<int:berkas_id>")
@guard("berkas.view")
def detail(berkas_id: int) -> str:
    """The electronic kartu kendali: each step's time against its mutu baku, every hand-over, the actions."""
    berkas = _berkas_or_403(berkas_id)
    form = StepActionForm()
    step = berkas.current_step
    if step is not None:
        form.position.choices = [(s.position, f"{s.position + 1}. {s.name} ({s.executor})")
                                 for s in berkas.steps[: step.position]]  # fmt: skip
    return render_template(
        "berkas/detail.html", berkas=berkas, card=_card(berkas), form=form, complete_form=_complete_form(berkas),
        can_act=may_act(current_user, step), minutes_text=minutes_text, version=actions.version_of(berkas),
        tracking_url=tracking_url(berkas), revoke_form=RevokeForm(), survey_token=survey_token(berkas),
    )  # fmt: skip


@bp.route("/admin/berkas/<int:berkas_id>/<action>", methods=["POST"])
@guard("berkas.act")
def act(berkas_id: int, action: str) -> WerkzeugResponse:
    """A kartu kendali action: terima (sign for it), serahkan (to the next step), kembalikan, ambil."""
    if action not in actions.ACTIONS:
        abort(404)
    berkas = _berkas_or_403(berkas_id, action="berkas.act")
    form = StepActionForm()
    form.position.choices = [(s.position, s.name) for s in berkas.steps]
    if not form.validate_on_submit():
        flash("Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.", "error")
        return redirect(url_for("berkas.detail", berkas_id=berkas_id))
    try:
        message = actions.act(berkas, action, current_user, version=form.version.data or "",
                              position=form.position.data, reason=form.reason.data or "", note=form.note.data or "",
                              recipient=form.recipient.data or "")  # fmt: skip
    except BerkasError as exc:  # rolled back by the unit of work; a stale page is refused the same way
        flash(str(exc), "error")
        return redirect(url_for("berkas.detail", berkas_id=berkas_id))
    flash(message, "success")
    return redirect(url_for("berkas.detail", berkas_id=berkas_id))


# --- printouts --------------------------------------------------------------------------------


@bp.route("/admin/berkas/<int:berkas_id>/tanda-terima")
@guard("berkas.view")
def receipt(berkas_id: int) -> WerkzeugResponse | str:
    """The tanda terima to print for the applicant, with the QR of the tracking page."""
    berkas = _berkas_or_403(berkas_id)
    if berkas.status == DIKEMBALIKAN:
        return redirect(url_for("berkas.missing_list", berkas_id=berkas.id))
    url = tracking_url(berkas)
    return render_template("berkas/receipt.html", berkas=berkas, url=url, qr=qr_svg(url).decode(), unit=berkas.unit,
                           paper_date=local_today(berkas.unit, berkas.registered_at))  # fmt: skip


@bp.route("/admin/berkas/<int:berkas_id>/kartu-kendali.pdf")
@guard("berkas.view")
def card_pdf(berkas_id: int) -> Response:
    """The kartu kendali on the office's paper: the route with times and a column to initial, the hand-overs."""
    berkas = _berkas_or_403(berkas_id)
    html = render_template("berkas/card_pdf.html", berkas=berkas, card=_card(berkas), minutes_text=minutes_text,
                           unit=berkas.unit, paper_date=local_today(berkas.unit), printed_at=utcnow())  # fmt: skip
    return pdf_response(pdf_bytes(html), f"kartu-kendali-{berkas.number}.pdf")


@bp.route("/admin/berkas/<int:berkas_id>/kekurangan")
@guard("berkas.view")
def missing_list(berkas_id: int) -> str:
    """The printed list of missing requirements the applicant takes home."""
    berkas = _berkas_or_403(berkas_id)
    return render_template("berkas/missing.html", berkas=berkas, complete_form=_complete_form(berkas))


def _complete_form(berkas: Berkas) -> CompleteForm:
    form = CompleteForm()
    form.received.choices = [(str(i), item["text"]) for i, item in enumerate(berkas.checklist)]
    form.received.data = [str(i) for i, item in enumerate(berkas.checklist) if item.get("received")]
    return form


@bp.route("/admin/berkas/<int:berkas_id>/surat-pemberitahuan")
@guard("berkas.view")
def notice_letter(berkas_id: int) -> WerkzeugResponse | str:
    """The surat pemberitahuan sent to the applicant's address when a product waits a month."""
    berkas = _berkas_or_403(berkas_id)
    if berkas.status != SIAP:
        flash("Surat pemberitahuan hanya untuk dokumen yang siap diambil.", "info")
        return redirect(url_for("berkas.detail", berkas_id=berkas.id))
    return render_template("berkas/letter.html", berkas=berkas, url=tracking_url(berkas), today=utcnow(),
                           unit=berkas.unit, paper_date=local_today(berkas.unit))  # fmt: skip


@bp.route("/admin/berkas/<int:berkas_id>/surat-terkirim", methods=["POST"])
@guard("berkas.act")
def letter_sent(berkas_id: int) -> WerkzeugResponse:
    """Mark the notice letter as sent, so it leaves the list of letters to print."""
    berkas = _berkas_or_403(berkas_id, action="berkas.act")
    form = ButtonForm()
    if not form.validate_on_submit():
        flash("Surat pemberitahuan hanya untuk dokumen yang siap diambil.", "error")
        return redirect(url_for("berkas.detail", berkas_id=berkas_id))
    try:
        mark_letter_sent(berkas, current_user)
    except BerkasError as exc:  # rolled back by the unit of work
        flash(str(exc), "error")
        return redirect(url_for("berkas.detail", berkas_id=berkas_id))
    flash("Surat pemberitahuan dicatat terkirim.", "success")
    return redirect(url_for("berkas.detail", berkas_id=berkas.id))
