"""Staff login, throttling of failed logins, sessions, API tokens, CSRF and security headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import update

from tests.conftest import PASSWORD, csrf_from
from webapp.auth import throttle
from webapp.auth.models import ApiToken, User
from webapp.core.extensions import db


def _login(client, username, password, next_url=None):
    token = csrf_from(client, url_for("auth.login"))
    url = url_for("auth.login", next=next_url) if next_url else url_for("auth.login")
    return client.post(url, data={"csrf_token": token, "username": username, "password": password})


def test_password_is_stored_with_scrypt(make_user):
    user = make_user()
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)
    assert not user.check_password("salah")


def test_login_then_dashboard_then_logout(client, make_user):
    make_user(username="admin1")
    response = _login(client, "admin1", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == url_for("admin.dashboard")
    assert "Selamat datang" in client.get(url_for("admin.dashboard")).get_data(as_text=True)
    token = csrf_from(client, url_for("admin.dashboard"))
    assert client.post(url_for("auth.logout"), data={"csrf_token": token}).status_code == 302
    assert client.get(url_for("admin.dashboard")).status_code == 302


def test_user_name_is_case_insensitive(client, make_user):
    make_user(username="Sekretaris")
    assert _login(client, "sekretaris", PASSWORD).status_code == 302


def test_wrong_password_and_unknown_user_say_the_same_and_keep_the_name(client, make_user):
    make_user(username="admin1")
    wrong = _login(client, "admin1", "bukan-sandinya").get_data(as_text=True)
    unknown = _login(client, "tidakada", "bukan-sandinya").get_data(as_text=True)
    assert "Nama pengguna atau kata sandi salah." in wrong
    assert "Nama pengguna atau kata sandi salah." in unknown
    assert 'value="admin1"' in wrong
    assert "bukan-sandinya" not in wrong


def test_inactive_account_cannot_log_in(client, make_user):
    user = make_user(username="pensiun")
    user.active = False
    db.session.commit()
    assert _login(client, "pensiun", PASSWORD).status_code == 200


def test_next_only_goes_to_this_site(client, make_user):
    make_user(username="admin1")
    response = _login(client, "admin1", PASSWORD, next_url="https://evil.example/")
    assert response.headers["Location"] == url_for("admin.dashboard")
    for elsewhere in ("//evil.example/", "/\\evil.example/", "/\\/evil.example/"):  # a browser reads a backslash as "/"
        browser = client.application.test_client()
        assert _login(browser, "admin1", PASSWORD, next_url=elsewhere).headers["Location"] == url_for("admin.dashboard")
    other = client.application.test_client()
    response = _login(other, "admin1", PASSWORD, next_url="/admin/audit")
    assert response.headers["Location"] == "/admin/audit"


def test_repeated_failures_are_slowed_then_refused(client, make_user):
    make_user(username="admin1")
    for _ in range(throttle.FREE_FAILURES + 1):
        assert _login(client, "admin1", "salah").status_code == 200
    slowed = _login(client, "admin1", PASSWORD)
    assert slowed.status_code == 429
    assert "sebelum mencoba lagi" in slowed.get_data(as_text=True)


def test_backoff_grows_then_locks_with_a_controlled_clock(make_user):
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    for i in range(throttle.FREE_FAILURES):
        throttle.record_failure("admin1", "10.0.0.1", now=start + timedelta(seconds=i))
    assert throttle.login_verdict("admin1", "10.0.0.1", now=start + timedelta(seconds=3)).allowed
    throttle.record_failure("admin1", "10.0.0.1", now=start + timedelta(seconds=3))
    assert not throttle.login_verdict("admin1", "10.0.0.1", now=start + timedelta(seconds=3)).allowed
    assert throttle.login_verdict("admin1", "10.0.0.1", now=start + timedelta(seconds=5)).allowed
    moment = start + timedelta(seconds=5)
    for _ in range(throttle.ACCOUNT_LOCK_AFTER - throttle.FREE_FAILURES - 1):
        throttle.record_failure("admin1", "10.0.0.1", now=moment)
    locked = throttle.login_verdict("admin1", "10.0.0.2", now=moment + timedelta(minutes=5))
    assert locked.locked and not locked.allowed
    assert throttle.login_verdict("admin1", "10.0.0.2", now=moment + throttle.WINDOW + timedelta(seconds=2)).allowed
    assert throttle.login_verdict("orang-lain", "10.0.0.1", now=moment + timedelta(minutes=5)).allowed


def test_many_failures_from_one_address_lock_that_address(make_user):
    now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    for i in range(throttle.ADDRESS_LOCK_AFTER):
        throttle.record_failure(f"tebakan{i}", "10.9.9.9", now=now)
    assert throttle.login_verdict("siapa", "10.9.9.9", now=now + timedelta(seconds=30)).locked
    assert throttle.login_verdict("siapa", "10.9.9.8", now=now + timedelta(seconds=30)).allowed


def test_success_clears_the_account_failures(client, make_user):
    make_user(username="admin1")
    for _ in range(2):
        _login(client, "admin1", "salah")
    assert _login(client, "admin1", PASSWORD).status_code == 302
    assert throttle.login_verdict("admin1", "127.0.0.1").allowed


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user(username="admin1")
    response = _login(client, "admin1", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_secure_when_configured(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    make_user(username="admin1")
    assert "Secure" in _login(client, "admin1", PASSWORD).headers["Set-Cookie"]


def test_post_without_csrf_token_is_refused(client, login):
    login("admin")
    response = client.post(url_for("auth.logout"))
    assert response.status_code == 400
    assert client.get(url_for("admin.dashboard")).status_code == 200  # still logged in


def test_security_headers_on_every_response(client, demo):
    for url in (url_for("main.home"), url_for("standards.detail", slug="izin-instalasi-genset"),
                url_for("api.services"), url_for("auth.login"), "/tidak-ada"):  # fmt: skip
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


# --- CLI and tokens -----------------------------------------------------------------------


def test_cli_creates_a_user_with_a_password_option(runner):
    result = runner.invoke(
        args=["users", "create", "kadis", "--role", "kepala_dinas", "--password", "rahasia-sekali-1"]
    )
    assert result.exit_code == 0, result.output
    user = User.by_username("kadis")
    assert user.role == "kepala_dinas"
    assert user.check_password("rahasia-sekali-1")


def test_cli_prompts_for_the_password_when_absent(runner):
    result = runner.invoke(
        args=["users", "create", "loket1", "--role", "petugas_loket"], input="sandi-loket-123\nsandi-loket-123\n"
    )
    assert result.exit_code == 0, result.output
    assert User.by_username("loket1").check_password("sandi-loket-123")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "create", "x", "--role", "raja", "--password", "panjang-sekali"], "Invalid value"),
        (["users", "create", "x", "--role", "admin", "--password", "pendek"], "paling sedikit"),
        (
            ["users", "create", "x", "--role", "admin", "--password", "panjang-sekali", "--unit", "tidak-ada"],
            "tidak ada",
        ),
        (["users", "token", "tidak-ada"], "tidak ada"),
        (["users", "revoke", "999"], "tidak ada"),
    ],
)
def test_cli_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_cli_token_authenticates_the_api_until_revoked(runner, client, make_user):
    make_user(username="kios", role="petugas_loket")
    result = runner.invoke(args=["users", "token", "kios", "--label", "kios lobi"])
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip().splitlines()[0]
    assert plain.startswith("loket_")
    stored = db.session.scalar(db.select(ApiToken))
    assert stored.token_hash != plain and plain not in stored.token_hash
    headers = {"Authorization": f"Bearer {plain}"}
    response = client.get(url_for("api.whoami"), headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"username": "kios", "role": "petugas_loket", "unit": None}
    listing = runner.invoke(args=["users", "tokens", "kios"])
    assert "aktif" in listing.output and "kios lobi" in listing.output
    assert runner.invoke(args=["users", "revoke", str(stored.id)]).exit_code == 0
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 401


@pytest.fixture
def token_clock(monkeypatch):
    """A hand-moved clock for the per-process cache of active API tokens, emptied before and after."""
    from webapp.auth import security

    now = [1000.0]
    monkeypatch.setattr(security, "_clock", lambda: now[0])
    security.forget_cached_tokens()
    yield now
    security.forget_cached_tokens()


def _kiosk_token(make_user) -> tuple[ApiToken, dict]:
    token, plain = make_user(role="petugas_loket").issue_token("kios")
    db.session.commit()
    return token, {"Authorization": f"Bearer {plain}"}


def test_a_token_revoked_by_another_process_stops_working_within_the_cache_time(app, client, make_user, token_clock):
    token, headers = _kiosk_token(make_user)
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 200
    # Another process (or the database by hand) revokes it: this process is not told.
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(revoked_at=datetime.now(UTC)))
    db.session.commit()
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 200
    token_clock[0] += app.config["API_TOKEN_CACHE_SECONDS"] - 0.5
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 200
    token_clock[0] += 1
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 401


def test_a_token_revoked_or_an_account_deactivated_here_stops_working_at_once(client, make_user, token_clock):
    token, headers = _kiosk_token(make_user)
    other, other_headers = _kiosk_token(make_user)
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 200
    assert client.get(url_for("api.whoami"), headers=other_headers).status_code == 200
    token.revoked_at = datetime.now(UTC)
    db.session.commit()
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 401
    # Deactivated elsewhere: views that act as the account load it, and refuse at once.
    db.session.execute(update(User).where(User.id == other.user_id).values(active=False))
    db.session.commit()
    assert client.get(url_for("api.whoami"), headers=other_headers).status_code == 401


def test_without_a_cache_time_every_request_asks_the_database(app, client, make_user, token_clock, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_CACHE_SECONDS", 0)
    token, headers = _kiosk_token(make_user)
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 200
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(revoked_at=datetime.now(UTC)))
    db.session.commit()
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 401


def test_a_tokens_last_use_is_written_at_most_once_a_minute(client, make_user, token_clock, monkeypatch):
    from webapp.auth import security

    token, headers = _kiosk_token(make_user)
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    for minutes, expected in ((0, start), (0.5, start), (1.5, start + timedelta(minutes=1.5))):
        monkeypatch.setattr(security, "utcnow", lambda m=minutes: start + timedelta(minutes=m))
        assert client.get(url_for("api.whoami"), headers=headers).status_code == 200
        db.session.refresh(token)
        assert token.last_used_at.replace(tzinfo=UTC) == expected


def test_unknown_or_missing_token_is_401_json(client):
    assert client.get(url_for("api.whoami")).status_code == 401
    response = client.get(url_for("api.whoami"), headers={"Authorization": "Bearer loket_palsu"})
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401
