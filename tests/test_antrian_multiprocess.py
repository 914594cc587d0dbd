"""Two server processes joined by Redis: a call made through one reaches a Socket.IO client of the other.

Each process is gunicorn with the repository's gunicorn.conf.py (a gevent worker), on the
test database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.conftest import redis_test_url
from webapp.core.extensions import db

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(port: int, env: dict) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "webapp:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_up(port: int, process: subprocess.Popen) -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode()[-2000:])
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass  # not listening yet, or still starting on a busy machine
        time.sleep(0.1)
    raise AssertionError(f"server on {port} did not start")


def test_a_call_through_one_process_reaches_a_client_of_the_other(database_url, make_queue, make_user):
    redis_url = redis_test_url()
    if redis_url is None:
        pytest.skip("no Redis on this machine (CI runs this with REQUIRE_REDIS=1)")
    q = make_queue()
    user = make_user(role="petugas_loket", unit=q["unit"])
    _, token = user.issue_token("uji")
    db.session.commit()
    unit_slug, counter_id = q["unit"].slug, q["loket1"].id

    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECRET_KEY": "dua-proses",
           "QUEUE_DAYS": "1,2,3,4,5,6,7", "PAGE_CACHE_SECONDS": "0",
           # The anonymous tickets per address and day are counted in the test Redis, which outlives the run,
           # keyed by a service id that every run's new database gives again: not this test's subject.
           "TICKET_ANON_LIMIT": "1000 per day"}  # fmt: skip
    ports = [_free_port(), _free_port()]
    processes = [_start(port, env) for port in ports]
    client = socketio.Client(reconnection=False)
    received: list[dict] = []
    got_call = threading.Event()
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_up(port, process)

        @client.on("called", namespace="/antrian")
        def on_called(data: dict) -> None:
            received.append(data)
            got_call.set()

        client.connect(f"http://127.0.0.1:{ports[1]}", namespaces=["/antrian"], transports=["websocket"])
        joined = threading.Event()
        client.on("snapshot", lambda data: joined.set(), namespace="/antrian")
        client.emit("join", {"unit": unit_slug}, namespace="/antrian")
        assert joined.wait(10), "no snapshot from the second process"

        first = f"http://127.0.0.1:{ports[0]}"
        assert (
            requests.post(
                f"{first}/api/v1/antrian/tiket", json={"unit": unit_slug, "service": "A"}, timeout=10
            ).status_code
            == 201
        )
        response = requests.post(
            f"{first}/api/v1/antrian/loket/{counter_id}/panggil",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert got_call.wait(10), "the call made on the first process never reached the second"
        assert received[0]["number"] == "A-001"
        assert received[0]["counter"]["number"] == 1
    finally:
        if client.connected:
            client.disconnect()
        for process in processes:
            process.send_signal(signal.SIGQUIT)
        for process in processes:
            process.wait(timeout=20)


@pytest.mark.browser
def test_display_and_phone_come_back_by_themselves_after_a_restart(browser, database_url, make_queue, make_user):
    """The server stops and starts again; the TV and the phone reconnect, resync and show the next call."""
    from playwright.sync_api import expect

    q = make_queue()
    user = make_user(role="petugas_loket", unit=q["unit"])
    _, token = user.issue_token("uji")
    db.session.commit()
    unit_slug, counter_id = q["unit"].slug, q["loket1"].id
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "mulai-ulang", "QUEUE_DAYS": "1,2,3,4,5,6,7",
           "PAGE_CACHE_SECONDS": "0"}  # fmt: skip
    env.pop("REDIS_URL", None)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    staff = {"Authorization": f"Bearer {token}"}
    server = _start(port, env)
    # An Indonesian browser: the test reads the Indonesian texts (Chromium's en-US would get English).
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
    try:
        _wait_up(port, server)
        ticket = requests.post(
            f"{base}/api/v1/antrian/tiket", json={"unit": unit_slug, "service": "A"}, timeout=10
        ).json()
        page.goto(f"{base}/antrian/layar?instansi={unit_slug}")
        phone = browser.new_page(viewport={"width": 360, "height": 740}, locale="id-ID")
        phone.goto(f"{base}/antrian/tiket/{ticket['token']}")
        expect(phone.locator("#koneksi")).to_contain_text("Terhubung")

        server.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: the websockets are cut
        server.wait(timeout=20)
        expect(phone.locator("#koneksi")).to_contain_text("terputus", timeout=15000)
        server = _start(port, env)
        _wait_up(port, server)
        expect(phone.locator("#koneksi")).to_contain_text("Terhubung", timeout=20000)

        called = requests.post(f"{base}/api/v1/antrian/loket/{counter_id}/panggil", headers=staff, timeout=10)
        assert called.status_code == 200, called.text
        expect(page.locator('[data-counter="1"] .d-counter-number')).to_have_text("A-001", timeout=20000)
        expect(phone.locator("#status")).to_contain_text("Silakan ke Loket 1", timeout=20000)
        phone.close()
    finally:
        page.close()
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=20)
