"""Configuration: environment variables, the instance secret key, the database URL."""

from __future__ import annotations

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, database_url_from_env
from webapp import _instance_secret_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_uses_psycopg3(raw, expected):
    assert database_url_from_env(raw) == expected


def test_secret_key_is_random_kept_in_instance_and_private(tmp_path):
    path = tmp_path / "secret_key"
    first = _instance_secret_key(path)
    assert len(first) == 64
    assert _instance_secret_key(path) == first
    assert path.stat().st_mode & 0o077 == 0
    other = _instance_secret_key(tmp_path / "other")
    assert other != first


def test_defaults_to_sqlite_in_instance_and_jakarta_time(make_app):
    class Bare(Config):
        SQLALCHEMY_DATABASE_URI = None
        SECRET_KEY = "x"

    app = make_app(Bare)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/loket.sqlite"
    assert app.config["TIMEZONE"] == "Asia/Jakarta"


def test_proxy_fix_applied_only_when_configured(make_app):
    class Proxied(Config):
        SECRET_KEY = "x"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        PROXY_COUNT = 2

    class Direct(Proxied):
        PROXY_COUNT = 0

    proxied = make_app(Proxied).wsgi_app
    assert isinstance(proxied, ProxyFix)
    assert (proxied.x_for, proxied.x_proto, proxied.x_host) == (2, 2, 2)
    assert not isinstance(make_app(Direct).wsgi_app, ProxyFix)


def test_a_database_server_gets_the_configured_pool_and_sqlite_its_own(make_app):
    class Server(Config):
        SECRET_KEY = "x"
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://loket@127.0.0.1:1/nowhere"  # never connected to
        DATABASE_POOL_SIZE = 12
        DATABASE_MAX_OVERFLOW = 3

    class Memory(Server):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    server = make_app(Server)
    assert server.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 12, "max_overflow": 3, "pool_pre_ping": True}
    with server.app_context():
        from webapp.extensions import db

        assert (db.engine.pool.size(), db.engine.pool._max_overflow) == (12, 3)
    assert make_app(Memory).config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
