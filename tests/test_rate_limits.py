"""Rate limits: the anonymous API and the login page are limited per address; reading pages are not."""

from __future__ import annotations

from flask import url_for

from tests.conftest import csrf_from
from webapp.core.extensions import db, limiter


def test_anonymous_api_requests_are_limited_per_address(app, client, demo, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
    limiter.reset()
    statuses = [client.get(url_for("api.services")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(url_for("api.services"))
    assert refused.mimetype == "application/json"
    assert refused.get_json()["error"]["status"] == 429
    assert "Retry-After" in refused.headers
    other_address = client.get(url_for("api.services"), environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other_address.status_code == 200
    limiter.reset()


def test_clients_with_a_token_are_not_limited(app, client, demo, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    limiter.reset()
    user = make_user(role="petugas_loket")
    _, plain = user.issue_token("kios")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert all(client.get(url_for("api.services"), headers=headers).status_code == 200 for _ in range(5))
    limiter.reset()


def test_reading_pages_are_never_limited(app, client, demo, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1 per minute")
    limiter.reset()
    for _ in range(5):
        response = client.get(url_for("standards.detail", slug="izin-instalasi-genset"))
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers
    limiter.reset()


def test_login_posts_are_limited_per_address(client, make_user):
    limiter.reset()
    make_user(username="admin1")
    token = csrf_from(client, url_for("auth.login"))
    statuses = [
        client.post(
            url_for("auth.login"), data={"csrf_token": token, "username": f"x{i}", "password": "salah"}
        ).status_code
        for i in range(31)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    limiter.reset()


def test_with_redis_every_process_shares_the_limits(app, database_url, make_app):
    """Two app instances (two server processes) count one address's requests together in Redis."""
    import pytest
    import redis

    from config import Config
    from tests.conftest import redis_test_url

    url = redis_test_url()
    if url is None:
        pytest.skip("no Redis on this machine (CI runs this with REQUIRE_REDIS=1)")
    redis.Redis.from_url(url).flushdb()

    class WithRedis(Config):
        SECRET_KEY = "x"
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_STORAGE_URI = url
        API_RATE_LIMIT = "3 per minute"
        PAGE_CACHE_SECONDS = 0

    try:
        first, second = make_app(WithRedis).test_client(), make_app(WithRedis).test_client()
        statuses = [client.get("/api/v1/layanan").status_code for client in (first, second, first, second)]
        assert statuses == [200, 200, 200, 429]
    finally:
        redis.Redis.from_url(url).flushdb()


def test_the_kiosk_page_is_limited_per_address(app, client, make_queue, monkeypatch):
    monkeypatch.setitem(app.config, "KIOSK_RATE_LIMIT", "2 per minute")
    limiter.reset()
    q = make_queue()
    url = url_for("antrian.kiosk", instansi=q["unit"].slug)
    token = csrf_from(client, url)
    statuses = [client.post(url, data={"csrf_token": token, "service": "A"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert client.get(url).status_code == 200  # looking at the buttons is never limited
    limiter.reset()


def test_the_kinerja_api_has_its_own_low_limit_even_with_a_token(app, client, make_queue, make_user, monkeypatch):
    """Each new range of GET /api/v1/kinerja counts every figure, so the general API limit is too generous."""
    monkeypatch.setitem(app.config, "KINERJA_API_RATE_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
    limiter.reset()
    unit = make_queue()["unit"]
    user = make_user(role="petugas_loket")
    _, plain = user.issue_token("dasbor")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    ranges = [{"from": f"2026-0{month}-01", "to": f"2026-0{month}-28"} for month in (1, 2, 3)]
    answers = [client.get(url_for("api.get_kinerja", unit=unit.slug, **r), headers=headers) for r in ranges]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].get_json()["error"]["status"] == 429
    assert client.get(url_for("api.services")).status_code == 200  # the rest of the API keeps its own limit
    limiter.reset()
