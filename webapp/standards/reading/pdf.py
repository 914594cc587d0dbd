"""Read a PDF with a text layer into parts: paragraphs and table rows, page by page.

Tables are found by their ruling lines (pdfplumber's table finder); a table drawn without
lines is read by text alignment, under a heading row that names the KOMPONEN and URAIAN
columns. A cell's lines become list items where they start with a marker ("1.", "a.",
"•", "-"), nested by indentation; a row without a number continues the row above (a row
that runs over a page break, or a cell merged downwards). A PDF without text (a scan) is
refused: reading it would import garbage.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pdfplumber

from webapp.standards.html_blocks import split_inline
from webapp.standards.reading.labels import component_for, is_group_header, is_heading
from webapp.standards.reading.rows import SCANNED_PDF, ImportRefusedError, Part, Row, Text, cell_html, unreadable_as

_MARKER = re.compile(r"^(?:\d{1,2}[.)]|[a-z][.)]|[•●▪◦\-–*])(?:\s|$)")
_NUMBER = re.compile(r"^\d{1,2}[.)]?$")
_TITLE_LINE = re.compile(r"^(LAMPIRAN|KEPUTUSAN|NOMOR|TENTANG)\b")
_INDENT = 12.0  # points of indentation per list level
_MAX_PAGES = 200
_MAX_CHARS = 2_000_000  # characters of all pages; a standard holds some tens of thousands
BROKEN = "Berkas PDF ini rusak atau tidak bisa dibaca; simpan ulang lalu unggah."


@dataclass
class _Line:
    """A line of text: its words joined, where it starts and its top on the page."""

    text: str
    x0: float
    top: float
    bottom: float
    size: float = 0.0


@dataclass
class _Cells:
    """One table row being read: lines per column, where it was found."""

    columns: list[list[_Line]]
    where: str
    line: int
    table: int
    numbered: bool = True
    continued: bool = field(default=False)


def _lines(words: list[dict]) -> list[_Line]:
    """Words grouped into lines by their vertical position, left to right."""
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) < 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for group in lines:
        group.sort(key=lambda w: w["x0"])
        size = max(w["bottom"] - w["top"] for w in group)
        out.append(_Line(" ".join(w["text"] for w in group), group[0]["x0"], group[0]["top"], group[0]["bottom"], size))
    return out


def lines_to_html(lines: list[_Line]) -> str:
    """A cell's HTML from its lines: marker lines start items (nested by indentation), others continue."""
    if not lines:
        return ""
    indents: list[float] = []  # the distinct starts of marker lines, left to right: the list levels
    for x0 in sorted(line.x0 for line in lines if _MARKER.match(line.text)):
        if not indents or x0 - indents[-1] > _INDENT / 2:
            indents.append(x0)
    paragraphs: list[list] = []  # [text, level or None]
    for index, line in enumerate(lines):
        gap = line.top - lines[index - 1].bottom if index else 0.0
        if _MARKER.match(line.text):
            level = min(3, max(i for i, x in enumerate(indents) if x <= line.x0 + _INDENT / 2))
            paragraphs.append([_MARKER.sub("", line.text, count=1), level])
        elif paragraphs and (paragraphs[-1][1] is not None or gap < 0.6 * line.size):
            paragraphs[-1][0] = _join(paragraphs[-1][0], line.text)
        else:
            paragraphs.append([line.text, None])
    out: list[tuple[str, int | None]] = []
    for text, level in paragraphs:
        # An item that types more numbered items into its text ("… ; 2. …") is split there.
        pieces = split_inline(text) if level is not None else [text]
        out += [(piece, level) for piece in pieces or [text]]
    return cell_html(out)


def _previous_bottom(lines: list[_Line], line: _Line) -> float:
    index = lines.index(line)
    return lines[index - 1].bottom if index else line.top


def _join(before: str, after: str) -> str:
    """Two wrapped lines as one text: a line broken after a hyphen ("sekurang-" "kurangnya") joins without a space."""
    if re.search(r"\w-$", before):
        return before + after
    return f"{before} {after}"


