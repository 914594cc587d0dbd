"""Staff pages of complaints: the Buku Pengaduan, one complaint's handling, direct complaints, files and minutes."""

from __future__ import annotations

from functools import partial

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from antrian.models import Ticket
from webapp.auth.models import User
from webapp.core.db import utcnow
from webapp.core.extensions import db
from webapp.core.formatting import public_url, tanggal
from webapp.core.forms import choices, flatten_errors
from webapp.core.inputs import page_number, parse_id
from webapp.core.localtime import local_today
from webapp.core.pdf import pdf_bytes, pdf_response
from webapp.core.policy import ROLES, can, guard, require
from webapp.core.signing import Stamp, sign_print
from webapp.core.tables import xlsx_bytes_response
from webapp.pengaduan import bp
from webapp.pengaduan.attachments import path_of
from webapp.pengaduan.book import (
    BookFilter,
    book_statement,
    book_xlsx,
    deadline_counts,
    possible_assignees,
    sees_identity,
)
from webapp.pengaduan.forms import (
    AssignForm,
    BookFilterForm,
    ClassifyForm,
    ConfirmForm,
    DirectComplaintForm,
    NoteForm,
    OptionalNoteForm,
)
from webapp.pengaduan.intake import (
    complaint_input,
    published_services,
    read_uploads,
    receipt_pdf,
    save_new_complaint,
)
from webapp.pengaduan.models import (
    CHANNELS,
    ROUTING,
    STATUSES,
    WEIGHTS,
    Complaint,
    ComplaintAttachment,
)
from webapp.pengaduan.service import (
    ComplaintError,
    add_note,
    assign,
    classify,
    deadline_state,
    due_soon_limit,
    format_code,
    new_code,
    reject,
    reopen,
    reply,
    reply_route_label,
    resolve,
    tracking_url,
    verify,
    working_days_between,
    working_days_left,
)

PAGE_SIZE = 25
EXPORT_LIMIT = 10000
RECEIPT_KEY = "pengaduan_tanda_terima"


def _complaint_or_404(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id) or abort(404)
    require(current_user, "complaint.view", complaint)
    return complaint


@bp.route("/admin/pengaduan")
@guard("complaint.view")
def book() -> Response | str:
    """The Buku Pengaduan: date, identity, type, weight, status, deadline and holder; overdue first."""
    form = BookFilterForm(request.args)
    form.validate()
    today = local_today()
    # One "due soon" limit for the list: the calendar of the account's unit (global: the office-wide one).
    soon = due_soon_limit(today, current_user.unit_id)
    statement = book_statement(current_user, BookFilter.from_form(form), today, soon)
    if request.args.get("format") == "xlsx":
        rows = db.session.scalars(statement.limit(EXPORT_LIMIT)).all()
        return xlsx_bytes_response(book_xlsx(current_user, rows, today, soon),
                                   f"buku-pengaduan-{today.isoformat()}.xlsx")
    page = page_number(request.args.get("halaman"))
    pagination = db.paginate(statement, page=page, per_page=PAGE_SIZE, error_out=False)
    overdue, due_soon = deadline_counts(current_user, today, soon)
    args = {k: v for k, v in request.args.items() if k != "halaman"}
    return render_template(
        "pengaduan/book.html", form=form, pagination=pagination, today=today, soon=soon, args=args,
        state=lambda c: deadline_state(c, today, soon), sees_identity=partial(sees_identity, current_user),
        overdue=overdue,
        due_soon=due_soon, channels=CHANNELS, statuses=STATUSES, weights=WEIGHTS,
    )


ACTION_FORMS = {
    "verifikasi": OptionalNoteForm,
    "bobot": ClassifyForm,
    "tugaskan": AssignForm,
    "catatan": NoteForm,
    "balas": NoteForm,
    "selesai": NoteForm,
    "tolak": NoteForm,
    "buka-kembali": NoteForm,
    "kode-baru": ConfirmForm,
}


def _case_forms(complaint: Complaint, bound: dict | None = None) -> dict:
    """Every action's form; ``bound`` replaces one with the submitted, failing one."""
    # Each form carries its action as prefix: the page holds several "text" fields, each needs its own id.
    forms = {name: form_class(formdata=None, prefix=name) for name, form_class in ACTION_FORMS.items()}
    forms["tugaskan"] = AssignForm(formdata=None, prefix="tugaskan", assignee=complaint.assignee_id)
    forms["bobot"] = ClassifyForm(formdata=None, prefix="bobot", weight=complaint.weight or "ringan")
    forms.update(bound or {})
    forms["tugaskan"].assignee.choices = choices((u.id, f"{u.display_name} ({ROLES[u.role].lower()})")
                                                 for u in possible_assignees(complaint))
    return forms


def _render_case(complaint: Complaint, bound: dict | None = None, errors: list | None = None, status: int = 200):
    today = local_today()
    page = render_template(
        "pengaduan/case.html", complaint=complaint, forms=_case_forms(complaint, bound), errors=errors or [],
        state=deadline_state(complaint, today), days_left=working_days_left(complaint, today),
        identity=sees_identity(current_user, complaint), route=reply_route_label(complaint), routing=ROUTING,
        weights=WEIGHTS, channels=CHANNELS, statuses=STATUSES, late_days=_late_days(complaint),
    )
    return page, status


