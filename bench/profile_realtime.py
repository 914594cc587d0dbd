"""Profile one queue change's broadcast with few and with many phones: its queries and its time, by function.

The demo unit on a fresh database (SQLite in a temp dir, or --database-url, a loket_bench* PostgreSQL
database that is dropped and created again) with --waiting tickets per line; P phones (Flask-SocketIO
test clients, in this process) follow tickets spread over them, plus 40 displays with patches. A change is
a call at counter 1 (``publish_change`` with ``called``, QUEUE_STATE_DELAY 0, as in the tests). For each P
in --phones: the number of SQL statements of one change, and a cProfile of --changes changes, summarised
as the cumulative time of the functions that matter. The statements must not grow with P; the time does
only in ``deliver``'s sends (one frame per phone whose ticket changed, which no design avoids).

Run: ``.venv/bin/python bench/profile_realtime.py [--phones 50,1000] [--waiting 300]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
from pathlib import Path

import loket_harness as lh
from sqlalchemy import event

FUNCTIONS = ("publish_change", "broadcast", "snapshot", "open_ticket_facts", "closed_tickets", "deliver",
             "state_patch", "call_next", "notify_due", "emit")


def main() -> int:
    """Prepare, connect, profile, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=lambda s: [int(x) for x in s.split(",")], default=[50, 1000])
    parser.add_argument("--waiting", type=int, default=300, help="waiting tickets per line (default 300)")
    parser.add_argument("--changes", type=int, default=20, help="changes profiled per P (default 20)")
    parser.add_argument("--database-url", default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loket-prof-") as tmp:
        loket = lh.prepare_loket(args.database_url, Path(tmp))
        try:
            tickets = lh.issue_backlog(loket.env, args.waiting)
            os.environ.update(loket.env | {"QUEUE_STATE_DELAY": "0", "SOCKETIO_ASYNC_MODE": "threading"})
            sys.path.insert(0, str(lh.ROOT))
            profile(args, tickets)
        finally:
            lh.drop_database(loket.database_url)
    return 0


def profile(args: argparse.Namespace, tickets: list[tuple[str, str]]) -> None:
    """Connect the clients for each P, count one change's statements, profile ``args.changes`` changes."""
    from antrian.events import NAMESPACE, publish_change
    from antrian.models import Counter
    from antrian.service import call_next, start_serving  # the change, and a ticket served so the next call moves
    from webapp import create_app
    from webapp.core.extensions import db, socketio
    from webapp.core.units import Unit

    app = create_app()
    with app.app_context():
        unit = Unit.by_slug(lh.UNIT)
        counter = db.session.scalars(db.select(Counter).where(Counter.unit_id == unit.id).order_by(Counter.number)
                                     ).first()
        clients = [socketio.test_client(app, namespace=NAMESPACE) for _ in range(40)]
        for client in clients:
            client.emit("join", {"unit": lh.UNIT, "patches": True}, namespace=NAMESPACE)
        statements: list[str] = []  # the SQL statements of the change being counted
        for phones in args.phones:
            while len(clients) < 40 + phones:
                client = socketio.test_client(app, namespace=NAMESPACE)
                token = tickets[(len(clients) - 40) * max(1, len(tickets) // phones) % len(tickets)][0]
                client.emit("join", {"ticket": token}, namespace=NAMESPACE)
                clients.append(client)
            for client in clients:
                client.get_received(NAMESPACE)

            def change() -> None:
                called = call_next(counter)
                statements.clear()
                publish_change(unit, called=called)
                if called is not None:
                    start_serving(counter, called.id)

            listener = lambda *_a: statements.append("x")  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            change()
            event.remove(db.engine, "before_cursor_execute", listener)
            counted = len(statements)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.changes):
                change()
            profiler.disable()
            received = sum(len(c.get_received(NAMESPACE)) for c in clients)
            stats = pstats.Stats(profiler)
            rows = {}
            for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
                if name in FUNCTIONS and ("antrian" in filename or "socketio" in filename):
                    key = f"{Path(filename).parent.name}/{Path(filename).name}:{name}"
                    rows[key] = rows.get(key, 0.0) + cumulative
            print(f"\nP={phones} phones + 40 displays, {len(tickets)} waiting: {counted} SQL statements in "
                  f"publish_change; {received / args.changes:.0f} events received per change")
            for key, seconds in sorted(rows.items(), key=lambda kv: -kv[1]):
                print(f"  {seconds * 1e3 / args.changes:8.2f} ms/change  {key}")


if __name__ == "__main__":
    sys.exit(main())
