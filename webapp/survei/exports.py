"""Exports: the tabulation workbook (as offices tabulate by hand) and the semester report as PDF."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import render_template
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from webapp.core.localtime import local_time
from webapp.core.pdf import pdf_bytes
from webapp.core.tables import append_row, workbook_bytes
from webapp.survei.ikm import CONVERSION, WEIGHT, Result
from webapp.survei.models import ELEMENT_CODES, SurveyResponse
from webapp.survei.questionnaire import EDUCATIONS, ELEMENTS_BY_CODE, OCCUPATIONS

PEOPLE_HEADERS = ["No.", "Tanggal", "Jam", "Layanan", "Jenis kelamin", "Umur", "Pendidikan", "Pekerjaan"]
FIRST_ELEMENT_COLUMN = len(PEOPLE_HEADERS) + 1
BOLD = Font(bold=True)
SHADE = PatternFill("solid", fgColor="E8EEF1")


def tabulation_xlsx(title_lines: list[str], rows: list[SurveyResponse], result: Result) -> bytes:
    """One row per respondent, one column per element; under them the sums, the NRR, the weighted
    NRR (NRR x 1/9), their total and the IKM (total x 25) with its grade.

    Cells hold the exact figures (as far as a spreadsheet number can); only the number format rounds.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "Tabulasi"
    for line in title_lines:
        append_row(sheet, [line])
        sheet.cell(sheet.max_row, 1).font = BOLD
    append_row(sheet, [])
    header_row = sheet.max_row + 1
    append_row(sheet, [*PEOPLE_HEADERS, *ELEMENT_CODES])
    append_row(sheet, [""] * len(PEOPLE_HEADERS) + [ELEMENTS_BY_CODE[c].name for c in ELEMENT_CODES])
    for row in (header_row, header_row + 1):
        for cell in sheet[row]:
            cell.font = BOLD
            cell.fill = SHADE
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for number, response in enumerate(rows, start=1):
        append_row(sheet,
            [
                number,
                response.survey_date,
                _local_time(response),
                response.service.title,
                response.sex,
                response.age,
                EDUCATIONS.get(response.education, response.education),
                OCCUPATIONS.get(response.occupation, response.occupation),
                *[response.answers()[c] for c in ELEMENT_CODES],
            ]
        )
        sheet.cell(sheet.max_row, 2).number_format = "DD-MM-YYYY"
    label_column = FIRST_ELEMENT_COLUMN - 1
    by_code = {e.element.code: e for e in result.elements}

    def summary_row(label: str, values: list[Any], number_format: str) -> int:
        append_row(sheet, [None] * (label_column - 1) + [label, *values])
        row = sheet.max_row
        sheet.cell(row, label_column).font = BOLD
        for column in range(FIRST_ELEMENT_COLUMN, FIRST_ELEMENT_COLUMN + len(values)):
            sheet.cell(row, column).number_format = number_format
        return row

    if result.respondents:
        summary_row("Jumlah nilai per unsur", [by_code[c].total for c in ELEMENT_CODES], "0")
        summary_row("NRR per unsur (jumlah nilai / responden)", [float(by_code[c].nrr) for c in ELEMENT_CODES], "0.000")
        summary_row(
            "NRR tertimbang (NRR x 1/9)", [float(by_code[c].nrr * WEIGHT) for c in ELEMENT_CODES], "0.000"
        )
        summary_row("Mutu per unsur", [by_code[c].grade.letter for c in ELEMENT_CODES], "@")
        weighted_total = sum((by_code[c].nrr * WEIGHT for c in ELEMENT_CODES), Fraction(0))
        summary_row("Jumlah NRR tertimbang", [float(weighted_total)], "0.0000")
        summary_row(f"IKM (jumlah NRR tertimbang x {CONVERSION})", [float(result.ikm)], "0.00")
        summary_row("Mutu pelayanan", [f"{result.grade.letter} ({result.grade.label})"], "@")
    summary_row("Jumlah responden", [result.respondents], "0")
    widths = {1: 6, 2: 12, 3: 7, 4: 38, 5: 8, 6: 7, 7: 16, 8: 18}
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.column_dimensions[get_column_letter(label_column)].width = 40
    for column in range(FIRST_ELEMENT_COLUMN, FIRST_ELEMENT_COLUMN + len(ELEMENT_CODES)):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.freeze_panes = sheet.cell(header_row + 2, FIRST_ELEMENT_COLUMN)
    return workbook_bytes(book)


def _local_time(response: SurveyResponse) -> str:
    """The hour the response was sent, in the unit's time zone."""
    return local_time(response.submitted_at, response.unit).strftime("%H:%M")


def report_pdf(**context: Any) -> bytes:
    """The semester report, drawn by WeasyPrint from an HTML template."""
    context.setdefault("paper_date", context.get("printed_on"))
    return pdf_bytes(render_template("survei/report_pdf.html", **context))
