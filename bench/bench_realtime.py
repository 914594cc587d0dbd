"""Call-to-screen latency: from a counter's "panggil" POST to each lobby screen's receipt of ``called``.

For each N in --clients, N python-socketio AsyncClients (screens.py: websocket transport, one
asyncio process, connected in batches) join the demo unit's room on Loket, served by gunicorn with
the repository's gunicorn.conf.py (one gevent worker) on a fresh PostgreSQL database
(loket_harness.py). A call round issues a ticket for the next counter's service, waits until
its ``state`` event has reached every client, then POSTs /api/v1/antrian/loket/<id>/panggil
from the same event loop (aiohttp). A sample is ``perf_counter()`` in a client's ``called``
handler minus ``perf_counter()`` just before the POST, for every (call, client) pair; the
round ends when every client has the ``called`` and the ``state`` after it, plus --pause.

The floor, bench/bare_socketio_app.py (Flask-SocketIO alone: POST /emit sends the same
``called`` shape to the room), is served and measured the same way in the same run: for each
N, N clients join each server, and the calls alternate (Loket, floor, Loket, ...).
Read ``p99 ratio`` (Loket's p99 over the floor's): the target is <= 1.2 at N=1000. ``missed``
counts pairs whose ``called`` never came (or with another number) within --timeout: it
should be 0. Loket's diagnostics: ``first p50`` (median over calls of the first screen's
latency: the work before the emit), ``http p50`` (the POST's round trip), and ``cpu/call``
(server CPU ms per round, the ticket's included; the floor's beside it). The progress lines
show the CPU split while calling (percent of one core): ``other`` should be near 0; and
loket_harness.speed_check() before and after (ms, lower is faster: the machine's speed drifts). Client and server
share the 2 cores: at large N the client's decoding of N frames per event weighs on both
targets (Loket's ``state`` after each ``called`` too), so compare ratios, not ms.

Run: ``.venv/bin/python bench/bench_realtime.py [--clients 10,100,1000] [--calls 30]``
(AsyncClient needs aiohttp; ``--redis`` sends both apps' events through Redis, as with several
processes). Writes bench/results/realtime-<timestamp>.json. Exit status: 0 when the target is
met, 1 when not or when the run fails, 3 when the database set-up fails, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

import aiohttp
import loket_harness as lh
import screens

BENCH = Path(__file__).resolve().parent
GOAL_RATIO = 1.2


@dataclass
class Target:
    """One server under test: its name, base URL, ``join`` payload and gunicorn process group."""

    name: str
    base: str
    join: dict[str, str]
    pgid: int


async def post(http: aiohttp.ClientSession, url: str, payload: dict | None, expect: int) -> dict[str, Any]:
    """POST (JSON body if given) and return the JSON answer; raise unless the status is ``expect``."""
    async with http.post(url, json=payload) as resp:
        body = await resp.json(content_type=None)
        if resp.status != expect:
            raise RuntimeError(f"POST {url} answered {resp.status}: {body}")
        return body


@dataclass
class Run:
    """One target's clients and figures at one N."""

    target: Target
    tracker: screens.Tracker
    clients: list[Any] = field(default_factory=list)
    samples: list[float] = field(default_factory=list)  # ms, one per (call, client)
    firsts: list[float] = field(default_factory=list)  # ms, the first client's per call
    http: list[float] = field(default_factory=list)  # ms, the POST's round trip per call
    missed: int = 0
    cpu: float = 0.0
    connect_s: float = 0.0

    def summary(self, rounds: int) -> dict[str, Any]:
        """The figures of the table and the JSON."""
        return {"p50_ms": lh.percentile(self.samples, 50), "p99_ms": lh.percentile(self.samples, 99),
                "max_ms": max(self.samples, default=float("nan")), "samples": len(self.samples),
                "missed": self.missed, "duplicates": self.tracker.duplicates, "connect_s": round(self.connect_s, 2),
                "first_p50_ms": lh.percentile(self.firsts, 50), "http_p50_ms": lh.percentile(self.http, 50),
                "cpu_ms_per_call": self.cpu * 1e3 / rounds}


