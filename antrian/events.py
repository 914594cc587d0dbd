"""The /antrian Socket.IO namespace: rooms by what a client shows, a snapshot on join, `state`, `position`
and `called` events.

The database is the source of truth; events only tell clients that it changed. Every
event carries the unit's queue version; a client that sees a gap, or reconnects, emits
`join` again and gets a fresh snapshot. See docs/realtime.md.

Rooms: ``unit:<slug>`` (a display or script that joins with ``{"unit"}``: the whole `state` after every
change, as always), ``layar:<slug>`` (the site's displays and counter panels, ``{"unit", "patches": true}``:
`state` as a patch on the version they have), ``line:<id>`` (the phones of a line: its `called` events) and
``tiket:<id>`` (the phones of one ticket: its `position`). After a change the state and every open
ticket's facts are built once (a handful of queries) and sent as one message to every server process
(one Redis publish); each process then sends its own clients what they show (``deliver``), comparing with
what it sent them before, so that a phone hears only of changes to its own ticket.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import socketio as python_socketio
from flask import Flask, current_app, request
from flask_socketio import emit, join_room, leave_room
from sqlalchemy import inspect, select

from antrian.issuing import UnitRef
from antrian.models import Counter, QueueService, QueueState, Ticket
from antrian.notify import notify_due
from antrian.reading import (
    Call,
    called_event,
    closed_tickets,
    open_ticket_facts,
    snapshot,
    ticket_by_token,
    ticket_view,
    unit_version,
)
from antrian.service import raise_version
from webapp.core.extensions import db, socketio
from webapp.core.faults import fault_point
from webapp.core.units import Unit

NAMESPACE = "/antrian"

logger = logging.getLogger("loket.antrian")


def unit_room(unit: Unit | UnitRef) -> str:
    """The room of clients that join a unit without patches: the whole `state` after every change."""
    return f"unit:{unit.slug}"


def display_room(unit: Unit | UnitRef) -> str:
    """The room of the site's displays and counter panels: `state` as a patch on the previous one."""
    return f"layar:{unit.slug}"


def line_room(line_id: int) -> str:
    """The room of the phones of one line (queue service): the `called` events of that line."""
    return f"line:{line_id}"


def ticket_room(ticket_id: int) -> str:
    """The room of the phones following one ticket: its `position` events."""
    return f"tiket:{ticket_id}"


def full_state_to_everyone() -> bool:
    """QUEUE_REALTIME_FULL_STATE: the behaviour before rooms by client type (every client, phones included, in
    the unit's room with the whole `state`); kept for comparison in bench/bench_realtime.py."""
    return bool(current_app.config.get("QUEUE_REALTIME_FULL_STATE"))


NOT_FOUND = "Instansi atau tiket tidak ditemukan."
MALFORMED = 'Permintaan join tidak sah: kirim {"unit": "<slug instansi>"} atau {"ticket": "<token tiket>"}.'
FAILED = "Permintaan tidak dapat diproses. Coba lagi sebentar lagi."
# Slugs and ticket tokens are short: anything longer is not one of them and is never looked up.
LONGEST_KEY = 100


def _key(value: Any) -> str | None:
    """``value`` if it can be a unit slug or a ticket token: short text without NUL or lone surrogates.

    PostgreSQL refuses NUL in text (a DataError), so such a value never reaches a query.
    """
    if not isinstance(value, str) or not value or len(value) > LONGEST_KEY or "\x00" in value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    return value


