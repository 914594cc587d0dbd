"""Security review M2, I1 (lockout), L1 and L6: login back-off under concurrency, known browsers,
sessions that end, and host names that cannot reach printed URLs."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import url_for

from tests.conftest import PASSWORD, csrf_from
from webapp.auth import throttle
from webapp.auth.models import User
from webapp.auth.routes import KNOWN_BROWSER_COOKIE
from webapp.core.extensions import db, limiter


def _login(client, username, password):
    token = csrf_from(client, url_for("auth.login"))
    return client.post(url_for("auth.login"), data={"csrf_token": token, "username": username, "password": password})


def _logged_in(client) -> bool:
    return client.get(url_for("admin.dashboard")).status_code == 200


def test_twenty_concurrent_wrong_passwords_get_at_most_the_free_checks(app, make_user, monkeypatch):
    """M2: the attempt is written before the password is checked, so a burst cannot skip the back-off."""
    make_user(username="sasaran")
    limiter.reset()
    checks = []
    lock = threading.Lock()
    real_check = User.check_password

    def slow_check(user: User, password: str) -> bool:
        with lock:
            checks.append(password)
        time.sleep(0.05)  # scrypt takes a while: the window in which the burst used to slip through
        return real_check(user, password)

    monkeypatch.setattr(User, "check_password", slow_check)
    url = url_for("auth.login")
    clients = [app.test_client() for _ in range(20)]
    tokens = [csrf_from(client, url) for client in clients]
    start = threading.Barrier(len(clients))

    def guess(i: int) -> int:
        start.wait()
        data = {"csrf_token": tokens[i], "username": "sasaran", "password": f"tebak{i}"}
        return clients[i].post(url, data=data).status_code

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        statuses = list(pool.map(guess, range(len(clients))))
    limiter.reset()
    assert len(checks) <= throttle.FREE_FAILURES + 1, statuses
    assert statuses.count(200) == len(checks)  # each checked guess was told "salah"
    assert statuses.count(429) == len(clients) - len(checks)  # the others were told to wait
    assert throttle.failures_of("sasaran") == len(checks)  # refused attempts are withdrawn


def test_the_officers_own_browser_logs_in_while_strangers_have_locked_the_account(app, client, make_user):
    """I1: a browser that logged in before is counted apart; strangers stay locked."""
    make_user(username="kadis")
    assert _login(client, "kadis", PASSWORD).status_code == 302
    assert client.get_cookie(KNOWN_BROWSER_COOKIE, path=url_for("auth.login")) is not None
    client.post(url_for("auth.logout"), data={"csrf_token": csrf_from(client, url_for("admin.dashboard"))})
    for i in range(throttle.ACCOUNT_LOCK_AFTER):
        throttle.record_failure("kadis", f"10.1.1.{i}")  # strangers from many addresses
    stranger = app.test_client()
    refused = _login(stranger, "kadis", PASSWORD)
    assert refused.status_code == 429
    assert "Terlalu banyak percobaan" in refused.get_data(as_text=True)
    assert _login(client, "kadis", PASSWORD).status_code == 302  # the officer's browser still works


def test_a_known_browser_is_slowed_by_its_own_failures(client, make_user):
    make_user(username="kadis")
    assert _login(client, "kadis", PASSWORD).status_code == 302
    client.post(url_for("auth.logout"), data={"csrf_token": csrf_from(client, url_for("admin.dashboard"))})
    for _ in range(throttle.FREE_FAILURES + 1):
        assert _login(client, "kadis", "salah").status_code == 200
    assert _login(client, "kadis", PASSWORD).status_code == 429


def test_a_forged_known_browser_cookie_counts_as_a_stranger(app, make_user):
    make_user(username="kadis")
    for i in range(throttle.ACCOUNT_LOCK_AFTER):
        throttle.record_failure("kadis", f"10.1.1.{i}")
    forger = app.test_client()
    forger.set_cookie(KNOWN_BROWSER_COOKIE, "eyJ1Ijoia2FkaXMiLCJkIjoieCJ9.palsu.palsu", path=url_for("auth.login"))
    assert _login(forger, "kadis", PASSWORD).status_code == 429


def _copy_of_login(app, client):
    """A second client holding a copy of ``client``'s session cookie (a captured login)."""
    name = app.config["SESSION_COOKIE_NAME"]
    copy = app.test_client()
    copy.set_cookie(name, client.get_cookie(name).value)
    return copy


def test_logout_ends_every_copy_of_the_session_cookie(app, client, make_user):
    """L1: a login cookie captured before logout no longer opens staff pages."""
    make_user(username="loket1")
    assert _login(client, "loket1", PASSWORD).status_code == 302
    saved = _copy_of_login(app, client)
    assert _logged_in(saved)
    client.post(url_for("auth.logout"), data={"csrf_token": csrf_from(client, url_for("admin.dashboard"))})
    assert not _logged_in(saved)
    assert not _logged_in(client)
    assert _login(client, "loket1", PASSWORD).status_code == 302  # and one can log in again


