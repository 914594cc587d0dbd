"""Call-to-screen latency: from a counter's "panggil" POST to each lobby screen's receipt of ``called``.

For each N in --clients, N python-socketio AsyncClients (screens.py: websocket transport, one
asyncio process, connected in batches) join the demo unit's room on Loket, served by gunicorn with
the repository's gunicorn.conf.py (one gevent worker) on a fresh PostgreSQL database
(loket_harness.py). A call round issues a ticket for the next counter's service, waits until
its ``state`` event has reached every client, then POSTs /api/v1/antrian/loket/<id>/panggil
from the same event loop (aiohttp). A sample is ``perf_counter()`` in a client's ``called``
handler minus ``perf_counter()`` just before the POST, for every (call, client) pair; the
round ends when every client has the ``called`` and the ``state`` after it, plus --pause. Before
each measured call, on both servers alike, the clients must have been quiet for --settle seconds
(screens.settle): the frames of earlier changes are decoded, and the sample times the call alone.
The client process's garbage collector is paused while it measures (pause_collector).

The floor, bench/bare_socketio_app.py (Flask-SocketIO alone: POST /emit sends the same
``called`` shape to the room), is served and measured the same way in the same run: for each
N, N clients join each server, and the calls alternate (Loket, floor, Loket, ...).
Read ``p99 ratio`` (Loket's p99 over the floor's): the target is <= 1.2 at N=1000 and <= 1.5 at N=500. ``missed``
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
GOAL_RATIO = 1.2  # displays: p99 over the floor's at 1000 clients
GOAL_RATIO_500 = 1.5  # and at 500
GOAL_RATIO_MIXED = 1.5  # the mixed population: display and phone p99 over the floor's
GOAL_BYTES_RATIO = 0.1  # bytes per phone per busy hour, over the old behaviour's


@dataclass
class Target:
    """One server under test: its name, base URL, ``join`` payload and gunicorn process group."""

    name: str
    base: str
    join: dict[str, str]
    pgid: int


def pause_collector() -> None:
    """Stop this process's garbage collector while it measures (``resume_collector`` after).

    This one process plays every screen and phone: thousands of clients whose objects live long,
    and each round's events leave more. Its full collections took 150 to 570 ms, every 2 to 3 s,
    in the mixed phase (with the clients frozen out of them), and the events that arrived meanwhile
    were handled late: the instrument's own pause in the samples, against whichever server was
    being measured. A measured phase lasts minutes, and the garbage it leaves is a few hundred MB.
    """
    gc.collect()
    gc.freeze()  # the clients' objects live long: out of the collections that follow
    gc.disable()


def resume_collector() -> None:
    """Start the garbage collector again after a measured phase, and collect what it left."""
    gc.enable()
    gc.unfreeze()
    gc.collect()


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
    rounds: list[list[float]] = field(default_factory=list)  # ms, per call: first, p50, last client, POST
    missed: int = 0
    cpu: float = 0.0
    connect_s: float = 0.0

    def summary(self, rounds: int) -> dict[str, Any]:
        """The figures of the table and the JSON (``rounds``: per call, to tell a slow tail from a slow call)."""
        return {"p50_ms": lh.percentile(self.samples, 50), "p99_ms": lh.percentile(self.samples, 99),
                "rounds_first_p50_last_http_ms": self.rounds,
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
    await screens.settle([tracker], args.settle, args.timeout)
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
        run.rounds.append([round(x, 1) for x in (min(hits, default=float("nan")), lh.percentile(hits, 50),
                                                 max(hits, default=float("nan")), answered * 1e3)])
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
        pause_collector()
        speed = lh.speed_check()
        cpu_before = lh.cpu_snapshot([t.pgid for t in targets])
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {loket.token}"},
                                         connector=aiohttp.TCPConnector(force_close=True),  # as in measure_mixed
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
        resume_collector()
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
    """Print the table and the verdict (at N=1000, or the largest N measured, and at N=500 when measured); return
    (passed, the larger N)."""
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
    passed = all(results["loket"][n]["missed"] + results["floor"][n]["missed"] == 0 for n in clients)
    for n, goal in ((at, GOAL_RATIO), (500, GOAL_RATIO_500)):
        if n in clients:
            ratio = results["loket"][n]["p99_ratio"]
            passed = passed and ratio <= goal
            print(f"{'PASS' if ratio <= goal else 'FAIL'}: p99 ratio {ratio:.2f} at N={n} (target <= {goal})")
    print(f"{'PASS' if passed else 'FAIL'}: displays (p99 ratio <= {GOAL_RATIO} at N=1000 and <= {GOAL_RATIO_500} "
          "at N=500, nothing missed)")
    return passed, at


def floor_environment(env: dict[str, str]) -> dict[str, str]:
    """The floor's environment: its own Redis channel, and the repository on the path (gunicorn.conf.py's
    post_worker_init imports antrian.events, from the directory the floor is not served from)."""
    return env | {"SOCKETIO_CHANNEL": env["SOCKETIO_CHANNEL"] + "-floor", "PYTHONPATH": str(lh.ROOT)}


# --- the mixed population: phones and displays over several processes -----------------------------------


@dataclass
class Mixed:
    """One target's phones and displays in the mixed population, and their figures."""

    name: str
    bases: list[str]
    pgids: list[int]
    phone_joins: list[dict[str, Any]]
    phone_lines: list[str]  # the line code of each phone
    display_join: dict[str, Any]
    displays: screens.Tracker
    phones: screens.Tracker
    clients: list[Any] = field(default_factory=list)
    display_samples: list[float] = field(default_factory=list)
    phone_samples: list[float] = field(default_factory=list)
    position_samples: list[float] = field(default_factory=list)  # Loket: a phone's first `position` after a call
    http: list[float] = field(default_factory=list)  # ms, the call's POST round trip
    rounds: list[list[float]] = field(default_factory=list)  # ms, per call: displays first, last; phones first, last
    missed: int = 0
    cpu: float = 0.0
    connect_s: float = 0.0

    def summary(self, rounds: int) -> dict[str, Any]:
        """The figures of the table and the JSON."""
        return {"display_p50_ms": lh.percentile(self.display_samples, 50),
                "display_p99_ms": lh.percentile(self.display_samples, 99),
                "phone_p50_ms": lh.percentile(self.phone_samples, 50),
                "phone_p99_ms": lh.percentile(self.phone_samples, 99),
                "position_p50_ms": lh.percentile(self.position_samples, 50),
                "position_p99_ms": lh.percentile(self.position_samples, 99),
                "http_p50_ms": lh.percentile(self.http, 50),
                "rounds_display_first_last_phone_first_last_ms": self.rounds,
                "samples": len(self.display_samples) + len(self.phone_samples), "missed": self.missed,
                "duplicates": self.displays.duplicates + self.phones.duplicates, "connect_s": round(self.connect_s, 1),
                "cpu_ms_per_call": self.cpu * 1e3 / rounds}


