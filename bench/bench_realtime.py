"""Call-to-screen latency: from a counter's "panggil" POST to each lobby screen's receipt of ``called``.

For each N in --clients (10, 100, 1000), N python-socketio AsyncClients (websocket
transport, one asyncio process, connected in batches) join the demo unit's room on Loket,
served by gunicorn with the repository's gunicorn.conf.py (one gevent worker) on a fresh
PostgreSQL database (loket_harness.py). Each call round issues a ticket for the counter's
service, waits until its ``state`` event has reached every client, then POSTs
/api/v1/antrian/loket/<id>/panggil (counters in turn) from the same event loop (aiohttp);
a sample is ``perf_counter()`` at the client's ``called`` handler minus ``perf_counter()``
just before the POST, for every (call, client) pair. The round ends when every client has
the ``called`` and the ``state`` that follows it, then --pause seconds of quiet.

The floor is bench/bare_socketio_app.py (Flask-SocketIO alone: a POST /emit sends the same
``called`` shape to the room), served the same way and measured the same way, N by N, in
the same run. Read the ``p99 ratio`` (Loket's p99 over the floor's); the target is <= 1.2
at N=1000. ``missed`` counts (call, client) pairs whose ``called`` never came (or came with
another number) within --timeout; it should be 0. ``http`` is Loket's POST round trip, and
``cpu/call`` the server's CPU milliseconds per call round (ticket included for Loket).
The clients share the 2 cores with the server: at large N the client's own decoding of
N frames per event dominates both columns, so the ratio, not the absolute ms, is the figure.

Run: ``.venv/bin/python bench/bench_realtime.py [--clients 10,100,1000] [--calls 30]``
(needs aiohttp for python-socketio's AsyncClient; ``--redis`` routes events through Redis as
a multi-process deployment does). Writes bench/results/realtime-<timestamp>.json. Exit
status: 0 when the target is met, 1 when not, 3 when the database set-up fails, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import Any

import aiohttp
import loket_harness as lh
import socketio

NAMESPACE = "/antrian"
GOAL_RATIO = 1.2


@dataclass
class Target:
    """One server under test: its name, base URL, ``join`` payload and gunicorn process group."""

    name: str
    base: str
    join: dict[str, str]
    pgid: int


class Tracker:
    """Per-client receipt (time, number) of this round's ``called``, and a running count of ``state`` events."""

    def __init__(self, n: int) -> None:
        self.n, self.states, self.duplicates = n, 0, 0
        self.received: list[tuple[float, str] | None] = [None] * n
        self.got = 0
        self._want: tuple[int, int] | None = None
        self._wake = asyncio.Event()

    def start_call(self) -> None:
        """Forget the previous round's receipts."""
        self.received, self.got = [None] * self.n, 0

    def called(self, index: int, data: dict[str, Any]) -> None:
        """The ``called`` handler of client ``index``."""
        now = perf_counter()
        if self.received[index] is None:
            self.received[index] = (now, data.get("number", ""))
            self.got += 1
        else:
            self.duplicates += 1
        self._check()

    def state(self, _data: Any) -> None:
        """The ``state`` handler of every client."""
        self.states += 1
        self._check()

    def _check(self) -> None:
        if self._want and self.got >= self._want[0] and self.states >= self._want[1]:
            self._wake.set()

    async def wait(self, called: int, states: int, timeout: float) -> bool:
        """Wait until ``called`` clients have this round's call and ``states`` state events came; False on timeout."""
        self._want = (called, states)
        self._wake.clear()
        self._check()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._want = None


async def open_client(target: Target, index: int, tracker: Tracker, timeout: float) -> socketio.AsyncClient:
    """Connect one client over websocket, join the room and wait for its snapshot."""
    client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
    joined = asyncio.Event()
    client.on("snapshot", lambda _data: joined.set(), namespace=NAMESPACE)
    client.on("called", partial(tracker.called, index), namespace=NAMESPACE)
    client.on("state", tracker.state, namespace=NAMESPACE)
    await client.connect(target.base, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=timeout)
    await client.emit("join", target.join, namespace=NAMESPACE)
    await asyncio.wait_for(joined.wait(), timeout)
    return client


async def close_all(clients: list[socketio.AsyncClient]) -> None:
    """Disconnect every client (at most 60 s in all)."""
    await asyncio.wait_for(asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True), 60)