def _text(column: list[_Line]) -> str:
    text = ""
    for line in column:
        text = _join(text, line.text) if text else line.text
    return text.strip()


def _paragraphs(lines: list[_Line]) -> list[_Line]:
    """Lines outside the tables joined into paragraphs (a wrapped title is one paragraph)."""
    out: list[_Line] = []
    for line in lines:
        if out and line.top - out[-1].bottom < 0.6 * line.size and abs(line.size - out[-1].size) < 1.5:
            last = out[-1]
            out[-1] = _Line(_join(last.text, line.text), last.x0, last.top, line.bottom, last.size)
        else:
            out.append(line)
    return out


def _ruled_rows(words: list[dict], number: int, tables: list) -> list[tuple[float, _Cells]]:
    """The rows of the tables found by their lines; each word goes to the cell its middle is in."""
    rows: list[tuple[float, _Cells]] = []
    for table in tables:
        width = max(len(r.cells) for r in table.rows)
        for row in table.rows:
            columns: list[list[_Line]] = []
            for cell in row.cells:
                inside = [] if cell is None else [w for w in words if _centre_in(w, cell)]
                columns.append(_lines(inside))
            columns += [[] for _ in range(width - len(columns))]
            rows.append((row.bbox[1], _Cells(columns, f"halaman {number}", 0, 0, numbered=width >= 3)))
    return rows


def _centre_in(word: dict, box: tuple[float, float, float, float]) -> bool:
    x, y = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _aligned_rows(lines: list[_Line], words: list[dict], number: int, edges: list[float] | None):
    """Rows of a table drawn without lines, split into columns at the heading's positions."""
    heading = next((w for w in words if w["text"].upper().startswith("KOMPONEN")), None)
    content = next((w for w in words if w["text"].upper().startswith("URAIAN")), None)
    if heading is not None and content is not None:
        edges = [heading["x0"] - 2, content["x0"] - 2]
        start = heading["top"]
    elif edges is not None:
        start = -1.0
    else:
        return None, [], lines
    rows: list[tuple[float, _Cells]] = []
    outside: list[_Line] = []
    after_table = False
    for line in lines:
        after_table = after_table or bool(re.match(r"^Ditetapkan di\b", line.text, re.IGNORECASE))
        wrapped = bool(outside) and line.top - outside[-1].bottom < 0.6 * line.size and line.x0 < edges[0]
        if line.top < start or after_table or (line.x0 < edges[0] and (_spans(line.text) or wrapped)):
            outside.append(line)  # a heading across the table, or the next line of one
            continue
        columns: list[list[dict]] = [[], [], []]
        for word in sorted((w for w in words if abs(w["top"] - line.top) < 3), key=lambda w: w["x0"]):
            columns[0 if word["x0"] < edges[0] else 1 if word["x0"] < edges[1] else 2].append(word)
        cells = [_lines(c) for c in columns]
        rows.append((line.top, _Cells(cells, f"halaman {number}", 0, 0)))
    return edges, rows, outside


def _spans(text: str) -> bool:
    """Whether a line of a table drawn without lines is a heading across it (a title, a group)."""
    return is_group_header(text) or "STANDAR PELAYANAN" in text.upper() or bool(_TITLE_LINE.match(text))


def read_pdf(data: bytes) -> list[Part]:
    """The parts of a PDF with a text layer; refuses a scan, a file that is no PDF and one too big.

    Bounded by pages (_MAX_PAGES) and characters (_MAX_CHARS); pdfminer still inflates each
    stream it reads without a limit of its own (a subprocess with a memory cap would bound
    that, and is not done here).
    """
    with unreadable_as(BROKEN):
        return _read(data)