@socketio.on("join", namespace=NAMESPACE)
def on_join(data: Any) -> None:
    """A display joins with {"unit": SLUG} (and "patches": true), a phone with {"ticket": TOKEN}; all get a snapshot.

    Anything else (not an object, neither key, a key that is not short text) gets an
    ``error`` event with a message, as does an unknown unit or token. A phone's snapshot is its
    ticket (no other visitor's number); a display's is the unit's whole state.
    """
    given = {name: data[name] for name in ("ticket", "unit") if name in data} if isinstance(data, dict) else {}
    keys = {name: _key(value) for name, value in given.items()}
    if not keys or None in keys.values():
        emit("error", {"message": MALFORMED})
        return
    ticket_key, unit_key = keys.get("ticket"), keys.get("unit")
    ticket = ticket_by_token(ticket_key) if ticket_key else None
    unit = ticket.queue_service.unit if ticket else (Unit.by_slug(unit_key) if unit_key else None)
    if unit is None:
        emit("error", {"message": NOT_FOUND})
        return
    if full_state_to_everyone():
        join_room(unit_room(unit))
        state = snapshot(unit)
        if ticket is not None:
            state["ticket"] = ticket_view(ticket)
        emit("snapshot", state)
        return
    if ticket is None:
        wanted, other = ((display_room(unit), unit_room(unit)) if data.get("patches") is True
                         else (unit_room(unit), display_room(unit)))
        # A display that asks again (a version gap) must sit in one room only: in both it would
        # get the whole state and the patch of every change, the bytes issue 18 saves.
        leave_room(other)
        join_room(wanted)
        emit("snapshot", snapshot(unit))
        return
    line = line_room(ticket.queue_service_id)
    with _deliver_lock:
        before = _line_of.get(request.sid)
        _line_of[request.sid] = line
    if before is not None and before != line:  # after a transfer the phone asks again: its old line is done
        leave_room(before)
    join_room(line)
    join_room(ticket_room(ticket.id))
    phone_joined(unit.slug, ticket.id)  # the next change sends this phone its facts, or its ticket's close
    emit("snapshot", {"version": unit_version(unit.id), "unit": {"slug": unit.slug, "name": unit.short_name},
                      "day": ticket.day.isoformat(), "ticket": ticket_view(ticket)})


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_reason: Any) -> None:
    """A client left: forget the line room a phone was put in (its rooms go with it)."""
    with _deliver_lock:
        _line_of.pop(request.sid, None)


@socketio.on_error(NAMESPACE)
def on_error(error: Exception) -> None:
    """A handler failed: the client gets an ``error`` event, the log the exception's type.

    Not the payload or the message: a payload may hold a ticket token. (The event's app
    context ends after this, and with it the database session: nothing to roll back here.)
    """
    logger.error("socket event on %s failed: %s", NAMESPACE, type(error).__name__)
    emit("error", {"message": FAILED})


_connections: dict[str, int] = {}  # open Engine.IO connections per client address, in this process
_address_of: dict[str, str] = {}  # Engine.IO session id -> address
_connections_lock = threading.Lock()


def bound_connections(app: Flask) -> None:
    """Refuse an address's Engine.IO connection over SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS (0: no bound).

    Counted at the Engine.IO level, under every namespace: a client holds one such
    connection however many namespaces it opens, and one that never opens a namespace
    (nothing times it out) still counts. A refused handshake gets 401, which a Socket.IO
    client reports as ``connect_error`` and retries with its back-off. The count is per
    process: behind nginx ``ip_hash`` an address always reaches the same process. The
    address is REMOTE_ADDR after ProxyFix (PROXY_COUNT), which wraps the Socket.IO server.
    """
    engine = socketio.server.eio
    on_connect, on_disconnect = engine.handlers["connect"], engine.handlers["disconnect"]

    def connect(sid: str, environ: dict, *args: Any) -> Any:
        bound = app.config["SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS"]
        address = environ.get("REMOTE_ADDR") or ""
        with _connections_lock:
            if bound and _connections.get(address, 0) >= bound:
                logger.warning("socket connection refused: %s connections open from one address", bound)
                return False
            _connections[address] = _connections.get(address, 0) + 1
            _address_of[sid] = address
        return on_connect(sid, environ, *args)

    def disconnect(sid: str, *args: Any) -> Any:
        with _connections_lock:
            address = _address_of.pop(sid, None)
            if address is not None:
                left = _connections.get(address, 0) - 1
                if left > 0:
                    _connections[address] = left
                else:
                    _connections.pop(address, None)
        return on_disconnect(sid, *args)

    engine.on("connect", connect)
    engine.on("disconnect", disconnect)


def open_connections(address: str) -> int:
    """How many Socket.IO (Engine.IO) connections ``address`` holds open in this process now."""
    with _connections_lock:
        return _connections.get(address, 0)


_scheduled: set[int] = set()  # units whose `state` broadcast is on its way
_issued: set[int] = set()  # of those, units with tickets issued since their last version raise
_scheduled_lock = threading.Lock()


