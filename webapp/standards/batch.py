"""Importing many files at once: several files, a folder or a .zip, each file its own unit of work.

``collect`` turns what staff give (paths on the CLI, uploads on the admin page) into a list
of ``Source``: a display name and a way to read the bytes. A zip is read in memory and never
extracted: its member names are shown, never used as paths, and it is refused whole when it
holds too many members or too many bytes (a zip bomb) before anything is imported.
``import_one`` imports one file and turns every refusal into a line of the report, so a bad
file changes nothing and does not stop the others.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from webapp.audit.models import Actor
from webapp.core.db import in_unit_of_work
from webapp.core.units import Unit
from webapp.standards.components import StandardError
from webapp.standards.importer import ImportRefusedError, ImportResult, import_document

log = logging.getLogger(__name__)

# Bounds of one zip, checked on the sizes it declares and again on the bytes actually read.
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_TOTAL_BYTES = 300 * 1024 * 1024
MAX_MEMBER_BYTES = 25 * 1024 * 1024
# Files an office's folder holds beside its standards; skipped, not reported.
_SKIPPED_NAMES = {"thumbs.db", ".ds_store", "desktop.ini"}


class BatchRefusedError(ValueError):
    """A zip or a folder that cannot be taken at all; nothing was imported. The message is Indonesian."""


@dataclass
class Source:
    """One file of a batch: its name as shown in the report, and its bytes (read when imported)."""

    name: str
    read: Callable[[], bytes]


@dataclass
class FileReport:
    """What one file did: its import result, or why it was refused (then nothing of it changed)."""

    name: str
    result: ImportResult | None = None
    refused: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file was imported (possibly changing nothing: "tidak berubah")."""
        return self.refused is None


def _skipped(name: str) -> bool:
    base = PurePosixPath(name).name
    return not base or base.startswith((".", "~$")) or base.casefold() in _SKIPPED_NAMES or name.startswith("__MACOSX/")


def _size(count: int) -> str:
    return f"{count // 1024 // 1024} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"


def _bounded_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, refused when it inflates past ``limit`` whatever its header says."""
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ImportRefusedError(f"Berkas terlalu besar setelah dibuka (lebih dari {_size(limit)}).")
    return data


def zip_sources(data: bytes, name: str = "arsip.zip") -> list[Source]:
    """The files of a zip, in its order; raises BatchRefusedError for a zip that cannot be taken.

    Refused whole: not a zip, more than MAX_ZIP_MEMBERS files, or more than MAX_ZIP_TOTAL_BYTES
    declared. Each member is read bounded by MAX_MEMBER_BYTES and by what is left of the total,
    so a header that lies about its size still inflates no further than the bounds.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir() and not _skipped(i.filename)]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BatchRefusedError(f"{name} bukan arsip zip yang bisa dibuka.") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise BatchRefusedError(f"{name} berisi {len(members)} berkas; paling banyak {MAX_ZIP_MEMBERS} sekali impor.")
    declared = sum(i.file_size for i in members)
    if declared > MAX_ZIP_TOTAL_BYTES:
        raise BatchRefusedError(
            f"{name} terlalu besar setelah dibuka ({declared // 1024 // 1024} MB); "
            f"paling besar {MAX_ZIP_TOTAL_BYTES // 1024 // 1024} MB."
        )
    budget = {"left": MAX_ZIP_TOTAL_BYTES}

    def reader(info: zipfile.ZipInfo) -> Callable[[], bytes]:
        def read() -> bytes:
            try:
                data = _bounded_read(archive, info, min(MAX_MEMBER_BYTES, budget["left"]))
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
                if isinstance(exc, ImportRefusedError):
                    raise
                raise ImportRefusedError("Berkas di dalam zip rusak atau terenkripsi.") from exc
            budget["left"] -= len(data)
            return data

        return read

    # A member's name is shown as it is written in the zip (a display name, never a path).
    return [Source(f"{name}/{_display(info.filename)}", reader(info)) for info in members]


def _display(name: str) -> str:
    return "/".join(part for part in PurePosixPath(name.replace("\\", "/")).parts if part not in ("/", "..", "."))


def is_zip(data: bytes) -> bool:
    """Whether the bytes are a zip archive (by content, whatever the name says)."""
    return data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06"


