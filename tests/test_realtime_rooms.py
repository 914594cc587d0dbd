"""Rooms by what a client shows (issue 18, docs/realtime.md): displays get patches, phones their own ticket.

With the Socket.IO test client and QUEUE_STATE_DELAY 0 (tests/conftest.py): a change is broadcast
before the action returns.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from antrian import events
from antrian.counter import act
from antrian.events import NAMESPACE, _call_event, publish_change, state_patch
from antrian.issuing import issue_ticket
from antrian.models import Ticket
from antrian.reading import open_ticket_facts, snapshot, ticket_view
from antrian.service import call_next, finish, start_serving, transfer
from webapp.core.extensions import db

FACTS = ("number", "status", "service", "people_ahead", "estimated_wait_minutes", "estimated_wait_text", "counter")


def _names(client) -> list[str]:
    return [e["name"] for e in client.get_received(NAMESPACE)]


def _apply(state: dict, patch: dict) -> dict:
    """What static/js/layar.js ``patched`` does."""
    result = dict(state)
    for key, value in patch.items():
        if key == "base":
            continue
        ident = {"services_changed": "code", "counters_changed": "id"}.get(key)
        if ident is None:
            result[key] = value
            continue
        whole = "services" if key == "services_changed" else "counters"
        by_ident = {item[ident]: item for item in value}
        result[whole] = [by_ident.get(item[ident], item) for item in result[whole]]
    return result


def test_a_ticket_s_facts_are_those_of_its_view(make_queue):
    q = make_queue()
    served = issue_ticket(q["A"])
    waiting = [issue_ticket(q["A"]) for _ in range(3)] + [issue_ticket(q["B"])]
    first = call_next(q["loket1"])
    first.called_at -= timedelta(minutes=10)  # a finished ticket gives the line its mean service time
    db.session.commit()
    finish(q["loket1"], served.id)
    call_next(q["loket2"])
    facts = open_ticket_facts(q["unit"])
    db.session.expire_all()
    open_tickets = db.session.scalars(db.select(Ticket).where(Ticket.status != Ticket.DONE)).all()
    assert {t.id for t in open_tickets} == set(facts) and len(facts) == len(waiting)
    for ticket in open_tickets:
        view = ticket_view(ticket)
        assert facts[ticket.id] == {key: view[key] for key in FACTS}, ticket.number
    assert any(f["estimated_wait_text"] for f in facts.values())  # the estimate is there, worded


def test_a_ticket_taken_in_english_gets_its_estimate_in_english(make_queue):
    q = make_queue()
    served = issue_ticket(q["A"])
    indonesian, english = issue_ticket(q["A"]), issue_ticket(q["A"])
    english.locale = "en"
    first = call_next(q["loket1"])
    first.called_at -= timedelta(minutes=10)
    db.session.commit()
    finish(q["loket1"], served.id)
    facts = open_ticket_facts(q["unit"])
    assert facts[indonesian.id]["estimated_wait_text"].startswith("sekitar")
    assert facts[english.id]["estimated_wait_text"].startswith("about")


def test_a_display_with_patches_gets_the_change_only_and_it_adds_up_to_the_state(make_queue, socket_client):
    q = make_queue()
    issue_ticket(q["A"])
    issue_ticket(q["B"])
    publish_change(q["unit"], issued=True)  # this process's last state: the one the patch applies to
    display, plain = socket_client(), socket_client()
    display.emit("join", {"unit": q["unit"].slug, "patches": True}, namespace=NAMESPACE)
    plain.emit("join", {"unit": q["unit"].slug}, namespace=NAMESPACE)
    shown = display.get_received(NAMESPACE)[0]["args"][0]
    plain.get_received(NAMESPACE)

    called = call_next(q["loket2"])
    publish_change(q["unit"], called=called)
    events = display.get_received(NAMESPACE)
    assert [e["name"] for e in events] == ["called", "state"]
    patch = events[1]["args"][0]
    assert patch["base"] == shown["version"] and patch["version"] == shown["version"] + 1
    # Only what changed: line A and counter 2 (line B and counter 1 did not), and the recent calls.
    assert [s["code"] for s in patch["services_changed"]] == ["A"]
    assert [c["number"] for c in patch["counters_changed"]] == [2]
    assert "services" not in patch and "counters" not in patch and "running_text" not in patch
    whole = next(e for e in plain.get_received(NAMESPACE) if e["name"] == "state")["args"][0]
    assert _apply(shown, patch) == whole == snapshot(q["unit"])  # the patch adds up to the whole state


def test_a_display_that_asks_again_sits_in_one_room_only(make_queue, socket_client):
    """A display that changes its mind (or rejoins after a version gap) gets each change once, not twice."""
    q = make_queue()
    issue_ticket(q["A"])
    publish_change(q["unit"], issued=True)
    patches, whole = socket_client(), socket_client()
    for client, joins in ((patches, ({}, {"patches": True})), (whole, ({"patches": True}, {}))):
        for extra in joins:
            client.emit("join", {"unit": q["unit"].slug, **extra}, namespace=NAMESPACE)
        client.get_received(NAMESPACE)

    publish_change(q["unit"], called=call_next(q["loket1"]))
    states = [e["args"][0] for e in patches.get_received(NAMESPACE) if e["name"] == "state"]
    assert len(states) == 1 and "base" in states[0]  # the patch, not the whole state as well
    states = [e["args"][0] for e in whole.get_received(NAMESPACE) if e["name"] == "state"]
    assert len(states) == 1 and "base" not in states[0]


def test_a_patch_on_another_list_of_lines_carries_the_whole_list():
    before = {"version": 3, "day": "2026-11-30", "services": [{"code": "A", "waiting": []}], "counters": []}
    after = {"version": 4, "day": "2026-11-30", "counters": [],
             "services": [{"code": "A", "waiting": []}, {"code": "B", "waiting": ["B-001"]}]}
    assert state_patch(before, after) == {"version": 4, "base": 3, "services": after["services"]}
    assert state_patch(None, after) == after  # nothing to patch: the whole state
    assert state_patch(before | {"day": "2026-11-29"}, after) == after  # another day
    assert state_patch(after, before) == before  # not newer: whole (a client ignores it)


def test_a_phone_hears_its_own_line_and_ticket_only(make_queue, socket_client):
    q = make_queue()
    other_line = issue_ticket(q["B"])  # first: Loket 1 (A and B) calls it first
    behind = issue_ticket(q["B"])
    first = issue_ticket(q["A"])
    mine = issue_ticket(q["A"])
    phone = socket_client()
    phone.emit("join", {"ticket": mine.token}, namespace=NAMESPACE)
    snap = phone.get_received(NAMESPACE)[0]
    assert snap["name"] == "snapshot"
    assert set(snap["args"][0]) == {"version", "unit", "day", "ticket"}  # no other visitor's number
    assert snap["args"][0]["ticket"]["people_ahead"] == 1
    publish_change(q["unit"])  # the first change after a join sends the facts once, whatever they are
    assert _names(phone) == ["position"]

    # A call in line B: not this phone's line, and its ticket's facts did not change.
    publish_change(q["unit"], called=call_next(q["loket1"]))
    assert phone.get_received(NAMESPACE) == []
    assert other_line.status == Ticket.CALLED and behind.status == Ticket.WAITING

    # A call in line A: the call (the lobby TV shows it) and this ticket's new position.
    finish(q["loket1"], other_line.id)
    publish_change(q["unit"])
    assert phone.get_received(NAMESPACE) == []
    publish_change(q["unit"], called=call_next(q["loket2"]))
    events = phone.get_received(NAMESPACE)
    assert [e["name"] for e in events] == ["called", "position"]
    assert events[0]["args"][0]["number"] == first.number == "A-001"
    position = events[1]["args"][0]
    assert (position["number"], position["status"], position["people_ahead"]) == ("A-002", "waiting", 0)
    assert position["version"] == events[0]["args"][0]["version"]
    assert "A-001" not in str(position) and "B-00" not in str(events)
    publish_change(q["unit"])  # nothing changed for it: nothing sent
    assert phone.get_received(NAMESPACE) == []

    # Its own call, its start, its end: a position each (and the call's event).
    start_serving(q["loket2"], first.id)
    finish(q["loket2"], first.id)
    publish_change(q["unit"], called=call_next(q["loket2"]))
    events = phone.get_received(NAMESPACE)
    assert [e["name"] for e in events] == ["called", "position"]
    assert events[1]["args"][0]["status"] == "called"
    assert events[1]["args"][0]["counter"] == {"number": 2, "name": "Loket 2"}
    start_serving(q["loket2"], mine.id)
    publish_change(q["unit"])
    assert phone.get_received(NAMESPACE)[0]["args"][0]["status"] == "serving"
    finish(q["loket2"], mine.id)
    publish_change(q["unit"])
    (done,) = phone.get_received(NAMESPACE)
    assert done["args"][0]["status"] == "done" and done["args"][0]["number"] == "A-002"
    publish_change(q["unit"])
    assert phone.get_received(NAMESPACE) == []  # nothing more about a closed ticket


def test_a_phone_that_joins_after_the_last_change_hears_its_ticket_close(make_queue, socket_client):
    # A phone that (re)connects while its visitor is served, and the next change is the service's end:
    # it is told "done" (and tiket.js reloads the page for the survey link), though it was sent no facts yet.
    q = make_queue()
    mine = issue_ticket(q["A"])
    publish_change(q["unit"], called=call_next(q["loket1"]))
    start_serving(q["loket1"], mine.id)
    publish_change(q["unit"])
    phone = socket_client()
    phone.emit("join", {"ticket": mine.token}, namespace=NAMESPACE)
    (snap,) = phone.get_received(NAMESPACE)
    assert snap["args"][0]["ticket"]["status"] == "serving"
    finish(q["loket1"], mine.id)
    publish_change(q["unit"])
    (done,) = phone.get_received(NAMESPACE)
    assert done["name"] == "position" and done["args"][0]["status"] == "done"
    publish_change(q["unit"])
    assert phone.get_received(NAMESPACE) == []  # told once


def test_a_transferred_phone_joins_its_new_line(make_queue, socket_client):
    q = make_queue()
    mine = issue_ticket(q["A"])
    issue_ticket(q["B"])
    phone = socket_client()
    phone.emit("join", {"ticket": mine.token}, namespace=NAMESPACE)
    phone.get_received(NAMESPACE)
    call_next(q["loket2"])
    transfer(q["loket2"], mine.id, q["B"])
    publish_change(q["unit"])
    (moved,) = phone.get_received(NAMESPACE)
    # Issued before B-001, it comes first in its new line too (the call order is by arrival).
    assert moved["args"][0]["service"]["code"] == "B" and moved["args"][0]["people_ahead"] == 0
    phone.emit("join", {"ticket": mine.token}, namespace=NAMESPACE)  # what tiket.js does on another line
    phone.get_received(NAMESPACE)
    publish_change(q["unit"], called=call_next(q["loket1"]))  # in the phone's new line: its call
    events = phone.get_received(NAMESPACE)
    assert [e["name"] for e in events] == ["called", "position"]
    assert events[0]["args"][0]["number"] == mine.number and events[1]["args"][0]["status"] == "called"


def test_the_work_of_a_change_does_not_grow_with_the_phones(app, make_queue, socket_client):
    """One broadcast costs the same queries with 1 phone or 12 (and 3 displays): none per client."""
    q = make_queue()
    tickets = [issue_ticket(q["A" if i % 2 else "B"]) for i in range(12)]

    def queries_of_a_change() -> int:
        statements: list[str] = []

        def count(*_args) -> None:
            statements.append("x")

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            publish_change(q["unit"], issued=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    phone = socket_client()
    phone.emit("join", {"ticket": tickets[0].token}, namespace=NAMESPACE)
    one = queries_of_a_change()
    for ticket in tickets[1:]:
        socket_client().emit("join", {"ticket": ticket.token}, namespace=NAMESPACE)
    for _ in range(3):
        socket_client().emit("join", {"unit": q["unit"].slug, "patches": True}, namespace=NAMESPACE)
    assert queries_of_a_change() == one


def test_the_old_behaviour_sends_the_whole_state_to_phones_too(app, make_queue, socket_client, monkeypatch):
    monkeypatch.setitem(app.config, "QUEUE_REALTIME_FULL_STATE", True)
    q = make_queue()
    mine = issue_ticket(q["A"])
    phone = socket_client()
    phone.emit("join", {"ticket": mine.token}, namespace=NAMESPACE)
    assert "services" in phone.get_received(NAMESPACE)[0]["args"][0]
    issue_ticket(q["B"])
    publish_change(q["unit"], issued=True)
    (state,) = phone.get_received(NAMESPACE)
    assert state["name"] == "state" and state["args"][0]["services"][1]["waiting"] == ["B-001"]


def test_a_change_on_one_process_reaches_a_phone_and_a_display_of_the_other(database_url, make_queue, make_user):
    """With Redis: the one message of a change is delivered by the other process to its own clients."""
    import os
    import threading

    import requests
    import socketio

    from tests.conftest import redis_test_url
    from tests.test_antrian_multiprocess import _free_port, _start, _wait_up

    redis_url = redis_test_url()
    if redis_url is None:
        import pytest

        pytest.skip("no Redis on this machine (CI runs this with REQUIRE_REDIS=1)")
    q = make_queue()
    first, mine = issue_ticket(q["A"]), issue_ticket(q["A"])
    user = make_user(role="petugas_loket", unit=q["unit"])
    _, token = user.issue_token("uji")
    db.session.commit()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECRET_KEY": "dua-proses",
           "QUEUE_DAYS": "1,2,3,4,5,6,7", "PAGE_CACHE_SECONDS": "0", "SOCKETIO_CHANNEL": f"uji-{os.getpid()}"}
    ports = [_free_port(), _free_port()]
    processes = [_start(port, env) for port in ports]
    phone, display = socketio.Client(reconnection=False), socketio.Client(reconnection=False)
    positions: list[dict] = []
    states: list[dict] = []
    moved, patched = threading.Event(), threading.Event()

    def on_position(data: dict) -> None:
        positions.append(data)
        if data["people_ahead"] == 0:
            moved.set()

    def on_state(data: dict) -> None:
        states.append(data)
        patched.set()

    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_up(port, process)
        phone.on("position", on_position, namespace=NAMESPACE)
        display.on("state", on_state, namespace=NAMESPACE)
        for client, join in ((phone, {"ticket": mine.token}), (display, {"unit": q["unit"].slug, "patches": True})):
            joined = threading.Event()
            client.on("snapshot", lambda _data, joined=joined: joined.set(), namespace=NAMESPACE)
            client.connect(f"http://127.0.0.1:{ports[1]}", namespaces=[NAMESPACE], transports=["websocket"])
            client.emit("join", join, namespace=NAMESPACE)
            assert joined.wait(10)
        answer = requests.post(f"http://127.0.0.1:{ports[0]}/api/v1/antrian/loket/{q['loket2'].id}/panggil",
                               headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 200, answer.text
        assert moved.wait(10), f"no position on the second process: {positions}"
        assert positions[-1]["number"] == mine.number and first.number not in str(positions)
        assert patched.wait(10), "no state on the second process"
        assert any(s.get("counters_changed") or s.get("counters") for s in states)  # the call, in a patch or whole
    finally:
        for client in (phone, display):
            if client.connected:
                client.disconnect()
        for process in processes:
            process.send_signal(__import__("signal").SIGQUIT)
        for process in processes:
            process.wait(timeout=20)


def test_a_counter_call_is_announced_at_its_commit_before_anything_else(app, make_queue, make_service, make_user,
                                                                        socket_client, monkeypatch):
    """Between the call's commit and its `called` frames the lobby waits for no database round trip, and nothing
    that can wait is done before the commit: the survey invitation of the ticket the call finished comes after the
    announcement, in a unit of work of its own. The event equals the one read back from the committed call."""
    # The state follows later, in a background task: not this test's subject, and never started here.
    monkeypatch.setitem(app.config, "QUEUE_STATE_DELAY", 60)
    monkeypatch.setattr(events, "_scheduled", set())
    monkeypatch.setattr(events.socketio, "start_background_task", lambda *args: None)
    q = make_queue()
    make_service(unit=q["unit"])  # the survey's only service: the served ticket's invitation is about it
    officer = make_user(role="petugas_loket")
    issue_ticket(q["A"])
    issue_ticket(q["A"])
    act(q["loket1"], "panggil", officer)
    act(q["loket1"], "mulai", officer)  # the next panggil finishes it: the survey's invitation follows
    display = socket_client()
    display.emit("join", {"unit": q["unit"].slug, "patches": True}, namespace=NAMESPACE)
    display.get_received(NAMESPACE)
    steps: list[str] = []

    def record(_conn, _cursor, statement, *_rest) -> None:
        steps.append(statement.lstrip().split("(")[0].split(" WHERE")[0][:40])

    emit = events.socketio.emit

    def announce(name: str, *args, **kwargs) -> None:
        steps.append(f"emit {name}")
        emit(name, *args, **kwargs)

    def committed(_conn) -> None:
        steps.append("commit")

    monkeypatch.setattr(events.socketio, "emit", announce)
    event.listen(db.engine, "before_cursor_execute", record)
    event.listen(db.engine, "commit", committed)
    try:
        outcome = act(q["loket1"], "panggil", officer)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
        event.remove(db.engine, "commit", committed)
    call_commit = steps.index("emit called") - 1
    assert steps[call_commit] == "commit", steps
    # The version the call raised comes back from its own upsert, not from a read of the row.
    assert not [s for s in steps[:call_commit] if s.startswith("SELECT") and "queue_state" in s], steps
    assert not [s for s in steps[:call_commit] if "survey_invitation" in s or "FROM service" in s], steps
    assert [s for s in steps[call_commit:] if s.startswith("INSERT INTO survey_invitation")], steps
    [called] = [e["args"][0] for e in display.get_received(NAMESPACE) if e["name"] == "called"]
    assert called == _call_event(outcome.called.id).event
    assert called["number"] == "A-002" and called["counter"]["number"] == q["loket1"].number


def test_with_several_processes_a_call_is_published_before_this_process_sends_it(monkeypatch):
    """QueueRedisManager.announce: the other processes' screens do not wait for this process's own sends."""
    import socketio

    from antrian.events import QueueRedisManager

    steps: list[str] = []
    manager = QueueRedisManager("redis://127.0.0.1:6379/15", channel="uji-urutan")  # no connection is made here

    class Server:
        def start_background_task(self, target, *args):
            steps.append("task")
            target(*args)

        def sleep(self, _seconds):
            steps.append("yield")

    manager.server = Server()
    monkeypatch.setattr(manager, "_publish", lambda message: steps.append(f"publish {message['event']}"))
    # python-socketio's own handling, which sends to this process's clients
    monkeypatch.setattr(socketio.RedisManager, "_handle_emit",
                        lambda self, message: steps.append(f"send here {message['room']}"))
    manager.announce("called", {"number": "A-001"}, ["unit:u", "line:1"])
    assert steps == ["task", "publish called", "yield", "send here ['unit:u', 'line:1']"]

