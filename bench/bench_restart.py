"""How long displays go without updates over a graceful restart of gunicorn (issue 12, realtime contract).

Serves Loket (demo data) with the repository's gunicorn.conf.py on loopback, connects
``--clients`` Socket.IO clients that reconnect as the site's display JavaScript does (first
retry after 0.5 s, then at most every 2 s, randomised by half) and emit `join` on every
connect, then, ``--rounds`` times each:

- ``term``: SIGTERM to the master, wait for it to exit, start a new one on the same port;
- ``hup``: SIGHUP to the master (gunicorn starts a new worker and stops the old one
  gracefully; the listening socket stays open).

For each round it prints the seconds from the signal until each client was back for good
(its first `snapshot` after its last cut: a client may land on the stopping process once
more before that closes its listener), the seconds until the old connection was cut, and
(``term``) the seconds from the new server's first 200 on /healthz to the last client's
snapshot. Start-up of the new process dominates; run it on an otherwise idle machine. Loopback only;
every wait is bounded. Usage::

    .venv/bin/python bench/bench_restart.py --database-url sqlite --clients 20 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import loket_harness as lh
import socketio

NAMESPACE = "/antrian"


class Display:
    """One client: a python-socketio client with the display's reconnect back-off, noting its snapshots."""

    def __init__(self, base: str) -> None:
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2,
                                      randomization_factor=0.5)
        self.snapshots: list[float] = []
        self.cuts: list[float] = []
        self.changed = threading.Condition()
        self.client.on("connect", lambda: self.client.emit("join", {"unit": lh.UNIT}, namespace=NAMESPACE),
                       namespace=NAMESPACE)
        self.client.on("snapshot", self._on_snapshot, namespace=NAMESPACE)
        self.client.on("disconnect", lambda *reason: self.cuts.append(time.monotonic()), namespace=NAMESPACE)
        self.client.connect(base, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=10)

    def _on_snapshot(self, data: dict) -> None:
        with self.changed:
            self.snapshots.append(time.monotonic())
            self.changed.notify_all()

    def back_after(self, moment: float, timeout: float) -> float | None:
        """When the client was back for good after ``moment``: its first snapshot after its last cut.

        A client may reconnect to the stopping process before that closes its listener, get a
        snapshot there and be cut again: that snapshot does not count. Waits until the client
        is connected with such a snapshot and has stayed so for 3 s, up to ``timeout``.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last_cut = max([c for c in self.cuts if c >= moment], default=moment)
            back = self.snapshot_after(last_cut, max(deadline - time.monotonic(), 0))
            if back is None:
                return None
            time.sleep(max(back + 3 - time.monotonic(), 0))
            if self.client.connected and max(self.cuts, default=0) < back:
                return back
        return None

    def snapshot_after(self, moment: float, timeout: float) -> float | None:
        """The first snapshot at or after ``moment``, waiting up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                later = [t for t in self.snapshots if t >= moment]
                if later:
                    return later[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)


def one_round(kind: str, server, port: int, env: dict, log: Path, displays: list[Display]) -> tuple[dict, object]:
    """Restart once (``term`` or ``hup``); return the figures and the server process now serving."""
    base = f"http://127.0.0.1:{port}"
    signalled = time.monotonic()
    up = None
    if kind == "term":
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        gone = time.monotonic() - signalled
        server = lh.start_gunicorn("webapp:create_app()", port, env, log)
        lh.wait_until_up(base + "/healthz", server)
        up = time.monotonic()
    else:
        os.kill(server.pid, signal.SIGHUP)
        gone = None
    backs = [display.back_after(signalled, 40) for display in displays]
    missing = sum(back is None for back in backs)
    seen = [back - signalled for back in backs if back is not None]
    cuts = [min((c for c in d.cuts if c >= signalled), default=None) for d in displays]
    cut_after = [c - signalled for c in cuts if c is not None]
    figures = {
        "kind": kind,
        "clients": len(displays),
        "missing": missing,
        "cut_max_s": round(max(cut_after), 2) if cut_after else None,
        "old_server_gone_s": round(gone, 2) if gone is not None else None,
        "snapshot_median_s": round(statistics.median(seen), 2) if seen else None,
        "snapshot_max_s": round(max(seen), 2) if seen else None,
        "after_healthz_max_s": round(max(back for back in backs if back is not None) - up, 2)
        if up is not None and seen else None,
    }
    return figures, server


def main() -> int:
    """Run the rounds and print one line each; exit 1 if a client never came back."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    lh.add_database_options(parser)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        loket = lh.prepare_loket(args.database_url, Path(tmp), args.redis)
        port = lh.free_port()
        log = Path(tmp) / "gunicorn.log"
        server = lh.start_gunicorn("webapp:create_app()", port, loket.env, log)
        displays: list[Display] = []
        results = []
        try:
            lh.wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
            displays = [Display(f"http://127.0.0.1:{port}") for _ in range(args.clients)]
            for display in displays:
                if display.snapshot_after(0, 10) is None:
                    raise RuntimeError("a client had no first snapshot")
            for kind in ("term", "hup"):
                for _ in range(args.rounds):
                    figures, server = one_round(kind, server, port, loket.env, log, displays)
                    results.append(figures)
                    print(figures, flush=True)
                    time.sleep(1)
        finally:
            for display in displays:
                display.client.disconnect()
            lh.stop(server)
            if args.database_url.startswith("postgres"):
                lh.drop_database(loket.database_url)
        print("results:", lh.write_results("restart", {"rounds": results}))
    return 1 if any(r["missing"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
