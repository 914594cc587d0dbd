"""Shared set-up of the queue benchmarks (bench_realtime.py, bench_issuing.py): a database, gunicorn, figures.

Loket gets a fresh database (PostgreSQL: the named database is dropped and created again,
and only names starting with ``loket_bench`` are touched; SQLite: a file in a temp dir),
migrated, with the demo data, the demo unit's queue services open all day and every day,
and a staff account with an API token. Servers run under gunicorn with the repository's
gunicorn.conf.py (one gevent worker), each in its own process group, logging to a file.
The figures' helpers: nearest-rank percentiles, CPU seconds per process group read from
/proc (cpu_snapshot/cpu_split), and speed_check, since this machine's speed drifts.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_catalogue import BIN, ROOT, free_port, prepare_database, stop, wait_until_up
from sqlalchemy import create_engine, make_url, text

__all__ = ["BIN", "ROOT", "free_port", "stop", "wait_until_up"]

UNIT = "dpmptsp-kampar"
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1/loket_bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def database_url_from_env(url: str) -> str:
    """SQLAlchemy's URL for a DATABASE_URL, with the psycopg 3 driver for PostgreSQL (as config.py does)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass
class Loket:
    """A prepared Loket database: the environment to serve it with and a staff bearer token."""

    env: dict[str, str]
    token: str
    database_url: str


def _recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    """Drop the benchmark database (closing its sessions) and, unless ``drop_only``, create it empty."""
    target = make_url(database_url_from_env(url))
    name = target.database or ""
    if not name.startswith("loket_bench"):
        raise SystemExit(f"refusing to drop {name!r}: benchmark databases are named loket_bench*")
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def flask_cli(env: dict[str, str], *args: str) -> str:
    """Run ``flask --app webapp ARGS`` and return its stdout; exit 3 (as bench_catalogue) when it fails."""
    done = subprocess.run([str(BIN / "flask"), "--app", "webapp", *args], cwd=ROOT, env=env,
                          timeout=120, capture_output=True, text=True)
    if done.returncode:
        print(f"flask {' '.join(args)} failed:", *done.stderr.splitlines()[-12:], sep="\n", file=sys.stderr)
        sys.exit(3)
    return done.stdout


def prepare_loket(database_url: str, tmp: Path, redis_url: str | None = None) -> Loket:
    """Create and fill the database (see the module docstring); ``tmp`` holds an SQLite file if asked for one."""
    if database_url == "sqlite":
        database_url = f"sqlite:///{tmp}/loket.sqlite"
    elif database_url.startswith(("postgres://", "postgresql")):
        _recreate_postgres(database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-only", "QUEUE_DAYS": "1,2,3,4,5,6,7",
           "PAGE_CACHE_SECONDS": "0",
           "SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS": "0"}  # every simulated client comes from 127.0.0.1
    for name in ("REDIS_URL", "GUNICORN_ACCESS_LOG", "GUNICORN_WORKERS"):  # one worker, no access log
        env.pop(name, None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    prepare_database(env)  # db upgrade + demo load
    engine = create_engine(database_url_from_env(database_url))
    with engine.begin() as conn:  # 00:00 as the closing time means midnight: open all day; no daily cap
        conn.execute(text("UPDATE queue_service SET opens_at = '00:00', closes_at = '00:00', daily_cap = NULL"))
    engine.dispose()
    flask_cli(env, "users", "create", "bench", "--role", "admin", "--password", "bench-password-1")
    token = flask_cli(env, "users", "token", "bench", "--label", "bench").splitlines()[0].strip()
    return Loket(env=env, token=token, database_url=database_url)


ISSUE_BACKLOG = """
import sys
from sqlalchemy import select
from antrian.issuing import issue_ticket
from antrian.models import QueueService
from webapp import create_app
from webapp.core.extensions import db
from webapp.core.units import Unit

app = create_app()
with app.app_context():
    unit = Unit.by_slug(sys.argv[1])
    lines = list(db.session.scalars(select(QueueService).where(QueueService.unit_id == unit.id,
                                                               QueueService.active.is_(True))
                                    .order_by(QueueService.position, QueueService.code)))
    for _ in range(int(sys.argv[2])):
        for line in lines:
            issue_ticket(line, check_hours=False)
    db.session.commit()
"""


def issue_backlog(env: dict[str, str], per_line: int) -> list[tuple[str, str]]:
    """Issue ``per_line`` waiting tickets in every open line of the demo unit, taken in turns (the morning's
    queue); return every waiting ticket's (token, line code) in issue order."""
    done = subprocess.run([sys.executable, "-c", ISSUE_BACKLOG, UNIT, str(per_line)], cwd=ROOT, env=env,
                          timeout=600, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError("issuing the backlog failed:\n" + "\n".join(done.stderr.splitlines()[-12:]))
    return query(database_url_from_env(env["DATABASE_URL"]), "SELECT t.token, s.code FROM ticket t JOIN "
                 "queue_service s ON s.id = t.queue_service_id WHERE t.status = 'waiting' ORDER BY t.id")


def drop_database(database_url: str) -> None:
    """Remove a PostgreSQL benchmark database again (SQLite files go with their temp dir)."""
    if database_url.startswith(("postgres://", "postgresql")):
        _recreate_postgres(database_url, drop_only=True)


def query(database_url: str, sql: str, **params: object) -> list[tuple]:
    """Rows of one read-only SQL statement on the benchmark database."""
    engine = create_engine(database_url_from_env(database_url))
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text(sql), params)]
    engine.dispose()
    return rows


