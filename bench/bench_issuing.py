"""Ticket issuing under load: 50 kiosks taking numbers at once on PostgreSQL, and whether every number is unique.

--kiosks (50) asyncio clients in one process, each with its own keep-alive connection and
the staff bearer token (so no rate limit applies), POST /api/v1/antrian/tiket for the demo
unit's services A-D in turn (kiosk i always asks for the same service), back to back, for
--warmup seconds (not counted) and then --seconds. Loket is served by gunicorn with the
repository's gunicorn.conf.py (one gevent worker per process); with ``--processes 1,2``
each count is run on a fresh database, the kiosks split evenly over the processes' ports
(no proxy in front). The database is loket_harness.py's: dropped, created, migrated, demo
data, services open all day.

Per run: ``tickets/s`` (201 answers received within the measured window, over its length),
latency p50 and p99 of those requests, ``non-201`` (other statuses and timeouts, warm-up included),
then a read-back of every ticket in the database: ``dupes`` (rows sharing issued service,
day and sequence), ``gaps`` (services whose sequences are not exactly 1..max) and
``unanswered`` (rows minus 201 answers: numbers issued that no kiosk heard of), ``conns`` (connections
opened to PostgreSQL while serving: a pool too small for the load opens and closes them all the time). The CPU
columns are the percent of one core used during the window by the gunicorn processes,
PostgreSQL, this client and anything else (``other``: should be near 0, or another program
skewed the run): a server near 100% per process is CPU-bound in Python;
``1st s``/``last s`` are the tickets answered in the window's first and last whole second;
``speed check`` is loket_harness.speed_check() before and after the run (the machine's speed drifts).
Targets: >= 300 tickets/s, and zero dupes, gaps, unanswered and non-201, for every run.

The floor, in the same run right after Loket's window: bench/bare_issuing_app.py (a bare Flask
route doing one INSERT per request on the same database, served by as many gunicorns with the
same gunicorn.conf.py), loaded by the same kiosks for as long. ``ratio`` is Loket's tickets/s
over the floor's: how much of what this machine can do for one durable write per request
Loket's issuing gets. ``--no-floor`` skips it.

Run: ``.venv/bin/python bench/bench_issuing.py [--seconds 10] [--kiosks 50] [--processes 1,2]``
(``--redis`` gives Loket REDIS_URL, as a multi-process deployment has). Writes
bench/results/issuing-<timestamp>.json. Exit status: 0 when every run meets the targets,
1 when not, 3 when the database set-up fails, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any

import aiohttp
import bare_issuing_app
import loket_harness as lh

SERVICES = "ABCD"
GOAL_RATE = 300.0


async def kiosk(index: int, base: str, token: str, phases: tuple[float, float, float],
                out: list[tuple[float, float, int]]) -> None:
    """Take tickets back to back until the end of ``phases`` (start of warm-up, of measuring, end).

    Appends (start, seconds, status) per request to ``out``; status 0 is a timeout or a connection error.
    """
    payload = {"unit": lh.UNIT, "service": SERVICES[index % len(SERVICES)]}
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10),
                                     headers={"Authorization": f"Bearer {token}"}) as http:
        while (start := perf_counter()) < phases[2]:
            try:
                async with http.post(f"{base}/api/v1/antrian/tiket", json=payload) as resp:
                    await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            out.append((start, perf_counter() - start, status))


async def load(bases: list[str], token: str, args: argparse.Namespace, pgids: list[int]) -> dict[str, Any]:
    """Run the kiosks against ``bases`` (kiosk i on bases[i % len]); return the window's figures."""
    now = perf_counter()
    phases = (now, now + args.warmup, now + args.warmup + args.seconds)
    out: list[tuple[float, float, int]] = []
    tasks = [asyncio.create_task(kiosk(i, bases[i % len(bases)], token, phases, out)) for i in range(args.kiosks)]
    await asyncio.sleep(max(0.0, phases[1] - perf_counter()))
    cpu = lh.cpu_snapshot(pgids)
    await asyncio.sleep(max(0.0, phases[2] - perf_counter()))
    cpu_split = lh.cpu_split(cpu, lh.cpu_snapshot(pgids))
    await asyncio.wait_for(asyncio.gather(*tasks), 30)
    window = [r for r in out if phases[1] <= r[0] + r[1] < phases[2]]  # answered within the measured window
    ok_ms = [r[1] * 1e3 for r in window if r[2] == 201]
    per_second = [0] * max(1, int(args.seconds))  # 201 answers by whole second of the window: does the rate hold?
    for r in window:
        second = int(r[0] + r[1] - phases[1])
        if second < len(per_second):
            per_second[second] += r[2] == 201
    return {"tickets_per_s": len(ok_ms) / args.seconds, "per_second": per_second,
            "p50_ms": lh.percentile(ok_ms, 50), "p99_ms": lh.percentile(ok_ms, 99),
            "measured": len(window), "answered_201": sum(1 for r in out if r[2] == 201),
            "non_201": sum(1 for r in out if r[2] != 201), "statuses": sorted({r[2] for r in out}),
            "cpu_percent": cpu_split}


