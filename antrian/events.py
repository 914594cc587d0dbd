"""The /antrian Socket.IO namespace: rooms per unit, a snapshot on join, `state` and `called` events.

The database is the source of truth; events only tell clients that it changed. Every
event carries the unit's queue version; a client that sees a gap, or reconnects, emits
`join` again and gets a fresh snapshot. See docs/realtime.md.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app
from flask_socketio import emit, join_room

from antrian.issuing import UnitRef
from antrian.models import Ticket
from antrian.reading import snapshot, ticket_by_token, ticket_view, unit_version
from antrian.service import raise_version
from webapp.core.extensions import db, socketio
from webapp.core.units import Unit

NAMESPACE = "/antrian"


def unit_room(unit: Unit | UnitRef) -> str:
    """The room of a unit's displays, counters and phones."""
    return f"unit:{unit.slug}"


@socketio.on("join", namespace=NAMESPACE)
def on_join(data: Any) -> None:
    """A display joins with {"unit": SLUG}; a phone with {"ticket": TOKEN}. Both get a snapshot."""
    data = data if isinstance(data, dict) else {}
    ticket = ticket_by_token(str(data["ticket"])) if data.get("ticket") else None
    unit = ticket.queue_service.unit if ticket else Unit.by_slug(str(data.get("unit") or ""))
    if unit is None:
        emit("error", {"message": "Instansi atau tiket tidak ditemukan."})
        return
    join_room(unit_room(unit))
    state = snapshot(unit)
    if ticket is not None:
        state["ticket"] = ticket_view(ticket)
    emit("snapshot", state)


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
    if called is not None:
        socketio.emit(
            "called",
            {
                "version": unit_version(unit.id),
                "number": called.number,
                "service": {"code": called.queue_service.code, "name": called.queue_service.name},
                "counter": {"number": called.counter.number, "name": called.counter.name} if called.counter else None,
                "call_count": called.call_count,
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
