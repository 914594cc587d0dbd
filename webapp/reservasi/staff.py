"""Staff pages of reservasi: the day's bookings with check-in at the counter, each line's booking setup, and the
booking statistics (CSV and XLSX). Names and phone numbers of bookings appear here only, to staff of the unit."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from antrian.events import publish_change
from antrian.models import QueueService
from webapp.core.extensions import db
from webapp.core.formatting import tanggal_singkat
from webapp.core.forms import flatten_errors
from webapp.core.localtime import local_today
from webapp.core.policy import guard, require, scoped
from webapp.core.tables import append_table, csv_response, csv_text, workbook_bytes, xlsx_bytes_response
from webapp.core.units import Unit
from webapp.reservasi import bp
from webapp.reservasi.forms import CheckInForm, SetupForm
from webapp.reservasi.models import Booking
from webapp.reservasi.service import (
    STAT_HEADERS,
    BookingError,
    catalogue_slug,
    check_in,
    day_bookings,
    find_booking,
    parse_day,
    requirements,
    save_setup,
    setup_of,
    statistic_rows,
    statistics,
)

MAX_DAYS = 366


def _unit(action: str) -> Unit:
    """The unit of ?instansi= (or the account's own, or the only one), which the user may ``action`` in."""
    slug = request.values.get("instansi")
    if slug:
        unit = Unit.by_slug(slug) or abort(404)
    elif getattr(current_user, "unit_id", None):
        unit = db.session.get(Unit, current_user.unit_id) or abort(404)
    else:
        units = list(db.session.scalars(scoped(current_user, select(Unit).order_by(Unit.name), Unit.id)))
        unit = units[0] if units else abort(404)
    require(current_user, action, unit)
    return unit


def _day_page(unit: Unit, form: CheckInForm, status: int = 200) -> tuple[str, int]:
    day = parse_day(request.args.get("tanggal")) or local_today(unit)
    return render_template("reservasi/staff_day.html", unit=unit, day=day, bookings=day_bookings(unit, day),
                           form=form, errors=flatten_errors(form), statuses=Booking.STATUSES,
                           may_check_in=True), status


@bp.route("/antrian/loket/reservasi")
@guard("reservasi.view")
def day_list() -> tuple[str, int]:
    """The day's bookings of the unit per line and slot, with their check-in state."""
    return _day_page(_unit("reservasi.view"), CheckInForm(formdata=None))


@bp.route("/antrian/loket/reservasi/checkin", methods=["POST"])
@guard("reservasi.checkin")
def staff_checkin() -> WerkzeugResponse | tuple[str, int]:
    """The officer types a visitor's code: the booking is checked in and its ticket issued."""
    unit = _unit("reservasi.checkin")
    form = CheckInForm()
    if not form.validate_on_submit():
        return _day_page(unit, form, 422)
    found = find_booking(form.kode.data)
    if found is None:
        form.kode.errors = ["Kode reservasi tidak dikenal."]
        return _day_page(unit, form, 422)
    try:
        done = check_in(found, unit=unit, actor=current_user)
    except BookingError as exc:
        form.kode.errors = [str(exc)]
        return _day_page(unit, form, 409)
    publish_change(unit, issued=True)
    flash(done.message, "info" if done.late else "success")
    return redirect(url_for("reservasi.day_list", instansi=unit.slug))


@bp.route("/antrian/pengaturan/reservasi/<slug>", methods=["GET", "POST"])
@guard("queue.setup")
def setup(slug: str) -> WerkzeugResponse | tuple[str, int]:
    """Each line's booking rules: on or off, slot length and places, days ahead, walk-in share, grace, fairness."""
    unit = Unit.by_slug(slug) or abort(404)
    require(current_user, "queue.setup", unit)
    lines = list(db.session.scalars(select(QueueService).where(QueueService.unit_id == unit.id)
                                    .order_by(QueueService.position, QueueService.code)))
    if not lines:
        flash("Buat layanan antrian lebih dulu.", "info")
        return redirect(url_for("antrian.setup", slug=unit.slug))
    line = next((x for x in lines if x.code == request.args.get("layanan")), lines[0])
    if request.method == "POST":
        form = SetupForm()
        if form.validate():
            try:
                save_setup(line, form.values(), actor=current_user)
            except BookingError as exc:
                form.form_errors.append(str(exc))
            else:
                flash(f"Pengaturan reservasi layanan {line.code} disimpan.", "success")
                return redirect(url_for("reservasi.setup", slug=unit.slug, layanan=line.code))
        status = 422
    else:
        current = setup_of(line)
        form = SetupForm(formdata=None, obj=current) if current else SetupForm(formdata=None, data={
            "slot_minutes": 30, "places": 4, "days_ahead": 14, "walk_in_percent": 50, "early_minutes": 15,
            "late_minutes": 30, "mark": "R", "max_per_contact": 1, "noshow_limit": 2, "noshow_days": 14})
        status = 200
    return render_template("reservasi/setup.html", unit=unit, lines=lines, line=line, form=form,
                           errors=flatten_errors(form), setup=setup_of(line), requirements=requirements(line),
                           standard_slug=catalogue_slug(line)), status


@bp.route("/antrian/statistik/<slug>/reservasi")
@guard("queue.statistics")
def stats(slug: str) -> Response | str:
    """Bookings, check-ins, no-shows, show-up rate and the waits of booked and walk-in visitors; CSV and XLSX."""
    unit = Unit.by_slug(slug) or abort(404)
    require(current_user, "queue.statistics", unit)
    today = local_today(unit)
    last = parse_day(request.args.get("sampai")) or today
    first = parse_day(request.args.get("dari")) or last - timedelta(days=29)
    if last < first:
        first, last = last, first
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    figures = statistics(unit, first, last)
    title = f"Reservasi {unit.short_name} {tanggal_singkat(first)} s.d. {tanggal_singkat(last)}"
    filename = f"reservasi-{unit.slug}-{first.isoformat()}-{last.isoformat()}"
    if request.args.get("format") == "csv":
        return csv_response(csv_text([STAT_HEADERS, *statistic_rows(figures)]), f"{filename}.csv")
    if request.args.get("format") == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "Reservasi"
        append_table(sheet, STAT_HEADERS, statistic_rows(figures), title=title)
        return xlsx_bytes_response(workbook_bytes(book), f"{filename}.xlsx")
    return render_template("reservasi/stats.html", unit=unit, figures=figures, first=first, last=last, title=title)