async def call_round(run: Run, http: aiohttp.ClientSession, k: int, args: argparse.Namespace,
                     counters: list[tuple[int, str]]) -> None:
    """One call on ``run``'s target (Loket: a ticket first, delivered everywhere); record it unless warm-up."""
    target, tracker, n = run.target, run.tracker, run.tracker.n
    cpu_before = lh.group_cpu_seconds(target.pgid)
    url, is_loket = f"{target.base}/emit", target.name == "loket"
    if is_loket:
        counter_id, service = counters[k % len(counters)]
        states = tracker.states + n
        await post(http, f"{target.base}/api/v1/antrian/tiket", {"unit": lh.UNIT, "service": service}, 201)
        await tracker.wait(0, states, args.timeout)  # the ticket's state has reached every screen
        url = f"{target.base}/api/v1/antrian/loket/{counter_id}/panggil"
    states = tracker.states + (n if is_loket else 0)
    tracker.start_call()
    sent = perf_counter()
    body = await post(http, url, None, 200)
    answered = perf_counter() - sent
    number = body["ticket"]["number"] if is_loket else body["number"]
    if not await tracker.wait(n, states, args.timeout):
        await asyncio.sleep(1)  # let stragglers land before the next round
    run.cpu += lh.group_cpu_seconds(target.pgid) - cpu_before
    if k >= args.warmup:
        hits = [(r[0] - sent) * 1e3 for r in tracker.received if r is not None and r[1] == number]
        run.samples += hits
        run.firsts.append(min(hits, default=float("nan")))
        run.missed += n - len(hits)
        run.http.append(answered * 1e3)
    if is_loket:  # the counter starts the visitor: its next panggil may not leave a ticket only called
        states = tracker.states + n
        await post(http, f"{target.base}/api/v1/antrian/loket/{counter_id}/mulai", None, 200)
        await tracker.wait(0, states, args.timeout)  # its state reached every screen; not in the figures


async def measure(targets: list[Target], n: int, args: argparse.Namespace, loket: lh.Loket,
                  counters: list[tuple[int, str]]) -> dict[str, dict[str, Any]]:
    """Connect ``n`` clients to every target, then run the call rounds alternating between the targets."""
    runs = [Run(target, screens.Tracker(n)) for target in targets]
    try:
        for run in runs:
            started = perf_counter()
            run.clients = await screens.connect_all(run.target.base, run.target.join, n, args.batch, run.tracker,
                                                    args.timeout)
            run.connect_s = perf_counter() - started
        gc.collect()
        gc.freeze()  # the clients' objects live long: keep the collector's passes over them out of the samples
        speed = lh.speed_check()
        cpu_before = lh.cpu_snapshot([t.pgid for t in targets])
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {loket.token}"},
                                         timeout=aiohttp.ClientTimeout(total=args.timeout)) as http:
            for k in range(args.warmup + args.calls):
                for run in runs:
                    await call_round(run, http, k, args, counters)
                    await asyncio.sleep(args.pause)
        cpu = lh.cpu_split(cpu_before, lh.cpu_snapshot([t.pgid for t in targets])) | {
            "speed_check_ms": [speed, lh.speed_check()]}
    finally:
        for run in runs:
            await screens.close_all(run.clients)
        gc.unfreeze()
    return {run.target.name: run.summary(args.warmup + args.calls) | {"cpu_percent": cpu} for run in runs}


async def run_all(targets: list[Target], args: argparse.Namespace, loket: lh.Loket,
                  counters: list[tuple[int, str]]) -> dict[str, dict[int, dict[str, Any]]]:
    """Measure every N, N by N, the targets' calls interleaved."""
    results: dict[str, dict[int, dict[str, Any]]] = {t.name: {} for t in targets}
    for n in args.clients:
        for name, row in (await measure(targets, n, args, loket, counters)).items():
            results[name][n] = row
            print(f"  N={n:<5} {name:<6} p50 {row['p50_ms']:8.1f} ms  p99 {row['p99_ms']:8.1f} ms  "
                  f"missed {row['missed']}  (connected in {row['connect_s']} s; cpu % "
                  + " ".join(f"{k} {v}" for k, v in row["cpu_percent"].items()) + ")",
                  flush=True)
    return results