async def mixed_round(run: Mixed, http: aiohttp.ClientSession, k: int, args: argparse.Namespace,
                      counters: list[tuple[int, str]], loket_base: str) -> None:
    """One call: on Loket a ticket first (its state reached every display), then ``panggil``; on the floor
    ``/emit`` to the displays and the phones of the counter's line. Records unless warm-up."""
    displays, phones, d = run.displays, run.phones, run.displays.n
    cpu_before = sum(lh.group_cpu_seconds(g) for g in run.pgids)
    counter_id, line = counters[k % len(counters)]
    is_loket = run.name == "loket"
    if is_loket:
        states = displays.states + d
        await post(http, f"{loket_base}/api/v1/antrian/tiket", {"unit": lh.UNIT, "service": line}, 201)
        await displays.wait(0, states, args.timeout)
    states = displays.states + (d if is_loket else 0)
    await screens.settle([displays, phones], args.settle, args.timeout)
    displays.start_call()
    phones.start_call()
    sent = perf_counter()
    if is_loket:
        body = await post(http, f"{loket_base}/api/v1/antrian/loket/{counter_id}/panggil", None, 200)
        number, line = body["ticket"]["number"], body["ticket"]["service"]["code"]
    else:
        number = (await post(http, f"{run.bases[k % len(run.bases)]}/emit", {"line": line}, 200))["number"]
    answered = perf_counter() - sent
    mine = [i for i, code in enumerate(run.phone_lines) if code == line]
    if not await displays.wait(d, states, args.timeout) or not await phones.wait(len(mine), 0, args.timeout):
        await asyncio.sleep(1)
    await asyncio.sleep(args.pause)  # the phones' `position` events follow the displays' state
    run.cpu += sum(lh.group_cpu_seconds(g) for g in run.pgids) - cpu_before
    if k >= args.warmup:
        hits = [(r[0] - sent) * 1e3 for r in displays.received if r is not None and r[1] == number]
        run.display_samples += hits
        run.missed += d - len(hits)
        phone_hits = [(phones.received[i][0] - sent) * 1e3 for i in mine
                      if phones.received[i] is not None and phones.received[i][1] == number]
        run.phone_samples += phone_hits
        run.missed += len(mine) - len(phone_hits)
        run.position_samples += [(phones.position_at[i] - sent) * 1e3 for i in mine if phones.position_at[i]]
        run.http.append(answered * 1e3)
        run.rounds.append([round(f(x), 1) if x else float("nan") for x in (hits, phone_hits) for f in (min, max)])
    if is_loket:
        states = displays.states + d
        await post(http, f"{loket_base}/api/v1/antrian/loket/{counter_id}/mulai", None, 200)
        await displays.wait(0, states, args.timeout)


