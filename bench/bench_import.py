"""Time of importing an office's whole set: 300 generated standard files of four formats through the CLI path.

Builds a throwaway SQLite database (temp dir, migrated) with one unit and writes ``--files``
documents (default 300) into one folder per format, shared out evenly over ``--formats``
(default ``text,docx,pdf,html``):

- ``text``: the text layouts of tests/import_helpers.py (one or two standards a file, some
  incomplete);
- ``docx``, ``pdf``, ``html``: the curated ``data/`` standards written out by
  tests/fixtures/make_standards.py in its three layouts (seed, lampiran, two-column), every
  fifth file holding two standards; Word through python-docx, PDF through Chromium's
  print-to-PDF (one browser, a page per file), HTML as a website's page.

Every file has its own titles and wording, so none is a re-import the content hash skips.
Building the files is not timed. The import is: ``flask standards import FOLDER --unit ...
--publish`` through click's runner, one format's folder after the other in the same database,
each timed (files per second per format and in total), then the same commands again (every
file recognised by its hash: "tidak berubah"). Fails (exit 1) when the first run's total is
below FLOOR_FILES_PER_SECOND: an office's 300 files must go in within minutes. ``--database
URL`` runs against PostgreSQL instead (its tables are dropped first: give a scratch database).

Run: ``.venv/bin/python bench/bench_import.py [--files 300] [--formats text,docx,pdf,html]
[--database URL]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine

from config import Config
from tests.fixtures import make_standards
from tests.import_helpers import SERVICES, mixed_files
from webapp import create_app
from webapp.core.extensions import db

# 300 files within ten minutes on a shared 2-core machine: an afternoon's set goes in during a coffee break.
# PDFs set the pace (pdfminer reads each page's text: about a second a page under load), hence not 1 file/s.
FLOOR_FILES_PER_SECOND = 0.5
FORMATS = ("text", "docx", "pdf", "html")
# The curated standards with all 14 components: what an office's own files hold.
CURATED = ("izin-instalasi-genset", "oss-umk-orang-perseorangan", "pengaduan-berkadar-pengawasan",
           "pengaduan-secara-langsung", "pengaduan-secara-tidak-langsung",
           "rekomendasi-pelatih-anak-putus-sekolah")  # fmt: skip
LAYOUTS = ("seed", "lampiran", "two-column")
# Each format's files come from other sections of the office: their titles never meet.
SECTIONS = {"docx": "Bidang Perizinan", "pdf": "Bidang Pengaduan", "html": "Bidang Layanan Daring"}
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]  # fmt: skip


def _drop_all(url: str) -> None:
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(bind=engine)
    metadata.drop_all(bind=engine)
    engine.dispose()


def shares(count: int, formats: list[str]) -> dict[str, int]:
    """``count`` files shared out evenly over the formats (the first ones take the remainder)."""
    base, extra = divmod(count, len(formats))
    return {fmt: base + (1 if i < extra else 0) for i, fmt in enumerate(formats)}


def _standard(fmt: str, n: int, part: int = 0) -> dict[str, Any]:
    """Curated standard number ``n`` retitled and reworded for ``fmt``: no two files alike."""
    doc = json.loads(json.dumps(make_standards.standard(CURATED[(n + part) % len(CURATED)])))
    doc["title"] = f"{SERVICES[(n + part) % len(SERVICES)]} {SECTIONS[fmt]} {n + 1}" + (" Perpanjangan" if part else "")
    requirements = doc["components"]["persyaratan"]
    requirements["items"] = [{"text": f"Surat permohonan {doc['title']} bermeterai", "items": []},
                             *requirements["items"]]  # fmt: skip
    doc["components"]["produk"]["paragraphs"] = [f"Surat keputusan {doc['title']}"]
    return doc


def _office_files(fmt: str, count: int, browser: Any) -> list[tuple[str, bytes]]:
    """``count`` files of one office format (docx, pdf or html) in rotating layouts."""
    files = []
    for n in range(count):
        docs = [_standard(fmt, n)] + ([_standard(fmt, n, part=1)] if n % 5 == 4 else [])
        layout = LAYOUTS[n % len(LAYOUTS)]
        if fmt == "docx":
            data = make_standards.docx_bytes(docs, layout)
        elif fmt == "pdf":
            data = make_standards.pdf_bytes(browser, make_standards.html_page(docs, layout))
        else:
            data = make_standards.html_page(docs, layout).encode()
        files.append((f"standar-{n + 1:03}.{fmt}", data))
    return files


def build(folder: Path, counts: dict[str, int]) -> dict[str, Path]:
    """Write each format's files into its own folder under ``folder``; the folders by format."""
    folders = {}
    browser = playwright = None
    if counts.get("pdf"):
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
    try:
        for fmt, count in counts.items():
            target = folder / fmt
            target.mkdir()
            files = mixed_files(count) if fmt == "text" else _office_files(fmt, count, browser)
            for name, data in files:
                (target / name).write_bytes(data)
            folders[fmt] = target
    finally:
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()
    return folders


def main() -> int:
    """Generate, import twice format by format, print the rates; 1 when the first total is below the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300, help="files in all, shared out evenly over the formats")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, of: " + ",".join(FORMATS))
    parser.add_argument("--database", default=None, help="a scratch database URL (default: temporary SQLite)")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if not formats or any(f not in FORMATS for f in formats) or len(set(formats)) != len(formats):
        parser.error(f"--formats: a comma-separated selection of {','.join(FORMATS)}")
    if args.files < len(formats):
        parser.error("--files: at least one file per format")
    folder = Path(tempfile.mkdtemp(prefix="loket-impor-"))
    url = args.database or f"sqlite:///{folder}/bench.sqlite"
    if args.database:
        _drop_all(url)

    class BenchConfig(Config):
        SECRET_KEY = "bench"
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(BenchConfig)
    counts = shares(args.files, formats)
    try:
        started = time.perf_counter()
        folders = build(folder, counts)
        print(f"built {args.files} files ({', '.join(f'{c} {f}' for f, c in counts.items())}) "
              f"in {time.perf_counter() - started:.1f} s (not timed)")  # fmt: skip
        with app.app_context():
            from webapp.core.units import Unit

            upgrade()
            db.session.add(Unit(slug="dinas-bench", name="Dinas Bench", short_name="Dinas Bench",
                                timezone="Asia/Jakarta", contacts=[]))  # fmt: skip
            db.session.commit()
        runner = app.test_cli_runner()
        totals = []
        for label in ("first import", "same files again"):
            spent = 0.0
            for fmt, path in folders.items():
                command = ["standards", "import", str(path), "--unit", "dinas-bench", "--publish"]
                started = time.perf_counter()
                result = runner.invoke(args=command)
                elapsed = time.perf_counter() - started
                if result.exit_code != 0:
                    print(result.output[-2000:])
                    return 1
                spent += elapsed
                summary = result.output.strip().splitlines()[-1]
                print(f"{label}, {fmt}: {counts[fmt]} files in {elapsed:.1f} s = {counts[fmt] / elapsed:.1f} files/s "
                      f"({summary})")  # fmt: skip
            totals.append(args.files / spent)
            # Two decimals: 0.96 must not print as the floor's 1.0 when the run fails.
            print(f"{label}, total: {args.files} files in {spent:.1f} s = {totals[-1]:.2f} files/s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"floor: {FLOOR_FILES_PER_SECOND} files/s (first import, total)")
    return 0 if totals[0] >= FLOOR_FILES_PER_SECOND else 1


if __name__ == "__main__":
    raise SystemExit(main())
