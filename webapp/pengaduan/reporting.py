"""The monthly Laporan Pengaduan Pelayanan Publik: its figures, its review, its spreadsheet.

Seed 004, items j and k: the complaint team compiles the month from the Buku Pengaduan,
the Sekretaris checks it and returns it for correction or approves it, and the approved
report goes to the Kepala Dinas as the monthly report.

**One report per unit** (security M6). A unit's report counts the complaints of that
unit only. The office-wide report (no unit, "Semua instansi") counts every complaint,
and is the only report that counts the complaints about no unit's service.

**Who may read and act** is the access policy's: ``report.view``, ``report.submit`` and
``report.review``, asked with the report or its unit (id) as target. The three rules have
``unitless="global"``, reading included: the office-wide report's figures and its list
of overdue complaints span every unit, so a unit's account that read it would read the
other units' complaints, which is the leak this closes. A unit's account reads, submits
and reviews its own unit's report; a global account any unit's and the office-wide one.

Functions here take the acting user as a parameter (they never read the logged-in
user). Each one that changes a report is one unit of work (``webapp.core.db.transactional``):
it commits when it returns, and changes nothing when it raises ReportError. They are
serial: each reads the report's state before it changes it.
"""

from __future__ import annotations

import statistics
from calendar import monthrange
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.core.db import transactional, utcnow
from webapp.core.extensions import db
from webapp.core.formatting import BULAN
from webapp.core.localtime import local_today
from webapp.core.tables import append_row, append_table, workbook_bytes
from webapp.core.units import Unit
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
from webapp.workdays.service import working_days_between

EVERY_UNIT = "Semua instansi"  # the office-wide report, in words


class ReportError(ValueError):
    """A review step that cannot be done; the message is for the user, in Indonesian."""


class Actor(Protocol):
    """What the report's history keeps of the person acting (a ``webapp.auth.models.User``)."""

    display_name: str
    role: str


def month_label(year: int, month: int) -> str:
    """"November 2026"."""
    return f"{BULAN[month - 1]} {year}"


def unit_label(unit: Unit | None) -> str:
    """The unit a report is for, in words: its short name, or "Semua instansi"."""
    return unit.short_name if unit is not None else EVERY_UNIT


# --- figures ---------------------------------------------------------------------------------------