async def connect_all(target: Target, n: int, batch: int, tracker: Tracker, timeout: float) -> list[Any]:
    """Open ``n`` clients, ``batch`` at a time; on any failure close those opened and raise it."""
    clients: list[Any] = []
    for start in range(0, n, batch):
        opened = await asyncio.gather(*(open_client(target, i, tracker, timeout)
                                        for i in range(start, min(n, start + batch))), return_exceptions=True)
        clients += [c for c in opened if isinstance(c, socketio.AsyncClient)]
        failed = [c for c in opened if isinstance(c, BaseException)]
        if failed:
            await close_all(clients)
            raise RuntimeError(f"{target.name}: {len(failed)} of the clients {start}.. failed: {failed[0]!r}")
    return clients


async def post(http: aiohttp.ClientSession, url: str, payload: dict | None, expect: int) -> dict[str, Any]:
    """POST (JSON body if given) and return the JSON answer; raise unless the status is ``expect``."""
    async with http.post(url, json=payload) as resp:
        body = await resp.json(content_type=None)
        if resp.status != expect:
            raise RuntimeError(f"POST {url} answered {resp.status}: {body}")
        return body


async def measure(target: Target, n: int, args: argparse.Namespace, loket: lh.Loket,
                  counters: list[tuple[int, str]]) -> dict[str, Any]:
    """Connect ``n`` clients to ``target``, run the call rounds, and summarise the samples."""
    tracker = Tracker(n)
    started = perf_counter()
    clients = await connect_all(target, n, args.batch, tracker, args.timeout)
    connect_s, samples, http_ms, missed = perf_counter() - started, [], [], 0
    cpu_before = lh.group_cpu_seconds(target.pgid)
    is_loket = target.name == "loket"
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {loket.token}"},
                                         timeout=aiohttp.ClientTimeout(total=args.timeout)) as http:
            for k in range(args.warmup + args.calls):
                url = f"{target.base}/emit"
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
                if k >= args.warmup:
                    hits = [r[0] - sent for r in tracker.received if r is not None and r[1] == number]
                    samples += hits
                    missed += n - len(hits)
                    http_ms.append(answered * 1e3)
                await asyncio.sleep(args.pause)
    finally:
        cpu = lh.group_cpu_seconds(target.pgid) - cpu_before
        await close_all(clients)
    ms = [s * 1e3 for s in samples]
    return {"p50_ms": lh.percentile(ms, 50), "p99_ms": lh.percentile(ms, 99), "max_ms": max(ms, default=float("nan")),
            "samples": len(ms), "missed": missed, "duplicates": tracker.duplicates, "connect_s": round(connect_s, 2),
            "http_p50_ms": lh.percentile(http_ms, 50), "cpu_ms_per_call": cpu * 1e3 / (args.warmup + args.calls)}


async def run_all(targets: list[Target], args: argparse.Namespace, loket: lh.Loket,
                  counters: list[tuple[int, str]]) -> dict[str, dict[int, dict[str, Any]]]:
    """Measure every N on every target, N by N, targets side by side."""
    results: dict[str, dict[int, dict[str, Any]]] = {t.name: {} for t in targets}
    for n in args.clients:
        for target in targets:
            row = results[target.name][n] = await measure(target, n, args, loket, counters)
            print(f"  N={n:<5} {target.name:<6} p50 {row['p50_ms']:8.1f} ms  p99 {row['p99_ms']:8.1f} ms  "
                  f"missed {row['missed']}  (connected in {row['connect_s']} s)", flush=True)
    return results


def report(results: dict[str, dict[int, dict[str, Any]]], clients: list[int]) -> tuple[bool, int]:
    """Print the table and the verdict (at N=1000, or the largest N measured); return (passed, that N)."""
    print(f"\n{'N':>5}{'loket p50':>11}{'loket p99':>11}{'floor p50':>11}{'floor p99':>11}{'p99 ratio':>11}"
          f"{'missed':>8}{'http p50':>10}{'cpu/call loket':>16}{'floor':>7}  (ms)")
    for n in clients:
        lo, fl = results["loket"][n], results["floor"][n]
        lo["p99_ratio"] = round(lo["p99_ms"] / fl["p99_ms"], 3)
        print(f"{n:>5}{lo['p50_ms']:>11.1f}{lo['p99_ms']:>11.1f}{fl['p50_ms']:>11.1f}{fl['p99_ms']:>11.1f}"
              f"{lo['p99_ratio']:>11.2f}{lo['missed'] + fl['missed']:>8}{lo['http_p50_ms']:>10.1f}"
              f"{lo['cpu_ms_per_call']:>16.1f}{fl['cpu_ms_per_call']:>7.1f}")
    at = 1000 if 1000 in clients else max(clients)
    row = results["loket"][at]
    passed = row["p99_ratio"] <= GOAL_RATIO and row["missed"] + results["floor"][at]["missed"] == 0
    print(f"{'PASS' if passed else 'FAIL'}: p99 ratio {row['p99_ratio']:.2f} at N={at} "
          f"(target <= {GOAL_RATIO} at N=1000, nothing missed)")
    return passed, at