def read_back(database_url: str) -> dict[str, Any]:
    """Count duplicate numbers, services with gaps, and all tickets in the database."""
    dupes = lh.query(database_url, "SELECT issued_service_id, day, sequence, count(*) FROM ticket "
                     "GROUP BY issued_service_id, day, sequence HAVING count(*) > 1")
    lines = lh.query(database_url, "SELECT issued_service_id, day, count(*), count(DISTINCT sequence), min(sequence), "
                     "max(sequence) FROM ticket GROUP BY issued_service_id, day ORDER BY issued_service_id, day")
    gaps = [row for row in lines if not (row[2] == row[3] == row[5] and row[4] == 1)]
    return {"duplicates": sum(row[3] - 1 for row in dupes), "gaps": len(gaps), "rows": sum(row[2] for row in lines),
            "per_service": [[row[0], str(row[1]), row[2], row[5]] for row in lines]}


def database_sessions(database_url: str) -> int:
    """Connections opened to the database so far (PostgreSQL's count; 0 elsewhere)."""
    if not database_url.startswith(("postgres://", "postgresql")):
        return 0
    return lh.query(database_url, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()")[0][0]


def run_once(processes: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Prepare a fresh database, start ``processes`` gunicorns, load them, read back; then the same for the floor
    (bench/bare_issuing_app.py, as many processes, same database); always stop the servers."""
    loket = lh.prepare_loket(args.database_url, tmp, args.redis)
    speed = lh.speed_check()
    log = tmp / f"servers-{processes}.log"
    try:
        try:
            sessions = database_sessions(loket.database_url)
            with lh.serving([("webapp:create_app()", "/healthz", lh.ROOT)] * processes, loket.env, log) as servers:
                row = asyncio.run(load([url for url, _ in servers], loket.token, args, [pid for _, pid in servers]))
            row["connections"] = database_sessions(loket.database_url) - sessions
            row |= read_back(loket.database_url)  # every ticket ever issued, warm-up included
            if not args.no_floor:
                lh.execute(loket.database_url, bare_issuing_app.CREATE_TABLE)
                floor_app = [("bare_issuing_app:create_app()", "/healthz", lh.ROOT / "bench")] * processes
                sessions = database_sessions(loket.database_url)
                with lh.serving(floor_app, loket.env, log) as servers:
                    row["floor"] = asyncio.run(load([url for url, _ in servers], loket.token, args,
                                                    [pid for _, pid in servers]))
                row["floor"]["connections"] = database_sessions(loket.database_url) - sessions
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc!r}\n{lh.log_tail(log)}") from exc
    finally:
        lh.drop_database(loket.database_url)
    row["speed_check_ms"] = [speed, lh.speed_check()]
    row["unanswered"] = row["rows"] - row["answered_201"]
    row["processes"] = processes
    return row


def report(rows: list[dict[str, Any]]) -> bool:
    """Print the table (each Loket run, then its floor) and a verdict per run; True when every run meets every
    target."""
    print(f"\n{'procs':>5} {'app':<6}{'tickets/s':>11}{'ratio':>7}{'p50 ms':>9}{'p99 ms':>9}{'non-201':>9}{'dupes':>7}"
          f"{'gaps':>6}{'unanswered':>12}{'conns':>7}   cpu %: servers postgres client other   1st s  last s  "
          "speed check ms")
    passed = True
    for row in rows:
        lines = [("loket", row)] + ([("floor", row["floor"])] if "floor" in row else [])
        for name, line in lines:
            cpu = line["cpu_percent"]
            floor_rate = row.get("floor", {}).get("tickets_per_s")
            ratio = f"{row['tickets_per_s'] / floor_rate:.2f}" if name == "loket" and floor_rate else "-"
            checks = (f"{row['duplicates']:>7}{row['gaps']:>6}{row['unanswered']:>12}" if name == "loket"
                      else f"{'':>25}")
            print(f"{row['processes']:>5} {name:<6}{line['tickets_per_s']:>11.1f}{ratio:>7}{line['p50_ms']:>9.1f}"
                  f"{line['p99_ms']:>9.1f}{line['non_201']:>9}{checks}{line.get('connections', 0):>7}"
                  f"{cpu['servers']:>17}{cpu['postgres']:>9}{cpu['client']:>7}{cpu['other']:>6}"
                  f"{line['per_second'][0]:>8}{line['per_second'][-1]:>8}"
                  + (f"  {row['speed_check_ms'][0]:g}, {row['speed_check_ms'][1]:g}" if name == "loket" else ""))
    print("ratio: Loket's tickets/s over the floor's (bench/bare_issuing_app.py: one INSERT per request); "
          "conns: database connections opened while serving (warm-up and read-back included)")
    for row in rows:
        ok = (row["tickets_per_s"] >= GOAL_RATE and row["duplicates"] == row["gaps"] == row["unanswered"] == 0
              and row["non_201"] == 0)
        passed &= ok
        floor = f", floor {row['floor']['tickets_per_s']:.1f}/s" if "floor" in row else ""
        print(f"{'PASS' if ok else 'FAIL'}: {row['processes']} process(es), {row['tickets_per_s']:.1f} tickets/s "
              f"(target >= {GOAL_RATE:.0f}{floor}), {row['duplicates']} duplicates, {row['gaps']} gaps, "
              f"{row['unanswered']} unanswered, {row['non_201']} non-201 (targets 0)")
    return passed


def main() -> int:
    """Parse options, run each process count on a fresh database, report, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, kind, default, text in (("seconds", float, 10.0, "measured seconds"), ("kiosks", int, 50, "clients"),
                                      ("warmup", float, 2.0, "warm-up seconds per run")):
        parser.add_argument(f"--{flag}", type=kind, default=default, help=f"{text} (default {default})")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor (bare_issuing_app.py) runs")
    parser.add_argument("--processes", type=lambda s: [int(x) for x in s.split(",")], default=[1],
                        help="comma-separated gunicorn process counts, one run each (default 1)")
    lh.add_database_options(parser)
    args = parser.parse_args()
    if args.seconds + args.warmup > 120:
        parser.error("--seconds plus --warmup may be 120 at most (each run must end within minutes)")
    lh.raise_open_files_limit()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"{args.kiosks} kiosks, {args.warmup:g} s warm-up + {args.seconds:g} s, processes {args.processes}, "
          f"{os.cpu_count()} CPUs, redis {args.redis or 'off'}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="loket-issue-") as tmp:
        try:
            for processes in args.processes:
                rows.append(run_once(processes, args, Path(tmp)))
                floor = f", floor {rows[-1]['floor']['tickets_per_s']:.1f}" if "floor" in rows[-1] else ""
                print(f"  {processes} process(es): {rows[-1]['tickets_per_s']:.1f} tickets/s{floor}", flush=True)
        except KeyboardInterrupt:
            print("\ninterrupted: servers stopped", file=sys.stderr)
            return 130
        except RuntimeError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
    passed = report(rows)
    out = lh.write_results("issuing", {"settings": vars(args), "goal_tickets_per_s": GOAL_RATE, "runs": rows,
                                       "passed": passed})
    print(f"results: {out}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