def publish_change(unit: Unit | UnitRef, called: Call | Ticket | None = None, issued: bool = False) -> None:
    """Tell the unit's clients that its queue changed (after the commit); ``issued``: tickets were issued.

    ``called``: a call to announce, as the counter's action built it before its commit
    (antrian.counter.Outcome.call), or a ticket whose call was committed (read again in one query).

    A call is announced at once, to the displays and to the phones of the called ticket's line. The
    `state` and the phones' `position` follow within QUEUE_STATE_DELAY seconds, one for all the changes
    of that moment: at a busy kiosk hour, rebuilding and sending the whole queue after each ticket
    would cost more than the tickets themselves. The messages to visitors who left a number
    (antrian.notify) go with the `state`, not with the call: while the call's frames are on their
    way to every screen, the process does nothing else it can put off. Counter actions raise the
    unit's version in their own transaction; issuing does not (see antrian.issuing.ISSUE_SQL), so
    the broadcast announcing new tickets raises it first, once for all of them: the version it
    carries then covers them.
    """
    if called is not None:
        # Tests kill the process here (LOKET_FAULT=after_call_commit, tests/test_counter_crash.py):
        # the call is committed, its answer and its announcement are not.
        fault_point("after_call_commit")
        call = called if isinstance(called, Call) else _call_event(inspect(called).identity[0])
        to: str | list[str] = f"unit:{unit.slug}"
        if not full_state_to_everyone():
            to = [f"unit:{unit.slug}", f"layar:{unit.slug}", line_room(call.line_id)]
        manager = socketio.server.manager
        if isinstance(manager, QueueRedisManager):
            manager.announce("called", call.event, to)
        else:
            socketio.emit("called", call.event, to=to, namespace=NAMESPACE)
    delay = current_app.config["QUEUE_STATE_DELAY"]
    if delay <= 0:
        if issued:
            raise_version(unit.id)
        try:
            broadcast(unit if isinstance(unit, Unit) else db.session.get(Unit, unit.id))
        finally:
            _notify(unit.id)
        return
    with _scheduled_lock:
        if issued:
            _issued.add(unit.id)
        if unit.id in _scheduled:
            return  # a broadcast is already on its way and will include this change
        _scheduled.add(unit.id)
    socketio.start_background_task(_broadcast_state, current_app._get_current_object(), unit.id, delay)


def _call_event(ticket_id: int) -> Call:
    """The announcement of a ticket whose call was committed, in one query (its objects were expired by the commit).

    For callers without the counter action's own ``Call`` (antrian.counter.act builds it before its commit).
    """
    row = db.session.execute(
        select(Ticket.number, Ticket.call_count, Ticket.called_at, Ticket.queue_service_id, QueueService.code,
               QueueService.name, Counter.number.label("counter_number"), Counter.name.label("counter_name"),
               QueueState.version)
        .join(QueueService, QueueService.id == Ticket.queue_service_id)
        .outerjoin(Counter, Counter.id == Ticket.counter_id)
        .outerjoin(QueueState, QueueState.unit_id == Ticket.unit_id)
        .where(Ticket.id == ticket_id)
    ).one()
    return Call(row.queue_service_id, called_event(
        version=row.version or 0, number=row.number, code=row.code, name=row.name,
        counter_number=row.counter_number, counter_name=row.counter_name, call_count=row.call_count,
        called_at=row.called_at,
    ))


def _broadcast_state(app: Flask, unit_id: int, delay: float) -> None:
    socketio.sleep(delay)
    with _scheduled_lock:
        _scheduled.discard(unit_id)  # a change from now on schedules the next broadcast
        issued = unit_id in _issued
        _issued.discard(unit_id)
    with app.app_context():
        try:
            if issued:
                raise_version(unit_id)  # before the snapshot, which then shows every ticket it covers
            unit = db.session.get(Unit, unit_id)
            if unit is not None:
                try:
                    broadcast(unit)
                finally:  # the messages are due whether or not the screens could be told
                    _notify(unit_id)
        finally:
            db.session.remove()


def _notify(unit_id: int) -> None:
    """Visitors who left a number: "near" and "called" go to the outbox (antrian.notify), after the broadcast."""
    try:
        notify_due(unit_id)  # its unit of work rolls back what it wrote when it fails
    except Exception as error:  # the change is committed: a message must not undo its answer or its state
        logger.error("queue notifications of a change failed: %s", type(error).__name__)


