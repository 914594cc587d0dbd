"""Shared set-up of the queue benchmarks (bench_realtime.py, bench_issuing.py): a database, gunicorn, figures.

Loket gets a fresh database (PostgreSQL: the named database is dropped and created again,
and only names starting with ``loket_bench`` are touched; SQLite: a file in a temp dir),
migrated, with the demo data, the demo unit's queue services open all day and every day,
and a staff account with an API token. Servers run under gunicorn with the repository's
gunicorn.conf.py (one gevent worker), each in its own process group, logging to a file.
"""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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
           "PAGE_CACHE_SECONDS": "0"}
    for name in ("REDIS_URL", "GUNICORN_ACCESS_LOG", "GUNICORN_WORKERS"):  # one worker, no access log
        env.pop(name, None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    prepare_database(env)  # db upgrade + demo load
    engine = create_engine(database_url_from_env(database_url))
    with engine.begin() as conn:  # 00:00 as the closing time means midnight: open all day
        conn.execute(text("UPDATE queue_service SET opens_at = '00:00', closes_at = '00:00'"))
    engine.dispose()
    flask_cli(env, "users", "create", "bench", "--role", "admin", "--password", "bench-password-1")
    token = flask_cli(env, "users", "token", "bench", "--label", "bench").splitlines()[0].strip()
    return Loket(env=env, token=token, database_url=database_url)


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


def start_gunicorn(app: str, port: int, env: dict[str, str], log: Path, chdir: Path = ROOT) -> subprocess.Popen:
    """Serve ``app`` with the repository's gunicorn.conf.py (one gevent worker) in a new process group."""
    cmd = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", "--chdir", str(chdir), app]
    with log.open("ab") as handle:
        return subprocess.Popen(cmd, cwd=chdir, env=env, stdout=handle, stderr=handle, start_new_session=True)


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
