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
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tc
from docx.oxml.text.paragraph import CT_P
from docx.table import Table
from docx.text.paragraph import Paragraph

from webapp.standards.reading.labels import is_group_header
from webapp.standards.reading.rows import ImportRefusedError, Part, Row, Text, cell_html, unreadable_as

# Bounds of one Word file, checked on the sizes its zip declares before python-docx inflates anything
# (it reads word/document.xml whole), and on the table grid it lays out.
MAX_DOCUMENT_XML_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_SPAN = 50  # columns one cell may span, as the HTML reader clamps colspan
MAX_GRID_CELLS = 200_000  # cells of all the tables of one file, spans counted
BROKEN = "Berkas Word (.docx) ini rusak atau tidak bisa dibaca; simpan ulang lalu unggah."

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


def _span(tc: CT_Tc) -> int:
    """The columns a cell spans, 1 to MAX_SPAN whatever gridSpan says ("x", "300000000")."""
    span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
    value = span.get(qn("w:val")) if span is not None else None
    try:
        return max(1, min(int(value or 1), MAX_SPAN))
    except ValueError:
        return 1


def _continued(tc: CT_Tc) -> bool:
    """Whether a cell continues a vertical merge (a vMerge without val, or val="continue")."""
    merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    return merge is not None and (merge.get(qn("w:val")) or "continue") == "continue"


def _grid_cells(tr) -> list[tuple[object, int, bool]]:
    """The row's cells as (tc, columns spanned, continues a vertical merge)."""
    return [(tc, _span(tc), _continued(tc)) for tc in tr.iterchildren(qn("w:tc"))]


def _columns(table: Table) -> int:
    """The columns of the table's grid; a table without <w:tblGrid> counts as three (NO, KOMPONEN, URAIAN)."""
    grid = table._tbl.find(qn("w:tblGrid"))
    return (len(grid.findall(qn("w:gridCol"))) if grid is not None else 0) or 3


def _table_parts(
    table: Table, index: int, line: int, list_styles: dict[str, int], budget: list[int]
) -> tuple[list[Part], int]:
    parts: list[Part] = []
    columns = _columns(table)
    for row_no, tr in enumerate(table._tbl.tr_lst, start=1):
        line += 1
        where = f"tabel {index} baris {row_no}"
        texts: list[str] = []
        htmls: list[str] = []
        cells = _grid_cells(tr)
        budget[0] -= sum(span for _, span, _ in cells)
        if budget[0] < 0:
            raise ImportRefusedError(
                f"Tabel di berkas Word ini terlalu besar (lebih dari {MAX_GRID_CELLS} sel); pisahkan lalu unggah."
            )
        for tc, span, continued in cells:
            paragraphs = [] if continued else _cell_paragraphs(tc, list_styles)
            texts.append(" ".join(" ".join(t.split()) for t, _ in paragraphs).strip())
            htmls.append(cell_html(paragraphs))
            texts += [""] * (span - 1)
            htmls += [""] * (span - 1)
        filled = [t for t in texts if t]
        across = len(cells) == 1 and columns > 1
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


def _check_sizes(data: bytes) -> None:
    """Refuse a .docx whose zip declares too many members or too many bytes, before anything is inflated."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRefusedError(BROKEN) from exc
    body = sum(m.file_size for m in members if m.filename == "word/document.xml")
    if (
        len(members) > MAX_MEMBERS
        or body > MAX_DOCUMENT_XML_BYTES
        or sum(m.file_size for m in members) > (MAX_UNPACKED_BYTES)
    ):
        raise ImportRefusedError(
            f"Berkas Word ini terlalu besar setelah dibuka (isi dokumen paling besar "
            f"{MAX_DOCUMENT_XML_BYTES // 1024 // 1024} MB, seluruhnya {MAX_UNPACKED_BYTES // 1024 // 1024} MB)."
        )


def read_docx(data: bytes) -> list[Part]:
    """The parts of a Word document; refuses, with a plain message, a file Word cannot have written."""
    _check_sizes(data)
    with unreadable_as(BROKEN):
        return _read(data)


def _read(data: bytes) -> list[Part]:
    document = Document(io.BytesIO(data))
    budget = [MAX_GRID_CELLS]
    parts: list[Part] = []
    line = 0
    tables = 0
    list_styles = _list_styles(document)
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            found, line = _table_parts(block, tables, line, list_styles, budget)
            parts += found
        else:
            line += 1
            if block.text.strip():
                parts.append(Text(block.text, f"paragraf {line}", line))
    return parts
