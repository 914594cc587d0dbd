"""Read a published service-standard document into standard documents, and store them.

``read_document`` tells the format from the content: a Word file, a PDF with a text layer
or an HTML page is read by ``webapp.standards.reading`` (rows of number, label and content,
one label matcher for all); the text form of the seeds is read here. The text layout: a
title, then a table whose rows are ``NO <tab> KOMPONEN <tab> URAIAN`` with HTML in the
cells; a row that starts with a tab continues the component above it; a document may hold
several standards one after another, split its components under ``<b>JENIS PELAYANAN
...</b>`` headings, end with the decree ("Ditetapkan di …") and carry an SOP table with mutu
baku. ``read_document`` only reads; ``import_document`` stores, all or nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from webapp.audit.models import Actor, record
from webapp.core.db import transactional
from webapp.core.extensions import db
from webapp.core.formatting import BULAN
from webapp.core.text import EMAIL_IN_TEXT
from webapp.core.units import Unit
from webapp.standards.components import COMPONENTS, COMPONENTS_BY_CODE, normalise_standard
from webapp.standards.html_blocks import clean
from webapp.standards.models import Service, ServiceVersion
from webapp.standards.reading.labels import component_for
from webapp.standards.reading.rows import (
    ImportRefusedError,
    Problem,
    ReadReport,
    ReadStandard,
    assemble,
    title_case,
)
from webapp.standards.review import (
    draft_has_edits,
    last_import,
    same_content,
    stage_import,
    take_everything,
)
from webapp.standards.versions import create_service, open_draft, publish_draft

MAX_BYTES = 2 * 1024 * 1024
# Word files and PDFs carry fonts and pictures: a larger limit than for text.
MAX_FILE_BYTES = 10 * 1024 * 1024

_HEADER = re.compile(r"^\s*(?:<b>)?\s*NO\.?\s*(?:</b>)?\t+\s*(?:<b>)?\s*KOMPONEN", re.IGNORECASE)
_ROW = re.compile(r"^\s*(?:<b>)?\s*(\d{1,2})\s*\.?\s*(?:</b>)?\s*$")
_GROUP = re.compile(r"^\s*<b>\s*JENIS PELAYANAN\s+([A-Z ]+?)\s*</b>", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*-{3,}")
_TAGS = re.compile(r"<[^>]+>")
_title_case = title_case


def _title_from(lines: list[str]) -> str:
    text = clean(_TAGS.sub("", " ".join(lines)).replace("**", ""))
    text = re.sub(r"^\d{1,2}\s*\.\s*", "", text)
    text = re.sub(r"^STANDAR PELAYANAN\s*", "", text, flags=re.IGNORECASE)
    return _title_case(text.strip(" :.-"))


_component_for = component_for


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ImportRefusedError("Berkas kosong.")
    if len(data) > MAX_BYTES:
        raise ImportRefusedError(
            f"Berkas terlalu besar ({len(data) / 1024 / 1024:.1f} MB); paling besar {MAX_BYTES // 1024 // 1024} MB."
        )
    sample = data[:8192]
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if b"\x00" in sample or control > len(sample) * 0.05:
        raise ImportRefusedError(
            "Berkas ini bukan teks (berkas biner). Unggah dokumen standar dalam bentuk Word (.docx), PDF, HTML "
            "atau teks."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefusedError(
            f"Berkas tidak berenkode UTF-8 (baris {line}). Simpan ulang sebagai teks UTF-8 lalu unggah lagi."
        ) from exc


def detect_format(data: bytes) -> str:
    """The format of a document, from its first bytes: "docx", "pdf", "html" or "teks"."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data[:1024].lstrip().startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or (
        head.startswith(b"<") and b"<table" in data[:65536].lower()
    ):
        return "html"
    return "teks"


