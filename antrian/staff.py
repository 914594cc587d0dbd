"""Staff pages of the queue: its setup per unit (admin) and its statistics (every staff role)."""

from __future__ import annotations

from datetime import time, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from antrian import bp
from antrian.events import publish_change
from antrian.forms import QueueSetupForm, StatsForm
from antrian.setup import save_setup, setup_of
from antrian.stats import bars, by_counter, by_day, by_day_and_service, tickets_between, to_csv, to_xlsx
from webapp.core.db import utcnow
from webapp.core.formatting import tanggal_singkat
from webapp.core.forms import apply_list_operation, flatten_errors
from webapp.core.localtime import local_today
from webapp.core.pdf import render_pdf
from webapp.core.policy import guard, require
from webapp.core.tables import csv_response, xlsx_bytes_response
from webapp.core.units import Unit

MAX_DAYS = 366


def _unit_or_403(slug: str, action: str) -> Unit:
    unit = Unit.by_slug(slug) or abort(404)
    require(current_user, action, unit)
    return unit


def _with_new_rows_active(data: dict, operation: str) -> dict:
    """A line or counter just added starts active (and a line with the usual hours): it is added to be used."""
    verb, _, name = operation.partition(":")
    rows = data.get(name) if verb == "add" and name in ("services", "counters") else None
    if rows:
        row = rows[-1] if isinstance(rows[-1], dict) else {}
        row["active"] = True
        if name == "services":
            row["opens_at"] = row.get("opens_at") or time(8, 0)
            row["closes_at"] = row.get("closes_at") or time(15, 0)
        rows[-1] = row
    return data


@bp.route("/pengaturan/<slug>", methods=["GET", "POST"])
@guard("queue.setup")
def setup(slug: str) -> WerkzeugResponse | str | tuple[str, int]:
    """A unit's queue: services with letters, hours and caps; counters and what they serve; running text."""
    unit = _unit_or_403(slug, "queue.setup")
    operation = request.form.get("op")
    if request.method == "POST" and operation:
        data = _with_new_rows_active(apply_list_operation(QueueSetupForm().data, operation), operation)
        form = QueueSetupForm(formdata=None, data=data)
        return render_template("antrian/setup.html", unit=unit, form=form, errors=[])
    if request.method == "GET":
        return render_template("antrian/setup.html", unit=unit, form=QueueSetupForm(data=setup_of(unit)), errors=[])
    form = QueueSetupForm()
    if form.validate():
        save_setup(unit, form.services.data, form.counters.data, form.running_text.data or "", actor=current_user,
                   notify_ahead=form.notify_ahead.data, announce=form.announce.data, kiosk=form.kiosk.data)
        publish_change(unit)
        flash("Pengaturan antrian disimpan.", "success")
        return redirect(url_for("antrian.setup", slug=unit.slug))
    return render_template("antrian/setup.html", unit=unit, form=form, errors=flatten_errors(form)), 422


@bp.route("/statistik/<slug>")
@guard("queue.statistics")
def statistics(slug: str) -> Response | str:
    """Tickets, served, no-shows, mean and 90th-percentile waits and service times; CSV, XLSX and PDF."""
    unit = _unit_or_403(slug, "queue.statistics")
    form = StatsForm(request.args)
    today = local_today(unit)
    first = form.dari.data if form.validate() and form.dari.data else today - timedelta(days=6)
    last = form.sampai.data if form.sampai.data else today
    if last < first:
        first, last = last, first
    if (last - first).days >= MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS - 1)
    tickets = tickets_between(unit, first, last)
    days, counters = by_day_and_service(tickets), by_counter(tickets)
    title = f"Statistik antrian {unit.short_name} {tanggal_singkat(first)} s.d. {tanggal_singkat(last)}"
    export = request.args.get("format")
    filename = f"antrian-{unit.slug}-{first.isoformat()}-{last.isoformat()}"
    if export == "csv":
        return csv_response(to_csv(days, counters), f"{filename}.csv")
    if export == "xlsx":
        return xlsx_bytes_response(to_xlsx(days, counters, title), f"{filename}.xlsx")
    if export == "pdf":
        daily = by_day(tickets, first, last)
        html = render_template("antrian/stats_pdf.html", unit=unit, days=days, counters=counters, daily=daily,
                               ticket_bars=bars(daily, "tickets"), wait_bars=bars(daily, "mean_wait"),
                               first=first, last=last, paper_date=today, printed_at=utcnow())  # fmt: skip
        return render_pdf(html, f"{filename}.pdf")
    return render_template("antrian/stats.html", unit=unit, form=form, days=days, counters=counters,
                           first=first, last=last, title=title)  # fmt: skip
