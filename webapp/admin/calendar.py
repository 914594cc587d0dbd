"""The working-day calendar (holidays, cuti bersama, closures) and the outbox, for staff.

Closures belong to a unit or to the whole office. A unit-limited account adds and deletes
its unit's closures only; office-wide closures, which move every unit's deadlines, are
the global accounts' (``closure.manage`` has ``unitless="global"``). The outbox lists the
messages of the account's unit.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp.admin import bp
from webapp.admin.forms import WHOLE_OFFICE, ClosureForm, ConfirmForm
from webapp.core.extensions import db
from webapp.core.forms import choices, flatten_errors
from webapp.core.inputs import page_number
from webapp.core.policy import guard, is_global, require
from webapp.core.units import Unit
from webapp.outbox.models import CHANNELS, STATUSES, OutboxMessage
from webapp.outbox.service import OutboxError, messages_for, recipient_label, retry_now
from webapp.workdays.models import Closure
from webapp.workdays.service import ClosureError, add_closure, closures_in, days_off, delete_closure

OUTBOX_PAGE_SIZE = 50


def _closure_form() -> ClosureForm:
    """The closure form with the choices of the account: the whole office and every unit, or its own unit."""
    if is_global(current_user):
        units = db.session.scalars(select(Unit).order_by(Unit.short_name)).all()
        form = ClosureForm(unit=WHOLE_OFFICE)
        form.unit.choices = choices([(WHOLE_OFFICE, "Seluruh kantor (semua instansi)"),
                                     *((unit.id, unit.short_name) for unit in units)])
    else:
        form = ClosureForm(unit=current_user.unit_id)
        form.unit.choices = choices([(current_user.unit_id, current_user.unit.short_name)])
    return form


@bp.route("/hari-libur", methods=["GET", "POST"])
@guard("closure.manage")
def calendar() -> Response | str | tuple[str, int]:
    """The year's days off; staff add closures that deadlines then skip, for their unit or the whole office."""
    year = request.args.get("tahun", date.today().year, type=int)
    if not 2000 <= year <= 2100:
        abort(404)
    form = _closure_form()
    if form.is_submitted():
        # Closing for whom is asked of the policy before the form: another unit, or the whole
        # office for a unit's account, is refused, not merely an invalid choice.
        require(current_user, "closure.manage", form.unit.data or None)
    if form.validate_on_submit():
        try:
            closure = add_closure(form.day.data, form.reason.data, form.unit.data or None, actor=current_user)
        except ClosureError as error:
            form.day.errors.append(str(error))
        else:
            whom = closure.unit.short_name if closure.unit else "seluruh kantor"
            flash(f"Hari tutup {closure.day:%d-%m-%Y} ({whom}) disimpan. Tenggat yang belum lewat kini melewati "
                  "hari itu.", "success")
            return redirect(url_for("admin.calendar", tahun=closure.day.year))
    status = 422 if form.errors else 200
    page = render_template(
        "admin/calendar.html",
        form=form,
        errors=flatten_errors(form),
        year=year,
        # A unit's account sees its unit's calendar; a global account the office-wide one, and
        # every unit's own closures in the list below it.
        days=days_off(date(year, 1, 1), date(year, 12, 31), current_user.unit_id),
        closures=closures_in(current_user, year),
        confirm=ConfirmForm(),
    )
    return page, status


@bp.route("/hari-libur/<int:closure_id>/hapus", methods=["POST"], endpoint="delete_closure")
@guard("closure.manage")
def remove_closure(closure_id: int) -> Response:
    """Remove a closure entered by mistake (a unit's account: only its unit's)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    closure = db.session.get(Closure, closure_id) or abort(404)
    require(current_user, "closure.manage", closure)
    year = closure.day.year
    delete_closure(closure, actor=current_user)
    flash("Hari tutup dihapus.", "success")
    return redirect(url_for("admin.calendar", tahun=year))


@bp.route("/outbox")
@guard("outbox.view")
def outbox() -> str:
    """Messages to citizens of the account's unit and their delivery state, newest first; recipients masked."""
    status = request.args.get("status", "")
    page = page_number(request.args.get("halaman"))
    pagination = db.paginate(messages_for(current_user, status), page=page, per_page=OUTBOX_PAGE_SIZE,
                             error_out=False)
    return render_template(
        "admin/outbox.html", pagination=pagination, statuses=STATUSES, channels=CHANNELS, status=status,
        confirm=ConfirmForm(), recipient=partial(recipient_label, current_user),
    )


@bp.route("/outbox/<int:message_id>/kirim-ulang", methods=["POST"])
@guard("outbox.view")
def retry_message(message_id: int) -> Response:
    """Try a waiting or failed message of the account's unit again now."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    require(current_user, "outbox.view", message)
    try:
        retry_now(message)
    except OutboxError as error:
        flash(str(error), "error")
    else:
        flash("Pesan dijadwalkan untuk dikirim ulang sekarang.", "success")
    return redirect(url_for("admin.outbox"))
