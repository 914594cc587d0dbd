"""The /antrian Socket.IO namespace against hostile clients (security review L4) and its restart contract.

With the Socket.IO test client: malformed `join` payloads get an `error` event, a failing
handler too, and one address holds a bounded number of connections. On a live gunicorn with
the repository's gunicorn.conf.py: browsers from another origin are refused, and a client
is back, with a fresh snapshot, within seconds of a graceful restart (SIGTERM).
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import requests
import socketio
import websocket

from antrian.events import MALFORMED, NAMESPACE, NOT_FOUND
from tests.test_antrian_multiprocess import _free_port, _start, _wait_up

HOSTILE_JOINS = [
    {"ticket": "abc\x00def"},  # PostgreSQL: DataError before the guard
    {"unit": "dpmptsp\x00kampar"},
    {"unit": "\ud800"},  # a lone surrogate
    {"unit": "x" * 1_000_000},
    {"unit": ["dpmptsp-kampar"]},
    {"unit": {"slug": "dpmptsp-kampar"}},
    {"ticket": 12345},
    {"ticket": True},
    {"unit": ""},
    {},
    "dpmptsp-kampar",
    ["join", {"unit": "x"}],
    123,
    None,
]


@pytest.mark.parametrize("payload", HOSTILE_JOINS, ids=lambda p: repr(p)[:30])
def test_a_malformed_join_gets_an_error_event_and_no_exception(app, make_queue, socket_client, caplog, payload):
    make_queue()
    client = socket_client()
    client.emit("join", payload, namespace=NAMESPACE)
    received = client.get_received(NAMESPACE)
    assert [event["name"] for event in received] == ["error"]
    assert received[0]["args"][0] == {"message": MALFORMED}
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.levelname == "ERROR"]
    assert client.is_connected(NAMESPACE)  # and the connection still works
    client.emit("join", {"unit": "tidak-ada"}, namespace=NAMESPACE)
    assert client.get_received(NAMESPACE)[0]["args"][0] == {"message": NOT_FOUND}


def test_a_good_join_beside_a_bad_key_is_refused_not_half_read(make_queue, socket_client):
    q = make_queue()
    client = socket_client()
    client.emit("join", {"unit": q["unit"].slug, "ticket": "x\x00"}, namespace=NAMESPACE)
    assert client.get_received(NAMESPACE)[0]["name"] == "error"
    client.emit("join", {"unit": q["unit"].slug}, namespace=NAMESPACE)
    assert client.get_received(NAMESPACE)[0]["name"] == "snapshot"


def test_a_handler_that_fails_answers_with_an_error_event(make_queue, socket_client, monkeypatch, caplog):
    from antrian import events

    q = make_queue()

    def broken(unit):
        raise RuntimeError("database gone")

    monkeypatch.setattr(events, "snapshot", broken)
    client = socket_client()
    client.emit("join", {"unit": q["unit"].slug}, namespace=NAMESPACE)
    assert client.get_received(NAMESPACE) == [
        {"name": "error", "args": [{"message": events.FAILED}], "namespace": NAMESPACE}
    ]
    assert "RuntimeError" in caplog.text and "database gone" not in caplog.text


# --- a live gunicorn -------------------------------------------------------------------------------


def _server_env(database_url: str, home: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "asal-dan-mulai-ulang",
           "QUEUE_DAYS": "1,2,3,4,5,6,7", "PAGE_CACHE_SECONDS": "0", "HOME": home,
           "PUBLIC_BASE_URL": "https://layanan.contoh.go.id",
           # The public host, and the loopback address this test reaches the server on.
           "TRUSTED_HOSTS": "layanan.contoh.go.id,127.0.0.1"}  # fmt: skip
    for name in ("REDIS_URL", "XDG_RUNTIME_DIR"):
        env.pop(name, None)
    return env


def _websocket_join(port: int, origin: str | None, unit_slug: str) -> str:
    """Open a raw Socket.IO websocket with exactly this Origin (None: none at all), join, return the answer's event.

    websocket-client, not python-socketio: that one adds its own Origin beside a custom one.
    """
    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    options = {"origin": origin} if origin else {"suppress_origin": True}
    ws = websocket.create_connection(url, timeout=10, **options)
    try:
        assert ws.recv().startswith("0{")  # Engine.IO open
        ws.send(f"40{NAMESPACE},")
        assert ws.recv().startswith(f"40{NAMESPACE},")
        ws.send(f'42{NAMESPACE},["join",{{"unit":"{unit_slug}"}}]')
        answer = ws.recv()
        return answer.split("[", 1)[1].split(",", 1)[0].strip('"')
    finally:
        ws.close()


def test_only_the_same_origin_and_the_public_origin_may_connect(database_url, make_queue, tmp_path):
    """L4a: a page of another site cannot open the queue channel, over WebSocket or polling; the site
    itself, its public address (PUBLIC_BASE_URL) and non-browser clients (no Origin) can."""
    q = make_queue()
    unit_slug = q["unit"].slug
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(port, _server_env(database_url, str(tmp_path)))
    handshake = f"{base}/socket.io/?EIO=4&transport=polling"
    try:
        _wait_up(port, server)
        for origin in (base, "https://layanan.contoh.go.id", "HTTPS://LAYANAN.CONTOH.GO.ID", None):
            assert _websocket_join(port, origin, unit_slug) == "snapshot", origin
            answer = requests.get(handshake, headers={"Origin": origin} if origin else {}, timeout=10)
            assert answer.status_code == 200 and answer.text.startswith("0{"), origin
        for origin in ("http://evil.example", "https://layanan.contoh.go.id.evil.example", "null",
                       f"http://127.0.0.1:{port}.evil.example", "https://contoh.go.id"):
            with pytest.raises(websocket.WebSocketBadStatusException) as refused:
                _websocket_join(port, origin, unit_slug)
            assert refused.value.status_code == 400, origin
            answer = requests.get(handshake, headers={"Origin": origin}, timeout=10)
            assert answer.status_code == 400, origin
            assert "access-control-allow-origin" not in {k.lower() for k in answer.headers}
    finally:
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=20)


def test_connections_per_address_are_bounded(database_url, tmp_path):
    """L4c: one address holds at most SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS connections, namespace or not;
    one more is refused (401) until one of them closes."""
    port = _free_port()
    env = {**_server_env(database_url, str(tmp_path)), "SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS": "2"}
    server = _start(port, env)
    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    held: list[websocket.WebSocket] = []
    try:
        _wait_up(port, server)
        for _ in range(2):  # Engine.IO sessions that never open a namespace count too
            held.append(websocket.create_connection(url, timeout=10, suppress_origin=True))
            assert held[-1].recv().startswith("0{")
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(url, timeout=10, suppress_origin=True)
        assert refused.value.status_code == 401
        polling = requests.get(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling", timeout=10)
        assert polling.status_code == 401
        held.pop(0).close()
        deadline = time.monotonic() + 10
        while True:  # the server notices the close within moments
            try:
                held.append(websocket.create_connection(url, timeout=10, suppress_origin=True))
                break
            except websocket.WebSocketBadStatusException:
                assert time.monotonic() < deadline, "the closed connection's place never came free"
                time.sleep(0.2)
        assert held[-1].recv().startswith("0{")
    finally:
        for connection in held:
            connection.close()
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=20)


def test_a_display_is_back_within_seconds_of_a_graceful_restart(database_url, make_queue, tmp_path):
    """Item 12: SIGTERM to gunicorn, start it again; the client's next snapshot comes within 5 s of the new
    server answering, and the old process lets go of its websockets at once (not after graceful_timeout).

    The client reconnects as the display's JavaScript does: 0.5 s first delay, at most 2 s.
    Also I3: gunicorn creates no control socket in the user's home.
    """
    q = make_queue()
    unit_slug = q["unit"].slug
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _server_env(database_url, str(tmp_path))
    server = _start(port, env)
    client = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2,
                             randomization_factor=0.5)
    snapshots: list[float] = []
    disconnected: list[float] = []
    got = threading.Event()

    @client.on("connect", namespace=NAMESPACE)
    def on_connect() -> None:
        client.emit("join", {"unit": unit_slug}, namespace=NAMESPACE)

    @client.on("snapshot", namespace=NAMESPACE)
    def on_snapshot(data: dict) -> None:
        snapshots.append(time.monotonic())
        got.set()

    @client.on("disconnect", namespace=NAMESPACE)
    def on_disconnect(*reason) -> None:
        disconnected.append(time.monotonic())

    try:
        _wait_up(port, server)
        client.connect(base, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=10)
        assert got.wait(10)
        got.clear()
        stopped_at = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=25)
        gone_at = time.monotonic()
        assert disconnected and disconnected[0] - stopped_at < 3, "the stopping worker held the websocket"
        assert gone_at - stopped_at < 5, f"the old server took {gone_at - stopped_at:.1f} s to stop"
        server = _start(port, env)
        _wait_up(port, server)
        up_at = time.monotonic()
        assert got.wait(15), "the client never came back"
        back = snapshots[-1]
        print(f"\nrestart: disconnect {disconnected[0] - stopped_at:.2f} s after SIGTERM, old server gone after "
              f"{gone_at - stopped_at:.2f} s, snapshot {back - up_at:.2f} s after /healthz answered, "
              f"{back - stopped_at:.2f} s after SIGTERM")
        assert back - up_at < 5
    finally:
        if client.connected:
            client.disconnect()
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=20)
        stderr_text = server.stderr.read().decode(errors="replace")
    assert not (tmp_path / ".gunicorn").exists(), "gunicorn made a control socket in HOME"
    assert "Control socket listening" not in stderr_text


def test_gunicorn_conf_disables_the_control_socket():
    """I3, read the way gunicorn reads it: several processes must not fight over ~/.gunicorn/gunicorn.ctl."""
    import runpy

    from gunicorn.config import Config

    from tests.test_antrian_multiprocess import ROOT

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("control_socket_disable", settings["control_socket_disable"])
    assert config.control_socket_disable is True
    assert settings["graceful_timeout"] >= 5  # HTTP requests still get time to finish