# --- one message per change, delivered by every process to its own clients --------------------------------

QUEUE_MESSAGE = "loket-antrian-perubahan"  # the internal event that carries a change between processes


def broadcast(unit: Unit) -> None:
    """Build the unit's state and its open tickets' facts once, and have every process ``deliver`` them.

    With QUEUE_REALTIME_FULL_STATE the whole `state` goes to the unit's room, as before rooms by client
    type. Otherwise one message: delivered here at once and, through Redis when there is one, by
    every other process (QueueRedisManager): one publish per change, whatever the number of clients.
    """
    state = snapshot(unit)
    if full_state_to_everyone():
        socketio.emit("state", state, to=unit_room(unit), namespace=NAMESPACE)
        return
    message = {"unit": unit.slug, "state": state, "open": open_ticket_facts(unit), "closed": closed_tickets(unit)}
    deliver(message)  # this process's clients
    manager = socketio.server.manager
    if isinstance(manager, QueueRedisManager):
        manager.publish_change(message)  # the other processes' clients


class QueueRedisManager(python_socketio.RedisManager):
    """python-socketio's Redis manager that also carries a queue change (QUEUE_MESSAGE) to ``deliver``.

    A change crosses Redis once, as one message; each process then sends its own clients what
    they show. (Per-ticket events published one by one would cost a publish per waiting ticket.)
    """

    def publish_change(self, message: dict[str, Any]) -> None:
        """Send ``broadcast``'s message to the other processes (this one has delivered it already).

        Shaped as python-socketio's own "emit" message, published as is: its ``emit`` would first walk
        the whole message looking for binary data, then deliver it here a second time.
        """
        self._publish({"method": "emit", "event": QUEUE_MESSAGE, "data": [message], "binary": False,
                       "namespace": NAMESPACE, "room": None, "skip_sid": None, "callback": None,
                       "host_id": self.host_id})

    def announce(self, event: str, data: dict[str, Any], to: str | list[str]) -> None:
        """Emit ``event`` to the rooms ``to`` of every process, the other processes told first.

        python-socketio's ``emit`` hands the event to this process's clients, then publishes it: the
        screens on the other processes wait for that loop (4 to 9 ms for a line of 600 phones and 20
        displays, measured in bench/bench_realtime.py's mixed phase) and then for Redis. Here the
        publish is written first, in a task of its own, whose wait for Redis's answer overlaps this
        process's own sends; so a lobby's screens hear a call at about the same moment whichever
        process serves them.
        """
        message = {"method": "emit", "event": event, "data": [data], "binary": False, "namespace": NAMESPACE,
                   "room": to, "skip_sid": None, "callback": None, "host_id": self.host_id}
        self.server.start_background_task(self._publish, message)
        self.server.sleep(0)  # let the task write the publish before the sends below
        self._handle_emit(message)

    def _handle_emit(self, message: dict[str, Any]) -> None:
        """A message from another process (or this one's ``announce``): a queue change goes to ``deliver``, anything
        else as usual."""
        if message.get("event") == QUEUE_MESSAGE:
            deliver(message["data"][0])
            return
        super()._handle_emit(message)


_line_of: dict[str, str] = {}  # a phone's Socket.IO session id -> the room of its ticket's line
_last_state: dict[str, dict[str, Any]] = {}  # unit slug -> the state this process last gave its displays
_delivered: dict[str, dict[int, dict[str, Any]]] = {}  # unit slug -> ticket id -> facts its phones last got here
_deliver_lock = threading.Lock()


_JOINED: dict[str, Any] = {}  # in ``_delivered``: a phone joined, and was sent its ticket in the snapshot only


def phone_joined(unit_slug: str, ticket_id: int) -> None:
    """A phone of this ticket joined here: the next change sends the ticket's facts whatever was sent before.

    The ticket stays known as followed here (``_JOINED``, equal to no facts), so that its close
    reaches the phone too when nothing else changed for it in between: a phone that reconnects
    while its visitor is served must still hear "selesai", and reload for its survey link.
    """
    with _deliver_lock:
        _delivered.setdefault(unit_slug, {})[ticket_id] = _JOINED