def _late_days(complaint: Complaint) -> int | None:
    """Working days a closed complaint went past its deadline (0 when on time); None while open."""
    if complaint.closed_at is None:
        return None
    closed_on = local_today(complaint.unit, complaint.closed_at)
    return max(0, working_days_between(complaint.due_on, closed_on, complaint.unit_id))


@bp.route("/admin/pengaduan/<int:complaint_id>")
@guard("complaint.view")
def case_view(complaint_id: int) -> tuple[str, int]:
    """One complaint: who and what, the deadline, its files, its history, and the next steps."""
    return _render_case(_complaint_or_404(complaint_id))


DONE_MESSAGES = {
    "verifikasi": "Pengaduan diverifikasi.",
    "bobot": "Bobot pengaduan disimpan.",
    "tugaskan": "Penanganan ditugaskan.",
    "catatan": "Catatan internal disimpan.",
    "balas": "Balasan disimpan dan tampil di halaman lacak.",
    "selesai": "Pengaduan selesai. Berita Acara Penyelesaian siap dicetak.",
    "tolak": "Pengaduan ditolak; alasannya tampil di halaman lacak.",
    "buka-kembali": "Pengaduan dibuka kembali.",
}


@bp.route("/admin/pengaduan/<int:complaint_id>/aksi/<action>", methods=["POST"])
@guard("complaint.handle")
def case_action(complaint_id: int, action: str):
    """One handling step; a refused step shows the page again with what was typed."""
    complaint = _complaint_or_404(complaint_id)
    form_class = ACTION_FORMS.get(action) or abort(404)
    form = form_class(prefix=action)
    if action == "tugaskan":
        form.assignee.choices = choices((u.id, u.display_name) for u in possible_assignees(complaint))
    if not form.validate_on_submit():
        return _render_case(complaint, {action: form}, flatten_errors(form), 422)
    text = getattr(form, "text", None)
    text = text.data or "" if text is not None else ""
    message = DONE_MESSAGES.get(action, "")
    try:
        if action == "verifikasi":
            verify(complaint, current_user, text)
        elif action == "bobot":
            classify(complaint, form.weight.data, current_user, text)
        elif action == "tugaskan":
            assign(complaint, db.session.get(User, form.assignee.data) or abort(400), current_user, text)
        elif action == "catatan":
            add_note(complaint, text, current_user)
        elif action == "balas":
            sent = reply(complaint, text, current_user)
            message = "Balasan disimpan, tampil di halaman lacak" + (
                " dan dikirim kepada pengadu." if sent else "; pengadu tidak punya kontak untuk dikirimi.")
        elif action == "selesai":
            resolve(complaint, text, current_user)
        elif action == "tolak":
            reject(complaint, text, current_user)
        elif action == "buka-kembali":
            reopen(complaint, text, current_user)
        elif action == "kode-baru":
            require(current_user, "complaint.record", complaint)  # the new code is shown on the receipt page only
            code = new_code(complaint, current_user)
            session[RECEIPT_KEY] = {"id": complaint.id, "code": code}
            flash("Kode lacak baru dibuat; kode lama tidak berlaku lagi.", "success")
            return redirect(url_for("pengaduan.receipt"))
    except ComplaintError as error:  # rolled back by the unit of work: the page again, with what was typed
        form.form_errors.append(str(error))
        return _render_case(complaint, {action: form}, flatten_errors(form), 422)
    flash(message, "success")
    return redirect(url_for("pengaduan.case_view", complaint_id=complaint.id) + "#riwayat")


