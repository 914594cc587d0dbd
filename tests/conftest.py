"""Shared fixtures: the app on a database built by the migrations, a clean database per test,
factories, a live server and a headless Chromium.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import contextvars
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, delete, select
from werkzeug.serving import make_server

from antrian.events import forget_everything
from config import Config, database_url_from_env
from webapp import create_app
from webapp.auth.models import User
from webapp.core.extensions import db, limiter
from webapp.core.page_cache import page_cache
from webapp.core.units import Unit
from webapp.kinerja.service import figure_cache
from webapp.standards.components import normalise_standard
from webapp.standards.models import Service
from webapp.standards.versions import create_service, publish_document

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, g and database session.

    Tests hold a request context open (for url_for and the database); a request made
    inside it would otherwise share its g and session, so a login cached in g on one
    request would leak into the next. Afterwards the test's own session is expired, so
    it reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


def _reset_database(url: str) -> None:
    """Drop every table (the migrations build the schema afresh)."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(bind=engine)
    metadata.drop_all(bind=engine)
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """TEST_DATABASE_URL when given (PostgreSQL in CI), else an SQLite file of this run."""
    url = database_url_from_env(os.environ.get("TEST_DATABASE_URL"))
    if url:
        _reset_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application, with its schema built by the Alembic migrations."""

    class TestConfig(Config):
        TESTING = True
        SECRET_KEY = "test-secret-key"
        SQLALCHEMY_DATABASE_URI = database_url
        PUBLIC_BASE_URL = ""
        SERVER_NAME = None
        QUEUE_DAYS = frozenset(range(1, 8))  # tests run on any day of the week
        QUEUE_STATE_DELAY = 0.0  # state right after each change, so tests need not wait
        OUTBOX_SEND_AFTER_REQUEST = False  # tests deliver with deliver_due() when they mean to

    application = create_app(TestConfig)
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    yield application


@pytest.fixture
def scratch_app(make_app, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database of the suite's kind, for migration tests that go up and down.

    SQLite: a file of its own. PostgreSQL: a schema of its own in the suite's database
    (``search_path``), dropped afterwards, so the suite's tables are never touched.
    """
    from sqlalchemy.engine import make_url

    schema = None
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'scratch.sqlite'}"
    else:
        schema = "scratch_migrations"
        _run_sql(database_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE", f"CREATE SCHEMA {schema}")
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)

    class ScratchConfig(Config):
        TESTING = True
        SECRET_KEY = "test-secret-key"
        SQLALCHEMY_DATABASE_URI = url
        OUTBOX_SEND_AFTER_REQUEST = False

    scratch = make_app(ScratchConfig)
    yield scratch
    with scratch.app_context():
        db.session.remove()
        db.engine.dispose()
    if schema:
        _run_sql(database_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _run_sql(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(app: Flask) -> Iterator[None]:
    """Every test starts on empty tables, inside a request context so that url_for works.

    Rate-limit counters are emptied too: the anonymous ticket counts (antrian.flood) are keyed by a
    service's id, which SQLite hands out again after the tables are emptied.
    """
    page_cache.clear()
    figure_cache.clear()
    limiter.reset()
    forget_everything()  # what the realtime channel sent, by ticket id: ids start again in an emptied table
    with app.test_request_context():
        yield
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def make_app(app: Flask):
    """Build another app with its own config; afterwards give the shared extensions back to the suite's app.

    Flask-SocketIO and Flask-Limiter are single objects that each init_app rebinds.
    """
    from webapp.core.extensions import limiter, socketio

    server = socketio.server
    yield create_app
    socketio.server = server
    limiter.init_app(app)


@pytest.fixture
def socket_client(app: Flask):
    """Flask-SocketIO test clients on /antrian; afterwards the server talks to real clients again.

    Flask-SocketIO's test client replaces the server's packet sender for good, which would
    leave the browsers of later tests deaf.
    """
    from antrian.events import NAMESPACE
    from webapp.core.extensions import socketio

    server = socketio.server
    handlers = (server.async_handlers, server.eio.async_handlers)
    clients = []

    def factory():
        made = socketio.test_client(app, namespace=NAMESPACE)
        clients.append(made)
        return made

    yield factory
    for made in clients:
        if made.is_connected(NAMESPACE):
            made.disconnect(namespace=NAMESPACE)
    for name in ("_send_packet", "_send_eio_packet"):
        server.__dict__.pop(name, None)  # the class's own senders come back
    server.async_handlers, server.eio.async_handlers = handlers


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo data of data/ loaded."""
    from webapp.demo.loader import load_demo

    load_demo()


# --- factories -------------------------------------------------------------------------


@pytest.fixture
def make_unit():
    """Create a unit; keyword arguments override the defaults."""
    counter = {"n": 0}

    def factory(**overrides) -> Unit:
        counter["n"] += 1
        values = {
            "slug": f"unit-uji-{counter['n']}",
            "name": f"Dinas Uji {counter['n']}",
            "short_name": f"Dinas Uji {counter['n']}",
            "timezone": "Asia/Jakarta",
            "contacts": [],
        }
        values.update(overrides)
        unit = Unit(**values)
        db.session.add(unit)
        db.session.commit()
        return unit

    return factory


def standard_document(**overrides) -> dict:
    """A small valid standard document; keyword arguments override top-level fields."""
    doc = {
        "unit": None,
        "slug": "layanan-uji",
        "title": "Layanan Uji",
        "category": "perizinan",
        "source": "Dokumen uji",
        "source_note": None,
        "components": {
            "persyaratan": {"items": [{"text": "Fotokopi KTP"}, {"text": "Surat permohonan"}]},
            "prosedur": {"items": [{"text": "Pemohon mendaftar di Front Office"}, {"text": "Izin diserahkan"}]},
            "jangka_waktu": {"days": 3, "paragraphs": ["3 (tiga) hari kerja"]},
            "biaya": {"amount": 0, "paragraphs": ["Gratis"]},
            "produk": {"paragraphs": ["Surat Izin Uji"]},
            "pengaduan": {"items": [{"text": "E-mail: uji@example.go.id"}]},
        },
        "complaint_channels": [{"kind": "email", "label": "E-mail", "value": "uji@example.go.id"}],
        "sop": None,
        "guides": [],
        "decree": None,
    }
    doc.update(overrides)
    return doc


@pytest.fixture
def make_service(make_unit):
    """Create a service standard from ``standard_document(**overrides)``, published (version 1) or as a draft."""

    def factory(unit: Unit | None = None, published: bool = True, **overrides) -> Service:
        unit = unit or make_unit()
        document = standard_document(**overrides)
        if published:
            normalised = normalise_standard({**document, "unit": unit.slug})
            service = Service(unit=unit)
            service.apply_document(normalised)
            db.session.add(service)
            db.session.flush()
            publish_document(service, document, "uji", actor=None)
        else:
            service = create_service(unit, document, actor=None)
        db.session.commit()
        return service

    return factory


def open_all_day(unit: Unit) -> None:
    """The unit's queue lines open around the clock, so that a test can take a ticket at any hour it runs."""
    from datetime import time

    from antrian.models import QueueService

    for line in db.session.scalars(select(QueueService).where(QueueService.unit_id == unit.id)):
        line.opens_at, line.closes_at = time(0, 0), time(0, 0)
    db.session.commit()


@pytest.fixture
def make_queue(make_unit):
    """A unit with queue services A and B (open all day) and counters 1 (A, B) and 2 (A)."""
    from datetime import time

    from antrian.models import Counter, QueueService

    def factory(unit: Unit | None = None, daily_cap: int | None = None) -> dict:
        unit = unit or make_unit()
        a = QueueService(unit=unit, code="A", name="Pendaftaran", opens_at=time(0, 0), closes_at=time(0, 0),
                         daily_cap=daily_cap)  # fmt: skip
        b = QueueService(unit=unit, code="B", name="Pengambilan Izin", opens_at=time(0, 0), closes_at=time(0, 0))
        one = Counter(unit=unit, number=1, name="Loket 1", queue_services=[a, b])
        two = Counter(unit=unit, number=2, name="Loket 2", queue_services=[a])
        db.session.add_all([a, b, one, two])
        db.session.commit()
        return {"unit": unit, "A": a, "B": b, "loket1": one, "loket2": two}

    return factory


@pytest.fixture
def make_complaint(make_service):
    """File a complaint about a new published service of ``unit`` (None: about no unit's service, "lainnya").

    ``title`` names the service (it shows in the report's tables); other keyword arguments
    are fields of ``ComplaintInput``; ``now`` is the moment of receipt. Committed.
    """
    from webapp.pengaduan.models import Complaint
    from webapp.pengaduan.service import ComplaintInput, file_complaint

    counter = {"n": 0}

    def factory(unit: Unit | None = None, *, title: str | None = None, now=None, **overrides) -> Complaint:
        counter["n"] += 1
        service = None
        if unit is not None:
            service = make_service(unit=unit, slug=f"layanan-aduan-{counter['n']}",
                                   title=title or f"Layanan Aduan {counter['n']}")
        values = {"description": "Antrean di loket pendaftaran tidak bergerak.", "phone": "081298765432",
                  "service": service, "service_other": "" if service else "Lainnya uji"}
        values.update(overrides)
        complaint, _ = file_complaint(ComplaintInput(**values), now=now)
        db.session.commit()
        return complaint

    return factory


# --- kinerja: hand-made queue data ------------------------------------------------------------

MONDAY = date(2026, 11, 16)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """A UTC moment (kinerja tests)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def make_ticket(line, sequence: int, issued: datetime, wait: float | None, status: str = "done",
                day: date = MONDAY, counter=None) -> Any:
    """A hand-made ticket of ``line`` (kinerja tests): taken at ``issued``, called ``wait`` minutes later."""
    from antrian.models import Ticket

    ticket = Ticket(unit_id=line.unit_id, queue_service_id=line.id, issued_service_id=line.id, day=day,
                    sequence=sequence, number=f"{line.code}-{sequence:03d}", token=secrets.token_urlsafe(32),
                    status=status, issued_at=issued, counter=counter,
                    called_at=None if wait is None else issued + timedelta(minutes=wait))
    db.session.add(ticket)
    return ticket


@pytest.fixture
def queue_day(make_queue):
    """Line A: five called tickets waiting 2, 4, 6, 8, 10 minutes, issued 09.00 WIB (02.00 UTC) on a Monday, one
    still waiting; line B: one ticket issued 06.30 WIB Monday, which is 23.30 UTC on Sunday, and a no-show."""
    q = make_queue()
    a, b = q["A"], q["B"]
    for i, wait in enumerate((2, 4, 6, 8, 10), start=1):
        make_ticket(a, i, utc(MONDAY, 2), wait, counter=q["loket1"] if i == 5 else None)
    make_ticket(a, 6, utc(MONDAY, 2, 30), None, "waiting")
    make_ticket(b, 1, utc(MONDAY - timedelta(days=1), 23, 30), 30)
    make_ticket(b, 2, utc(MONDAY, 3), 1, "skipped", counter=q["loket2"])
    held = make_ticket(a, 7, utc(MONDAY, 3), 3, "serving", counter=q["loket2"])
    db.session.commit()
    return {**q, "held": held}


PASSWORD = "kata-sandi-uji-123"


@pytest.fixture
def make_user():
    """Create a staff account with PASSWORD."""
    counter = {"n": 0}

    def factory(role: str = "admin", unit: Unit | None = None, username: str | None = None) -> User:
        counter["n"] += 1
        user = User(username=username or f"{role}{counter['n']}", name=f"Petugas {counter['n']}", role=role, unit=unit)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def login(client, make_user):
    """Log the test client in as a new account of ``role`` (through the session, not the form)."""

    def do(role: str = "admin", unit: Unit | None = None, username: str | None = None) -> User:
        user = make_user(role=role, unit=unit, username=username)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["login_at"] = session["seen_at"] = int(time.time())
        return user

    return do


def csrf_from(client: FlaskClient, url: str) -> str:
    """The CSRF token of the first form on the page at ``url``."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def redis_test_url() -> str | None:
    """A Redis for tests: REDIS_TEST_URL, else a local one if it answers; None when there is none.

    With REQUIRE_REDIS=1 (CI) a missing Redis fails instead of skipping.
    """
    import redis

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but no Redis answers at {url}")
        return None
    return url


# --- live server and browser -------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; nothing downloads a browser.

    ``expect`` waits up to 10 s rather than Playwright's 5: CI shares its 2 cores with the live
    server, PostgreSQL and Chromium, and an assertion that holds only waits as long as it needs.
    """
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (see README).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def focus_within(page, selector: str, seconds: float = 5) -> bool:
    """Whether the focus is on ``selector`` or inside it within ``seconds`` (a Playwright page).

    Polled from Python, not with ``wait_for_function``: a test may install Playwright's fake clock,
    which drives the page's timers too. A script that moves the focus runs a moment after the text
    it shows (deferred, or when htmx settles a swap); a focus that never arrives still fails.
    """
    deadline = time.monotonic() + seconds
    script = "(selector) => !!document.activeElement && !!document.activeElement.closest(selector)"
    while not page.evaluate(script, selector):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def artifacts() -> Path:
    """Where browser tests save screenshots for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def fresh_limits():
    """Empty rate-limit counters before and after the test (they live in memory across tests)."""
    limiter.reset()
    yield
    limiter.reset()


class FakePrinter:
    """A thermal printer on 127.0.0.1: accepts connections on port ``port`` and keeps every job's bytes."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        # No accept() timeout: a test may take its time before the first job; stop() wakes accept() up.
        self.port = self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self.done = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            while True:
                connection, _ = self.server.accept()
                if self.stopping:
                    connection.close()
                    return
                with connection:
                    job = b""
                    while chunk := connection.recv(4096):  # the client closes the connection after the cut
                        job += chunk
                self.jobs.append(job)
                self.done.set()
        except OSError:  # closed by stop()
            return

    def stop(self) -> None:
        self.stopping = True
        socket.create_connection(("127.0.0.1", self.port), timeout=2).close()  # wakes accept() up
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    """A fake ESC/POS network printer on loopback (``printer.port``; ``printer.jobs``, ``printer.done``)."""
    fake = FakePrinter()
    yield fake
    fake.stop()


@pytest.fixture
def printer_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a kiosk print to the fake printer on loopback, on any port (a real one is refused)."""
    monkeypatch.setattr("antrian.printing.PRINTER_PORTS", range(1, 65536))
    monkeypatch.setattr("antrian.printing.refused_ip", lambda ip: False)


@pytest.fixture(scope="session")
def cert(tmp_path_factory: pytest.TempPathFactory):
    """A self-signed test signing certificate (webapp.core.signing.make_test_certificate), made once per run."""
    from tests.signing_support import PASSWORD
    from webapp.core.signing import make_test_certificate

    return make_test_certificate("Dinas Uji Tanda Tangan", tmp_path_factory.mktemp("ttd"), PASSWORD)


# --- clock and bookings ------------------------------------------------------------------


class Clock:
    """A settable clock: None runs on the real time, ``set(moment)`` stops it at an aware UTC moment."""

    def __init__(self) -> None:
        self.now = None

    def set(self, moment) -> None:
        """Stop the clock at ``moment`` (later calls may move it)."""
        self.now = moment

    def __call__(self):
        from datetime import UTC, datetime

        return self.now or datetime.now(UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The app's clock, settable in tests (a booked slot's time): the local-time API, the queue's call order and
    counter actions, the lobby display and reservasi read it instead of the real time."""
    import antrian.reading
    import antrian.routes
    import antrian.service
    import webapp.core.localtime
    import webapp.reservasi.service

    fake = Clock()
    for module in (webapp.core.localtime, antrian.reading, antrian.routes, webapp.reservasi.service):
        monkeypatch.setattr(module, "utcnow", fake)
    monkeypatch.setattr(antrian.service, "_now", lambda now=None: now or fake())
    return fake


@pytest.fixture
def booking_line(make_queue):
    """A unit whose line A (open all day) takes bookings: 30-minute slots of 4 places, half for walk-ins (2 bookable),
    14 days ahead, check-in from 15 minutes before to 30 minutes after the start."""
    from webapp.reservasi.models import BookingSetup

    def factory(**overrides) -> dict:
        queue = make_queue()
        values = {"enabled": True, "slot_minutes": 30, "places": 4, "walk_in_percent": 50, "days_ahead": 14,
                  "early_minutes": 15, "late_minutes": 30, "mark": "R", "max_per_contact": 1, "noshow_limit": 2,
                  "noshow_days": 14, "ask_nik": False}
        values.update(overrides)
        db.session.add(BookingSetup(queue_service_id=queue["A"].id, **values))
        db.session.commit()
        return queue

    return factory