def forget_everything() -> None:
    """Forget what this process sent (tests, whose databases start again with the same ids)."""
    with _deliver_lock:
        _last_state.clear()
        _delivered.clear()


def state_patch(previous: dict[str, Any] | None, state: dict[str, Any]) -> dict[str, Any]:
    """The `state` for the displays' room: a patch on ``previous``, or ``state`` itself when there is none to
    patch (none yet, another day, or not older). See docs/realtime.md, "Patches".

    A patch holds ``version``, ``base`` (the version it applies to) and the keys that changed; for
    ``services`` and ``counters``, when the same lines and counters are listed in the same order, only
    the changed items, as ``services_changed`` (by ``code``) and ``counters_changed`` (by ``id``).
    """
    if previous is None or previous.get("day") != state.get("day") or state["version"] <= previous["version"]:
        return state
    patch: dict[str, Any] = {"version": state["version"], "base": previous["version"]}
    for key, value in state.items():
        if key == "version" or previous.get(key) == value:
            continue
        ident = {"services": "code", "counters": "id"}.get(key)
        before = previous.get(key) or []
        if ident and [item[ident] for item in before] == [item[ident] for item in value]:
            patch[f"{key}_changed"] = [item for item, old in zip(value, before, strict=True) if item != old]
        else:
            patch[key] = value
    return patch


def deliver(message: dict[str, Any]) -> None:
    """Send this process's clients a change (``broadcast``'s message): each only what it shows.

    The unit's room gets the whole state, the displays' room a patch on the state this process gave
    them last, and each phone its ticket's facts as `position`, only when they differ from those it
    was last sent here. Runs without an app context (on the Redis listener too): it only talks to the
    Socket.IO manager.
    """
    manager = socketio.server.manager
    local = manager.rooms.get(NAMESPACE, {})
    slug, state = message["unit"], message["state"]

    def send(event: str, data: dict[str, Any], room: str) -> None:
        manager.emit(event, data, namespace=NAMESPACE, room=room, ignore_queue=True)

    if local.get(f"unit:{slug}"):
        send("state", state, f"unit:{slug}")
    with _deliver_lock:
        previous = _last_state.get(slug)
        _last_state[slug] = state
        sent = _delivered.setdefault(slug, {})
        opened, closed = message["open"], message["closed"]
        for ticket_id in [t for t in sent if t not in opened and t not in closed]:
            del sent[ticket_id]  # neither open nor closed today: another day's
        changed = []
        for ticket_id, facts in opened.items():
            if local.get(ticket_room(ticket_id)) and sent.get(ticket_id) != facts:
                sent[ticket_id] = facts
                changed.append((ticket_id, facts))
        for ticket_id, (number, status) in closed.items():
            if ticket_id in sent:
                del sent[ticket_id]
                changed.append((ticket_id, {"number": number, "status": status, "service": None,
                                            "people_ahead": None, "estimated_wait_minutes": None,
                                            "estimated_wait_text": None, "counter": None}))
    if local.get(f"layar:{slug}"):
        send("state", state_patch(previous, state), f"layar:{slug}")
    for ticket_id, facts in changed:
        if local.get(ticket_room(ticket_id)):  # a closed ticket's phones may have gone
            send("position", {"version": state["version"], **facts}, ticket_room(ticket_id))


def drop_connections() -> int:
    """Cut every Socket.IO connection of this process at the transport; return how many.

    Without a close packet (``abort``): a client then sees "transport close", which every
    Socket.IO client, the vendored JavaScript one and python-socketio alike, answers by
    reconnecting, to the process that replaces this one. (A Socket.IO disconnect, or
    python-socketio's answer to an Engine.IO close packet, would stop it from reconnecting.)
    """
    server = socketio.server.eio
    sockets = list(server.sockets.values())
    for connection in sockets:
        connection.close(wait=False, abort=True, reason=server.reason.SERVER_DISCONNECT)
    return len(sockets)


def drop_connections_while_stopping(period: float = 0.2) -> None:
    """On a graceful stop (gunicorn.conf.py): keep cutting connections until the process is gone.

    gunicorn waits up to graceful_timeout for open requests, and an open websocket is one,
    so the displays would stay on a stopping process for that long. A client that reconnects
    before the listener is closed lands here again and is cut again a moment later.
    """
    while True:
        drop_connections()
        socketio.sleep(period)
