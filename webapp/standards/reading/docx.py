"""Read a Word file (.docx) into parts: its paragraphs and its table rows, in reading order.

Cells merged across rows (vMerge) or columns (gridSpan) are read once, where they start;
numbered and bulleted paragraphs in a cell (numPr, or a "List ..." style) become list
items at their level; a row with a single cell across the table is a heading (a group such
as "A. … Service Delivery", or a title).
"""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from webapp.standards.reading.labels import is_group_header
from webapp.standards.reading.rows import ImportRefusedError, Part, Row, Text, cell_html

_LIST_STYLE = re.compile(r"^List (?:Number|Bullet|Paragraph)\s*(\d)?", re.IGNORECASE)


def _level(paragraph: Paragraph) -> int | None:
    """The list level of a numbered or bulleted paragraph, None for a plain one."""
    ppr = paragraph._p.pPr
    numpr = ppr.numPr if ppr is not None else None
    if numpr is not None and numpr.numId is not None and numpr.numId.val != 0:
        return numpr.ilvl.val if numpr.ilvl is not None else 0
    style = _LIST_STYLE.match(paragraph.style.name if paragraph.style is not None else "")
    if style and not style.group(0).lower().startswith("list paragraph"):
        return int(style.group(1)) - 1 if style.group(1) else 0
    return None


def _cell_paragraphs(tc, parent) -> list[tuple[str, int | None]]:
    out = []
    for p in tc.iter(qn("w:p")):
        paragraph = Paragraph(p, parent)
        out.append((paragraph.text, _level(paragraph)))
    return out


def _grid_cells(tr) -> list[tuple[object, int, bool]]:
    """The row's cells as (tc, columns spanned, continues a vertical merge)."""
    cells = []
    for tc in tr.iterchildren(qn("w:tc")):
        cells.append((tc, tc.grid_span or 1, tc.vMerge == "continue"))
    return cells


def _table_parts(table: Table, index: int, line: int) -> tuple[list[Part], int]:
    parts: list[Part] = []
    columns = len(table._tbl.tblGrid.gridCol_lst) or 3
    for row_no, tr in enumerate(table._tbl.tr_lst, start=1):
        line += 1
        where = f"tabel {index} baris {row_no}"
        texts: list[str] = []
        htmls: list[str] = []
        for tc, span, continued in _grid_cells(tr):
            paragraphs = [] if continued else _cell_paragraphs(tc, table)
            texts.append(" ".join(" ".join(t.split()) for t, _ in paragraphs).strip())
            htmls.append(cell_html(paragraphs))
            texts += [""] * (span - 1)
            htmls += [""] * (span - 1)
        filled = [t for t in texts if t]
        across = len(_grid_cells(tr)) == 1 and columns > 1
        head = texts[:2] if columns >= 3 else texts[:1]
        if filled and (across or (is_group_header(" ".join(head)) and not any(texts[len(head) :]))):
            parts.append(Text(" ".join(filled), where, line, in_table=True))
            continue
        if not filled:
            continue
        if columns >= 3:
            parts.append(Row(texts[0], htmls[1], [h for h in htmls[2:] if h], where, line, index))
        else:
            parts.append(Row("", htmls[0], [h for h in htmls[1:] if h], where, line, index, numbered_table=False))
    return parts, line


def read_docx(data: bytes) -> list[Part]:
    """The parts of a Word document; refuses a file Word cannot have written."""
    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, etree.XMLSyntaxError) as exc:
        raise ImportRefusedError(
            "Berkas Word (.docx) ini rusak atau bukan dokumen Word; simpan ulang lalu unggah."
        ) from exc
    parts: list[Part] = []
    line = 0
    tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            found, line = _table_parts(block, tables, line)
            parts += found
        else:
            line += 1
            if block.text.strip():
                parts.append(Text(block.text, f"paragraf {line}", line))
    return parts
