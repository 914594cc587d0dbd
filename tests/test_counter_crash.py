"""A server that dies between a call's commit and its answer (security M4) loses nothing.

A real gunicorn process runs with LOKET_FAULT=after_call_commit (webapp/core/faults.py): the
counter's panggil commits, then the worker exits with os._exit before it answers or announces.
After a restart without the fault: the ticket is still called at that counter, not served; the
officer's next panggil is refused (409), not a second ticket; a display that connects receives a
snapshot with the call among the recent calls; a reload of the panel shows the ticket held.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import requests
import socketio
from flask import url_for

from antrian.issuing import issue_ticket
from antrian.models import Ticket
from tests.conftest import PASSWORD
from tests.test_antrian_multiprocess import _free_port, _start, _wait_up
from webapp.core.extensions import db
from webapp.core.faults import FAULT_ENV, FAULT_EXIT_CODE


def test_the_fault_point_is_inert_unless_named():
    code = "from webapp.core.faults import fault_point; fault_point('after_call_commit'); print('alive')"
    for value, alive in ((None, True), ("another_point", True), ("after_call_commit", False)):
        env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
        if value:
            env[FAULT_ENV] = value
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout.strip()) == ((0, "alive") if alive else (FAULT_EXIT_CODE, "")), value


def _stop(server: subprocess.Popen) -> str:
    """Stop gunicorn (SIGQUIT, its quick shutdown) and return what it wrote to stderr."""
    if server.poll() is None:
        server.send_signal(signal.SIGQUIT)
    _, err = server.communicate(timeout=30)
    return err.decode(errors="replace")


def _login(base: str, username: str) -> requests.Session:
    """A browser-like session logged in through the real login form."""
    session = requests.Session()
    page = session.get(f"{base}/admin/masuk", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/admin/masuk", timeout=10, allow_redirects=False,
                          data={"csrf_token": token, "username": username, "password": PASSWORD})  # fmt: skip
    assert answer.status_code == 302, answer.text[:500]
    return session


def test_a_call_committed_just_before_a_crash_stays_called_and_is_announced_after_the_restart(
    app, database_url, make_queue, make_user
):
    q = make_queue()
    user = make_user(role="petugas_loket", unit=q["unit"], username="petugas_crash")
    _, token = user.issue_token("uji")
    first, second = issue_ticket(q["A"]), issue_ticket(q["A"])
    db.session.commit()
    unit_slug, counter_id = q["unit"].slug, q["loket1"].id
    with app.test_request_context():
        call_path = url_for("api.counter_action", counter_id=counter_id, action="panggil")
        panel_path = url_for("antrian.counter_panel", loket=counter_id)
    staff = {"Authorization": f"Bearer {token}"}

    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "kerusakan", "QUEUE_DAYS": "1,2,3,4,5,6,7",
           "PAGE_CACHE_SECONDS": "0"}  # fmt: skip
    env.pop("REDIS_URL", None)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    server = _start(port, {**env, FAULT_ENV: "after_call_commit"})
    try:
        _wait_up(port, server)
        try:
            answer = requests.post(f"{base}{call_path}", headers=staff, timeout=30)
        except requests.ConnectionError:
            answer = None  # the worker died with the request open: no answer at all
        assert answer is None, f"an answer came back: {answer.status_code} {answer.text[:200]}"
    finally:
        log = _stop(server)
    assert f"{FAULT_ENV}=after_call_commit: the process exits here on purpose" in log
    assert f"exited with code {FAULT_EXIT_CODE}" in log  # gunicorn saw its worker die, not stop

    db.session.expire_all()
    held = db.session.get(Ticket, first.id)
    assert (held.status, held.counter_id, held.call_count) == (Ticket.CALLED, counter_id, 1)  # committed, not done
    assert held.finished_at is None
    assert db.session.get(Ticket, second.id).status == Ticket.WAITING

    server = _start(port, env)  # the same code, without the fault
    client = socketio.Client(reconnection=False)
    try:
        _wait_up(port, server)
        again = requests.post(f"{base}{call_path}", headers=staff, timeout=30)
        assert again.status_code == 409, again.text
        assert again.json()["error"]["message"].startswith(f"Nomor {first.number} masih dipanggil.")
        db.session.expire_all()
        assert db.session.get(Ticket, first.id).status == Ticket.CALLED
        assert db.session.get(Ticket, second.id).status == Ticket.WAITING  # not a second ticket

        snapshots: list[dict] = []
        got = threading.Event()

        @client.on("snapshot", namespace="/antrian")
        def on_snapshot(data: dict) -> None:
            snapshots.append(data)
            got.set()

        client.connect(base, namespaces=["/antrian"], transports=["websocket"])
        client.emit("join", {"unit": unit_slug}, namespace="/antrian")
        assert got.wait(20), "no snapshot after the restart"
        recent = [c for c in snapshots[0]["recent_calls"] if c["number"] == first.number]
        assert recent and recent[0]["counter"] == q["loket1"].number
        if "called_at" in recent[0]:  # the displays' re-announcement (issue 13, TV part) reads it
            assert recent[0]["called_at"]

        panel = _login(base, "petugas_crash").get(f"{base}{panel_path}", timeout=10)
        assert panel.status_code == 200
        assert f'<p class="counter-number">{first.number}</p>' in panel.text  # the reload shows what it holds
        assert "pilih <strong>Mulai</strong>, <strong>Tidak hadir</strong> atau <strong>Selesai</strong>" in panel.text
    finally:
        if client.connected:
            client.disconnect()
        _stop(server)