@bp.route("/admin/pengaduan/<int:complaint_id>/lampiran/<int:attachment_id>")
@guard("complaint.view")
def attachment(complaint_id: int, attachment_id: int) -> Response:
    """A file of the complaint, always as a download: never shown inline, never run."""
    complaint = _complaint_or_404(complaint_id)
    found = db.session.get(ComplaintAttachment, attachment_id)
    if found is None or found.complaint_id != complaint.id:
        abort(404)
    path = path_of(found)
    if not path.is_file():
        abort(404)
    extension = path.suffix
    response = send_file(path, mimetype=found.content_type, as_attachment=True,
                         download_name=f"{complaint.number}-lampiran-{found.id}{extension}", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/admin/pengaduan/<int:complaint_id>/berita-acara.pdf")
@guard("complaint.view")
def minutes_pdf(complaint_id: int) -> Response:
    """The Berita Acara Penyelesaian of a resolved complaint, as PDF."""
    complaint = _complaint_or_404(complaint_id)
    if complaint.status != "selesai":
        abort(404)
    resolved_event = next((e for e in reversed(complaint.events) if e.action == "selesai"), None)
    html = render_template(
        "pengaduan/bap_pdf.html", complaint=complaint, identity=sees_identity(current_user, complaint), weights=WEIGHTS,
        channels=CHANNELS, resolved_event=resolved_event, late_days=_late_days(complaint),
        closed_on=local_today(complaint.unit, complaint.closed_at), printed_at=utcnow(),
        unit=complaint.unit, paper_date=local_today(complaint.unit, complaint.closed_at),
    )
    pdf = pdf_bytes(html)
    unit = complaint.unit
    if unit is not None:  # a complaint about no unit's service has no unit to sign for it
        stamp = Stamp(signatory=unit.name, date_text=tanggal(local_today(unit, complaint.closed_at)),
                      url=public_url("berkas.verify_index"), location=unit.city or "",
                      reason=f"Berita Acara Penyelesaian pengaduan {complaint.number}")
        pdf = sign_print(pdf, unit, stamp)
    return pdf_response(pdf, f"berita-acara-{complaint.number}.pdf")


# --- direct complaints (pengaduan langsung) and queue tickets ---------------------------------


def _complaint_ticket(ticket_id: int | None) -> Ticket | None:
    """A queue ticket of a complaint service the officer may record, or None."""
    if not ticket_id:
        return None
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not can(current_user, "complaint.record", ticket):
        abort(404)
    if ticket.queue_service.code not in current_app.config["PENGADUAN_QUEUE_CODES"]:
        abort(404)
    return ticket


@bp.route("/admin/pengaduan/baru", methods=["GET", "POST"])
@guard("complaint.record")
def staff_new() -> WerkzeugResponse | str | tuple[str, int]:
    """Record a complaint for a visitor at the counter, a caller, a letter, an email, the box or SP4N-LAPOR!."""
    form = DirectComplaintForm()
    form.set_services(published_services(current_user))
    ticket_id = parse_id(request.args.get("tiket")) or parse_id(form.ticket.data)
    ticket = _complaint_ticket(ticket_id)
    if ticket is not None:
        existing = db.session.scalar(select(Complaint).where(Complaint.ticket_id == ticket.id))
        if existing is not None:
            flash(f"Tiket {ticket.number} sudah dicatat sebagai pengaduan {existing.number}.", "info")
            if can(current_user, "complaint.view", existing):
                return redirect(url_for("pengaduan.case_view", complaint_id=existing.id))
            return redirect(url_for("antrian.counter_panel"))
    if request.method == "GET":
        form.received_on.data = local_today()
        if ticket is not None:
            form.ticket.data = str(ticket.id)
            form.channel.data = "datang_langsung"
        return render_template("pengaduan/staff_new.html", form=form, ticket=ticket, errors=[])
    if form.validate():
        uploads = read_uploads(form)
        if uploads is not None:
            data = complaint_input(form, form.channel.data)
            try:
                complaint, code, failed = save_new_complaint(data, uploads, user=current_user, ticket=ticket,
                                                             received_on=form.received_on.data)
            except ComplaintError as error:
                form.service.errors = [str(error)]
                return render_template("pengaduan/staff_new.html", form=form, ticket=ticket,
                                       errors=flatten_errors(form)), 422
            session[RECEIPT_KEY] = {"id": complaint.id, "code": code}
            if failed:
                flash(f"Lampiran tidak tersimpan: {', '.join(failed)}.", "error")
            flash(f"Pengaduan {complaint.number} dicatat.", "success")
            return redirect(url_for("pengaduan.receipt"))
    return render_template("pengaduan/staff_new.html", form=form, ticket=ticket, errors=flatten_errors(form)), 422


def _kept_receipt() -> tuple[Complaint | None, str]:
    """The complaint just recorded in this session and its tracking code (kept only until the receipt is given)."""
    kept = session.get(RECEIPT_KEY)
    complaint = db.session.get(Complaint, kept["id"]) if kept else None
    return complaint, (kept["code"] if complaint is not None else "")


@bp.route("/admin/pengaduan/tanda-terima.pdf")
@guard("complaint.record")
def receipt_pdf_view() -> WerkzeugResponse | Response:
    """The receipt of the complaint just recorded, on the office's paper (PDF), signed by the recording officer."""
    complaint, code = _kept_receipt()
    if complaint is None:
        flash("Tidak ada tanda terima untuk ditampilkan.", "info")
        return redirect(url_for("pengaduan.staff_new"))
    pdf = receipt_pdf(complaint, code, current_user.display_name)
    return pdf_response(pdf, f"tanda-terima-{complaint.number}.pdf")


@bp.route("/admin/pengaduan/tanda-terima")
@guard("complaint.record")
def receipt() -> WerkzeugResponse | Response:
    """The receipt of the complaint just recorded: number, code and QR to hand to the person (printable)."""
    complaint, code = _kept_receipt()
    if complaint is None:
        flash("Tidak ada tanda terima untuk ditampilkan.", "info")
        return redirect(url_for("pengaduan.staff_new"))
    response = Response(render_template(
        "pengaduan/receipt.html", complaint=complaint, code=code, code_text=format_code(code),
        url=tracking_url(code), route=reply_route_label(complaint),
    ))
    response.headers["Cache-Control"] = "no-store"
    return response