async def measure_mixed(runs: list[Mixed], args: argparse.Namespace, loket: lh.Loket,
                        counters: list[tuple[int, str]]) -> dict[str, dict[str, Any]]:
    """Connect every target's phones and displays (spread over its processes), then alternate the calls."""
    try:
        for run in runs:
            started = perf_counter()
            run.clients = await screens.connect_all(run.bases, run.display_join, run.displays.n, args.batch,
                                                    run.displays, args.timeout)
            run.clients += await screens.connect_all(run.bases, run.phone_joins, run.phones.n, args.batch,
                                                     run.phones, args.timeout)
            run.connect_s = perf_counter() - started
            print(f"  {run.name}: {run.displays.n} displays and {run.phones.n} phones connected in "
                  f"{run.connect_s:.0f} s", flush=True)
        pause_collector()
        speed = lh.speed_check()
        pgids = [g for run in runs for g in run.pgids]
        cpu_before = lh.cpu_snapshot(pgids)
        # A new connection per request: the rounds alternate between processes, and a kept-alive connection
        # idle for longer than gunicorn's keepalive (5 s) may be closed by the server as it is reused.
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {loket.token}"},
                                         connector=aiohttp.TCPConnector(force_close=True),
                                         timeout=aiohttp.ClientTimeout(total=args.timeout)) as http:
            for k in range(args.warmup + args.calls):
                for run in runs:
                    await mixed_round(run, http, k, args, counters, runs[0].bases[k % len(runs[0].bases)])
                    await asyncio.sleep(args.pause)
        cpu = lh.cpu_split(cpu_before, lh.cpu_snapshot(pgids)) | {"speed_check_ms": [speed, lh.speed_check()]}
    finally:
        for run in runs:
            await screens.close_all(run.clients)
        resume_collector()
    return {run.name: run.summary(args.warmup + args.calls) | {"cpu_percent": cpu} for run in runs}