def test_a_password_change_ends_other_copies_and_keeps_this_browser(app, client, make_user):
    make_user(username="loket1")
    assert _login(client, "loket1", PASSWORD).status_code == 302
    saved = _copy_of_login(app, client)
    url = url_for("admin.change_password")
    data = {"csrf_token": csrf_from(client, url), "current": PASSWORD, "new": "sandi-baru-sekali",
            "repeat": "sandi-baru-sekali"}
    assert client.post(url, data=data).status_code == 302
    assert _logged_in(client)
    assert not _logged_in(saved)


def test_deactivation_ends_sessions_for_good(app, client, make_user):
    user = make_user(username="loket1")
    assert _login(client, "loket1", PASSWORD).status_code == 302
    saved = _copy_of_login(app, client)
    user.active = False
    user.end_sessions()  # what update_account does on deactivation
    db.session.commit()
    assert not _logged_in(saved)
    user.active = True  # reactivated: the old cookie stays void
    db.session.commit()
    assert not _logged_in(saved)


def test_update_account_raises_the_session_version_on_deactivation(make_user):
    from webapp.auth.service import AccountDetails, update_account

    user = make_user(username="loket1", role="petugas_loket")
    before = user.session_version
    details = AccountDetails(name=user.name, role=user.role, unit_id=user.unit_id, active=False, password="")
    update_account(user, details, actor=None)
    assert db.session.get(User, user.id).session_version == before + 1


@pytest.mark.parametrize(("idle", "age"), [(8 * 3600 + 1, 3600), (60, 12 * 3600 + 1)])
def test_sessions_end_when_idle_or_too_old(client, login, idle, age):
    """L1: SESSION_IDLE_MINUTES (8 hours) without a request, or SESSION_MAX_HOURS (12) in all."""
    login("admin")
    assert _logged_in(client)
    now = int(time.time())
    with client.session_transaction() as session:
        session["login_at"], session["seen_at"] = now - age, now - idle
    assert not _logged_in(client)


def test_a_session_in_use_is_kept_alive(client, login):
    login("admin")
    now = int(time.time())
    with client.session_transaction() as session:
        session["login_at"], session["seen_at"] = now - 3600, now - 8 * 3600 + 30
    assert _logged_in(client)
    with client.session_transaction() as session:
        assert session["seen_at"] >= now  # the idle clock starts again


def test_login_cookie_is_httponly_lax_and_expires_with_the_idle_time(client, make_user):
    make_user(username="admin1")
    response = _login(client, "admin1", PASSWORD)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # PUBLIC_BASE_URL is not https in the tests


def _app_with(make_app, **settings):
    from config import Config

    class Settings(Config):
        TESTING = True
        SECRET_KEY = "test-secret-key"

    for name, value in settings.items():
        setattr(Settings, name, value)
    return make_app(Settings)


def test_https_public_base_url_makes_cookies_secure_and_trusts_only_its_host(make_app, database_url):
    """L1, L6: Secure cookies and TRUSTED_HOSTS follow PUBLIC_BASE_URL unless set on their own."""
    app = _app_with(make_app, SQLALCHEMY_DATABASE_URI=database_url, PUBLIC_BASE_URL="https://layanan.example.go.id",
                    TRUSTED_HOSTS=None, SESSION_COOKIE_SECURE=None)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["TRUSTED_HOSTS"] == ["layanan.example.go.id"]
    client = app.test_client()
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "layanan.example.go.id"}).status_code == 200


def test_a_fresh_machine_answers_on_localhost_and_127_0_0_1_only(make_app, database_url):
    app = _app_with(make_app, SQLALCHEMY_DATABASE_URI=database_url, PUBLIC_BASE_URL="", TRUSTED_HOSTS=None,
                    SESSION_COOKIE_SECURE=None)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    client = app.test_client()
    for host in ("127.0.0.1:5000", "localhost:5000", "localhost"):
        assert client.get("/", headers={"Host": host}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_printed_urls_use_public_base_url_whatever_the_host(app, client, demo, monkeypatch):
    """L6: with PUBLIC_BASE_URL set, a Host or X-Forwarded-Host the operator allowed still never reaches a URL."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://layanan.example.go.id")
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["layanan.example.go.id", "kantor.lan"])
    body = client.get(url_for("api.service", slug="izin-instalasi-genset"),
                      headers={"Host": "kantor.lan", "X-Forwarded-Host": "evil.example"}).get_json()
    assert body["url"] == "https://layanan.example.go.id/layanan/izin-instalasi-genset"
