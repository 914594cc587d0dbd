"""Pages of the monthly complaint report: the months, one month's report and its review, PDF and XLSX.

The figures, the review's steps and the spreadsheet are ``webapp.pengaduan.reporting``'s;
these views choose the report, ask the policy, call it (each step is a unit of work there,
which commits) and redirect.

Which report: ``?instansi=<unit slug>``, or ``?instansi=semua`` for the office-wide one.
Without it, a unit's account gets its unit's report and a global account the office-wide
one. A unit's account asking for another unit's report, or the office-wide one, gets 403
(``report.*`` rules have ``unitless="global"``; see ``reporting``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.core.db import utcnow
from webapp.core.extensions import db
from webapp.core.formatting import public_url, tanggal, waktu
from webapp.core.forms import flatten_errors
from webapp.core.localtime import local_today
from webapp.core.pdf import pdf_bytes, pdf_response, render_pdf
from webapp.core.policy import guard, is_global, require
from webapp.core.signing import Stamp, sign_print
from webapp.core.tables import xlsx_bytes_response
from webapp.core.units import Unit
from webapp.pengaduan import bp
from webapp.pengaduan.forms import ConfirmForm, ReportSummaryForm, ReviewForm
from webapp.pengaduan.models import REPORT_APPROVED, REPORT_STATUSES
from webapp.pengaduan.reporting import (
    EVERY_UNIT,
    ReportError,
    approve,
    figures_of,
    month_label,
    report_for,
    report_months,
    save_summary,
    send_back,
    submit_month,
    to_xlsx,
    unit_label,
)

EVERY_UNIT_CHOICE = "semua"  # ?instansi=semua: the office-wide report

HISTORY_LABELS = {"dibuat": "Draf dibuat", "diubah": "Ringkasan diubah", "diajukan": "Diajukan kepada Sekretaris",
                  "disetujui": "Disetujui dan diserahkan kepada Kepala Dinas", "dikembalikan": "Dikembalikan"}


def _moment(value: datetime | str | None) -> str:
    """A stored timestamp (an ISO string in the history) in the office's time."""
    return waktu(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _period_or_404(year: int, month: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        abort(404)


def _chosen_unit(action: str) -> Unit | None:
    """The unit of the report asked for (None: the office-wide one), once the policy allows ``action`` on it."""
    choice = request.args.get("instansi", "")
    if not choice:
        unit = None if is_global(current_user) else current_user.unit
    elif choice == EVERY_UNIT_CHOICE:
        unit = None
    else:
        unit = Unit.by_slug(choice) or abort(404)
    require(current_user, action, unit.id if unit is not None else None)
    return unit


def _choice(unit: Unit | None) -> str:
    """The ``instansi`` value of a unit's report in links."""
    return unit.slug if unit is not None else EVERY_UNIT_CHOICE


@bp.route("/admin/pengaduan/laporan")
@guard("report.view")
def reports() -> str:
    """The months of the chosen unit's report (a global account chooses): the current one and every stored one."""
    unit = _chosen_unit("report.view")
    units = db.session.scalars(select(Unit).order_by(Unit.short_name)).all() if is_global(current_user) else []
    return render_template("pengaduan/reports.html", rows=report_months(unit, local_today(unit)),
                           statuses=REPORT_STATUSES, unit=unit, unit_name=unit_label(unit), choice=_choice(unit),
                           units=units, every_unit=EVERY_UNIT, every_unit_choice=EVERY_UNIT_CHOICE)


def _report_page(year: int, month: int, unit: Unit | None, summary_form: Any = None, review_form: Any = None,
                 errors: list | None = None, status: int = 200) -> tuple[str, int]:
    report = report_for(year, month, unit)
    summary_form = summary_form or ReportSummaryForm(formdata=None, summary=report.summary if report else "")
    page = render_template(
        "pengaduan/report.html", year=year, month=month, label=month_label(year, month), report=report,
        figures=figures_of(report, year, month, unit), summary_form=summary_form,
        review_form=review_form or ReviewForm(formdata=None), confirm=ConfirmForm(), errors=errors or [],
        statuses=REPORT_STATUSES, history_labels=HISTORY_LABELS, tanggal=tanggal, waktu=_moment,
        unit_name=unit_label(unit), choice=_choice(unit), target=unit.id if unit is not None else None,
    )
    return page, status


def _back(year: int, month: int, unit: Unit | None) -> WerkzeugResponse:
    return redirect(url_for("pengaduan.report_view", year=year, month=month, instansi=_choice(unit)))


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>", methods=["GET", "POST"])
@guard("report.view")
def report_view(year: int, month: int) -> WerkzeugResponse | tuple[str, int]:
    """One month's report of a unit: the figures, the team's summary, the review and its history."""
    _period_or_404(year, month)
    if request.method == "GET":
        return _report_page(year, month, _chosen_unit("report.view"))
    unit = _chosen_unit("report.submit")
    form = ReportSummaryForm()
    if not form.validate():
        return _report_page(year, month, unit, summary_form=form, errors=flatten_errors(form), status=422)
    try:
        save_summary(year, month, unit, current_user, form.summary.data or "")
    except ReportError as error:  # rolled back by the unit of work
        flash(str(error), "error")
    else:
        flash("Ringkasan laporan disimpan.", "success")
    return _back(year, month, unit)


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>/ajukan", methods=["POST"])
@guard("report.submit")
def report_submit(year: int, month: int) -> WerkzeugResponse:
    """Hand the month's report of a unit to the Sekretaris."""
    _period_or_404(year, month)
    unit = _chosen_unit("report.submit")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        submit_month(year, month, unit, current_user)
    except ReportError as error:  # rolled back by the unit of work
        flash(str(error), "error")
    else:
        flash("Laporan diajukan kepada Sekretaris untuk diperiksa.", "success")
    return _back(year, month, unit)


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>/periksa", methods=["POST"])
@guard("report.review")
def report_review(year: int, month: int) -> WerkzeugResponse | tuple[str, int]:
    """The Sekretaris approves the report or returns it with a note."""
    _period_or_404(year, month)
    unit = _chosen_unit("report.review")
    report = report_for(year, month, unit) or abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _report_page(year, month, unit, review_form=form, errors=flatten_errors(form), status=422)
    try:
        if request.form.get("keputusan") == "setujui":
            approve(report, current_user, form.note.data or "")
            message = "Laporan disetujui dan diserahkan kepada Kepala Dinas."
        else:
            send_back(report, current_user, form.note.data or "")
            message = "Laporan dikembalikan kepada Tim Pengaduan untuk diperbaiki."
    except ReportError as error:  # rolled back by the unit of work: the form again, with the note typed
        form.note.errors = [*form.note.errors, str(error)]
        return _report_page(year, month, unit, review_form=form, errors=flatten_errors(form), status=422)
    flash(message, "success")
    return _back(year, month, unit)


def _export_context(year: int, month: int, unit: Unit | None) -> dict:
    report = report_for(year, month, unit)
    if unit is not None:
        office = unit.name
    else:  # the office-wide report: the office's name when it has one unit
        units = db.session.scalars(select(Unit).order_by(Unit.name).limit(2)).all()
        office = units[0].name if len(units) == 1 else ""
    # The paper's date: the Sekretaris's approval, or today while it is a draft.
    approved_at = report.approved_at if report is not None and report.approved_at else None
    paper_date = local_today(unit, approved_at) if approved_at else local_today(unit)
    return {"report": report, "figures": figures_of(report, year, month, unit), "label": month_label(year, month),
            "statuses": REPORT_STATUSES, "office": office, "unit_name": unit_label(unit), "unit": unit,
            "paper_date": paper_date}


def _file_name(year: int, month: int, unit: Unit | None, extension: str) -> str:
    return f"laporan-pengaduan-{_choice(unit)}-{year}-{month:02d}.{extension}"


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>/laporan.pdf")
@guard("report.view")
def report_pdf(year: int, month: int) -> Response:
    """The report as PDF, marked DRAF until the Sekretaris approves it."""
    _period_or_404(year, month)
    unit = _chosen_unit("report.view")
    context = _export_context(year, month, unit)
    html = render_template("pengaduan/report_pdf.html", printed_at=utcnow(), history_labels=HISTORY_LABELS, **context)
    report = context["report"]
    if report is None or report.status != REPORT_APPROVED or unit is None:
        return render_pdf(html, _file_name(year, month, unit, "pdf"))
    # Approved: the unit's electronic signature, dated the day of the approval.
    stamp = Stamp(signatory=report.approved_by or unit.name, title="Sekretaris" if report.approved_by else "",
                  date_text=tanggal(local_today(unit, report.approved_at)), url=public_url("berkas.verify_index"),
                  reason=f"Laporan pengaduan {context['label']} disetujui", location=unit.city or "")
    return pdf_response(sign_print(pdf_bytes(html), unit, stamp), _file_name(year, month, unit, "pdf"))


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>/laporan.xlsx")
@guard("report.view")
def report_xlsx(year: int, month: int) -> Response:
    """The report's figures as a spreadsheet."""
    _period_or_404(year, month)
    unit = _chosen_unit("report.view")
    context = _export_context(year, month, unit)
    return xlsx_bytes_response(to_xlsx(context["figures"], context["report"]), _file_name(year, month, unit, "xlsx"))
