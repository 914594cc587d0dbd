"""Staff pages of the survey: results per unit, service and period, the follow-up plan editor,
the queue lines' services, and the exports (XLSX tabulation, PDF semester report)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.core.extensions import db
from webapp.core.forms import apply_list_operation, choices, flatten_errors
from webapp.core.inputs import parse_id
from webapp.core.localtime import local_today
from webapp.core.pdf import pdf_response
from webapp.core.policy import guard, require, scoped
from webapp.core.tables import xlsx_bytes_response
from webapp.core.units import Unit
from webapp.standards.models import Service
from webapp.survei import bp
from webapp.survei.antrian import link_queue_services, queue_lines, suggested_links
from webapp.survei.exports import report_pdf, tabulation_xlsx
from webapp.survei.forms import FollowUpForm
from webapp.survei.models import FollowUpPlan
from webapp.survei.periods import Period, period_choices
from webapp.survei.questionnaire import ELEMENTS
from webapp.survei.report import MAX_PLAN_ROWS, follow_up_plan, save_follow_up_plan, unit_report
from webapp.survei.results import chosen_period, responses


def _units() -> list[Unit]:
    return list(db.session.scalars(scoped(current_user, select(Unit).order_by(Unit.name), Unit.id, unitless=False)))


def _unit_or_403(slug: str, action: str = "survey.view") -> Unit:
    unit = Unit.by_slug(slug) or abort(404)
    require(current_user, action, unit)
    return unit


def _service_of(unit: Unit) -> Service | None:
    slug = request.args.get("layanan")
    if not slug:
        return None
    service = Service.by_slug(slug)
    if service is None or service.unit_id != unit.id:
        abort(404)
    return service


def _file_stem(unit: Unit, period: Period, service: Service | None) -> str:
    return f"ikm-{(service.slug if service else unit.slug)}-{period.key}"


@bp.route("/admin/survei")
@guard("survey.view")
def results_page() -> str | WerkzeugResponse:
    """Results of a unit (or one of its services) for a period, with the suggestions and the exports."""
    units = _units()
    if not units:
        return render_template("survei/admin_results.html", units=[], unit=None)
    slug = request.args.get("instansi")
    unit = _unit_or_403(slug) if slug else units[0]
    service = _service_of(unit)
    period = chosen_period(unit, request.args.get("periode"))
    report = unit_report(unit, period, service=service)
    suggestions = [r for r in responses(period, unit=unit, service=service) if r.suggestion]
    return render_template(
        "survei/admin_results.html",
        units=units,
        unit=unit,
        service=service,
        services=unit.published_services,
        period=period,
        periods=period_choices(local_today(unit)),
        suggestions=suggestions,
        elements=ELEMENTS,
        **report,
    )


@bp.route("/admin/survei/<slug>/tabulasi.xlsx")
@guard("survey.view")
def tabulation(slug: str) -> Response:
    """The tabulation workbook: one row per respondent, one column per element, NRR and IKM below."""
    unit = _unit_or_403(slug)
    service = _service_of(unit)
    period = chosen_period(unit, request.args.get("periode"))
    report = unit_report(unit, period, service=service)
    title = ["Tabulasi Survei Kepuasan Masyarakat (PermenPANRB 14/2017)", unit.name]
    if service is not None:
        title.append(f"Layanan: {service.title}")
    title.append(f"Periode: {period.label} ({period.first:%d-%m-%Y} s.d. {period.last:%d-%m-%Y})")
    body = tabulation_xlsx(title, responses(period, unit=unit, service=service), report["result"])
    return xlsx_bytes_response(body, f"{_file_stem(unit, period, service)}.xlsx")


@bp.route("/admin/survei/<slug>/laporan.pdf")
@guard("survey.view")
def report(slug: str) -> Response:
    """The report of a period (a semester by default) as PDF, to print, sign and publish."""
    unit = _unit_or_403(slug)
    period = chosen_period(unit, request.args.get("periode"))
    context = unit_report(unit, period)
    body = report_pdf(unit=unit, period=period, elements=ELEMENTS, printed_on=local_today(unit), **context)
    return pdf_response(body, f"laporan-{_file_stem(unit, period, None)}.pdf")


def _plan_data(plan: FollowUpPlan | None, flagged_codes: list[str]) -> dict:
    if plan is not None and plan.items:
        return {"items": plan.items, "note": plan.note}
    # A new plan starts with one row per flagged element: what the results ask to improve.
    return {"items": [{"element": code} for code in flagged_codes] or [{}], "note": ""}


@bp.route("/admin/survei/<slug>/rencana-tindak-lanjut", methods=["GET", "POST"])
@guard("survey.plan")
def follow_up(slug: str) -> WerkzeugResponse | str | tuple[str, int]:
    """Write the follow-up plan of a unit for a period; it is published beside the results at once."""
    unit = _unit_or_403(slug, "survey.plan")
    period = chosen_period(unit, request.args.get("periode"))
    report_data = unit_report(unit, period)
    plan = follow_up_plan(unit, period)
    flagged = [e.element.code for e in report_data["result"].flagged]
    if request.method == "POST":
        form = FollowUpForm()
        op = request.form.get("op", "")
        if op:
            data = {"items": [entry.data for entry in form.items.entries], "note": form.note.data or ""}
            apply_list_operation(data, op)
            data["items"] = data["items"][:MAX_PLAN_ROWS]
            form = FollowUpForm(formdata=None, data=data)
            _element_choices(form)
            return render_template(
                "survei/follow_up.html", unit=unit, period=period, form=form, errors=[], **report_data
            )
    else:
        form = FollowUpForm(formdata=None, data=_plan_data(plan, flagged))
    _element_choices(form)
    if request.method == "POST" and form.validate():
        save_follow_up_plan(unit, period, [entry.data for entry in form.items.entries], form.note.data or "",
                            actor=current_user)
        flash("Rencana tindak lanjut disimpan dan diterbitkan di halaman IKM.", "success")
        return redirect(url_for("survei.results_page", instansi=unit.slug, periode=period.key))
    status = 422 if request.method == "POST" else 200
    errors = flatten_errors(form) if request.method == "POST" else []
    return (
        render_template("survei/follow_up.html", unit=unit, period=period, form=form, errors=errors, **report_data),
        status,
    )


def _element_choices(form: FollowUpForm) -> None:
    options = choices([("", "Umum (semua unsur)"), *((e.code, f"{e.code} {e.name}") for e in ELEMENTS)])
    for entry in form.items.entries:
        entry.element.choices = options


@bp.route("/admin/survei/<slug>/antrian", methods=["GET", "POST"])
@guard("survey.setup")
def queue_links(slug: str) -> WerkzeugResponse | str:
    """Which catalogue service each queue line delivers: a served ticket's survey is then about it."""
    unit = _unit_or_403(slug, "survey.setup")
    lines = queue_lines(unit)
    services = {s.id: s for s in unit.published_services}
    if request.method == "POST":
        chosen = {line.id: request.form.get(f"line-{line.id}", "") for line in lines}
        link_queue_services(unit, {line_id: parse_id(raw) for line_id, raw in chosen.items()},
                            actor=current_user)
        flash("Tautan antrian ke layanan disimpan.", "success")
        return redirect(url_for("survei.queue_links", slug=unit.slug))
    suggestions = {line_id: services[service_id] for line_id, service_id in suggested_links(unit, lines).items()}
    return render_template(
        "survei/queue_links.html", unit=unit, lines=lines, services=list(services.values()), suggestions=suggestions
    )