def run_mixed(args: argparse.Namespace, tmp: Path, log: Path) -> dict[str, Any]:
    """The mixed population on ``args.processes`` processes per app with Redis: the floor and Loket."""
    phones, displays = args.mixed
    loket = lh.prepare_loket(args.database_url, tmp, args.redis or "redis://127.0.0.1:6379/0")  # several processes
    try:
        counters = lh.counters(loket.database_url)
        tickets = lh.issue_backlog(loket.env, args.waiting)
        env = loket.env | {"API_RATE_LIMIT": "100000 per minute"}
        if args.old_behaviour:
            env["QUEUE_REALTIME_FULL_STATE"] = "1"
        floor_env = floor_environment(loket.env)
        apps = ([("webapp:create_app()", "/healthz", lh.ROOT, env)] * args.processes
                + [("bare_socketio_app:create_app()", "/", BENCH, floor_env)] * args.processes)
        with lh.serving(apps, loket.env, log) as served:
            loket_side, floor_side = served[:args.processes], served[args.processes:]
            lines = [tickets[i % len(tickets)][1] for i in range(phones)]
            display_join = {"unit": lh.UNIT} if args.old_behaviour else {"unit": lh.UNIT, "patches": True}
            runs = [Mixed("loket", [b for b, _ in loket_side], [g for _, g in loket_side],
                          [{"ticket": token} for token, _ in tickets], lines, display_join,
                          screens.Tracker(displays), screens.Tracker(phones)),
                    Mixed("floor", [b for b, _ in floor_side], [g for _, g in floor_side],
                          [{"unit": "u", "line": code} for _, code in tickets], lines, {"unit": "u"},
                          screens.Tracker(displays), screens.Tracker(phones))]
            print(f"mixed: {phones} phones on {len(tickets)} waiting tickets and {displays} displays, "
                  f"{args.processes} processes per app, redis {loket.env['REDIS_URL']}", flush=True)
            results = asyncio.run(asyncio.wait_for(measure_mixed(runs, args, loket, counters), args.time_limit))
    finally:
        lh.drop_database(loket.database_url)
    lo, fl = results["loket"], results["floor"]
    lo["display_p99_ratio"] = round(lo["display_p99_ms"] / fl["display_p99_ms"], 3)
    lo["phone_p99_ratio"] = round(lo["phone_p99_ms"] / fl["phone_p99_ms"], 3)
    print(f"\n{'mixed':>6}{'disp p50':>10}{'disp p99':>10}{'phone p50':>11}{'phone p99':>11}{'pos p50':>9}"
          f"{'pos p99':>9}{'missed':>8}{'http p50':>9}{'cpu/call':>10}  (ms)")
    for name, row in results.items():
        print(f"{name:>6}{row['display_p50_ms']:>10.1f}{row['display_p99_ms']:>10.1f}{row['phone_p50_ms']:>11.1f}"
              f"{row['phone_p99_ms']:>11.1f}{row['position_p50_ms']:>9.1f}{row['position_p99_ms']:>9.1f}"
              f"{row['missed']:>8}{row['http_p50_ms']:>9.1f}{row['cpu_ms_per_call']:>10.1f}"
              f"   cpu % {row['cpu_percent']}")
    print(f"ratios: display p99 {lo['display_p99_ratio']:.2f}, phone p99 {lo['phone_p99_ratio']:.2f}")
    return results


# --- bytes per phone in a busy hour ------------------------------------------------------------------------


