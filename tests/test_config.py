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
    assert server.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 12, "max_overflow": 3, "pool_pre_ping": True,
                                                          "hide_parameters": True}
    with server.app_context():
        from webapp.core.extensions import db

        assert (db.engine.pool.size(), db.engine.pool._max_overflow) == (12, 3)
    assert make_app(Memory).config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "hide_parameters": True}


def test_a_failed_statement_never_shows_its_values():
    """Database errors reach the log; the values of a failed INSERT may be a citizen's NIK or phone."""
    from datetime import date

    import pytest
    from sqlalchemy.exc import IntegrityError

    from webapp.core.extensions import db
    from webapp.workdays.models import Closure

    db.session.add(Closure(day=date(2026, 11, 10), reason="pertama"))
    db.session.commit()
    db.session.add(Closure(day=date(2026, 11, 10), reason="NIK 1471015507900003"))
    with pytest.raises(IntegrityError) as failure:
        db.session.commit()
    db.session.rollback()
    assert "1471015507900003" not in str(failure.value)
    assert "hidden due to hide_parameters" in str(failure.value)
