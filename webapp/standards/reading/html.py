"""Read an HTML page saved from a website into parts: paragraphs and table rows in reading order.

Cells keep their lists and paragraphs as HTML (the block builder reads them); a cell that
spans rows (rowspan) is read once, in its first row; a row with a single cell across the
table (colspan) is a heading. Scripts, styles and navigation are skipped.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from webapp.standards.reading.labels import is_group_header
from webapp.standards.reading.rows import ImportRefusedError, Part, Row, Text

_SKIP = {"script", "style", "nav", "header", "footer", "noscript", "template", "head"}
_KEEP = {"ol", "ul", "li", "p", "br", "b", "strong"}
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "br", "center", "td", "th"}


class _Page(HTMLParser):
    """Collect text blocks outside tables and the cells of each (outermost) table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.depth = 0  # table nesting
        self.text: list[str] = []  # the text block being read outside tables
        self.events: list[tuple[str, object]] = []  # ("text", str) | ("table", rows)
        self.rows: list[list[tuple[str, str, int, int]]] = []  # cells: (html, text, colspan, rowspan)
        self.cell: list[str] | None = None
        self.cell_text: list[str] = []
        self.span = (1, 1)

    def _flush_text(self) -> None:
        text = " ".join("".join(self.text).split())
        if text:
            self.events.append(("text", text))
        self.text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self._flush_text()
                self.rows = []
            return
        if self.depth == 1 and tag == "tr":
            self._close_cell()
            self.rows.append([])
            return
        if self.depth == 1 and tag in ("td", "th"):
            self._close_cell()  # HTML lets a cell end where the next begins
            values = dict(attrs)
            self.cell, self.cell_text = [], []
            self.span = (_int(values.get("colspan")), _int(values.get("rowspan")))
            return
        if self.cell is not None:
            if tag in _KEEP:
                self.cell.append("<br>" if tag == "br" else f"<{tag}>")
            if tag in _BLOCKS:
                self.cell_text.append(" ")
        elif self.depth == 0 and tag in _BLOCKS:
            self._flush_text()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag == "table":
            if self.depth == 1:
                self._close_cell()
                self.events.append(("table", self.rows))
            self.depth = max(0, self.depth - 1)
            return
        if self.depth == 1 and tag in ("td", "th", "tr"):
            self._close_cell()
            return
        if self.cell is not None:
            if tag in _KEEP and tag != "br":
                self.cell.append(f"</{tag}>")
            if tag in _BLOCKS:
                self.cell_text.append(" ")
        elif self.depth == 0 and tag in _BLOCKS:
            self._flush_text()

    def _close_cell(self) -> None:
        """Keep the cell being read (if any) in the current row."""
        if self.cell is None:
            return
        if not self.rows:
            self.rows.append([])
        self.rows[-1].append(("".join(self.cell), " ".join("".join(self.cell_text).split()), *self.span))
        self.cell = None

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.cell is not None:
            self.cell.append(html.escape(data, quote=False))
            self.cell_text.append(data)
        elif self.depth == 0:
            self.text.append(data)

    def close(self) -> None:
        """Finish the page: a table left open and the last text block too."""
        super().close()
        if self.depth:
            self._close_cell()
            self.events.append(("table", self.rows))
        self._flush_text()


# Cells of all the tables of one page, each counted rowspan x colspan times (what _grid lays out).
MAX_GRID_CELLS = 200_000


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 50))
    except ValueError:
        return 1


def _grid(rows: list[list[tuple[str, str, int, int]]]) -> list[list[tuple[str, str]] | tuple[str, str]]:
    """Rows laid on a grid: a cell covered by a rowspan from above is empty; a lone spanning cell is a heading."""
    width = max((sum(c[2] for c in row) for row in rows), default=0)
    covered: dict[tuple[int, int], int] = {}
    out: list[list[tuple[str, str]] | tuple[str, str]] = []
    for r, row in enumerate(rows):
        if len(row) == 1 and row[0][2] > 1 and row[0][2] >= width - 1 and width > 1:
            out.append(row[0][:2])  # one cell across the table
            continue
        line: list[tuple[str, str]] = []
        column = 0
        cells = iter(row)
        while column < width:
            if covered.get((r, column)):
                line.append(("", ""))
                column += 1
                continue
            cell = next(cells, None)
            if cell is None:
                break
            html_text, text, colspan, rowspan = cell
            for extra in range(1, rowspan):
                for c in range(column, column + colspan):
                    covered[(r + extra, c)] = 1
            line.append((html_text, text))
            line += [("", "")] * (colspan - 1)
            column += colspan
        out.append(line)
    return out


def _blocked(cell: str) -> str:
    """A cell's HTML with its loose text in a paragraph, so typed numbering ("1. … 2. …") becomes items."""
    return cell if re.search(r"<(?:p|ol|ul|li)>", cell) else f"<p>{cell}</p>"


def read_html(data: bytes) -> list[Part]:
    """The parts of an HTML page."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    page = _Page()
    try:
        page.feed(text)
        page.close()
    except (AssertionError, ValueError) as exc:  # pragma: no cover - html.parser is forgiving
        raise ImportRefusedError("Halaman HTML ini tidak terbaca.") from exc
    parts: list[Part] = []
    line = 0
    tables = 0
    cells = sum(c[2] * c[3] for kind, rows in page.events if kind != "text" for row in rows for c in row)  # type: ignore[union-attr]
    if cells > MAX_GRID_CELLS:
        raise ImportRefusedError(
            f"Tabel di halaman HTML ini terlalu besar (lebih dari {MAX_GRID_CELLS} sel); pisahkan lalu unggah."
        )
    for kind, value in page.events:
        line += 1
        if kind == "text":
            parts.append(Text(str(value), f"paragraf {line}", line))
            continue
        tables += 1
        grid = _grid(value)  # type: ignore[arg-type]
        width = max((len(r) for r in grid if isinstance(r, list)), default=0)
        for row_no, row in enumerate(grid, start=1):
            line += 1
            where = f"tabel {tables} baris {row_no}"
            if isinstance(row, tuple):
                if row[1]:
                    parts.append(Text(row[1], where, line, in_table=True))
                continue
            texts = [t for _, t in row]
            if not any(texts):
                continue
            head = texts[:2] if width >= 3 else texts[:1]
            if is_group_header(" ".join(head)) and not any(texts[len(head) :]):
                parts.append(Text(" ".join(t for t in texts if t), where, line, in_table=True))
            elif width >= 3:
                parts.append(Row(texts[0], row[1][0], [_blocked(h) for h, _ in row[2:] if h], where, line, tables))
            else:
                content = [_blocked(h) for h, _ in row[1:] if h]
                parts.append(Row("", row[0][0], content, where, line, tables, numbered_table=False))
    return parts