async def busy_hour(base: str, token: str, tickets: list[tuple[str, str]], counters: list[tuple[int, str]],
                    args: argparse.Namespace, old: bool) -> dict[str, Any]:
    """Replay a busy hour on one server and count the bytes its sample phones and displays receive.

    The hour: ``args.hour_arrivals`` tickets issued in turns over the lines, and after every second
    one a counter in turn finishes its visitor and calls and starts the next (``selesai``, ``panggil``,
    ``mulai``): half as many served as arrived, so the queue grows as on a busy morning. Each action
    is its own change (QUEUE_STATE_DELAY=0), as when they are seconds apart. The sample phones follow
    tickets spread over the backlog, in every line.
    """
    step = max(1, len(tickets) // args.sample_phones)
    sample = tickets[::step][: args.sample_phones]
    phones, displays = screens.Tracker(len(sample)), screens.Tracker(2)
    join = {"unit": lh.UNIT} if old else {"unit": lh.UNIT, "patches": True}
    clients = await screens.connect_all(base, [{"ticket": t} for t, _ in sample], len(sample), args.batch, phones,
                                        args.timeout, count_bytes=True)
    clients += await screens.connect_all(base, join, 2, 2, displays, args.timeout, count_bytes=True)
    lines = sorted({code for _, code in tickets})
    requests = 0
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"},
                                         timeout=aiohttp.ClientTimeout(total=args.timeout)) as http:
            async def act(url: str, payload: dict | None = None, expect: tuple[int, ...] = (200,)) -> None:
                nonlocal requests
                async with http.post(base + url, json=payload) as resp:
                    await resp.read()
                    if resp.status not in expect:
                        raise RuntimeError(f"POST {url} answered {resp.status}")
                requests += 1
                await asyncio.sleep(0.005)  # let the frames of this change land before the next
            for k in range(args.hour_arrivals):
                await act("/api/v1/antrian/tiket", {"unit": lh.UNIT, "service": lines[k % len(lines)]}, (201,))
                if k % 2:
                    counter_id = counters[(k // 2) % len(counters)][0]
                    await act(f"/api/v1/antrian/loket/{counter_id}/selesai", None, (200, 409, 422))
                    await act(f"/api/v1/antrian/loket/{counter_id}/panggil", None, (200, 404, 409))
                    await act(f"/api/v1/antrian/loket/{counter_id}/mulai", None, (200, 409, 422))
        await asyncio.sleep(1)
    finally:
        await screens.close_all(clients)
    per_phone = sum(phones.bytes) / len(sample)
    sizes = {f"{who} {event}": [len(values), round(sum(values) / len(values)), max(values)]
             for who, tracker in (("phone", phones), ("display", displays))
             for event, values in sorted(tracker.sizes.items())}
    return {"phones": len(sample), "requests": requests, "bytes_per_phone_hour": round(per_phone),
            "event_sizes_count_mean_max": sizes,
            "bytes_per_display_hour": round(sum(displays.bytes) / 2),
            "max_bytes_phone_hour": max(phones.bytes)}


def run_bytes(args: argparse.Namespace, tmp: Path, log: Path) -> dict[str, Any]:
    """The busy hour on the old behaviour and on today's, each on its own database and one process."""
    results = {}
    for name, old in (("old", True), ("new", False)):
        url = args.database_url if args.database_url == "sqlite" else args.database_url + f"_bytes_{name}"
        loket = lh.prepare_loket(url, tmp / name if url == "sqlite" else tmp, None)
        try:
            counters = lh.counters(loket.database_url)
            tickets = lh.issue_backlog(loket.env, args.hour_backlog)
            env = loket.env | {"API_RATE_LIMIT": "100000 per minute", "QUEUE_STATE_DELAY": "0",
                               "QUEUE_REALTIME_FULL_STATE": "1" if old else ""}
            with lh.serving([("webapp:create_app()", "/healthz", lh.ROOT, env)], env, log) as ((base, _pgid),):
                results[name] = asyncio.run(busy_hour(base, loket.token, tickets, counters, args, old))
        finally:
            lh.drop_database(loket.database_url)
        print(f"  busy hour, {name} behaviour: {results[name]}", flush=True)
    results["phone_ratio"] = round(results["new"]["bytes_per_phone_hour"] / results["old"]["bytes_per_phone_hour"], 4)
    results["display_ratio"] = round(results["new"]["bytes_per_display_hour"]
                                     / results["old"]["bytes_per_display_hour"], 4)
    print(f"bytes per phone per busy hour: old {results['old']['bytes_per_phone_hour']}, new "
          f"{results['new']['bytes_per_phone_hour']} (ratio {results['phone_ratio']}, target <= 0.1); per display: "
          f"old {results['old']['bytes_per_display_hour']}, new {results['new']['bytes_per_display_hour']}")
    return results


def main() -> int:
    """Parse options, prepare the database, start both servers, measure, report, always stop the servers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[10, 100, 1000],
                        help="comma-separated numbers of screens (default 10,100,1000)")
    for flag, kind, default, text in (("calls", int, 30, "measured calls per N"), ("warmup", int, 3, "warm-up calls"),
                                      ("batch", int, 50, "clients connecting at once"),
                                      ("pause", float, 0.1, "seconds of quiet between calls"),
                                      ("settle", float, 0.25, "seconds without any event before a measured call"),
                                      ("timeout", float, 10.0, "seconds to wait for a round or a connection"),
                                      ("time-limit", float, 600.0, "seconds before a phase is abandoned"),
                                      ("processes", int, 2, "gunicorn processes per app in the mixed phase"),
                                      ("waiting", int, 300, "waiting tickets per line in the mixed phase"),
                                      ("hour-backlog", int, 75, "waiting tickets per line when the busy hour starts"),
                                      ("hour-arrivals", int, 150, "tickets issued in the busy hour"),
                                      ("sample-phones", int, 40, "phones whose bytes are counted in the busy hour")):
        parser.add_argument(f"--{flag}", type=kind, default=default, help=f"{text} (default {default})")
    parser.add_argument("--phases", default="displays,mixed,bytes",
                        help="which to run, of displays (N screens, one process), mixed, bytes (default all)")
    parser.add_argument("--mixed", type=lambda s: [int(x) for x in s.split(",")], default=[5000, 40],
                        help="phones,displays of the mixed phase (default 5000,40)")
    parser.add_argument("--old-behaviour", action="store_true",
                        help="serve Loket with QUEUE_REALTIME_FULL_STATE=1 (the whole state to every client)")
    lh.add_database_options(parser)
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    # Redis pub/sub channels are shared by all its databases: this run's own, so that another run cannot talk in.
    os.environ["SOCKETIO_CHANNEL"] = f"loket-bench-{os.getpid()}"
    nofile = lh.raise_open_files_limit()  # before the servers start, so that they inherit it too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    loket: lh.Loket | None = None
    results: dict[str, Any] = {}
    mixed: dict[str, Any] = {}
    hour: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="loket-rt-") as tmp:
        log = Path(tmp) / "servers.log"
        try:
            if "displays" in phases:
                loket = lh.prepare_loket(args.database_url, Path(tmp), args.redis)
                results = run_displays(args, loket, log, nofile)
                lh.drop_database(loket.database_url)
                loket = None
            if "mixed" in phases:
                mixed = run_mixed(args, Path(tmp), log)
            if "bytes" in phases:
                (Path(tmp) / "old").mkdir()
                (Path(tmp) / "new").mkdir()
                hour = run_bytes(args, Path(tmp), log)
        except KeyboardInterrupt:
            print("\ninterrupted: servers stopped", file=sys.stderr)
            return 130
        except (RuntimeError, TimeoutError) as exc:
            print(f"benchmark failed: {exc!r}\n{lh.log_tail(log)}", file=sys.stderr)
            return 1
        finally:
            if loket is not None:
                lh.drop_database(loket.database_url)
    passed, at = report(results, args.clients) if results else (True, None)
    verdicts = {"displays": passed}
    if mixed:
        verdicts["mixed"] = (mixed["loket"]["display_p99_ratio"] <= GOAL_RATIO_MIXED
                             and mixed["loket"]["phone_p99_ratio"] <= GOAL_RATIO_MIXED
                             and mixed["loket"]["missed"] + mixed["floor"]["missed"] == 0)
    if hour:
        verdicts["bytes"] = hour["phone_ratio"] <= GOAL_BYTES_RATIO
    print(f"verdicts: {verdicts}")
    out = lh.write_results("realtime", {"settings": vars(args), "goal_p99_ratio": GOAL_RATIO, "verdict_at": at,
                                        "results": results, "mixed": mixed, "busy_hour": hour,
                                        "verdicts": verdicts})
    print(f"results: {out}")
    return 0 if all(verdicts.values()) else 1


def run_displays(args: argparse.Namespace, loket: lh.Loket, log: Path, nofile: int) -> dict[str, dict[int, Any]]:
    """The displays phase: for each N, N screens on Loket and on the floor, one process each."""
    results: dict[str, dict[int, Any]] = {}
    counters = lh.counters(loket.database_url)
    env = loket.env | ({"QUEUE_REALTIME_FULL_STATE": "1"} if args.old_behaviour else {})
    floor_env = floor_environment(loket.env)
    apps = [("webapp:create_app()", "/healthz", lh.ROOT, env),
            ("bare_socketio_app:create_app()", "/", BENCH, floor_env)]
    with lh.serving(apps, loket.env, log) as ((loket_url, loket_pgid), (floor_url, floor_pgid)):
        join = {"unit": lh.UNIT} if args.old_behaviour else {"unit": lh.UNIT, "patches": True}
        targets = [Target("loket", loket_url, join, loket_pgid),
                   Target("floor", floor_url, {"unit": "u"}, floor_pgid)]
        print(f"N={args.clients}, {args.calls} calls (+{args.warmup} warm-up), {os.cpu_count()} CPUs, "
              f"open files {nofile}, {len(counters)} counters, redis {args.redis or 'off'}", flush=True)
        results = asyncio.run(asyncio.wait_for(run_all(targets, args, loket, counters), args.time_limit))
    return results


if __name__ == "__main__":
    sys.exit(main())
