"""One year of a unit's activity for the kinerja benchmark: tickets, complaints, permit files and survey responses.

Default sizes are the issue's: about 100,000 tickets, 2,000 complaints, 10,000 files (each with its steps)
and 5,000 responses, spread over the working days of the year that ends today (a few of today's tickets
still waiting, so the live panel has work). Rows are inserted in bulk (Core ``insert`` of dicts): the point
is to measure reading them, not writing them. Deterministic for one ``--seed``.

Run against a migrated database holding the demo data (``flask demo load``):
``DATABASE_URL=postgresql://... .venv/bin/python bench/gen_kinerja_data.py [--unit dpmptsp-kampar]``;
``bench/bench_kinerja.py`` calls ``generate`` itself on a fresh database.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _working_days(last: date, count: int = 365) -> list[date]:
    days = [last - timedelta(days=i) for i in range(count)]
    return sorted(d for d in days if d.isoweekday() <= 5)


def generate(unit_slug: str, *, tickets: int = 100_000, complaints: int = 2_000, files: int = 10_000,
             responses: int = 5_000, seed: int = 19, today: date | None = None) -> dict[str, int]:
    """Insert one year of rows for the unit (inside an app context); returns how many of each."""
    from sqlalchemy import select

    from antrian.models import Counter, QueueService, Ticket
    from webapp.berkas.models import Berkas, BerkasStep
    from webapp.core.extensions import db
    from webapp.core.units import Unit
    from webapp.pengaduan.models import CHANNELS, WEIGHTS, Complaint
    from webapp.standards.models import Service
    from webapp.survei.models import ELEMENT_CODES, SurveyResponse

    rnd = random.Random(seed)
    unit = Unit.by_slug(unit_slug)
    if unit is None:
        raise SystemExit(f"no unit {unit_slug!r}: load the demo data first")
    zone = ZoneInfo(unit.timezone or "Asia/Jakarta")
    today = today or datetime.now(zone).date()
    days = _working_days(today)
    lines = list(db.session.scalars(select(QueueService).where(QueueService.unit_id == unit.id)))
    counters = list(db.session.scalars(select(Counter).where(Counter.unit_id == unit.id)))
    services = list(db.session.scalars(select(Service).where(Service.unit_id == unit.id)))
    if not lines or not counters or not services:
        raise SystemExit("the unit needs queue lines, counters and catalogue services (the demo data has them)")

    def moment(day: date, minutes_after_eight: float) -> datetime:
        local = datetime.combine(day, time(8, 0), zone) + timedelta(minutes=minutes_after_eight)
        return local.astimezone(UTC)

    # Tickets: per day and line a sequence; busier mornings, waits that grow with the hour.
    rows, per_day = [], max(tickets // len(days), 1)
    sequence: dict[tuple[date, int], int] = {}
    for index in range(tickets):
        day = days[min(index // per_day, len(days) - 1)]
        line = rnd.choice(lines)
        key = (day, line.id)
        sequence[key] = sequence.get(key, 0) + 1
        offset = min(rnd.triangular(0, 420, 90), 419)
        issued = moment(day, offset)
        wait = rnd.expovariate(1 / (8 + offset / 20))
        status = rnd.choices([Ticket.DONE, Ticket.SKIPPED, Ticket.CANCELLED], [90, 8, 2])[0]
        if day == today and index % 7 == 0:
            status = Ticket.WAITING
        called = None if status in (Ticket.WAITING, Ticket.CANCELLED) else issued + timedelta(minutes=wait)
        rows.append({
            "unit_id": unit.id, "queue_service_id": line.id, "issued_service_id": line.id, "day": day,
            "sequence": sequence[key], "number": f"{line.code}-{sequence[key]:03d}", "token": secrets.token_urlsafe(32),
            "status": status, "issued_at": issued, "called_at": called,
            "serving_at": called, "finished_at": called + timedelta(minutes=rnd.uniform(3, 15)) if called else None,
            "counter_id": rnd.choice(counters).id if called else None, "call_count": 1 if called else 0,
        })  # fmt: skip
        if len(rows) == 5_000:
            db.session.execute(Ticket.__table__.insert(), rows)
            rows = []
    if rows:
        db.session.execute(Ticket.__table__.insert(), rows)

    # Complaints: received on working days; most resolved, some late, a few rejected, some open.
    first_sequence = (db.session.scalar(select(db.func.max(Complaint.sequence))) or 0) + 1
    rows = []
    for index in range(complaints):
        day = rnd.choice(days)
        received = moment(day, rnd.uniform(0, 420))
        due = day + timedelta(days=20)  # about 14 working days
        fate = rnd.choices(["selesai", "ditolak", "ditindaklanjuti"], [85, 5, 10])[0]
        closed = received + timedelta(days=rnd.uniform(1, 26)) if fate != "ditindaklanjuti" else None
        rows.append({
            "number": f"ADU-B-{first_sequence + index:06d}", "year": day.year,
            "sequence": 900_000 + first_sequence + index,
            "tracking_hash": secrets.token_hex(32), "channel": rnd.choice(list(CHANNELS)), "unit_id": unit.id,
            "service_id": rnd.choice(services).id, "description": "Uraian pengaduan uji.", "status": fate,
            "weight": rnd.choice([*WEIGHTS, None]), "received_at": received, "received_on": day, "due_on": due,
            "closed_at": closed,
        })  # fmt: skip
    db.session.execute(Complaint.__table__.insert(), rows)

    # Permit files: registered on working days, 2 to 4 steps with a mutu baku, most ready (some late), some open.
    last_sequence = db.session.scalar(select(db.func.max(Berkas.sequence)).where(Berkas.unit_id == unit.id)) or 0
    berkas_rows = []
    for index in range(files):
        day = rnd.choice(days)
        registered = moment(day, rnd.uniform(0, 300))
        ready = registered + timedelta(days=rnd.uniform(1, 9)) if day < today - timedelta(days=10) else None
        status = rnd.choice(["siap", "selesai", "selesai"]) if ready else "diproses"
        berkas_rows.append({
            "unit_id": unit.id, "service_id": rnd.choice(services).id, "year": day.year,
            "sequence": 500_000 + last_sequence + index + 1, "number": f"B-{index:06d}",
            "tracking_code": secrets.token_urlsafe(16),
            "status": status, "applicant_name": "Pemohon Uji", "applicant_id_kind": "nik",
            "applicant_id_number": "1471010101010001", "applicant_phone": "6281200000000", "checklist": [],
            "duration_days": 5, "due_date": day + timedelta(days=7), "registered_at": registered, "ready_at": ready,
            "current_position": 0, "arrived_at": registered,
        })  # fmt: skip
    ids = [row[0] for row in db.session.execute(Berkas.__table__.insert().returning(Berkas.__table__.c.id),
                                                berkas_rows)]
    step_rows = []
    for berkas_id in ids:
        for position in range(rnd.randint(2, 4)):
            step_rows.append({
                "berkas_id": berkas_id, "position": position, "name": f"Langkah {position + 1}", "executor": "Petugas",
                "public_label": f"Langkah {position + 1}", "minutes": rnd.choice([60, 120, None]),
                "days": rnd.choice([None, 1]), "spent_minutes": int(rnd.expovariate(1 / 150)), "visits": 1,
            })  # fmt: skip
    db.session.execute(BerkasStep.__table__.insert(), step_rows)

    # Survey responses over the year.
    rows = []
    for _ in range(responses):
        day = rnd.choice(days)
        rows.append({
            "unit_id": unit.id, "service_id": rnd.choice(services).id, "channel": "formulir", "sex": rnd.choice("LP"),
            "age": rnd.randint(18, 70), "education": "sma", "occupation": "swasta", "suggestion": "",
            "submitted_at": moment(day, 60), "survey_date": day,
            **{code.lower(): rnd.choices([1, 2, 3, 4], [2, 8, 50, 40])[0] for code in ELEMENT_CODES},
        })  # fmt: skip
    db.session.execute(SurveyResponse.__table__.insert(), rows)
    db.session.commit()
    return {"tickets": tickets, "complaints": complaints, "files": files, "steps": len(step_rows),
            "responses": responses}


def main() -> None:
    """Generate into the database of DATABASE_URL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", default="dpmptsp-kampar")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--complaints", type=int, default=2_000)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--responses", type=int, default=5_000)
    args = parser.parse_args()
    from webapp import create_app

    app = create_app()
    with app.app_context():
        print(generate(args.unit, tickets=args.tickets, complaints=args.complaints, files=args.files,
                       responses=args.responses))


if __name__ == "__main__":
    main()
