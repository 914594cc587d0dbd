"""The monthly Laporan Pengaduan Pelayanan Publik: figures, review by the Sekretaris, PDF and XLSX.

Seed 004, items j and k: the complaint team compiles the month from the Buku Pengaduan,
the Sekretaris checks it and returns it for correction or approves it, and the approved
report goes to the Kepala Dinas as the monthly report.
"""

from __future__ import annotations

import statistics
from calendar import monthrange
from datetime import date, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.core.db import utcnow
from webapp.core.extensions import db
from webapp.core.formatting import BULAN, tanggal, waktu
from webapp.core.forms import flatten_errors
from webapp.core.localtime import local_today
from webapp.core.pdf import render_pdf
from webapp.core.policy import guard, require
from webapp.core.tables import append_row, append_table, workbook_bytes, xlsx_bytes_response
from webapp.core.units import Unit
from webapp.pengaduan import bp
from webapp.pengaduan.forms import ConfirmForm, ReportSummaryForm, ReviewForm
from webapp.pengaduan.models import (
    CHANNELS,
    REPORT_APPROVED,
    REPORT_DRAFT,
    REPORT_RETURNED,
    REPORT_STATUSES,
    REPORT_SUBMITTED,
    SELESAI,
    STATUSES,
    WEIGHTS,
    Complaint,
    ComplaintReport,
)
from webapp.pengaduan.service import working_days_between


class ReportError(ValueError):
    """A review step that cannot be done; the message is for the user, in Indonesian."""


def month_label(year: int, month: int) -> str:
    """"November 2026"."""
    return f"{BULAN[month - 1]} {year}"


def compute_figures(year: int, month: int, today: date | None = None) -> dict:
    """The month's complaints (by local date of receipt) counted every way the report needs.

    Status is as of ``today``; time to resolve counts working days from receipt to the local
    day the complaint was resolved; overdue lists open complaints past their deadline and
    those resolved after it.
    """
    today = today or local_today()
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    complaints = db.session.scalars(
        select(Complaint).options(selectinload(Complaint.service))
        .where(Complaint.received_on.between(first, last)).order_by(Complaint.sequence)
    ).all()

    def count(key, labels: dict | None = None) -> list[dict]:
        tally: dict[str, int] = {}
        for complaint in complaints:
            tally[key(complaint)] = tally.get(key(complaint), 0) + 1
        if labels is not None:
            return [{"label": label, "count": tally.get(code, 0)} for code, label in labels.items()]
        return [{"label": label, "count": n} for label, n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))]

    resolved_days: list[int] = []
    on_time = 0
    overdue: list[dict] = []
    for complaint in complaints:
        if complaint.status == SELESAI and complaint.closed_at is not None:
            closed_on = local_today(complaint.unit, complaint.closed_at)
            resolved_days.append(working_days_between(complaint.received_on, closed_on, complaint.unit_id))
            if closed_on <= complaint.due_on:
                on_time += 1
            else:
                overdue.append(_overdue_row(complaint, "Selesai terlambat",
                                            working_days_between(complaint.due_on, closed_on, complaint.unit_id)))
        elif complaint.is_open and complaint.due_on < today:
            overdue.append(_overdue_row(complaint, "Belum selesai",
                                        working_days_between(complaint.due_on, today, complaint.unit_id)))
    weights = {**WEIGHTS, "": "Belum ditetapkan"}
    return {
        "period": {"year": year, "month": month, "label": month_label(year, month),
                   "first": first.isoformat(), "last": last.isoformat()},
        "as_of": today.isoformat(),
        "total": len(complaints),
        "by_channel": count(lambda c: c.channel, CHANNELS),
        "by_kind": count(lambda c: c.kind),
        "by_service": count(lambda c: c.service.title if c.service else "Lainnya"),
        "by_weight": count(lambda c: c.weight or "", weights),
        "by_status": count(lambda c: c.status, STATUSES),
        "resolution": {
            "resolved": len(resolved_days),
            "on_time": on_time,
            "mean_days": round(statistics.fmean(resolved_days), 1) if resolved_days else None,
            "median_days": statistics.median(resolved_days) if resolved_days else None,
            "max_days": max(resolved_days) if resolved_days else None,
        },
        "overdue": overdue,
    }


def _overdue_row(complaint: Complaint, state: str, days_late: int) -> dict:
    # Numbers and services only: the report travels further than the Buku Pengaduan.
    return {"number": complaint.number, "service": complaint.service.title if complaint.service else "Lainnya",
            "received_on": complaint.received_on.isoformat(), "due_on": complaint.due_on.isoformat(),
            "state": state, "days_late": days_late, "holder": complaint.holder}


def report_for(year: int, month: int) -> ComplaintReport | None:
    """The stored report of a month, if any step was taken."""
    return db.session.scalar(select(ComplaintReport).where(ComplaintReport.year == year,
                                                           ComplaintReport.month == month))


