"""Throughput of Loket's public pages against a bare Flask app, both behind gunicorn.

Measures the requests per second and latency (median, 99th percentile) that ``wrk``
gets on loopback from three targets, two apps served by gunicorn with the same number
of sync workers: ``bare`` (bench/bare_app.py, a short fixed string: the ceiling),
``page`` (the service page /layanan/izin-instalasi-genset: database and templates) and
``qr`` (its /qr.png; wrk sends no If-None-Match, so every answer is a full 200).

Loket runs on a throwaway SQLite database (temp dir, migrated, demo data loaded). Each
target is warmed up, then the targets run interleaved (bare, page, qr, bare, ...) and the
best round per target is kept. wrk shares the two cores with the servers, so absolute
numbers compare only between runs on one machine; read the ``ratio`` column (req/s of
the target over req/s of bare), whose targets are page >= 0.5 and qr >= 0.8. The
``errors`` column counts non-2xx/3xx responses and socket errors; it should be 0.

Run: ``.venv/bin/python bench/bench_catalogue.py [--duration 10] [--connections 16]``;
``--page-cache-seconds 0`` turns Loket's page cache off to measure rendering itself.
Writes bench/results/catalogue-<timestamp>.json. Exit status: 0 when both targets are
met, 1 when not, 2 when Debian's wrk is missing (``apt-get install -y wrk``), 3 when the
database set-up fails, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SLUG = "izin-instalasi-genset"
TARGETS = {"bare": "/", "page": f"/layanan/{SLUG}", "qr": f"/layanan/{SLUG}/qr.png"}
GOALS = {"page": 0.5, "qr": 0.8}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(env: dict[str, str]) -> None:
    """Apply the migrations and load the demo data into the database named in ``env``."""
    for args in (["db", "upgrade"], ["demo", "load"]):
        done = subprocess.run([str(BIN / "flask"), "--app", "webapp", *args], cwd=ROOT, env=env,
                              timeout=120, capture_output=True, text=True)
        if done.returncode:  # the last lines of a traceback name the cause
            print(f"flask {' '.join(args)} failed:", *done.stderr.splitlines()[-12:], sep="\n", file=sys.stderr)
            sys.exit(3)


def start_gunicorn(app: str, port: int, workers: int, env: dict[str, str], chdir: Path) -> subprocess.Popen:
    """Start gunicorn (sync workers, warnings and errors on stderr) in its own process group."""
    cmd = [str(BIN / "gunicorn"), "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", "--chdir", str(chdir), app]
    return subprocess.Popen(cmd, cwd=chdir, env=env, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    """Stop a gunicorn master and its workers (its process group): TERM, then KILL after 10 s."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Poll ``url`` until it answers 200; fail if the server exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server for {url} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # raises HTTPError unless 2xx
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")


def to_ms(text: str) -> float:
    """Convert a wrk duration such as ``812.00us`` or ``1.20ms`` to milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> dict[str, float]:
    """Pull req/s, p50, p99, non-2xx/3xx responses, socket errors and request count out of wrk's output."""
    def grab(pattern: str, default: str | None = None) -> str:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None and default is None:
            raise ValueError(f"wrk output lacks {pattern!r}:\n{output}")
        return match[1] if match else default  # type: ignore[return-value]
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(grab(r"^Requests/sec:\s+([\d.]+)")),
        "p50_ms": to_ms(grab(r"^\s+50%\s+(\S+)")),
        "p99_ms": to_ms(grab(r"^\s+99%\s+(\S+)")),
        "requests": int(grab(r"^\s+(\d+) requests in")),
        "non_2xx": int(grab(r"Non-2xx or 3xx responses: (\d+)", "0")),
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def run_wrk(url: str, duration: int, connections: int, threads: int) -> dict[str, float]:
    """Load ``url`` with wrk for ``duration`` seconds and return the parsed figures."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 30)
    return parse_wrk(done.stdout)


def benchmark(urls: dict[str, str], args: argparse.Namespace) -> dict[str, list[dict[str, float]]]:
    """Warm every target up, then run them interleaved for ``args.rounds`` rounds."""
    for url in urls.values():
        run_wrk(url, args.warmup, args.connections, args.threads)
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in urls}
    for number in range(1, args.rounds + 1):
        for name, url in urls.items():
            rounds[name].append(run_wrk(url, args.duration, args.connections, args.threads))
            print(f"  round {number} {name:<4} {rounds[name][-1]['rps']:9.1f} req/s", flush=True)
    return rounds


def report(best: dict[str, dict[str, float]]) -> bool:
    """Print the table and the verdict; True when every target is met."""
    base = best["bare"]["rps"]
    print(f"\n{'target':<8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>9}{'ratio':>7}  url")
    for name, row in best.items():
        row["ratio"] = round(row["rps"] / base, 3)
        print(f"{name:<8}{row['rps']:>10.1f}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
              f"{row['non_2xx'] + row['socket_errors']:>9}{row['ratio']:>7.2f}  {TARGETS[name]}")
    verdicts = {name: best[name]["ratio"] >= goal and best[name]["non_2xx"] + best[name]["socket_errors"] == 0
                for name, goal in GOALS.items()}
    for name, ok in verdicts.items():
        print(f"{'PASS' if ok else 'FAIL'}: {name} ratio {best[name]['ratio']:.2f} (target >= {GOALS[name]}, 0 errors)")
    return all(verdicts.values())


def main() -> int:
    """Parse options, start both servers, benchmark, report, and always stop the servers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default, text in (("duration", 10, "seconds per measured run"), ("connections", 16, "open connections"),
                                ("threads", 2, "wrk threads"), ("rounds", 2, "interleaved rounds"),
                                ("warmup", 2, "warm-up seconds per target"), ("workers", 2, "sync workers per app")):
        parser.add_argument(f"--{flag}", type=int, default=default, help=f"{text} (default {default})")
    parser.add_argument("--page-cache-seconds", type=int, default=None,
                        help="PAGE_CACHE_SECONDS for Loket; 0 measures rendering every request (default: the app's)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: run `apt-get install -y wrk` and try again.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/loket.sqlite", "SECRET_KEY": "bench-only"}
        if args.page_cache_seconds is not None:
            env["PAGE_CACHE_SECONDS"] = str(args.page_cache_seconds)
        try:
            prepare_database(env)
            ports = {"bare": free_port(), "loket": free_port()}
            procs.append(start_gunicorn("bare_app:create_app()", ports["bare"], args.workers, env, ROOT / "bench"))
            procs.append(start_gunicorn("webapp:create_app()", ports["loket"], args.workers, env, ROOT))
            urls = {name: f"http://127.0.0.1:{ports['bare' if name == 'bare' else 'loket']}{path}"
                    for name, path in TARGETS.items()}
            for name, proc in (("bare", procs[0]), ("page", procs[1]), ("qr", procs[1])):
                wait_until_up(urls[name], proc)
            print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.rounds} rounds, "
                  f"{args.workers} sync workers per app, {os.cpu_count()} CPUs", flush=True)
            rounds = benchmark(urls, args)
        except KeyboardInterrupt:
            print("\ninterrupted: stopping the servers", file=sys.stderr)
            return 130
        finally:
            for proc in procs:
                stop(proc)
    best = {name: dict(max(runs, key=lambda run: run["rps"])) for name, runs in rounds.items()}
    passed = report(best)
    out = ROOT / "bench" / "results" / f"catalogue-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"settings": vars(args), "cpus": os.cpu_count(), "targets": TARGETS,
                               "goals": GOALS, "best": best, "rounds": rounds, "passed": passed}, indent=2))
    print(f"results: {out.relative_to(ROOT)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