def read_document(data: bytes, title: str | None = None, *, filename: str = "") -> ReadReport:
    """Read every standard in ``data`` (Word, PDF, HTML or text, told by its content); ``title``
    names a document that prints none. ``filename`` only words the messages."""
    kind = detect_format(data)
    if kind == "teks":
        return _read_text(data, title)
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefusedError(
            f"Berkas terlalu besar ({len(data) / 1024 / 1024:.1f} MB); "
            f"paling besar {MAX_FILE_BYTES // 1024 // 1024} MB."
        )
    if kind == "docx":
        from webapp.standards.reading.docx import read_docx

        parts = read_docx(data)
    elif kind == "pdf":
        from webapp.standards.reading.pdf import read_pdf

        parts = read_pdf(data)
    else:
        from webapp.standards.reading.html import read_html

        parts = read_html(data)
    standards, problems, decree_lines = assemble(parts, title)
    if not any(s.components for s in standards):
        raise ImportRefusedError(
            "Tabel komponen tidak ditemukan: dokumen harus memuat tabel dengan kolom NO, KOMPONEN dan URAIAN."
        )
    standards = [s for s in standards if s.components or s.problems]
    decree = _read_decree(decree_lines) if decree_lines else None
    for standard in standards:
        if not standard.title:
            where = next(iter(standard.component_where.values()), "awal dokumen")
            raise ImportRefusedError(
                f"Judul layanan tidak ditemukan di atas tabel ({where}). Isikan judulnya saat mengimpor."
            )
        standard.decree = decree
    return ReadReport(standards=standards, problems=problems, format=kind)


def _read_text(data: bytes, title: str | None) -> ReadReport:
    """Read the text layout of the seed documents (tab-separated rows with HTML in the cells)."""
    lines = _decode(data).splitlines()
    standards: list[ReadStandard] = []
    problems: list[Problem] = []
    preamble: list[str] = []
    current: ReadStandard | None = None
    group: str | None = None
    last_code: str | None = None
    in_table = False
    sop_start: int | None = None
    decree_start: int | None = None

    def start(line_no: int) -> ReadStandard:
        found_title = _title_from(preamble) if preamble else ""
        # A typed title only names a standard the document leaves untitled: with several
        # standards in one file, giving all of them one title would merge them.
        standard = ReadStandard(title=found_title or title or "", line=line_no)
        standards.append(standard)
        preamble.clear()
        return standard

    blank_before = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if sop_start is not None or decree_start is not None:
            if re.match(r"^\s*STANDAR OPERASIONAL PROSEDUR", line, re.IGNORECASE):
                sop_start = number
            continue
        if not line.strip():
            blank_before = True
            continue
        after_blank, blank_before = blank_before, False
        if _HEADER.match(line):
            current, group, last_code, in_table = start(number), None, None, True
            continue
        if re.match(r"^\s*Ditetapkan di", line, re.IGNORECASE):
            decree_start = number
            in_table = False
            continue
        if re.match(r"^\s*STANDAR OPERASIONAL PROSEDUR", line, re.IGNORECASE):
            sop_start = number
            in_table = False
            continue
        if _SEPARATOR.match(line):
            in_table, last_code = False, None
            continue
        group_match = _GROUP.match(line)
        cells = line.split("\t")
        row = _ROW.match(cells[0]) if len(cells) >= 3 else None
        if group_match or row or (in_table and line.startswith("\t")) or (current is None and line.startswith("\t")):
            if current is None:  # a document that starts mid-table (seed 004)
                current, in_table = start(number), True
            in_table = True
            if group_match:
                group = "manufacturing" if "MANUFACTUR" in group_match.group(1).upper() else "delivery"
                last_code = None
                continue
            content = "\t".join(cells[2:]).strip() if len(cells) >= 3 else "\t".join(cells[1:]).strip()
            # A row that names another component but lost its number starts that component.
            labelled = None if row or len(cells) < 3 else _component_for(cells[1])
            starts = bool(row) or (labelled not in (None, last_code) and labelled not in current.components)
            if starts:
                code = _component_for(cells[1])
                if code is None:
                    current.problems.append(
                        Problem(number, f"Komponen tidak dikenal: {clean(_TAGS.sub('', cells[1]))!r}.")
                    )
                    last_code = None
                    continue
                if group and COMPONENTS_BY_CODE[code].group != group:
                    current.problems.append(
                        Problem(number, f"{COMPONENTS_BY_CODE[code].label} tercantum di kelompok yang tidak sesuai.")
                    )
                last_code = code
                current.components.setdefault(code, []).append(content)
                current.component_lines.setdefault(code, number)
            elif last_code is None:
                if content:
                    current.problems.append(
                        Problem(
                            number, "Teks lanjutan tanpa komponen di atasnya (dokumen dimulai di tengah?); dilewati."
                        )
                    )
            elif content:
                current.components[last_code].append(content)
            continue
        if in_table and current is not None:
            current.problems.append(Problem(number, "Baris tabel tanpa kolom URAIAN (dipisah tab); dilewati."))
            continue
        if after_blank:
            preamble.clear()  # a title is the last block of text lines before the table
        preamble.append(line)

    if not standards or not any(s.components for s in standards):
        raise ImportRefusedError("Tabel komponen tidak ditemukan: baris NO, KOMPONEN dan URAIAN harus dipisah tab.")
    decree = _read_decree(lines[decree_start - 1 :]) if decree_start else None
    sop = _read_sop(lines, sop_start) if sop_start else None
    for standard in standards:
        if not standard.title:
            raise ImportRefusedError(
                f"Judul layanan tidak ditemukan di atas tabel (baris {standard.line}). Isikan judulnya saat mengimpor."
            )
        standard.decree = decree
    if sop is not None:
        standards[-1].sop = sop
    return ReadReport(standards=standards, problems=problems)