def figures_of(report: ComplaintReport | None, year: int, month: int) -> dict:
    """Frozen figures once submitted; live ones while a draft or returned."""
    if report is not None and report.status in (REPORT_SUBMITTED, REPORT_APPROVED) and report.figures:
        return report.figures
    return compute_figures(year, month)


def _log(report: ComplaintReport, action: str, note: str = "") -> None:
    report.history = [*(report.history or []), {"at": utcnow().isoformat(), "actor": current_user.display_name,
                                                "role": current_user.role, "action": action, "note": note}]


def submit(report: ComplaintReport) -> None:
    """The team hands the report to the Sekretaris; its figures are frozen."""
    if report.status not in (REPORT_DRAFT, REPORT_RETURNED):
        raise ReportError("Laporan ini sudah diajukan.")
    report.figures = compute_figures(report.year, report.month)
    report.status = REPORT_SUBMITTED
    report.submitted_at = utcnow()
    _log(report, "diajukan")


def approve(report: ComplaintReport, note: str) -> None:
    """The Sekretaris approves; the report goes to the Kepala Dinas (seed 004, item k)."""
    if report.status != REPORT_SUBMITTED:
        raise ReportError("Hanya laporan yang diajukan yang dapat disetujui.")
    report.status = REPORT_APPROVED
    report.approved_at = utcnow()
    report.approved_by = current_user.display_name
    report.review_note = note
    _log(report, "disetujui", note)


def send_back(report: ComplaintReport, note: str) -> None:
    """The Sekretaris returns the report for correction, saying what to correct (seed 004, item j)."""
    if report.status != REPORT_SUBMITTED:
        raise ReportError("Hanya laporan yang diajukan yang dapat dikembalikan.")
    if not note:
        raise ReportError("Tulis apa yang perlu diperbaiki.")
    report.status = REPORT_RETURNED
    report.review_note = note
    _log(report, "dikembalikan", note)


# --- pages ---------------------------------------------------------------------------------------

HISTORY_LABELS = {"dibuat": "Draf dibuat", "diubah": "Ringkasan diubah", "diajukan": "Diajukan kepada Sekretaris",
                  "disetujui": "Disetujui dan diserahkan kepada Kepala Dinas", "dikembalikan": "Dikembalikan"}


