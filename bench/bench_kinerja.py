"""Time of the kinerja dashboard with one year of a unit's data on PostgreSQL, against a bare route's floor.

Empties the database of ``--database-url`` (default: the local test database ``loket_test_19``; every table is
dropped), migrates it, loads the demo data, fills one year for the Kampar unit with
``gen_kinerja_data.generate`` (about 100,000 tickets, 2,000 complaints, 10,000 files, 5,000 responses), then
times, in one process with Flask's test client, the mean of ``--repeat`` requests after one warm-up:

- the floor: a route added to the same app that answers a fixed string (no database, no template);
- ``/admin/kinerja`` for the unit's kepala dinas, this year and the last semester (queries + charts + template);
- the live panel alone (the htmx poll);
- ``/kinerja`` and ``GET /api/v1/kinerja`` counted afresh (the figure cache and page cache off).

Run: ``.venv/bin/python bench/bench_kinerja.py [--database-url postgresql://postgres@127.0.0.1:5432/DB]``.
The issue's target: the dashboard renders in under 1 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine

from bench.gen_kinerja_data import generate
from config import Config, database_url_from_env
from webapp import create_app
from webapp.core.extensions import db

UNIT = "dpmptsp-kampar"


def _empty(url: str) -> None:
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(bind=engine)
    metadata.drop_all(bind=engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


def main() -> None:
    """Fill, then time each page against the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/loket_test_19")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="time the data a previous run left (no refill)")
    args = parser.parse_args()
    url = database_url_from_env(args.database_url)
    if not args.reuse:
        _empty(url)

    class BenchConfig(Config):
        SECRET_KEY = "bench"
        SQLALCHEMY_DATABASE_URI = url
        PAGE_CACHE_SECONDS = 0
        KINERJA_CACHE_SECONDS = 0
        RATELIMIT_ENABLED = False
        WTF_CSRF_ENABLED = False

    app = create_app(BenchConfig)

    @app.route("/bench-floor")
    def floor() -> str:
        return "ok"

    with app.app_context():
        from webapp.auth.models import User
        from webapp.core.units import Unit
        from webapp.demo.loader import load_demo

        if not args.reuse:
            upgrade()
            load_demo()
            began = time.perf_counter()
            counts = generate(UNIT, tickets=args.tickets)
            print(f"generated {counts} in {time.perf_counter() - began:.0f} s")
            db.session.execute(db.text("ANALYZE"))
            head = User(username="kepala-bench", name="Kepala Bench", role="kepala_dinas", unit=Unit.by_slug(UNIT))
            head.set_password("kata-sandi-bench-123")
            db.session.add(head)
            db.session.commit()
        head_id = db.session.scalar(db.select(User).where(User.username == "kepala-bench")).get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = head_id
        session["_fresh"] = True
        session["login_at"] = session["seen_at"] = int(time.time())
    year = time.strftime("%Y")
    urls = (
        ("floor (bare route, same app)", "/bench-floor", {}),
        ("dashboard, year", f"/admin/kinerja?periode={year}", {}),
        ("dashboard, semester", f"/admin/kinerja?periode={year}-S2", {}),
        ("live panel (htmx)", "/admin/kinerja", {"HX-Request": "true"}),
        ("XLSX export, year", f"/admin/kinerja/kinerja.xlsx?periode={year}", {}),
        ("public /kinerja, year", f"/kinerja?instansi={UNIT}&periode={year}", {}),
        ("API, year", f"/api/v1/kinerja?unit={UNIT}&from={year}-01-01&to={year}-12-31", {}),
    )
    print(f"PostgreSQL, mean of {args.repeat} requests after a warm-up")
    floor_ms = None
    for label, path, headers in urls:
        status = client.get(path, headers=headers).status_code
        began = time.perf_counter()
        for _ in range(args.repeat):
            status = client.get(path, headers=headers).status_code
        ms = (time.perf_counter() - began) / args.repeat * 1000
        floor_ms = floor_ms or ms
        print(f"{ms:8.1f} ms  x{ms / floor_ms:8.0f} floor  {status}  {label}")


if __name__ == "__main__":
    main()
