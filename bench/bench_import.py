"""Time of importing an office's whole set: 300 generated standard files through the CLI path.

Builds a throwaway SQLite database (temp dir, migrated) with one unit, writes ``--files``
text documents (default 300, the layouts of tests/import_helpers.py: one or two standards a
file, some incomplete, each with its own wording) into a folder, and times
``flask standards import FOLDER --unit ... --publish`` through click's runner, then the same
command again (every file recognised by its hash: "tidak berubah"). Prints files per second
and fails (exit 1) below FLOOR_FILES_PER_SECOND on the first run: an office's 300 files must
go in within minutes. ``--database URL`` runs against PostgreSQL instead (its tables are
dropped first: give a scratch database).

Run: ``.venv/bin/python bench/bench_import.py [--files 300] [--database URL]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine

from config import Config
from tests.import_helpers import mixed_files
from webapp import create_app
from webapp.core.extensions import db

# 300 files in five minutes at the very least; this machine does far better (see the README).
FLOOR_FILES_PER_SECOND = 1.0


def _drop_all(url: str) -> None:
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(bind=engine)
    metadata.drop_all(bind=engine)
    engine.dispose()


def main() -> int:
    """Generate, import twice, print the rates; 1 when the first run is below the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--database", default=None, help="a scratch database URL (default: temporary SQLite)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="loket-impor-"))
    url = args.database or f"sqlite:///{folder}/bench.sqlite"
    if args.database:
        _drop_all(url)

    class BenchConfig(Config):
        SECRET_KEY = "bench"
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(BenchConfig)
    files = folder / "standar"
    files.mkdir()
    for name, data in mixed_files(args.files):
        (files / name).write_bytes(data)
    try:
        with app.app_context():
            from webapp.core.units import Unit

            upgrade()
            db.session.add(Unit(slug="dinas-bench", name="Dinas Bench", short_name="Dinas Bench",
                                timezone="Asia/Jakarta", contacts=[]))  # fmt: skip
            db.session.commit()
        runner = app.test_cli_runner()
        command = ["standards", "import", str(files), "--unit", "dinas-bench", "--publish"]
        rates = []
        for label in ("first import", "same files again"):
            started = time.perf_counter()
            result = runner.invoke(args=command)
            elapsed = time.perf_counter() - started
            if result.exit_code != 0:
                print(result.output[-2000:])
                return 1
            rates.append(args.files / elapsed)
            summary = result.output.strip().splitlines()[-1]
            print(f"{label}: {args.files} files in {elapsed:.1f} s = {rates[-1]:.1f} files/s ({summary})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"floor: {FLOOR_FILES_PER_SECOND} files/s")
    return 0 if rates[0] >= FLOOR_FILES_PER_SECOND else 1


if __name__ == "__main__":
    raise SystemExit(main())