def execute(database_url: str, sql: str) -> None:
    """Run one SQL statement on the benchmark database and commit it."""
    engine = create_engine(database_url_from_env(database_url))
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def counters(database_url: str) -> list[tuple[int, str]]:
    """The demo unit's active counters in number order: (id, code of the first service each one calls)."""
    return query(database_url, "SELECT c.id, min(s.code) FROM counter c JOIN unit u ON u.id = c.unit_id "
                 "JOIN counter_queue_service cs ON cs.counter_id = c.id JOIN queue_service s ON s.id = "
                 "cs.queue_service_id WHERE u.slug = :slug AND c.active GROUP BY c.id, c.number ORDER BY c.number",
                 slug=UNIT)


def start_gunicorn(app: str, port: int, env: dict[str, str], log: Path, chdir: Path = ROOT) -> subprocess.Popen:
    """Serve ``app`` with the repository's gunicorn.conf.py (one gevent worker) in a new process group."""
    cmd = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", "--chdir", str(chdir), app]
    with log.open("ab") as handle:
        return subprocess.Popen(cmd, cwd=chdir, env=env, stdout=handle, stderr=handle, start_new_session=True)


@contextmanager
def serving(apps: list[tuple], env: dict[str, str], log: Path) -> Iterator[list[tuple[str, int]]]:
    """Serve each (app, health path, directory[, environment]) with start_gunicorn on a free port, wait until its
    health path answers 200, and yield their (base URL, process group) in order; always stop them all at the end.
    The fourth item, when given, is the environment of that server instead of ``env``."""
    procs: list[subprocess.Popen] = []
    try:
        bases = []
        for app, _health, chdir, *own in apps:
            bases.append(f"http://127.0.0.1:{free_port()}")
            procs.append(start_gunicorn(app, int(bases[-1].rsplit(":", 1)[1]), own[0] if own else env, log, chdir))
        for base, proc, (_app, health, *_rest) in zip(bases, procs, apps, strict=True):
            wait_until_up(base + health, proc)
        yield [(base, proc.pid) for base, proc in zip(bases, procs, strict=True)]
    finally:
        for proc in procs:
            stop(proc)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds used so far by the live processes of process group ``pgid``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid:  # after the name: state, ppid, pgrp, ... utime (14th field), stime
            total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def postgres_cpu_seconds() -> float:
    """User + system CPU seconds of the live PostgreSQL server processes (0 when there are none)."""
    total = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if (proc / "comm").read_text().strip() != "postgres":
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def cpu_snapshot(pgids: list[int]) -> tuple[float, ...]:
    """Now: (monotonic seconds, CPU seconds of the whole machine, of these gunicorn process groups, of PostgreSQL,
    of this process). Two snapshots make a cpu_split."""
    user, nice, system = (int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:4])
    usage = resource.getrusage(resource.RUSAGE_SELF)  # interrupts (loopback traffic) are left out on both sides
    return (time.monotonic(), (user + nice + system) / CLK_TCK,
            sum(group_cpu_seconds(pgid) for pgid in pgids), postgres_cpu_seconds(), usage.ru_utime + usage.ru_stime)


def cpu_split(before: tuple[float, ...], after: tuple[float, ...]) -> dict[str, float]:
    """Percent of one core used between two snapshots by the servers, PostgreSQL, this client, and everything
    else on the machine (``other``: another program's load skews the figures; it should stay near 0)."""
    elapsed, machine, servers, postgres, client = (b - a for a, b in zip(before, after, strict=True))
    shares = {"servers": servers, "postgres": postgres, "client": client,
              "other": max(0.0, machine - servers - postgres - client)}
    return {name: round(100 * value / elapsed, 1) for name, value in shares.items()}


def speed_check() -> float:
    """Milliseconds a fixed pure-Python loop takes here now (median of 5): this virtual machine's speed drifts,
    so runs whose figures differ can be told apart by it. Lower is faster."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        sum(i * i for i in range(300_000))
        times.append((time.perf_counter() - start) * 1e3)
    return round(sorted(times)[2], 1)


def raise_open_files_limit() -> int:
    """Raise this process's (and its children's) open-files soft limit to the hard limit; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0-100) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def log_tail(log: Path, lines: int = 20) -> str:
    """The last lines of a server log, for an error message."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """The options both benchmarks share: --database-url and --redis."""
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help=f"Loket's database, or 'sqlite' "
                        f"(default {DEFAULT_DATABASE}; dropped and created again)")
    parser.add_argument("--redis", nargs="?", const="redis://127.0.0.1:6379/0", default=None,
                        help="serve with this REDIS_URL, as with several processes (default when given without "
                        "a value: redis://127.0.0.1:6379/0)")


def write_results(prefix: str, data: dict[str, Any]) -> Path:
    """Write bench/results/<prefix>-<timestamp>.json (git-ignored) and return its path relative to the repository."""
    out = ROOT / "bench" / "results" / f"{prefix}-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cpus": os.cpu_count(), **data}, indent=2))
    return out.relative_to(ROOT)