def _read_decree(lines: list[str]) -> dict[str, Any]:
    decree: dict[str, Any] = dict.fromkeys(
        ("place", "date", "date_text", "signer_title", "signer_name", "signer_rank", "signer_nip")
    )
    texts = [clean(line) for line in lines if clean(line)]
    title_lines: list[str] = []
    for index, text in enumerate(texts):
        if re.match(r"^\s*STANDAR OPERASIONAL", text, re.IGNORECASE):
            break
        place = re.match(r"^Ditetapkan di\s*:?\s*(.*)$", text, re.IGNORECASE)
        when = re.match(r"^Pada Tanggal\s*:?\s*(.*)$", text, re.IGNORECASE)
        if place:
            decree["place"] = place.group(1) or None
        elif when:
            value = when.group(1) or (
                texts[index + 1] if index + 1 < len(texts) and re.match(r"^\d", texts[index + 1]) else ""
            )
            decree["date_text"] = value or None
            decree["date"] = _parse_date(value)
        elif re.match(r"^NIP\.?\s*", text, re.IGNORECASE):
            decree["signer_nip"] = re.sub(r"^NIP\.?\s*", "", text, flags=re.IGNORECASE)
        elif re.match(r"^(Pembina|Penata|Pengatur|Juru)\b", text):
            decree["signer_rank"] = text
        elif (
            text.upper() == text
            and re.search(r"KEPALA|DINAS|PELAYANAN|KABUPATEN|KOTA", text)
            and not decree["signer_name"]
        ):
            title_lines.append(text.rstrip(","))
        elif title_lines and not decree["signer_name"] and re.match(r"^[A-Z][A-Z .']+,", text):
            decree["signer_name"] = text
    if title_lines:
        decree["signer_title"] = _title_case(" ".join(title_lines))
    return decree


