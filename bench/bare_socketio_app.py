"""The smallest Flask-SocketIO app with Loket's call event: the floor that bench_realtime.py compares against.

Same namespace as Loket ("/antrian"): a client emits ``join`` and is put in room "u" (a display)
or, with a ``line`` (a phone), in that line's room only, and is answered with a small ``snapshot``;
``POST /emit`` sends a ``called`` event shaped like Loket's (version, number, service, counter,
call_count) to room "u" and, given ``{"line": CODE}``, to that line's room too (what Loket sends a
call to: the displays and the phones of the called line), and answers 200 with the number it announced.
No database, no templates, no other extension: the time from the
POST to a client's receipt is what Flask-SocketIO, gevent and gunicorn cost by themselves.
With REDIS_URL set, events go through Redis as Loket's do when it has REDIS_URL.

Serve it as Loket is served: ``gunicorn -c gunicorn.conf.py --chdir bench -b 127.0.0.1:PORT
'bare_socketio_app:create_app()'`` (one gevent worker; async_mode is set here).
"""

from __future__ import annotations

import os
from itertools import count
from typing import Any

from flask import Flask, request
from flask_socketio import SocketIO, emit, join_room

NAMESPACE = "/antrian"
ROOM = "u"


def create_app() -> Flask:
    """Build the floor app: ``GET /`` (health), ``POST /emit`` and the ``join`` handler."""
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="gevent", message_queue=os.environ.get("REDIS_URL") or None,
                        channel=os.environ.get("SOCKETIO_CHANNEL", "flask-socketio"),
                        cors_allowed_origins=[], logger=False, engineio_logger=False)
    versions = count(1)

    @socketio.on("join", namespace=NAMESPACE)
    def on_join(data: Any) -> None:
        """Join the one room (a display) or a line's room (a phone) and get a snapshot, as on Loket."""
        line = data.get("line") if isinstance(data, dict) else None
        join_room(f"line:{line}" if line else ROOM)
        emit("snapshot", {"version": 0, "unit": {"slug": "u", "name": "Bare"}, "services": [], "counters": []})

    @app.post("/emit")
    def emit_called() -> dict[str, Any]:
        """Announce a call to the room (and a line's), with the payload shape of Loket's ``called`` event."""
        line = (request.get_json(silent=True) or {}).get("line")
        version = next(versions)
        number = f"A-{version:03d}"
        socketio.emit(
            "called",
            {
                "version": version,
                "number": number,
                "service": {"code": "A", "name": "Pendaftaran / Pengajuan Berkas"},
                "counter": {"number": 1, "name": "Loket 1"},
                "call_count": 1,
            },
            to=[ROOM, f"line:{line}"] if line else ROOM,
            namespace=NAMESPACE,
        )
        return {"number": number, "version": version}

    @app.get("/")
    def health() -> str:
        """Answer 200 once the worker is up."""
        return "ok"

    return app
