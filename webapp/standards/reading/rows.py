"""The common intermediate every format reads into, and the one reader of it.

A format reader (Word, PDF, HTML) turns a file into a flat sequence of *parts* in reading
order: ``Row`` (a table row: number, component label, content as HTML fragments) and
``Text`` (a paragraph outside the tables: titles, group headings, the decree). ``assemble``
reads those parts: titles, several standards per file, group rows, rows that continue the
row above (no number: a merged cell, a page break), and one label matcher for all formats.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from webapp.standards.components import COMPONENTS, COMPONENTS_BY_CODE
from webapp.standards.html_blocks import clean, fragments_to_block
from webapp.standards.reading.labels import component_for, fold, is_group_header, is_heading

_TAGS = re.compile(r"<[^>]+>")
_NUMBER = re.compile(r"^\s*(?:<b>)?\s*(\d{1,2})\s*[.)]?\s*(?:</b>)?\s*$")
_LAMPIRAN = re.compile(r"^\s*(LAMPIRAN|KEPUTUSAN|PERATURAN|NOMOR|TANGGAL|TENTANG|SALINAN)\b", re.IGNORECASE)
_SMALL_WORDS = {
    "dan",
    "di",
    "ke",
    "dari",
    "untuk",
    "yang",
    "atau",
    "dengan",
    "pada",
    "bagi",
    "oleh",
    "tentang",
    "serta",
}
SCANNED_PDF = "PDF ini hasil pindaian tanpa teks; unggah berkas Word-nya atau PDF yang teksnya bisa dipilih"


class ImportRefusedError(ValueError):
    """A document that cannot be read; the message says why, in Indonesian."""


@contextmanager
def unreadable_as(message: str) -> Iterator[None]:
    """Any error a parsing library raises in the block means the file is unreadable: ImportRefusedError(message).

    Word and PDF libraries raise many kinds (InvalidXmlError, zlib.error, PDFSyntaxError, KeyError...);
    whatever the library says, staff get one plain message. A refusal of our own passes unchanged.
    """
    try:
        yield
    except ImportRefusedError:
        raise
    except Exception as exc:
        raise ImportRefusedError(message) from exc


@dataclass
class Problem:
    """A line (or table row, or page) that could not be read; ``where`` says where, in words."""

    line: int
    message: str
    where: str = ""

    def __post_init__(self) -> None:
        if not self.where:
            self.where = f"baris {self.line}"


def add_typed_value(code: str, block: dict[str, Any]) -> None:
    """Set the typed value (days, fee, staff count) a component's block carries, from its text."""
    text = " ".join(block["paragraphs"] + [i["text"] for i in block["items"]]).casefold()
    if code == "jangka_waktu":
        match = re.search(r"(\d+)\s*(?:\([^)]*\)\s*)?hari kerja", text)
        block["days"] = int(match.group(1)) if match else None
    elif code == "biaya":
        if "gratis" in text or re.search(r"rp\.?\s*0\b(?![.,]\d)", text):
            block["amount"] = 0
        else:
            match = re.search(r"rp\.?\s*([\d.]+)", text)
            block["amount"] = int(match.group(1).replace(".", "")) if match else None
    elif code == "jumlah_pelaksana":
        match = re.search(r"(\d+)\s*(?:\([^)]*\)\s*)?orang", text)
        block["count"] = int(match.group(1)) if match else None


@dataclass
class ReadStandard:
    """One standard found in a document, with what was and was not found."""

    title: str
    line: int
    components: dict[str, list[str]] = field(default_factory=dict)
    component_lines: dict[str, int] = field(default_factory=dict)
    sop: dict[str, Any] | None = None
    decree: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    component_where: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """Codes of the components the document does not give."""
        return [c.code for c in COMPONENTS if c.code not in self.components]

    def blocks(self) -> dict[str, dict[str, Any]]:
        """The components found, as blocks with their typed values."""
        blocks = {}
        for code, fragments in self.components.items():
            block = fragments_to_block(fragments, code)
            add_typed_value(code, block)
            blocks[code] = block
        return blocks


@dataclass
class ReadReport:
    """Everything read from one document."""

    standards: list[ReadStandard]
    problems: list[Problem]
    format: str = "teks"


@dataclass
class Row:
    """A table row: its number cell, label cell and content (HTML fragments), and where it is."""

    number: str
    label: str
    content: list[str]
    where: str
    line: int
    table: int
    numbered_table: bool = True  # False for a table without a NO column (label | content)


@dataclass
class Text:
    """A paragraph outside the tables, or a row with one cell across the table (a heading)."""

    text: str
    where: str
    line: int
    in_table: bool = False


Part = Row | Text