def compute_figures(year: int, month: int, unit: Unit | None, today: date | None = None) -> dict:
    """The month's complaints of ``unit`` (None: every complaint) counted every way the report needs.

    Months are by local date of receipt. Status is as of ``today``; time to resolve counts
    working days of the complaint's own unit from receipt to the local day it was resolved;
    overdue lists open complaints past their deadline and those resolved after it.
    """
    today = today or local_today(unit)
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    statement = (select(Complaint).options(selectinload(Complaint.service), selectinload(Complaint.unit))
                 .where(Complaint.received_on.between(first, last)).order_by(Complaint.sequence))
    if unit is not None:
        statement = statement.where(Complaint.unit_id == unit.id)
    complaints = db.session.scalars(statement).all()

    def count(key: Callable[[Complaint], str], labels: dict[str, str] | None = None) -> list[dict]:
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
        unit_id = complaint.unit_id
        if complaint.status == SELESAI and complaint.closed_at is not None:
            closed_on = local_today(complaint.unit, complaint.closed_at)
            resolved_days.append(working_days_between(complaint.received_on, closed_on, unit_id))
            if closed_on <= complaint.due_on:
                on_time += 1
            else:
                overdue.append(_overdue_row(complaint, "Selesai terlambat",
                                            working_days_between(complaint.due_on, closed_on, unit_id)))
        elif complaint.is_open and complaint.due_on < today:
            overdue.append(_overdue_row(complaint, "Belum selesai",
                                        working_days_between(complaint.due_on, today, unit_id)))
    weights = {**WEIGHTS, "": "Belum ditetapkan"}
    return {
        "period": {"year": year, "month": month, "label": month_label(year, month),
                   "first": first.isoformat(), "last": last.isoformat()},
        "unit": unit_label(unit),
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


def figures_of(report: ComplaintReport | None, year: int, month: int, unit: Unit | None) -> dict:
    """Frozen figures once submitted; live ones while a draft or returned (or not yet stored)."""
    if report is not None and report.status in (REPORT_SUBMITTED, REPORT_APPROVED) and report.figures:
        return report.figures
    return compute_figures(year, month, unit)


# --- stored reports --------------------------------------------------------------------------------


def _of_unit(unit: Unit | None) -> Any:
    return ComplaintReport.unit_id.is_(None) if unit is None else ComplaintReport.unit_id == unit.id


def report_for(year: int, month: int, unit: Unit | None) -> ComplaintReport | None:
    """The stored report of a month for ``unit`` (None: the office-wide one), if any step was taken."""
    return db.session.scalar(select(ComplaintReport).where(ComplaintReport.year == year,
                                                           ComplaintReport.month == month, _of_unit(unit)))


def report_months(unit: Unit | None, today: date) -> list[dict]:
    """The months to list for ``unit``: this one, the previous one, and every stored report, newest first."""
    stored = db.session.scalars(select(ComplaintReport).where(_of_unit(unit))
                                .order_by(ComplaintReport.year.desc(), ComplaintReport.month.desc())).all()
    months = [(today.year, today.month), (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)]
    months += [(r.year, r.month) for r in stored if (r.year, r.month) not in months]
    by_month = {(r.year, r.month): r for r in stored}
    return [{"year": y, "month": m, "label": month_label(y, m), "report": by_month.get((y, m))} for y, m in months]


def _log(report: ComplaintReport, actor: Actor, action: str, note: str = "") -> None:
    report.history = [*(report.history or []), {"at": utcnow().isoformat(), "actor": actor.display_name,
                                                "role": actor.role, "action": action, "note": note}]


@transactional(serial=True)
def open_report(year: int, month: int, unit: Unit | None, actor: Actor) -> ComplaintReport:
    """The month's report of ``unit``, created as a draft (logged as made by ``actor``) when there is none."""
    report = report_for(year, month, unit)
    if report is None:
        report = ComplaintReport(year=year, month=month, unit=unit, unit_id=unit.id if unit else None,
                                 status=REPORT_DRAFT, history=[], summary="")
        db.session.add(report)
        _log(report, actor, "dibuat")
    return report


@transactional(serial=True)
def save_summary(year: int, month: int, unit: Unit | None, actor: Actor, summary: str) -> ComplaintReport:
    """The team writes or corrects the month's narrative; only while a draft or returned."""
    report = report_for(year, month, unit)
    if report is None:
        report = open_report(year, month, unit, actor)
    elif report.status not in (REPORT_DRAFT, REPORT_RETURNED):
        raise ReportError("Laporan yang sudah diajukan tidak dapat diubah.")
    else:
        _log(report, actor, "diubah")
    report.summary = summary
    return report


# --- the review ------------------------------------------------------------------------------------


@transactional(serial=True)
def submit(report: ComplaintReport, actor: Actor) -> None:
    """The team hands the report to the Sekretaris; its figures (of its unit) are frozen."""
    if report.status not in (REPORT_DRAFT, REPORT_RETURNED):
        raise ReportError("Laporan ini sudah diajukan.")
    report.figures = compute_figures(report.year, report.month, report.unit)
    report.status = REPORT_SUBMITTED
    report.submitted_at = utcnow()
    _log(report, actor, "diajukan")


@transactional(serial=True)
def approve(report: ComplaintReport, actor: Actor, note: str) -> None:
    """The Sekretaris approves; the report goes to the Kepala Dinas (seed 004, item k)."""
    if report.status != REPORT_SUBMITTED:
        raise ReportError("Hanya laporan yang diajukan yang dapat disetujui.")
    report.status = REPORT_APPROVED
    report.approved_at = utcnow()
    report.approved_by = actor.display_name
    report.review_note = note
    _log(report, actor, "disetujui", note)


@transactional(serial=True)
def send_back(report: ComplaintReport, actor: Actor, note: str) -> None:
    """The Sekretaris returns the report for correction, saying what to correct (seed 004, item j)."""
    if report.status != REPORT_SUBMITTED:
        raise ReportError("Hanya laporan yang diajukan yang dapat dikembalikan.")
    if not note:
        raise ReportError("Tulis apa yang perlu diperbaiki.")
    report.status = REPORT_RETURNED
    report.review_note = note
    _log(report, actor, "dikembalikan", note)


@transactional(serial=True)
def submit_month(year: int, month: int, unit: Unit | None, actor: Actor) -> ComplaintReport:
    """Hand the month's report of ``unit`` to the Sekretaris (a draft is made first when none exists): one unit of work.

    Raises ReportError, with nothing changed (not even the draft), when it was submitted already.
    """
    report = open_report(year, month, unit, actor)
    submit(report, actor)
    return report


# --- the spreadsheet -------------------------------------------------------------------------------


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
        # Figures frozen before reports had a unit were the whole office's.
        ["Instansi", figures.get("unit", EVERY_UNIT)],
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
