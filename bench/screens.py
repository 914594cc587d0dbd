"""Simulated lobby screens for bench_realtime.py: Socket.IO clients that join a room and time-stamp ``called``.

Each client is a python-socketio AsyncClient (websocket transport, no reconnection) in the
caller's event loop; a Tracker shared by all of them keeps this round's receipt time of the
``called`` event per client (``time.perf_counter``, in the handler) and counts ``state``
events, so that the caller can wait until every screen has both.
"""

from __future__ import annotations

import asyncio
from functools import partial
from time import perf_counter
from typing import Any

import socketio

NAMESPACE = "/antrian"


class Tracker:
    """Per-client receipt (time, number) of this round's ``called``, and a running count of ``state`` events."""

    def __init__(self, n: int) -> None:
        self.n, self.states, self.duplicates, self.got = n, 0, 0, 0
        self.received: list[tuple[float, str] | None] = [None] * n
        self._want: tuple[int, int] | None = None
        self._wake = asyncio.Event()

    def start_call(self) -> None:
        """Forget the previous round's receipts."""
        self.received, self.got = [None] * self.n, 0

    def called(self, index: int, data: dict[str, Any]) -> None:
        """The ``called`` handler of client ``index``."""
        if self.received[index] is None:
            self.received[index] = (perf_counter(), data.get("number", ""))
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
            return await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            return False
        finally:
            self._want = None


async def open_client(base: str, join: dict[str, str], index: int, tracker: Tracker,
                      timeout: float) -> socketio.AsyncClient:
    """Connect one client over websocket, join the room and wait for its snapshot."""
    client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
    joined = asyncio.Event()
    client.on("snapshot", lambda _data: joined.set(), namespace=NAMESPACE)
    client.on("called", partial(tracker.called, index), namespace=NAMESPACE)
    client.on("state", tracker.state, namespace=NAMESPACE)
    await client.connect(base, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=timeout)
    await client.emit("join", join, namespace=NAMESPACE)
    await asyncio.wait_for(joined.wait(), timeout)
    return client


async def close_all(clients: list[socketio.AsyncClient]) -> None:
    """Disconnect every client (at most 60 s in all)."""
    await asyncio.wait_for(asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True), 60)


async def connect_all(base: str, join: dict[str, str], n: int, batch: int, tracker: Tracker,
                      timeout: float) -> list[Any]:
    """Open ``n`` clients to ``base``, ``batch`` at a time; on any failure close those opened and raise it."""
    clients: list[Any] = []
    for start in range(0, n, batch):
        opened = await asyncio.gather(*(open_client(base, join, i, tracker, timeout)
                                        for i in range(start, min(n, start + batch))), return_exceptions=True)
        clients += [c for c in opened if isinstance(c, socketio.AsyncClient)]
        failed = [c for c in opened if isinstance(c, BaseException)]
        if failed:
            await close_all(clients)
            raise RuntimeError(f"{base}: {len(failed)} of the clients {start}.. failed: {failed[0]!r}")
    return clients