def is_word(data: bytes) -> bool:
    """Whether the bytes are a Word file: a zip holding word/document.xml, whatever its name."""
    if not is_zip(data):
        return False
    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _zip_like(data: bytes, name: str) -> bool:
    # A .docx is a zip too: a zip is a batch unless it is a Word file (by content) or another office file.
    suffix = PurePosixPath(name).suffix.casefold()
    if not is_zip(data) or is_word(data):
        return False
    return suffix == ".zip" or suffix not in {".docx", ".xlsx", ".odt", ".pptx"}


def _zip_or_word(data: bytes, shown: str) -> list[Source]:
    """A file named .zip on the CLI: its members, or itself when it is a Word file renamed."""
    if is_word(data):
        return [Source(shown, lambda: data)]
    return zip_sources(data, shown)


def upload_sources(uploads: Iterable[tuple[str, bytes]]) -> list[Source]:
    """Sources from uploaded (name, bytes): a zip is opened into its files, the rest are files."""
    sources: list[Source] = []
    for name, data in uploads:
        if _zip_like(data, name):
            sources += zip_sources(data, name)
        else:
            sources.append(Source(name, lambda data=data: data))
    return sources


def path_sources(paths: Iterable[Path]) -> list[Source]:
    """Sources from paths on the CLI: files, folders (every file under them, sorted) and zips."""
    sources: list[Source] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not _skipped(p.name))
            for file in files:
                shown = str(file.relative_to(path.parent))
                if file.suffix.casefold() == ".zip":  # a zip in the folder is opened like one given alone
                    sources += _zip_or_word(file.read_bytes(), shown)
                else:
                    sources.append(Source(shown, file.read_bytes))
        elif path.suffix.casefold() == ".zip":
            sources += _zip_or_word(path.read_bytes(), path.name)
        else:
            sources.append(Source(path.name, path.read_bytes))
    return sources


def import_one(
    unit: Unit, source: Source, *, title: str | None = None, publish: bool = False, actor: Actor | None
) -> FileReport:
    """Import one file (its own unit of work); a refusal is the report's, not an exception.

    Refuses to run inside a unit of work: each file must commit or roll back on its own, so
    a batch never joins a caller's transaction (one bad file would undo the others).
    """
    if in_unit_of_work():
        raise RuntimeError("import_one commits each file itself; call it outside a unit of work")
    report = FileReport(source.name)
    try:
        data = source.read()
        report.result = import_document(unit, data, title=title, filename=PurePosixPath(source.name).name[:255],
                                        actor=actor, publish=publish)  # fmt: skip
    except (ImportRefusedError, StandardError) as exc:
        report.refused = str(exc)
    except OSError as exc:  # a file that vanished or cannot be read from the folder
        report.refused = f"Berkas tidak bisa dibaca ({exc.strerror or exc})."
    except Exception as exc:  # last resort: one unreadable file must not stop the batch nor give a 500
        # The file's name and the error's class only: a message may quote the file's content (personal data).
        log.error("import of %s failed unexpectedly: %s", source.name, type(exc).__name__)
        report.refused = "Berkas tidak terbaca; simpan ulang dalam format Word, PDF atau HTML lalu unggah."
    return report


def import_batch(
    unit: Unit, sources: Iterable[Source], *, title: str | None = None, publish: bool = False,
    actor: Actor | None,
) -> Iterator[FileReport]:
    """Import the files one after another, yielding each file's report as soon as it is done."""
    for source in sources:
        yield import_one(unit, source, title=title, publish=publish, actor=actor)


@dataclass
class Totals:
    """Counts for the end of a batch report."""

    files: int = 0
    refused: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0

    def add(self, report: FileReport) -> None:
        """Count one file's report."""
        self.files += 1
        if report.result is None:
            self.refused += 1
            return
        self.created += len(report.result.created)
        self.updated += len(report.result.updated)
        self.unchanged += len(report.result.unchanged)
        self.published += sum(1 for o in report.result.outcomes if o.published)

    def summary(self) -> str:
        """One Indonesian line: files, refused, and standards by outcome."""
        return (
            f"{self.files} berkas: {self.refused} ditolak; standar {self.created} dibuat, "
            f"{self.updated} diperbarui, {self.unchanged} tidak berubah, {self.published} diterbitkan."
        )
