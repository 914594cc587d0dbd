"""Booking latency: POST /api/v1/reservasi against a bare Flask route, both under gunicorn, in the same run.

Loket gets a fresh database (bench/loket_harness.py: migrated, demo data, a staff token); the demo's
Kampar line A takes bookings, here with 2000 places per slot so that no slot fills during the run.
--clients (4) asyncio clients, each with one keep-alive connection and the staff bearer token, book
back to back, each booking with a new phone number (the one-booking-per-phone rule is not what is
measured), spread over the slots of the first bookable day after today, for --warmup seconds (not
counted) and then --seconds. RESERVASI_RATE_LIMIT is raised for the run (one address books them all).

The floor, right after, in the same run: bench/bare_app.py (``GET /``, a fixed string: Flask and
gunicorn with nothing else) served by the same gunicorn.conf.py and loaded by as many clients for as
long. Figures: bookings/s and latency p50/p99 (201 answers within the window), ``non-201`` (should be
0), and the ratios Loket/floor of p50 and p99 latency and of requests per second: read those, the
absolute numbers depend on this shared machine (``speed check`` before and after, as loket_harness).

Run: ``.venv/bin/python bench/bench_booking.py [--database-url sqlite|postgresql://...loket_bench...]
[--seconds 10] [--clients 4]``. Writes bench/results/booking-<timestamp>.json. Exit status 0 (no target:
the figures are for the record), 3 when the database set-up fails, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import aiohttp
import loket_harness as lh


def first_day(base: str, token: str) -> tuple[str, list[str]]:
    """The first day after today with bookable slots of line A, and their starts."""
    for offset in range(1, 20):
        day = (date.today() + timedelta(days=offset)).isoformat()
        request = urllib.request.Request(f"{base}/api/v1/reservasi/slot?unit={lh.UNIT}&service=A&date={day}",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:  # our own server on loopback
            starts = [slot["start"] for slot in json.load(answer)["slots"] if slot["available"]]
        if starts:
            return day, starts
    raise RuntimeError("no bookable day within 20 days")


async def client(index: int, url: str, token: str | None, booking: tuple[str, list[str]] | None,
                 phases: tuple[float, float, float], out: list[tuple[float, float, int]]) -> None:
    """Request back to back until the end of ``phases``: a booking (POST) when ``booking`` is given, else GET."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connector = aiohttp.TCPConnector(limit=1)
    count = 0
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10),
                                     headers=headers) as http:
        while (start := perf_counter()) < phases[2]:
            count += 1
            try:
                if booking is None:
                    async with http.get(url) as resp:
                        await resp.read()
                        status = resp.status
                else:
                    day, starts = booking
                    body = {"unit": lh.UNIT, "service": "A", "date": day, "start": starts[count % len(starts)],
                            "name": "Warga Bench", "phone": f"0812{index:02d}{count:06d}"}
                    async with http.post(url, json=body) as resp:
                        await resp.read()
                        status = resp.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            out.append((start, perf_counter() - start, status))


async def load(url: str, token: str | None, booking: tuple[str, list[str]] | None, args: argparse.Namespace,
               ok: int) -> dict[str, Any]:
    """Run the clients; the window's requests per second and latencies of ``ok`` answers."""
    now = perf_counter()
    phases = (now, now + args.warmup, now + args.warmup + args.seconds)
    out: list[tuple[float, float, int]] = []
    await asyncio.gather(*(client(i, url, token, booking, phases, out) for i in range(args.clients)))
    window = [r for r in out if phases[1] <= r[0] + r[1] < phases[2]]
    good = [r[1] * 1e3 for r in window if r[2] == ok]
    return {"per_s": round(len(good) / args.seconds, 1), "p50_ms": round(lh.percentile(good, 50), 2),
            "p99_ms": round(lh.percentile(good, 99), 2), "answered": len(good),
            "other_status": sum(1 for r in out if r[2] != ok), "statuses": sorted({r[2] for r in out})}


def main() -> int:
    """Set up, measure Loket then the floor, print and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1/loket_bench_booking",
                        help="'sqlite', or a PostgreSQL URL whose database name starts with loket_bench")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        loket = lh.prepare_loket(args.database_url, tmp)
        try:
            lh.execute(loket.database_url, "UPDATE booking_setup SET places = 2000, walk_in_percent = 0")
            env = {**loket.env, "RESERVASI_RATE_LIMIT": "1000000 per minute"}
            log = tmp / "servers.log"
            speed = lh.speed_check()
            with lh.serving([("webapp:create_app()", "/healthz", lh.ROOT)], env, log) as servers:
                base = servers[0][0]
                booking = first_day(base, loket.token)
                loket_row = asyncio.run(load(f"{base}/api/v1/reservasi", loket.token, booking, args, 201))
            # The repository on the path: gunicorn.conf.py's worker hook imports antrian.
            floor_env = {**env, "PYTHONPATH": str(lh.ROOT)}
            with lh.serving([("bare_app:create_app()", "/", lh.ROOT / "bench")], floor_env, log) as servers:
                floor = asyncio.run(load(f"{servers[0][0]}/", None, None, args, 200))
            stored = lh.query(loket.database_url, "SELECT count(*) FROM booking")[0][0]
        finally:
            lh.drop_database(loket.database_url)
    kind = "sqlite" if args.database_url == "sqlite" else "postgresql"
    result = {"database": kind, "clients": args.clients, "seconds": args.seconds, "booking": loket_row,
              "floor": floor, "bookings_stored": stored, "speed_check_ms": [speed, lh.speed_check()],
              "ratio": {"p50": round(loket_row["p50_ms"] / floor["p50_ms"], 2),
                        "p99": round(loket_row["p99_ms"] / floor["p99_ms"], 2),
                        "per_s": round(loket_row["per_s"] / floor["per_s"], 3)}}
    print(f"{kind}: booking p50 {loket_row['p50_ms']} ms p99 {loket_row['p99_ms']} ms {loket_row['per_s']}/s "
          f"(non-201 {loket_row['other_status']}); floor p50 {floor['p50_ms']} ms p99 {floor['p99_ms']} ms "
          f"{floor['per_s']}/s; ratio p50 x{result['ratio']['p50']} p99 x{result['ratio']['p99']} "
          f"throughput {result['ratio']['per_s']}; stored {stored}")
    print(lh.write_results("booking", result))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