def main() -> int:
    """Parse options, prepare the database, start both servers, measure, report, always lh.stop the servers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[10, 100, 1000],
                        help="comma-separated numbers of screens (default 10,100,1000)")
    for flag, kind, default, text in (("calls", int, 30, "measured calls per N"), ("warmup", int, 3, "warm-up calls"),
                                      ("batch", int, 50, "clients connecting at once"),
                                      ("pause", float, 0.1, "seconds of quiet between calls"),
                                      ("timeout", float, 10.0, "seconds to wait for a round or a connection"),
                                      ("time-limit", float, 270.0, "seconds before the whole run is abandoned")):
        parser.add_argument(f"--{flag}", type=kind, default=default, help=f"{text} (default {default})")
    parser.add_argument("--database-url", default=lh.DEFAULT_DATABASE, help=f"Loket's database, or 'sqlite' "
                        f"(default {lh.DEFAULT_DATABASE}; dropped and created again)")
    parser.add_argument("--redis", nargs="?", const="redis://127.0.0.1:6379/0", default=None,
                        help="send events through this Redis (both apps; default redis://127.0.0.1:6379/0 if given)")
    args = parser.parse_args()
    nofile = lh.raise_open_files_limit()  # before the servers start, so that they inherit it too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    procs: list[Any] = []
    loket: lh.Loket | None = None
    with tempfile.TemporaryDirectory(prefix="loket-rt-") as tmp:
        log = Path(tmp) / "servers.log"
        try:
            loket = lh.prepare_loket(args.database_url, Path(tmp), args.redis)
            counters = lh.query(loket.database_url, "SELECT c.id, min(s.code) FROM counter c JOIN unit u ON u.id = "
                             "c.unit_id JOIN counter_queue_service cs ON cs.counter_id = c.id JOIN queue_service s "
                             "ON s.id = cs.queue_service_id WHERE u.slug = :slug AND c.active GROUP BY c.id, c.number "
                             "ORDER BY c.number", slug=lh.UNIT)
            ports = {"loket": lh.free_port(), "floor": lh.free_port()}
            bare_env = {k: v for k, v in loket.env.items() if k != "REDIS_URL"} | (
                {"REDIS_URL": args.redis} if args.redis else {})
            procs.append(lh.start_gunicorn("webapp:create_app()", ports["loket"], loket.env, log))
            procs.append(lh.start_gunicorn("bare_socketio_app:create_app()", ports["floor"], bare_env, log,
                                        lh.ROOT / "bench"))
            lh.wait_until_up(f"http://127.0.0.1:{ports['loket']}/healthz", procs[0])
            lh.wait_until_up(f"http://127.0.0.1:{ports['floor']}/", procs[1])
            targets = [Target("loket", f"http://127.0.0.1:{ports['loket']}", {"unit": lh.UNIT}, procs[0].pid),
                       Target("floor", f"http://127.0.0.1:{ports['floor']}", {"unit": "u"}, procs[1].pid)]
            print(f"N={args.clients}, {args.calls} calls (+{args.warmup} warm-up), {os.cpu_count()} CPUs, "
                  f"open files {nofile}, {len(counters)} counters, redis {args.redis or 'off'}", flush=True)
            results = asyncio.run(asyncio.wait_for(run_all(targets, args, loket, counters), args.time_limit))
        except KeyboardInterrupt:
            print("\ninterrupted: stopping the servers", file=sys.stderr)
            return 130
        except (RuntimeError, TimeoutError) as exc:
            print(f"benchmark failed: {exc!r}\n{lh.log_tail(log)}", file=sys.stderr)
            return 1
        finally:
            for proc in procs:
                lh.stop(proc)
            if loket is not None:
                lh.drop_database(loket.database_url)
    passed, at = report(results, args.clients)
    out = lh.ROOT / "bench" / "results" / f"realtime-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"settings": vars(args), "cpus": os.cpu_count(), "goal_p99_ratio": GOAL_RATIO,
                               "verdict_at": at, "results": results, "passed": passed}, indent=2))
    print(f"results: {out.relative_to(lh.ROOT)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