def _parse_date(text: str) -> str | None:
    match = re.match(r"^(\d{1,2})\s+(\w+)\s+(\d{4})$", text.strip())
    if not match:
        return None
    months = [b.casefold() for b in BULAN]
    month = match.group(2).casefold()
    if month not in months:
        return None
    try:
        return date(int(match.group(3)), months.index(month) + 1, int(match.group(1))).isoformat()
    except ValueError:  # "31 Februari": a date that does not exist is left out, not a refusal
        return None


def _read_sop(lines: list[str], start_line: int) -> dict[str, Any] | None:
    actors: list[str] = []
    steps: list[dict[str, Any]] = []
    total_text = None
    for raw in lines[start_line:]:
        cells = [clean(_TAGS.sub("", c)) for c in raw.split("\t")]
        if not actors and "Kelengkapan" in cells:
            stop = cells.index("Kelengkapan")
            actors = [c for c in cells[:stop] if c]
            continue
        if cells and re.match(r"^TOTAL", cells[0], re.IGNORECASE):
            total_text = next((c for c in cells[1:] if c), None)
            continue
        if not cells or not re.match(r"^\d{1,2}$", cells[0]) or len(cells) < 3:
            continue
        activity = [clean(a) for a in re.split(r"(?:^|\s)-\s+", cells[1]) if clean(a)]
        rest = [c for c in cells[2:] if c]
        when = next((i for i, c in enumerate(rest) if re.match(r"^\d+\s*(menit|jam|hari)", c, re.IGNORECASE)), None)
        step: dict[str, Any] = {"activity": activity, "actors": [], "kelengkapan": None, "minutes": None,
                                "days": None, "duration_text": None, "output": None, "keterangan": None}  # fmt: skip
        if when is not None:
            step["duration_text"] = rest[when]
            amount = int(re.match(r"^(\d+)", rest[when]).group(1))  # type: ignore[union-attr]
            step["days" if "hari" in rest[when].lower() else "minutes"] = amount
            step["kelengkapan"] = rest[when - 1] if when > 0 else None
            step["output"] = rest[when + 1] if when + 1 < len(rest) else None
            step["keterangan"] = rest[when + 2] if when + 2 < len(rest) else None
        steps.append(step)
    if not steps:
        return None
    total_days = None
    if total_text:
        match = re.search(r"(\d+)\s*hari", total_text)
        total_days = int(match.group(1)) if match else None
    return {
        "title": "Standar Operasional Prosedur",
        "actors": actors,
        "actors_note": "Tanda pelaksana pada tabel sumber tidak terbaca; lengkapi kolom pelaksana setiap langkah.",
        "steps": steps,
        "total_days": total_days,
        "total_text": total_text,
    }


_PHONE = re.compile(r"(?<!\d)(?:\+62|0)\d{2,3}[-\s]?\d{3,4}[-\s]?\d{3,5}(?!\d)")
_URL = re.compile(r"(?:https?://|www\.)[^\s,;]+|\b[\w-]+(?:\.[\w-]+)*\.go\.id(?:/[^\s,;]*)?")


