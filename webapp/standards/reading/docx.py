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
from docx.document import Document as DocumentObject
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tc
from docx.oxml.text.paragraph import CT_P
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from webapp.standards.reading.labels import is_group_header
from webapp.standards.reading.rows import ImportRefusedError, Part, Row, Text, cell_html

_LIST_STYLE = re.compile(r"^List (?:Number|Bullet|Paragraph)\s*(\d)?", re.IGNORECASE)


def _list_styles(document: DocumentObject) -> dict[str, int]:
    """The list level of each paragraph style that numbers or bullets its paragraphs, by style id.

    Read once from the styles part: asking python-docx for each paragraph's style is slow.
    """
    levels: dict[str, int] = {}
    for style in document.styles.element.iterchildren(qn("w:style")):
        style_id = style.get(qn("w:styleId")) or ""
        name_el = style.find(qn("w:name"))
        name = name_el.get(qn("w:val")) if name_el is not None else ""
        numpr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        by_name = _LIST_STYLE.match(name or "")
        if by_name and not by_name.group(0).lower().startswith("list paragraph"):
            levels[style_id] = int(by_name.group(1)) - 1 if by_name.group(1) else 0
        elif numpr is not None:
            ilvl = numpr.find(qn("w:ilvl"))
            levels[style_id] = int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
    return levels


def _level(p: CT_P, list_styles: dict[str, int]) -> int | None:
    """The list level of a numbered or bulleted paragraph, None for a plain one."""
    ppr = p.pPr
    if ppr is None:
        return None
    numpr = ppr.numPr
    if numpr is not None and numpr.numId is not None and numpr.numId.val != 0:
        return numpr.ilvl.val if numpr.ilvl is not None else 0
    return list_styles.get(ppr.pStyle.val) if ppr.pStyle is not None else None


def _cell_paragraphs(tc: CT_Tc, list_styles: dict[str, int]) -> list[tuple[str, int | None]]:
    """A cell's paragraphs as (text, list level), nested tables included in reading order."""
    out = []
    for p in tc.iter(qn("w:p")):
        out.append((Paragraph(p, None).text, _level(p, list_styles)))
    return out


def _grid_cells(tr) -> list[tuple[object, int, bool]]:
    """The row's cells as (tc, columns spanned, continues a vertical merge)."""
    cells = []
    for tc in tr.iterchildren(qn("w:tc")):
        cells.append((tc, tc.grid_span or 1, tc.vMerge == "continue"))
    return cells


def _table_parts(table: Table, index: int, line: int, list_styles: dict[str, int]) -> tuple[list[Part], int]:
    parts: list[Part] = []
    columns = len(table._tbl.tblGrid.gridCol_lst) or 3
    for row_no, tr in enumerate(table._tbl.tr_lst, start=1):
        line += 1
        where = f"tabel {index} baris {row_no}"
        texts: list[str] = []
        htmls: list[str] = []
        for tc, span, continued in _grid_cells(tr):
            paragraphs = [] if continued else _cell_paragraphs(tc, list_styles)
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
    list_styles = _list_styles(document)
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            found, line = _table_parts(block, tables, line, list_styles)
            parts += found
        else:
            line += 1
            if block.text.strip():
                parts.append(Text(block.text, f"paragraf {line}", line))
    return parts
