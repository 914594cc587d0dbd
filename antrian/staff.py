"""Staff pages of the queue: its setup per unit (admin) and its statistics (every staff role)."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from antrian import bp
from antrian.events import publish_change
from antrian.forms import QueueSetupForm, StatsForm
from antrian.models import Counter, QueueService, QueueState, Ticket
from antrian.stats import by_counter, by_day_and_service, tickets_between, to_csv, to_xlsx
from webapp.audit.models import diff_documents, record
from webapp.core.extensions import db
from webapp.core.forms import apply_list_operation, flatten_errors
from webapp.core.localtime import local_today
from webapp.core.policy import guard, require
from webapp.core.tables import csv_response, xlsx_bytes_response
from webapp.core.units import Unit

MAX_DAYS = 366


def _unit_or_403(slug: str, action: str) -> Unit:
    unit = Unit.by_slug(slug) or abort(404)
    require(current_user, action, unit)
    return unit


def _setup_data(unit: Unit) -> dict:
    services = db.session.scalars(
        select(QueueService).where(QueueService.unit_id == unit.id).order_by(QueueService.position, QueueService.code)
    ).all()
    counters = db.session.scalars(select(Counter).where(Counter.unit_id == unit.id).order_by(Counter.number)).all()
    state = db.session.get(QueueState, unit.id)
    return {
        "services": [
            {"code": s.code, "name": s.name, "opens_at": s.opens_at, "closes_at": s.closes_at,
             "daily_cap": s.daily_cap, "active": s.active}
            for s in services
        ],
        "counters": [
            {"number": c.number, "name": c.name, "active": c.active,
             "services": ", ".join(s.code for s in c.queue_services)}
            for c in counters
        ],
        "running_text": state.running_text if state else "",
    }  # fmt: skip


def _in_use(column: object, value: int) -> bool:
    return db.session.scalar(select(Ticket.id).where(column == value).limit(1)) is not None


def _save_setup(unit: Unit, data: dict) -> None:
    """Write the form's services and counters; one that served tickets is deactivated, not deleted."""
    services = {s.code: s for s in db.session.scalars(select(QueueService).where(QueueService.unit_id == unit.id))}
    kept = set()
    for position, item in enumerate(data["services"]):
        service = services.get(item["code"]) or QueueService(unit=unit, code=item["code"])
        service.name = item["name"].strip()
        service.opens_at, service.closes_at = item["opens_at"], item["closes_at"]
        service.daily_cap = item["daily_cap"]
        service.active = item["active"]
        service.position = position
        db.session.add(service)
        services[service.code] = service
        kept.add(service.code)
    for code, service in services.items():
        if code not in kept:
            if service.id and _in_use(Ticket.queue_service_id, service.id):
                service.active = False
            else:
                db.session.delete(service)
    counters = {c.number: c for c in db.session.scalars(select(Counter).where(Counter.unit_id == unit.id))}
    kept_numbers = set()
    for item in data["counters"]:
        counter = counters.get(item["number"]) or Counter(unit=unit, number=item["number"])
        counter.name = item["name"].strip()
        counter.active = item["active"]
        codes = [c.strip().upper() for c in item["services"].split(",") if c.strip()]
        counter.queue_services = [services[c] for c in codes]
        db.session.add(counter)
        kept_numbers.add(counter.number)
    for number, counter in counters.items():
        if number not in kept_numbers:
            if counter.id and _in_use(Ticket.counter_id, counter.id):
                counter.active = False
            else:
                db.session.delete(counter)
    state = db.session.get(QueueState, unit.id) or QueueState(unit_id=unit.id, version=0)
    state.running_text = (data.get("running_text") or "").strip()
    state.version += 1
    db.session.add(state)


@bp.route("/pengaturan/<slug>", methods=["GET", "POST"])
@guard("queue.setup")
def setup(slug: str) -> WerkzeugResponse | str | tuple[str, int]:
    """A unit's queue: services with letters, hours and caps; counters and what they serve; running text."""
    unit = _unit_or_403(slug, "queue.setup")
    operation = request.form.get("op")
    if request.method == "POST" and operation:
        form = QueueSetupForm(formdata=None, data=apply_list_operation(QueueSetupForm().data, operation))
        return render_template("antrian/setup.html", unit=unit, form=form, errors=[])
    if request.method == "GET":
        return render_template("antrian/setup.html", unit=unit, form=QueueSetupForm(data=_setup_data(unit)), errors=[])
    form = QueueSetupForm()
    if form.validate():
        before = _setup_data(unit)
        _save_setup(unit, form.data)
        db.session.flush()
        after = _setup_data(unit)
        record("update", "queue", unit.id, f"Mengubah pengaturan antrian {unit.short_name}",
               diff_documents(before, after), unit.id, actor=current_user)  # fmt: skip
        db.session.commit()
        publish_change(unit)
        flash("Pengaturan antrian disimpan.", "success")
        return redirect(url_for("antrian.setup", slug=unit.slug))
    return render_template("antrian/setup.html", unit=unit, form=form, errors=flatten_errors(form)), 422


@bp.route("/statistik/<slug>")
@guard("queue.statistics")
def statistics(slug: str) -> Response | str:
    """Tickets, served, no-shows, mean and 90th-percentile waits and service times; CSV and XLSX."""
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
    title = f"Statistik antrian {unit.short_name} {first.isoformat()} s.d. {last.isoformat()}"
    export = request.args.get("format")
    filename = f"antrian-{unit.slug}-{first.isoformat()}-{last.isoformat()}"
    if export == "csv":
        return csv_response(to_csv(days, counters), f"{filename}.csv")
    if export == "xlsx":
        return xlsx_bytes_response(to_xlsx(days, counters, title), f"{filename}.xlsx")
    return render_template("antrian/stats.html", unit=unit, form=form, days=days, counters=counters,
                           first=first, last=last, title=title)  # fmt: skip