def channels_from(block: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Tappable complaint channels found in the complaint component's items."""
    found: list[dict[str, Any]] = []
    for item in (block or {}).get("items", []):
        text = item["text"]
        label = clean(text.split(":")[0]) if ":" in text and not text.lower().startswith("http") else text
        lowered = text.casefold()
        emails = EMAIL_IN_TEXT.findall(text)
        phones = _PHONE.findall(text)
        if emails:
            found += [{"kind": "email", "label": "E-mail", "value": e} for e in emails]
        elif phones:
            if "whatsapp" in lowered or "wa " in lowered:
                found += [{"kind": "whatsapp", "label": "WhatsApp", "value": p} for p in phones]
            if "telepon" in lowered or "telp" in lowered or "whatsapp" not in lowered:
                found += [{"kind": "phone", "label": "Telepon", "value": p} for p in phones]
        elif "lapor" in lowered:
            url = _URL.search(text)
            found.append({"kind": "lapor", "label": label, "value": url.group(0).rstrip("/") if url else None})
        elif _URL.search(text):
            found.append({"kind": "website", "label": label, "value": _URL.search(text).group(0)})  # type: ignore[union-attr]
        elif "kotak" in lowered:
            found.append({"kind": "dropbox", "label": text, "value": None})
        elif "survei" in lowered or "skm" in lowered:
            found.append({"kind": "survey", "label": text, "value": None})
        elif "loket" in lowered:
            found.append({"kind": "counter", "label": text, "value": None})
    return found


def to_document(standard: ReadStandard, slug: str, category: str = "perizinan") -> dict[str, Any]:
    """A standard document (for ``normalise_standard``) from what was read."""
    blocks = standard.blocks()
    doc = {
        "slug": slug,
        "title": standard.title,
        "category": category,
        "source": None,
        "source_note": None,
        "components": {c.code: blocks.get(c.code) for c in COMPONENTS},
        "complaint_channels": channels_from(blocks.get("pengaduan")),
        "sop": standard.sop,
        "guides": [],
        "decree": standard.decree if standard.decree and any(standard.decree.values()) else None,
    }
    return normalise_standard(doc)


# Outcomes of one standard of an imported file.
CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
OUTCOME_LABELS = {CREATED: "dibuat", UPDATED: "diperbarui", UNCHANGED: "tidak berubah"}


@dataclass
class Outcome:
    """What importing did with one standard of a file.

    ``state``: created (a new service, its first draft is the import), updated (the import
    waits for review beside the draft, or was published) or unchanged (the same file, or the
    same content, was imported before). ``note`` says in Indonesian what is left to do.
    """

    standard: ReadStandard
    service: Service
    state: str
    published: bool = False
    note: str = ""

    @property
    def label(self) -> str:
        """The state in the report's words ("dibuat", "diperbarui", "tidak berubah")."""
        return OUTCOME_LABELS[self.state]


@dataclass
class ImportResult:
    """What importing one document did, standard by standard."""

    filename: str = ""
    sha256: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def _pairs(self, state: str) -> list[tuple[ReadStandard, Any]]:
        return [(o.standard, o.service) for o in self.outcomes if o.state == state]

    @property
    def created(self) -> list[tuple[ReadStandard, Any]]:
        """(standard, service) of the services the file created."""
        return self._pairs(CREATED)

    @property
    def updated(self) -> list[tuple[ReadStandard, Any]]:
        """(standard, service) of the services whose import waits for review (or was published)."""
        return self._pairs(UPDATED)

    @property
    def file_problems(self) -> list[Problem]:
        """Problems of the file itself, outside any standard's table."""
        own = [p for o in self.outcomes for p in o.standard.problems]
        return [p for p in self.problems if p not in own]

    @property
    def unchanged(self) -> list[tuple[ReadStandard, Any]]:
        """(standard, service) of the services the file left as they were."""
        return self._pairs(UNCHANGED)


def _normal_title(title: str) -> str:
    return " ".join(title.casefold().split())


def _slug_for(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", title.casefold()).split()
    base = ""
    for word in words:
        if len(base) + len(word) + 1 > 80:
            break
        base = f"{base}-{word}" if base else word
    base = base or "layanan"
    slug, suffix = base, 2
    while Service.by_slug(slug) is not None:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def file_digest(data: bytes) -> str:
    """The sha256 of a file's bytes, hex: how a re-import of the same file is recognised."""
    return hashlib.sha256(data).hexdigest()


def _missing_note(standard: ReadStandard) -> str:
    return f"tetap draf: {len(standard.missing)} komponen tidak ada di berkas"


@transactional(serial=True)
def import_document(
    unit: Unit,
    data: bytes,
    title: str | None = None,
    filename: str = "",
    *,
    actor: Actor | None,
    publish: bool = False,
) -> ImportResult:
    """Import every standard of one file into ``unit``: one unit of work, all or nothing.

    A service is matched by its title within the unit. A new one is created with the import
    as its first draft. For one that exists, the import never touches the draft: it waits
    beside it for review (``webapp.standards.review``), replacing an earlier import still
    waiting. The same file (by sha256) or the same content again changes nothing.

    ``publish``: publish what came with all 14 components: a new service, or an import over a
    draft without staff edits; the rest stay for review, and the outcome's note says why.
    ``actor``: who imports (None from the CLI), recorded on the versions and in the audit log.
    Raises ImportRefusedError for an unreadable file, StandardError for a standard that
    cannot be stored; nothing of the file is stored then.
    """
    digest = file_digest(data)
    report = read_document(data, title=title, filename=filename)
    result = ImportResult(filename=filename, sha256=digest, problems=list(report.problems))
    # Titles only: a unit with hundreds of standards would otherwise load every document per file.
    rows = db.session.execute(select(Service.id, Service.title).where(Service.unit_id == unit.id))
    existing_ids = {_normal_title(title): service_id for service_id, title in rows}
    existing: dict[str, Service] = {}
    note = f"Impor {filename}".strip()
    for standard in report.standards:
        key = _normal_title(standard.title)
        service = existing.get(key) or (db.session.get(Service, existing_ids[key]) if key in existing_ids else None)
        if service is None:
            category = "pengaduan" if "pengaduan" in standard.title.casefold() else "perizinan"
            document = to_document(standard, _slug_for(standard.title), category)
            service = create_service(unit, document, note=f"Diimpor dari {filename}".strip(), actor=actor)
            existing[_normal_title(standard.title)] = service
            stage_import(service, document, filename, digest, actor=actor, reviewed=True)
            draft = open_draft(service)
            if draft is not None:  # the new service's first draft is the "impor" draft
                draft.kind, draft.source_name, draft.source_sha256 = ServiceVersion.KIND_IMPORT, filename, digest
            outcome = Outcome(standard, service, CREATED, note="draf baru")
            if publish and not standard.missing:
                publish_draft(service, note, actor=actor)
                outcome.published, outcome.note = True, "diterbitkan"
            elif publish:
                outcome.note = _missing_note(standard)
        else:
            document = to_document(standard, service.slug, service.category)
            last = last_import(service)
            if (last is not None and last.source_sha256 == digest) or same_content(service, document):
                outcome = Outcome(standard, service, UNCHANGED, note="berkas atau isi yang sama sudah diimpor")
            else:
                stage_import(service, document, filename, digest, actor=actor)
                outcome = Outcome(standard, service, UPDATED, note="menunggu tinjauan")
                if publish and standard.missing:
                    outcome.note = f"menunggu tinjauan; {_missing_note(standard)}"
                elif publish and draft_has_edits(service):
                    outcome.note = "menunggu tinjauan: draf berisi perubahan petugas, tidak ditimpa"
                elif publish:
                    take_everything(service, note, actor=actor)
                    outcome.published, outcome.note = True, "diterbitkan"
        result.outcomes.append(outcome)
        result.problems += standard.problems
    changed = [o for o in result.outcomes if o.state != UNCHANGED]
    if changed:
        names = ", ".join(f"{o.service.title} ({o.label})" for o in changed)
        # A file seen before writes nothing at all, not even an audit line.
        record("import", "unit", unit.id, f"Mengimpor {filename or 'dokumen'}: {names}", unit_id=unit.id, actor=actor)
    return result


@transactional
def publish_imported(result: ImportResult, note: str, *, actor: Actor | None) -> list[ServiceVersion]:
    """Publish the drafts an import created; all or none.

    A unit of work of its own, after the import's: when a draft cannot be published yet
    (StandardError, e.g. a component still missing), none is, and the import's drafts stay saved.
    Imports into existing services go through review instead (``webapp.standards.review``).
    """
    return [publish_draft(service, note, actor=actor) for _, service in result.created]