def report(results: dict[str, dict[int, dict[str, Any]]], clients: list[int]) -> tuple[bool, int]:
    """Print the table and the verdict (at N=1000, or the largest N measured); return (passed, that N)."""
    print(f"\n{'N':>5}{'loket p50':>11}{'loket p99':>11}{'floor p50':>11}{'floor p99':>11}{'p99 ratio':>11}"
          f"{'missed':>8}{'first p50':>11}{'http p50':>10}{'cpu/call loket':>16}{'floor':>7}  (ms)")
    for n in clients:
        lo, fl = results["loket"][n], results["floor"][n]
        lo["p99_ratio"] = round(lo["p99_ms"] / fl["p99_ms"], 3)
        print(f"{n:>5}{lo['p50_ms']:>11.1f}{lo['p99_ms']:>11.1f}{fl['p50_ms']:>11.1f}{fl['p99_ms']:>11.1f}"
              f"{lo['p99_ratio']:>11.2f}{lo['missed'] + fl['missed']:>8}{lo['first_p50_ms']:>11.1f}"
              f"{lo['http_p50_ms']:>10.1f}"
              f"{lo['cpu_ms_per_call']:>16.1f}{fl['cpu_ms_per_call']:>7.1f}")
    at = 1000 if 1000 in clients else max(clients)
    row = results["loket"][at]
    passed = row["p99_ratio"] <= GOAL_RATIO and row["missed"] + results["floor"][at]["missed"] == 0
    print(f"{'PASS' if passed else 'FAIL'}: p99 ratio {row['p99_ratio']:.2f} at N={at} "
          f"(target <= {GOAL_RATIO} at N=1000, nothing missed)")
    return passed, at


def main() -> int:
    """Parse options, prepare the database, start both servers, measure, report, always stop the servers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[10, 100, 1000],
                        help="comma-separated numbers of screens (default 10,100,1000)")
    for flag, kind, default, text in (("calls", int, 30, "measured calls per N"), ("warmup", int, 3, "warm-up calls"),
                                      ("batch", int, 50, "clients connecting at once"),
                                      ("pause", float, 0.1, "seconds of quiet between calls"),
                                      ("timeout", float, 10.0, "seconds to wait for a round or a connection"),
                                      ("time-limit", float, 270.0, "seconds before the whole run is abandoned")):
        parser.add_argument(f"--{flag}", type=kind, default=default, help=f"{text} (default {default})")
    lh.add_database_options(parser)
    args = parser.parse_args()
    nofile = lh.raise_open_files_limit()  # before the servers start, so that they inherit it too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    loket: lh.Loket | None = None
    with tempfile.TemporaryDirectory(prefix="loket-rt-") as tmp:
        log = Path(tmp) / "servers.log"
        try:
            loket = lh.prepare_loket(args.database_url, Path(tmp), args.redis)
            counters = lh.counters(loket.database_url)
            apps = [("webapp:create_app()", "/healthz", lh.ROOT), ("bare_socketio_app:create_app()", "/", BENCH)]
            with lh.serving(apps, loket.env, log) as ((loket_url, loket_pgid), (floor_url, floor_pgid)):
                targets = [Target("loket", loket_url, {"unit": lh.UNIT}, loket_pgid),
                           Target("floor", floor_url, {"unit": "u"}, floor_pgid)]
                print(f"N={args.clients}, {args.calls} calls (+{args.warmup} warm-up), {os.cpu_count()} CPUs, "
                      f"open files {nofile}, {len(counters)} counters, redis {args.redis or 'off'}", flush=True)
                results = asyncio.run(asyncio.wait_for(run_all(targets, args, loket, counters), args.time_limit))
        except KeyboardInterrupt:
            print("\ninterrupted: servers stopped", file=sys.stderr)
            return 130
        except (RuntimeError, TimeoutError) as exc:
            print(f"benchmark failed: {exc!r}\n{lh.log_tail(log)}", file=sys.stderr)
            return 1
        finally:
            if loket is not None:
                lh.drop_database(loket.database_url)
    passed, at = report(results, args.clients)
    out = lh.write_results("realtime", {"settings": vars(args), "goal_p99_ratio": GOAL_RATIO, "verdict_at": at,
                                        "results": results, "passed": passed})
    print(f"results: {out}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
