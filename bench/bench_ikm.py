"""Time of the survey's result pages with many responses, rendered without the page cache.

Builds a throwaway SQLite database (temp dir, migrated, demo data loaded), inserts
``--responses`` random responses (default 10,000) spread over the services of the Kampar
unit within one semester, then times ``/ikm`` for the unit, the home page (its IKM badge)
and ``GET /api/v1/ikm``: the mean of ``--repeat`` requests after one warm-up, in ms.

Run: ``.venv/bin/python bench/bench_ikm.py [--responses 10000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade

from config import Config
from webapp import create_app
from webapp.core.extensions import db

URLS = (
    "/ikm?instansi=dpmptsp-kampar&periode=2026-S2",
    "/",
    "/api/v1/ikm?unit=dpmptsp-kampar&from=2026-07-01&to=2026-12-31",
)


def main() -> None:
    """Fill, then time each URL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="loket-ikm-")

    class BenchConfig(Config):
        SECRET_KEY = "bench"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.sqlite"
        PAGE_CACHE_SECONDS = 0

    app = create_app(BenchConfig)
    with app.app_context():
        from webapp.core.units import Unit
        from webapp.demo.loader import load_demo
        from webapp.standards.models import Service
        from webapp.survei.models import ELEMENT_CODES, SurveyResponse

        upgrade()
        load_demo()
        unit = Unit.by_slug("dpmptsp-kampar")
        services = list(db.session.scalars(db.select(Service).where(Service.unit_id == unit.id)))
        rnd = random.Random(1)
        start = datetime(2026, 12, 20, 3, tzinfo=UTC)
        rows = []
        for index in range(args.responses):
            service = rnd.choice(services)
            moment = start - timedelta(minutes=15 * index % (170 * 24 * 60))
            rows.append(
                {
                    "unit_id": unit.id, "service_id": service.id, "channel": "formulir", "sex": rnd.choice("LP"),
                    "age": rnd.randint(18, 70), "education": rnd.choice(["sma", "s1", "diploma"]),
                    "occupation": rnd.choice(["swasta", "wirausaha", "pns"]), "suggestion": "",
                    "submitted_at": moment, "survey_date": moment.date(),
                    **{code.lower(): rnd.randint(2, 4) for code in ELEMENT_CODES},
                }
            )  # fmt: skip
        db.session.execute(SurveyResponse.__table__.insert(), rows)
        db.session.commit()
    client = app.test_client()
    print(f"{args.responses} responses, mean of {args.repeat} requests after a warm-up")
    try:
        for url in URLS:
            client.get(url)
            began = time.perf_counter()
            for _ in range(args.repeat):
                status = client.get(url).status_code
            print(f"{(time.perf_counter() - began) / args.repeat * 1000:7.0f} ms  {status}  {url}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