def _moment(value: datetime | str | None) -> str:
    """A stored timestamp (an ISO string in the history) in the office's time."""
    return waktu(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _period_or_404(year: int, month: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        abort(404)


@bp.route("/admin/pengaduan/laporan")
@guard("report.view")
def reports() -> str:
    """The months: the current one and every stored report, with their review state."""
    today = local_today()
    stored = db.session.scalars(select(ComplaintReport).order_by(ComplaintReport.year.desc(),
                                                                 ComplaintReport.month.desc())).all()
    months = [(today.year, today.month)]
    previous = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    months.append(previous)
    months += [(r.year, r.month) for r in stored if (r.year, r.month) not in months]
    by_month = {(r.year, r.month): r for r in stored}
    rows = [{"year": y, "month": m, "label": month_label(y, m), "report": by_month.get((y, m))} for y, m in months]
    return render_template("pengaduan/reports.html", rows=rows, statuses=REPORT_STATUSES)


def _report_page(year: int, month: int, summary_form=None, review_form=None, errors=None, status: int = 200):
    report = report_for(year, month)
    summary_form = summary_form or ReportSummaryForm(formdata=None, summary=report.summary if report else "")
    page = render_template(
        "pengaduan/report.html", year=year, month=month, label=month_label(year, month), report=report,
        figures=figures_of(report, year, month), summary_form=summary_form,
        review_form=review_form or ReviewForm(formdata=None), confirm=ConfirmForm(), errors=errors or [],
        statuses=REPORT_STATUSES, history_labels=HISTORY_LABELS, tanggal=tanggal, waktu=_moment,
    )
    return page, status


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>", methods=["GET", "POST"])
@guard("report.view")
def report_view(year: int, month: int):
    """One month's report: the figures, the team's summary, the review and its history."""
    _period_or_404(year, month)
    if request.method == "POST":
        require(current_user, "report.submit")
        form = ReportSummaryForm()
        if not form.validate():
            return _report_page(year, month, summary_form=form, errors=flatten_errors(form), status=422)
        report = report_for(year, month)
        if report is None:
            report = ComplaintReport(year=year, month=month, status=REPORT_DRAFT, history=[])
            db.session.add(report)
            _log(report, "dibuat")
        elif report.status not in (REPORT_DRAFT, REPORT_RETURNED):
            flash("Laporan yang sudah diajukan tidak dapat diubah.", "error")
            return redirect(url_for("pengaduan.report_view", year=year, month=month))
        else:
            _log(report, "diubah")
        report.summary = form.summary.data or ""
        db.session.commit()
        flash("Ringkasan laporan disimpan.", "success")
        return redirect(url_for("pengaduan.report_view", year=year, month=month))
    return _report_page(year, month)


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>/ajukan", methods=["POST"])
@guard("report.submit")
def report_submit(year: int, month: int) -> WerkzeugResponse:
    """Hand the month's report to the Sekretaris."""
    _period_or_404(year, month)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    report = report_for(year, month)
    if report is None:
        report = ComplaintReport(year=year, month=month, status=REPORT_DRAFT, history=[], summary="")
        db.session.add(report)
        _log(report, "dibuat")
    try:
        submit(report)
    except ReportError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Laporan diajukan kepada Sekretaris untuk diperiksa.", "success")
    return redirect(url_for("pengaduan.report_view", year=year, month=month))


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>/periksa", methods=["POST"])
@guard("report.review")
def report_review(year: int, month: int):
    """The Sekretaris approves the report or returns it with a note."""
    _period_or_404(year, month)
    report = report_for(year, month) or abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _report_page(year, month, review_form=form, errors=flatten_errors(form), status=422)
    try:
        if request.form.get("keputusan") == "setujui":
            approve(report, form.note.data or "")
            message = "Laporan disetujui dan diserahkan kepada Kepala Dinas."
        else:
            send_back(report, form.note.data or "")
            message = "Laporan dikembalikan kepada Tim Pengaduan untuk diperbaiki."
    except ReportError as error:
        db.session.rollback()
        form.note.errors = [*form.note.errors, str(error)]
        return _report_page(year, month, review_form=form, errors=flatten_errors(form), status=422)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("pengaduan.report_view", year=year, month=month))


def _export_context(year: int, month: int) -> dict:
    report = report_for(year, month)
    units = db.session.scalars(select(Unit).order_by(Unit.name).limit(2)).all()
    return {"report": report, "figures": figures_of(report, year, month), "label": month_label(year, month),
            "statuses": REPORT_STATUSES, "office": units[0].name if len(units) == 1 else ""}


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>/laporan.pdf")
@guard("report.view")
def report_pdf(year: int, month: int) -> Response:
    """The report as PDF, marked DRAF until the Sekretaris approves it."""
    _period_or_404(year, month)
    context = _export_context(year, month)
    html = render_template("pengaduan/report_pdf.html", printed_at=utcnow(), history_labels=HISTORY_LABELS,
                           **context)
    return render_pdf(html, f"laporan-pengaduan-{year}-{month:02d}.pdf")


def to_xlsx(figures: dict, report: ComplaintReport | None) -> bytes:
    """The report's tables in one sheet each."""
    book = Workbook()
    bold = Font(bold=True)
    sheet = book.active
    sheet.title = "Ringkasan"
    state = REPORT_STATUSES[report.status] if report else "Draf"
    resolution = figures["resolution"]
    rows = [
        ["Laporan Pengaduan Pelayanan Publik", figures["period"]["label"]],
        ["Status laporan", state],
        ["Keadaan per", figures["as_of"]],
        ["Jumlah pengaduan", figures["total"]],
        ["Selesai", resolution["resolved"]],
        ["Selesai tepat waktu", resolution["on_time"]],
        ["Rata-rata hari kerja penyelesaian", resolution["mean_days"]],
        ["Median hari kerja penyelesaian", resolution["median_days"]],
        ["Paling lama (hari kerja)", resolution["max_days"]],
        ["Terlambat", len(figures["overdue"])],
    ]
    for row in rows:
        append_row(sheet, row)
    sheet["A1"].font = bold
    sheet.column_dimensions["A"].width = 38
    sheet.column_dimensions["B"].width = 24
    for title, key in (("Saluran", "by_channel"), ("Jenis", "by_kind"), ("Layanan", "by_service"),
                       ("Bobot", "by_weight"), ("Status", "by_status")):
        table = book.create_sheet(title)
        append_table(table, [title, "Jumlah"], ([item["label"], item["count"]] for item in figures[key]))
        table.column_dimensions["A"].width = 60
    late = book.create_sheet("Terlambat")
    append_table(late, ["Nomor", "Layanan", "Diterima", "Batas waktu", "Keadaan", "Hari kerja terlambat", "Pemegang"],
                 ([item["number"], item["service"], item["received_on"], item["due_on"], item["state"],
                   item["days_late"], item["holder"]] for item in figures["overdue"]))
    return workbook_bytes(book)


@bp.route("/admin/pengaduan/laporan/<int:year>/<int:month>/laporan.xlsx")
@guard("report.view")
def report_xlsx(year: int, month: int) -> Response:
    """The report's figures as a spreadsheet."""
    _period_or_404(year, month)
    context = _export_context(year, month)
    return xlsx_bytes_response(to_xlsx(context["figures"], context["report"]),
                               f"laporan-pengaduan-{year}-{month:02d}.xlsx")
