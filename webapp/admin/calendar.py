"""The working-day calendar (holidays, cuti bersama, closures) and the outbox, for staff."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp.admin import bp
from webapp.admin.forms import ClosureForm, ConfirmForm
from webapp.audit.models import record
from webapp.core.extensions import db
from webapp.core.forms import flatten_errors
from webapp.core.policy import guard
from webapp.outbox.models import CHANNELS, STATUSES, OutboxMessage
from webapp.outbox.service import retry_now, send_soon
from webapp.workdays.models import Closure
from webapp.workdays.service import days_off

OUTBOX_PAGE_SIZE = 50


@bp.route("/hari-libur", methods=["GET", "POST"])
@guard("closure.manage")
def calendar() -> Response | str | tuple[str, int]:
    """The year's days off; the admin adds closures that deadlines then skip."""
    year = request.args.get("tahun", date.today().year, type=int)
    if not 2000 <= year <= 2100:
        abort(404)
    form = ClosureForm()
    if form.validate_on_submit():
        day = form.day.data
        if db.session.scalar(select(Closure).where(Closure.day == day)):
            form.day.errors.append("Tanggal ini sudah tercatat sebagai hari tutup.")
        else:
            closure = Closure(day=day, reason=form.reason.data.strip())
            db.session.add(closure)
            db.session.flush()
            record("create", "closure", closure.id, f"Hari tutup {day.isoformat()}: {closure.reason}",
                   actor=current_user)
            db.session.commit()
            flash(f"Hari tutup {day:%d-%m-%Y} disimpan. Tenggat yang belum lewat kini melewati hari itu.", "success")
            return redirect(url_for("admin.calendar", tahun=day.year))
    status = 422 if form.errors else 200
    closures = db.session.scalars(
        select(Closure).where(Closure.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(Closure.day)
    ).all()
    page = render_template(
        "admin/calendar.html",
        form=form,
        errors=flatten_errors(form),
        year=year,
        days=days_off(date(year, 1, 1), date(year, 12, 31)),
        closures=closures,
        confirm=ConfirmForm(),
    )
    return page, status


@bp.route("/hari-libur/<int:closure_id>/hapus", methods=["POST"])
@guard("closure.manage")
def delete_closure(closure_id: int) -> Response:
    """Remove a closure entered by mistake."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    closure = db.session.get(Closure, closure_id) or abort(404)
    year = closure.day.year
    summary = f"Hapus hari tutup {closure.day.isoformat()}: {closure.reason}"
    record("update", "closure", closure.id, summary, actor=current_user)
    db.session.delete(closure)
    db.session.commit()
    flash("Hari tutup dihapus.", "success")
    return redirect(url_for("admin.calendar", tahun=year))


@bp.route("/outbox")
@guard("outbox.view")
def outbox() -> str:
    """Messages to citizens and their delivery state, newest first; recipients masked."""
    status = request.args.get("status", "")
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in STATUSES:
        statement = statement.where(OutboxMessage.status == status)
    page = max(1, request.args.get("halaman", 1, type=int))
    pagination = db.paginate(statement, page=page, per_page=OUTBOX_PAGE_SIZE, error_out=False)
    return render_template(
        "admin/outbox.html", pagination=pagination, statuses=STATUSES, channels=CHANNELS, status=status,
        confirm=ConfirmForm(),
    )


@bp.route("/outbox/<int:message_id>/kirim-ulang", methods=["POST"])
@guard("outbox.view")
def retry_message(message_id: int) -> Response:
    """Try a waiting or failed message again now."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    retry_now(message)
    db.session.commit()
    send_soon()
    flash("Pesan dijadwalkan untuk dikirim ulang sekarang.", "success")
    return redirect(url_for("admin.outbox"))
