"""Small helpers shared by the XLSX exports (openpyxl): a titled table, and the file's bytes."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet


def append_table(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                 title: str | None = None) -> None:
    """Write an optional bold title line, a bold header row, then the rows."""
    if title is not None:
        sheet.append([title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append(list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