def title_case(text: str) -> str:
    """A title in capitals written as a title ("IZIN REKLAME" → "Izin Reklame"); others as they are."""
    if text != text.upper():
        return text
    words = text.lower().split()
    return " ".join(w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def title_from(text: str) -> str:
    """The service's name from a title line: no numbering, no "STANDAR PELAYANAN" prefix."""
    text = clean(_TAGS.sub("", text).replace("**", ""))
    text = re.sub(r"^\d{1,2}\s*[.)]\s*", "", text)
    text = re.sub(r"^STANDAR PELAYANAN\b\s*:?\s*", "", text, flags=re.IGNORECASE)
    return title_case(text.strip(" :.-"))


def _is_title(text: str) -> bool:
    """Whether a paragraph can name a service (not a group heading, a LAMPIRAN line or an intro)."""
    plain = clean(_TAGS.sub("", text))
    if not plain or is_group_header(plain) or _LAMPIRAN.match(plain) or is_heading(plain):
        return False
    if plain.endswith((":", ";", ",")) or len(plain) > 200:
        return False
    return bool(title_from(plain))


def _is_next_title(text: str) -> bool:
    """Whether a paragraph after a standard's table opens the next standard (numbered, or in capitals)."""
    plain = clean(_TAGS.sub("", text))
    return (
        bool(re.match(r"^\d{1,2}\s*[.)]\s*\S", plain))
        or "STANDAR PELAYANAN" in plain.upper()
        or (plain == plain.upper() and len(plain) > 10)
    )


@dataclass
class _Pending:
    """A component row and the rows that continue it, until the next component row."""

    label: str
    content: list[str]
    row: Row


def assemble(parts: list[Part], title: str | None = None) -> tuple[list[ReadStandard], list[Problem], list[str]]:
    """Read the parts of a document into standards; also the document's problems and its decree lines."""
    standards: list[ReadStandard] = []
    problems: list[Problem] = []
    decree_lines: list[str] = []
    candidate: str | None = None  # the latest paragraph that could be a title
    current: ReadStandard | None = None
    pending: _Pending | None = None
    group: str | None = None
    mode = "table"  # "decree" after "Ditetapkan di", "sop" after the SOP heading: no more component rows

    def flush() -> None:
        nonlocal pending
        if pending is None or current is None:
            pending = None
            return
        row, label = pending.row, pending.label
        code = component_for(label)
        if code is None:
            if fold(label) or any(_TAGS.sub("", c).strip() for c in pending.content):
                shown = clean(_TAGS.sub(" ", label)) or "(kosong)"
                current.problems.append(
                    Problem(row.line, f"Komponen tidak dikenal: {shown!r}; baris ini tidak diimpor.", row.where)
                )
        else:
            if group and COMPONENTS_BY_CODE[code].group != group:
                current.problems.append(
                    Problem(
                        row.line,
                        f"{COMPONENTS_BY_CODE[code].label} tercantum di kelompok yang tidak sesuai.",
                        row.where,
                    )
                )
            if code in current.components and current.component_lines.get(code) != row.line:
                current.problems.append(
                    Problem(
                        row.line, f"{COMPONENTS_BY_CODE[code].label} tercantum dua kali; isinya digabung.", row.where
                    )
                )
            current.components.setdefault(code, []).extend(pending.content)
            current.component_lines.setdefault(code, row.line)
            current.component_where.setdefault(code, row.where)
        pending = None

    def start(line: int) -> ReadStandard:
        nonlocal candidate, group
        name = title_from(candidate) if candidate else ""
        standard = ReadStandard(title=name or title or "", line=line)
        standards.append(standard)
        candidate, group = None, None
        return standard

    for part in parts:
        if isinstance(part, Text):
            plain = clean(_TAGS.sub(" ", part.text))
            if not plain or mode == "sop":
                continue
            if re.match(r"^STANDAR OPERASIONAL PROSEDUR", plain, re.IGNORECASE):
                flush()
                mode = "sop"  # the SOP table is not read from these formats
                continue
            if mode == "decree" or re.match(r"^Ditetapkan di\b", plain, re.IGNORECASE):
                flush()
                mode = "decree"
                decree_lines.append(plain)
                continue
            if is_group_header(plain):
                flush()
                group = "manufacturing" if re.search(r"manufactur|pengelolaan|internal", plain, re.I) else "delivery"
                continue
            titled = _is_title(plain) and (not part.in_table or "STANDAR PELAYANAN" in plain.upper())
            if titled and (current is None or not current.components or _is_next_title(plain)):
                flush()
                candidate = plain
            continue
        if mode != "table":
            continue
        if is_heading(part.label) and (is_heading(part.number) or not part.number):
            continue  # the heading row, repeated at the top of each page
        number = _NUMBER.match(part.number)
        if current is None or candidate is not None:
            flush()
            current = start(part.line)
        label_text = clean(_TAGS.sub(" ", part.label))
        starts = bool(number) or (not part.numbered_table and bool(label_text))
        if not starts and label_text and pending is not None:
            # A row without a number that names another component (its number cell lost or merged).
            own, other = component_for(pending.label), component_for(label_text)
            starts = other is not None and own is not None and other != own and other not in current.components
        if starts:
            flush()
            pending = _Pending(part.label, list(part.content), part)
        elif pending is not None:
            if label_text:
                pending.label = f"{pending.label} {part.label}"
            pending.content.extend(part.content)
        elif label_text or part.content:
            text = " ".join([label_text] + [clean(_TAGS.sub(" ", c)) for c in part.content]).strip()
            if text:
                current.problems.append(
                    Problem(
                        part.line,
                        "Teks lanjutan tanpa komponen di atasnya (dokumen dimulai di tengah?); dilewati.",
                        part.where,
                    )
                )
    flush()
    return standards, problems, decree_lines


def cell_html(paragraphs: list[tuple[str, int | None]]) -> str:
    """A cell's HTML from its paragraphs: (text, list level or None for a plain paragraph).

    Items of a deeper level nest inside the item before them, as the editor keeps them.
    """
    out: list[str] = []
    depth = 0  # open <ol> levels
    for text, level in paragraphs:
        escaped = html.escape(" ".join(text.split()), quote=False)
        if not escaped:
            continue
        if level is None:
            out.append("</li></ol>" * depth)
            depth = 0
            out.append(f"<p>{escaped}</p>")
            continue
        wanted = level + 1
        if wanted > depth:
            out.append("<ol><li>" * (wanted - depth))
        else:
            out.append("</li></ol>" * (depth - wanted) + "</li><li>")
        depth = wanted
        out.append(escaped)
    out.append("</li></ol>" * depth)
    return "".join(out)
