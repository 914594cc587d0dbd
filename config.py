"""Configuration read from environment variables, with safe local defaults.

One class, as in microblog: every setting an operator may change is read here and
nowhere else. Tests subclass it.
"""

from __future__ import annotations

import os
from typing import ClassVar

_TRUE = {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    """Read an integer setting; a malformed value is an operator error worth failing on."""
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def _env_list(name: str) -> list[str]:
    """A comma-separated setting as a list, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def database_url_from_env(raw: str | None) -> str | None:
    """Normalise a DATABASE_URL so that PostgreSQL URLs use the psycopg 3 driver.

    Hosting panels hand out ``postgres://`` or ``postgresql://`` URLs; SQLAlchemy would
    pick psycopg2 for the latter, which is not installed.
    """
    if not raw:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


class Config:
    """Settings for Loket. Values are read once, when this module is imported."""

    # When unset, create_app() keeps a random key in instance/secret_key: never a
    # constant in code, and stable across restarts of one installation.
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY") or None

    # When unset, create_app() uses an SQLite file in instance/.
    SQLALCHEMY_DATABASE_URI: str | None = database_url_from_env(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    # Connections each process keeps open to a database server (and how many more it may open for a
    # moment). A gevent worker serves many requests at once: with too small a pool, connections past
    # it are opened and closed again for each request at a busy kiosk hour. create_app() adds them to
    # the engine options unless the database is SQLite.
    DATABASE_POOL_SIZE: int = _env_int("DATABASE_POOL_SIZE", 20)
    DATABASE_MAX_OVERFLOW: int = _env_int("DATABASE_MAX_OVERFLOW", 10)

    # The origin printed into QR codes and posters, e.g. https://layanan.kamparkab.go.id.
    # Empty: the origin of the request that renders the code.
    PUBLIC_BASE_URL: str = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")

    # The office's local time zone; units may override it.
    TIMEZONE: str = os.environ.get("TIMEZONE", "Asia/Jakarta")

    # Host names the site answers to, comma-separated (e.g. "layanan.kamparkab.go.id"): a
    # request for any other Host gets 400, so a forged Host header cannot reach a QR code.
    TRUSTED_HOSTS: list[str] | None = _env_list("TRUSTED_HOSTS") or None

    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    PROXY_COUNT: int = _env_int("PROXY_COUNT", 0)

    # Seconds each process keeps a rendered public page for anonymous visitors (0 turns it off).
    # A change committed in a process clears its cache at once; others follow within this time.
    PAGE_CACHE_SECONDS: int = _env_int("PAGE_CACHE_SECONDS", 30)

    # Seconds browsers may keep QR images before revalidating with their ETag.
    QR_MAX_AGE: int = _env_int("QR_MAX_AGE", 30 * 24 * 3600)

    # Redis for rate limits and (later) the Socket.IO message queue; memory when unset.
    REDIS_URL: str | None = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI: str = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED: bool = True
    # Anonymous JSON API requests per address; clients with a bearer token are not limited.
    API_RATE_LIMIT: str = os.environ.get("API_RATE_LIMIT", "600 per minute")
    # Seconds each process trusts an API token it has found active without asking the database again:
    # a token revoked, or an account deactivated, elsewhere (another process, the CLI) stops working
    # within this time; in the process that made the change, at once. 0 asks on every request.
    API_TOKEN_CACHE_SECONDS: int = _env_int("API_TOKEN_CACHE_SECONDS", 10)
    # Tickets taken at the kiosk page per address (the office's kiosks may share one address).
    KIOSK_RATE_LIMIT: str = os.environ.get("KIOSK_RATE_LIMIT", "120 per minute")

    # Days the queue takes tickets, ISO weekdays (1 = Monday): Monday to Friday by default;
    # a Mal Pelayanan Publik open on Saturday sets "1,2,3,4,5,6".
    QUEUE_DAYS: frozenset[int] = frozenset(int(d) for d in (_env_list("QUEUE_DAYS") or ["1", "2", "3", "4", "5"]))

    # Seconds to gather queue changes into one `state` broadcast (calls are announced at once).
    QUEUE_STATE_DELAY: float = float(os.environ.get("QUEUE_STATE_DELAY", "0.2"))

    # Socket.IO's concurrency model: "threading" for `flask run`, "gevent" under gunicorn
    # (gunicorn.conf.py sets it).
    SOCKETIO_ASYNC_MODE: str = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")

    # CSRF tokens last as long as the session: a counter PC stays on one page all day.
    WTF_CSRF_TIME_LIMIT: int | None = None

    # Largest upload (an imported standard document).
    MAX_CONTENT_LENGTH: int = _env_int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)

    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = os.environ.get("SESSION_COOKIE_SECURE", "").lower() in _TRUE

    JSON_SORT_KEYS: bool = False
    TEMPLATES_AUTO_RELOAD: bool | None = None

    # Static files carry a content hash in their URL (asset_url), so they may be cached for a year.
    SEND_FILE_MAX_AGE_DEFAULT: int = 365 * 24 * 3600
