"""The /antrian Socket.IO namespace: rooms per unit, a snapshot on join, `state` and `called` events.

The database is the source of truth; events only tell clients that it changed. Every
event carries the unit's queue version; a client that sees a gap, or reconnects, emits
`join` again and gets a fresh snapshot. See docs/realtime.md.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app
from flask_socketio import emit, join_room

from antrian.issuing import UnitRef
from antrian.models import Ticket
from antrian.notify import notify_due
from antrian.reading import snapshot, ticket_by_token, ticket_view, unit_version
from antrian.service import raise_version
from webapp.core.extensions import db, socketio
from webapp.core.units import Unit

NAMESPACE = "/antrian"

logger = logging.getLogger("loket.antrian")


def unit_room(unit: Unit | UnitRef) -> str:
    """The room of a unit's displays, counters and phones."""
    return f"unit:{unit.slug}"


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
    """A display joins with {"unit": SLUG}; a phone with {"ticket": TOKEN}. Both get a snapshot.

    Anything else (not an object, neither key, a key that is not short text) gets an
    ``error`` event with a message, as does an unknown unit or token.
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
    join_room(unit_room(unit))
    state = snapshot(unit)
    if ticket is not None:
        state["ticket"] = ticket_view(ticket)
    emit("snapshot", state)


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


def publish_change(unit: Unit | UnitRef, called: Ticket | None = None, issued: bool = False) -> None:
    """Tell the unit's room that its queue changed (after the commit); ``issued``: tickets were issued.

    A call is announced at once. The full `state` follows within QUEUE_STATE_DELAY
    seconds, one for all the changes of that moment: at a busy kiosk hour, rebuilding and
    sending the whole queue to every screen after each ticket would cost more than the
    tickets themselves. Counter actions raise the unit's version in their own transaction;
    issuing does not (see antrian.issuing.ISSUE_SQL), so the `state` announcing new tickets
    raises it first, once for all of them: the version it carries then covers them.
    """
    room = unit_room(unit)
    try:
        notify_due(unit.id)  # visitors who left a number: "near" and "called" go to the outbox (antrian.notify)
    except Exception as error:  # the change is committed: a message must not undo its answer
        logger.error("queue notifications of a change failed: %s", type(error).__name__)
    if called is not None:
        socketio.emit(
            "called",
            {
                "version": unit_version(unit.id),
                "number": called.number,
                "service": {"code": called.queue_service.code, "name": called.queue_service.name},
                "counter": {"number": called.counter.number, "name": called.counter.name} if called.counter else None,
                "call_count": called.call_count,
                # The call's moment (UTC): with the number it names this call, for a display's memory of calls.
                "called_at": called.called_at.isoformat() if called.called_at else None,
            },
            to=room,
            namespace=NAMESPACE,
        )
    delay = current_app.config["QUEUE_STATE_DELAY"]
    if delay <= 0:
        if issued:
            raise_version(unit.id)
        full = unit if isinstance(unit, Unit) else db.session.get(Unit, unit.id)
        socketio.emit("state", snapshot(full), to=room, namespace=NAMESPACE)
        return
    with _scheduled_lock:
        if issued:
            _issued.add(unit.id)
        if unit.id in _scheduled:
            return  # a broadcast is already on its way and will include this change
        _scheduled.add(unit.id)
    socketio.start_background_task(_broadcast_state, current_app._get_current_object(), unit.id, delay)


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
                socketio.emit("state", snapshot(unit), to=unit_room(unit), namespace=NAMESPACE)
        finally:
            db.session.remove()


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