def _read(data: bytes) -> list[Part]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if len(pdf.pages) > _MAX_PAGES:
            raise ImportRefusedError(f"PDF ini lebih dari {_MAX_PAGES} halaman; pisahkan per standar lalu unggah.")
        chars = 0
        for page in pdf.pages:
            chars += len(page.chars)
            if chars > _MAX_CHARS:
                raise ImportRefusedError(
                    f"PDF ini memuat lebih dari {_MAX_CHARS} huruf; pisahkan per standar lalu unggah."
                )
        if chars < 20:
            raise ImportRefusedError(SCANNED_PDF)
        return _read_pages(pdf)


def _read_pages(pdf: pdfplumber.PDF) -> list[Part]:
    items: list[tuple[str, _Cells | _Line, int]] = []  # ("row"|"text", value, page)
    edges: list[float] | None = None
    table_no = 0
    for number, page in enumerate(pdf.pages, start=1):
        words = page.extract_words()
        # A row cut by the page break has no ruling line at its cut: close it at the text's edge.
        edges_y = [min(w["top"] for w in words) - 2, max(w["bottom"] for w in words) + 2] if words else []
        tables = page.find_tables({"explicit_horizontal_lines": edges_y})
        if tables:
            boxes = [t.bbox for t in tables]
            free = [w for w in words if not any(_inside(w, b) for b in boxes)]
            rows = _ruled_rows(words, number, tables)
            outside = _lines(free)
        else:
            edges, rows, outside = _aligned_rows(_lines(words), words, number, edges)
        merged: list[tuple[float, str, _Cells | _Line]] = [(top, "row", cells) for top, cells in rows]
        merged += [(p.top, "text", p) for p in _paragraphs(outside)]
        for _, kind, value in sorted(merged, key=lambda m: m[0]):
            items.append((kind, value, number))
        if rows:
            table_no += 0  # one logical table per document run; the assembler splits by titles
    return _to_parts(items)


def _inside(word: dict, box: tuple[float, float, float, float]) -> bool:
    return (
        word["x0"] >= box[0] - 1
        and word["x1"] <= box[2] + 1
        and word["top"] >= box[1] - 1
        and word["bottom"] <= box[3] + 1
    )


def _to_parts(items: list[tuple[str, _Cells | _Line, int]]) -> list[Part]:
    """Join the rows that continue a row (no number) into it, then make the parts."""
    parts: list[Part] = []
    pending: _Cells | None = None
    line = 0

    def emit() -> None:
        nonlocal pending
        if pending is None:
            return
        columns = pending.columns
        if pending.numbered:
            number, label, content = _text(columns[0]), lines_to_html(columns[1]), columns[2:]
        else:
            number, label, content = "", lines_to_html(columns[0]), columns[1:]
        html_content = [lines_to_html(c) for c in content if c]
        parts.append(
            Row(number, label, [h for h in html_content if h], pending.where, pending.line, 1, pending.numbered)
        )
        pending = None

    for _kind, value, page_no in items:
        line += 1
        if isinstance(value, _Line):
            emit()
            parts.append(Text(value.text, f"halaman {page_no}", line))
            continue
        cells = value
        cells.line = line
        texts = [_text(c) for c in cells.columns]
        if not any(texts):
            continue
        if all(is_heading(t) for t in texts if t):
            continue  # the heading row, repeated on each page
        filled = [t for t in texts if t]
        head = texts[:2] if cells.numbered else texts[:1]
        if (len(filled) == 1 and texts[0] == filled[0] and len(texts) > 1 and not _NUMBER.match(filled[0])) or (
            is_group_header(" ".join(head)) and not any(texts[len(head) :])
        ):
            emit()
            parts.append(Text(" ".join(filled), cells.where, line, in_table=True))
            continue
        starts = bool(_NUMBER.match(texts[0])) if cells.numbered else bool(texts[0])
        label = texts[1] if cells.numbered else texts[0]
        if not starts and pending is not None and cells.numbered and label:
            own, other = component_for(_text(pending.columns[1])), component_for(label)
            # A row that lost its number but names another component starts that component.
            starts = own is not None and other is not None and other != own
        if starts or pending is None:
            emit()
            pending = cells
        else:
            for index, column in enumerate(cells.columns[: len(pending.columns)]):
                pending.columns[index] += column
    emit()
    return parts
