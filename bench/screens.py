"""Simulated lobby screens and phones for bench_realtime.py: Socket.IO clients that join and time-stamp ``called``.

Each client is a python-socketio AsyncClient (websocket transport, no reconnection) in the
caller's event loop; a Tracker shared by all of them keeps this round's receipt time of the
``called`` event per client (``time.perf_counter``, in the handler) and counts ``state`` and
``position`` events, so that the caller can wait until every screen has both. With ``count_bytes``
it also adds up, per client, the size of every event as sent on the wire (the Socket.IO text frame:
``42/antrian,`` and the compact JSON of the event's name and payload).
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from time import perf_counter
from typing import Any

import socketio

NAMESPACE = "/antrian"
FRAME_PREFIX = len(f"42{NAMESPACE},")


def wire_size(event: str, data: Any) -> int:
    """Bytes of one event's Socket.IO text frame payload, as python-socketio encodes it (compact JSON)."""
    return FRAME_PREFIX + len(json.dumps([event, data], separators=(",", ":"), ensure_ascii=False).encode())


class Tracker:
    """Per-client receipt (time, number) of this round's ``called``, and a running count of ``state`` events."""

    def __init__(self, n: int) -> None:
        self.n, self.states, self.duplicates, self.got, self.positions = n, 0, 0, 0, 0
        self.received: list[tuple[float, str] | None] = [None] * n
        self.bytes: list[int] = [0] * n  # per client, with count_bytes
        self.sizes: dict[str, list[int]] = {}  # event name -> wire sizes of every one received, with count_bytes
        self.position_at: list[float | None] = [None] * n  # this round's first `position`, per client
        self.last = perf_counter()  # when any client last received an event (``settle``)
        self._want: tuple[int, int] | None = None
        self._wake = asyncio.Event()

    def start_call(self) -> None:
        """Forget the previous round's receipts."""
        self.received, self.got, self.position_at = [None] * self.n, 0, [None] * self.n

    def called(self, index: int, data: dict[str, Any]) -> None:
        """The ``called`` handler of client ``index``."""
        self.last = perf_counter()
        if self.received[index] is None:
            self.received[index] = (self.last, data.get("number", ""))
            self.got += 1
        else:
            self.duplicates += 1
        self._check()

    def state(self, _data: Any) -> None:
        """The ``state`` handler of every client."""
        self.last = perf_counter()
        self.states += 1
        self._check()

    def position(self, index: int, _data: Any) -> None:
        """The ``position`` handler of client ``index`` (a phone)."""
        self.last = perf_counter()
        self.positions += 1
        if self.position_at[index] is None:
            self.position_at[index] = self.last

    def counted(self, index: int, event: str, handler: Any) -> Any:
        """``handler`` that also adds the event's wire size to client ``index``'s bytes."""
        def wrapped(data: Any) -> None:
            size = wire_size(event, data)
            self.bytes[index] += size
            self.sizes.setdefault(event, []).append(size)
            handler(data)
        return wrapped

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


async def settle(trackers: list[Tracker], quiet: float, timeout: float) -> None:
    """Wait until no client of ``trackers`` has received an event for ``quiet`` seconds (at most ``timeout``).

    Before a measured call: the frames of the changes before it (a phone's ``position``, which the
    floor never sends) have all been decoded, so that a sample measures the call, not a backlog in
    the one client process that plays every screen and phone.
    """
    deadline = perf_counter() + timeout
    while (now := perf_counter()) < deadline:
        idle = now - max(t.last for t in trackers)
        if idle >= quiet:
            return
        await asyncio.sleep(quiet - idle)


async def open_client(base: str, join: dict[str, Any], index: int, tracker: Tracker,
                      timeout: float, count_bytes: bool = False) -> socketio.AsyncClient:
    """Connect one client over websocket, join (the room, or a ticket) and wait for its snapshot."""
    client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
    joined = asyncio.Event()
    handlers = {"snapshot": lambda _data: joined.set(), "called": partial(tracker.called, index),
                "state": tracker.state, "position": partial(tracker.position, index)}
    for event, handler in handlers.items():
        client.on(event, tracker.counted(index, event, handler) if count_bytes else handler, namespace=NAMESPACE)
    await client.connect(base, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=timeout)
    await client.emit("join", join, namespace=NAMESPACE)
    await asyncio.wait_for(joined.wait(), timeout)
    return client


async def close_all(clients: list[socketio.AsyncClient]) -> None:
    """Disconnect every client (at most 60 s in all)."""
    await asyncio.wait_for(asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True), 60)


async def connect_all(base: str | list[str], join: dict[str, Any] | list[dict[str, Any]], n: int, batch: int,
                      tracker: Tracker, timeout: float, count_bytes: bool = False) -> list[Any]:
    """Open ``n`` clients, ``batch`` at a time; on any failure close those opened and raise it.

    ``base`` and ``join`` may be lists: client i goes to ``base[i % len]`` (one process each, as nginx
    ``ip_hash`` spreads addresses) and joins with ``join[i % len]``.
    """
    bases = base if isinstance(base, list) else [base]
    joins = join if isinstance(join, list) else [join]
    clients: list[Any] = []
    for start in range(0, n, batch):
        opened = await asyncio.gather(*(open_client(bases[i % len(bases)], joins[i % len(joins)], i, tracker, timeout,
                                                    count_bytes)
                                        for i in range(start, min(n, start + batch))), return_exceptions=True)
        clients += [c for c in opened if isinstance(c, socketio.AsyncClient)]
        failed = [c for c in opened if isinstance(c, BaseException)]
        if failed:
            await close_all(clients)
            raise RuntimeError(f"{bases}: {len(failed)} of the clients {start}.. failed: {failed[0]!r}")
    return clients
