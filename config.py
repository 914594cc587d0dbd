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
    # hide_parameters: a failed statement's error (and so the log) never shows the values, which
    # may be a citizen's name, NIK or phone.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True, "hide_parameters": True}
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
    # Unset: the host of PUBLIC_BASE_URL, or when that is unset too, localhost and 127.0.0.1 only
    # (create_app fills it in). A server reached by its LAN address sets it.
    TRUSTED_HOSTS: list[str] | None = _env_list("TRUSTED_HOSTS") or None

    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    PROXY_COUNT: int = _env_int("PROXY_COUNT", 0)

    # Seconds each process keeps a rendered public page for anonymous visitors (0 turns it off).
    # A change committed in a process clears its cache at once; others follow within this time.
    PAGE_CACHE_SECONDS: int = _env_int("PAGE_CACHE_SECONDS", 30)
    # Kinerja (/kinerja, /admin/kinerja, GET /api/v1/kinerja): how long a unit's figures for a period are kept
    # before they are counted again, and the queue's wait target (minutes) the head of office reads p50/p90 against.
    KINERJA_CACHE_SECONDS: int = _env_int("KINERJA_CACHE_SECONDS", 300)
    WAIT_TARGET_MINUTES: int = _env_int("WAIT_TARGET_MINUTES", 30)

    # Seconds browsers may keep QR images before revalidating with their ETag.
    QR_MAX_AGE: int = _env_int("QR_MAX_AGE", 30 * 24 * 3600)

    # Redis for rate limits and (later) the Socket.IO message queue; memory when unset.
    REDIS_URL: str | None = os.environ.get("REDIS_URL") or None
    # The Redis pub/sub channel of Socket.IO's events. Channels are shared by every database of a Redis:
    # sites (or benchmarks) sharing one Redis each need their own.
    SOCKETIO_CHANNEL: str = os.environ.get("SOCKETIO_CHANNEL", "flask-socketio")
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
    # Anonymous tickets (the API without a token, the kiosk page in a browser not registered as a
    # kiosk): per address, service and day from the API; and all of them together may take at most
    # this percentage of a service's daily_cap (or TICKET_ANON_DAILY_MAX a day when it has none).
    # The rest is kept for kiosk devices (a bearer token, or a registered kiosk browser) and staff.
    TICKET_ANON_LIMIT: str = os.environ.get("TICKET_ANON_LIMIT", "3 per day")
    TICKET_ANON_SHARE: int = _env_int("TICKET_ANON_SHARE", 50)
    TICKET_ANON_DAILY_MAX: int = _env_int("TICKET_ANON_DAILY_MAX", 100)
    # Survey responses per address, on the form and from anonymous API clients (a lobby
    # survey kiosk shares one address: give it a bearer token, which has a limit of its own).
    SURVEY_RATE_LIMIT: str = os.environ.get("SURVEY_RATE_LIMIT", "60 per hour")
    # Survey responses per bearer token (a survey kiosk, or staff typing in paper questionnaires):
    # higher than an address's, yet a leaked or misused token cannot flood a unit's index.
    SURVEY_TOKEN_RATE_LIMIT: str = os.environ.get("SURVEY_TOKEN_RATE_LIMIT", "300 per hour")

    # Days the queue takes tickets, ISO weekdays (1 = Monday): Monday to Friday by default;
    # a Mal Pelayanan Publik open on Saturday sets "1,2,3,4,5,6".
    QUEUE_DAYS: frozenset[int] = frozenset(int(d) for d in (_env_list("QUEUE_DAYS") or ["1", "2", "3", "4", "5"]))

    # Seconds to gather queue changes into one `state` broadcast (calls are announced at once).
    QUEUE_STATE_DELAY: float = float(os.environ.get("QUEUE_STATE_DELAY", "0.2"))
    # "1": the realtime channel as it was before rooms by client type (docs/realtime.md): every client,
    # phones included, in the unit's room with the whole `state` after every change. For comparison
    # (bench/bench_realtime.py --old-behaviour); never needed in production.
    QUEUE_REALTIME_FULL_STATE: bool = os.environ.get("QUEUE_REALTIME_FULL_STATE", "") == "1"

    # The channel of "giliran Anda hampir tiba" and "dipanggil" to a visitor who left a number
    # on the phone ticket: "whatsapp" or "sms" (antrian.notify; sent through the outbox).
    QUEUE_NOTIFY_CHANNEL: str = os.environ.get("QUEUE_NOTIFY_CHANNEL", "whatsapp")
    # A phone ticket asks for its estimated wait (worded on the server) at most once per this many
    # seconds: a lobby's phones often share one address, and the API limits requests per address.
    QUEUE_ESTIMATE_REFRESH: float = float(os.environ.get("QUEUE_ESTIMATE_REFRESH", "20"))

    # Socket.IO's concurrency model: "threading" for `flask run`, "gevent" under gunicorn
    # (gunicorn.conf.py sets it).
    SOCKETIO_ASYNC_MODE: str = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")

    # Socket.IO connections one address may hold open at once in one process (0: no bound).
    # Generous: a whole office (TVs, counter panels, visitors' phones on its Wi-Fi) and a
    # mobile operator's NAT share one address. With several processes behind nginx
    # ``ip_hash`` an address always reaches the same process, so the bound holds overall.
    SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS: int = _env_int("SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS", 200)

    # Logging level of the app's own loggers (loket.*, webapp.*, antrian.*), written to
    # stderr under gunicorn and flask run alike: the outbox's "not sent" lines are INFO.
    LOG_LEVEL: str = os.environ.get("LOG_LEVEL", "INFO").upper()

    # Working days for deadlines (complaints: 14 working days; permits: the standard's jangka
    # waktu): ISO weekdays, Monday to Friday by default. National holidays always count as off;
    # cuti bersama too unless CUTI_BERSAMA_NONWORKING=0; closures are entered by the admin.
    WORKING_WEEKDAYS: frozenset[int] = frozenset(
        int(d) for d in (_env_list("WORKING_WEEKDAYS") or ["1", "2", "3", "4", "5"])
    )
    CUTI_BERSAMA_NONWORKING: bool = os.environ.get("CUTI_BERSAMA_NONWORKING", "1").lower() in _TRUE

    # Messages to citizens go through the outbox (webapp/outbox). Email uses SMTP when
    # SMTP_HOST is set, SMS and WhatsApp an HTTP gateway when MESSAGE_GATEWAY_URL is set;
    # otherwise they are written to the log (development).
    SMTP_HOST: str = os.environ.get("SMTP_HOST", "")
    SMTP_PORT: int = _env_int("SMTP_PORT", 587)
    SMTP_USERNAME: str = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD: str = os.environ.get("SMTP_PASSWORD", "")
    # "starttls" (port 587), "ssl" (port 465) or "none" (a relay on the local network).
    SMTP_SECURITY: str = os.environ.get("SMTP_SECURITY", "starttls")
    SMTP_TIMEOUT: float = float(os.environ.get("SMTP_TIMEOUT", "10"))
    MAIL_FROM: str = os.environ.get("MAIL_FROM", "Loket <noreply@localhost>")
    MESSAGE_GATEWAY_URL: str = os.environ.get("MESSAGE_GATEWAY_URL", "")
    MESSAGE_GATEWAY_TOKEN: str = os.environ.get("MESSAGE_GATEWAY_TOKEN", "")
    # Attempts before a message is marked failed (retries wait 1, 2, 4 ... minutes, at most 6 h).
    OUTBOX_MAX_ATTEMPTS: int = _env_int("OUTBOX_MAX_ATTEMPTS", 12)
    # Try to send right after the request that queued a message (in a background thread);
    # `flask outbox kirim --terus` or cron delivers the rest either way.
    OUTBOX_SEND_AFTER_REQUEST: bool = os.environ.get("OUTBOX_SEND_AFTER_REQUEST", "1").lower() in _TRUE

    # Office hours on working days ("08:00-16:00"): the time a berkas spends at a step is counted
    # in these hours only, and a mutu baku of "1 hari" allows one such day.
    WORKING_HOURS: str = os.environ.get("WORKING_HOURS", "08:00-16:00")
    # Looking up a berkas by registration number and phone, per address (guessing is slow).
    BERKAS_LOOKUP_RATE_LIMIT: str = os.environ.get("BERKAS_LOOKUP_RATE_LIMIT", "10 per minute;60 per hour")
    # Seconds between refreshes of an open tracking page (it follows the file without a reload).
    BERKAS_TRACK_REFRESH_SECONDS: int = _env_int("BERKAS_TRACK_REFRESH_SECONDS", 60)
    # Checking an uploaded PDF on the public verification page, per address.
    VERIFY_UPLOAD_RATE_LIMIT: str = os.environ.get("VERIFY_UPLOAD_RATE_LIMIT", "20 per minute")
    # The largest PDF the verification page and API read (bytes).
    VERIFY_UPLOAD_MAX_BYTES: int = _env_int("VERIFY_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    # An RFC 3161 timestamp server: signatures are PAdES B-T with it, B-B without. Each unit's signer and
    # trust list are read from SIGNING_P12_<UNIT>, SIGNING_SERVICE_URL_<UNIT>, SIGNING_TRUST_<UNIT> and
    # the like (see webapp/core/signing.py and the README, "Tanda tangan elektronik").
    TSA_URL: str | None = os.environ.get("TSA_URL") or None
    # Key of the HMAC-SHA256 that signs issued documents' verification codes. Unset: derived from
    # SECRET_KEY. Set it on its own in production, so that rotating SECRET_KEY (which logs
    # everyone out) does not turn every printed QR code invalid; changing it does exactly that.
    VERIFICATION_KEY: str | None = os.environ.get("VERIFICATION_KEY") or None
    # Complaints (pengaduan). Submissions per address, the public form and the API together;
    # wrong tracking codes per address (right ones are not counted).
    PENGADUAN_RATE_LIMIT: str = os.environ.get("PENGADUAN_RATE_LIMIT", "5 per minute;30 per hour")
    PENGADUAN_LACAK_RATE_LIMIT: str = os.environ.get("PENGADUAN_LACAK_RATE_LIMIT", "20 per 10 minutes")
    # Seconds a person needs at least to fill the form; faster posts are taken for robots.
    PENGADUAN_MIN_FILL_SECONDS: int = _env_int("PENGADUAN_MIN_FILL_SECONDS", 4)
    # Attachments: how many, how large each (bytes), and where they are kept (default
    # instance/pengaduan-lampiran; never under static/).
    PENGADUAN_MAX_ATTACHMENTS: int = _env_int("PENGADUAN_MAX_ATTACHMENTS", 3)
    PENGADUAN_ATTACHMENT_MAX_BYTES: int = _env_int("PENGADUAN_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
    PENGADUAN_UPLOAD_DIR: str = os.environ.get("PENGADUAN_UPLOAD_DIR", "")
    # Messages to a phone number go by "whatsapp" or "sms" (through MESSAGE_GATEWAY_URL).
    PENGADUAN_PHONE_CHANNEL: str = os.environ.get("PENGADUAN_PHONE_CHANNEL", "whatsapp")
    # Open complaints due within this many working days are "due soon" in the Buku Pengaduan.
    PENGADUAN_DUE_SOON_DAYS: int = _env_int("PENGADUAN_DUE_SOON_DAYS", 3)
    # GET /api/v1/kinerja per address, token or not: a new date range counts every figure of the unit.
    KINERJA_API_RATE_LIMIT: str = os.environ.get("KINERJA_API_RATE_LIMIT", "30 per minute")
    # Reservasi (booking a queue slot, webapp.reservasi). Bookings and lookups per address; the
    # minimum fill time of the public form (robots); how many days after its day a booking's personal
    # data is erased (UU 27/2022); the local hour of the day-before reminder; the channel for phones.
    RESERVASI_RATE_LIMIT: str = os.environ.get("RESERVASI_RATE_LIMIT", "10 per minute;60 per hour")
    RESERVASI_LOOKUP_RATE_LIMIT: str = os.environ.get("RESERVASI_LOOKUP_RATE_LIMIT", "30 per minute")
    RESERVASI_MIN_FILL_SECONDS: int = _env_int("RESERVASI_MIN_FILL_SECONDS", 4)
    RESERVASI_ERASE_DAYS: int = _env_int("RESERVASI_ERASE_DAYS", 90)
    RESERVASI_REMINDER_HOUR: int = _env_int("RESERVASI_REMINDER_HOUR", 15)
    RESERVASI_PHONE_CHANNEL: str = os.environ.get("RESERVASI_PHONE_CHANNEL", "whatsapp")
    # Queue services whose tickets are complaints (service D of the demo): the counter panel
    # offers to record the ticket as a complaint.
    PENGADUAN_QUEUE_CODES: frozenset[str] = frozenset(_env_list("PENGADUAN_QUEUE_CODES") or ["D"])

    # CSRF tokens last as long as the session: a counter PC stays on one page all day.
    WTF_CSRF_TIME_LIMIT: int | None = None

    # Largest upload (an imported standard document, an issued document's PDF).
    MAX_CONTENT_LENGTH: int = _env_int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)

    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    # Unset: on when PUBLIC_BASE_URL is https (create_app decides); "0" or "1" to force it.
    SESSION_COOKIE_SECURE: bool | None = (
        os.environ["SESSION_COOKIE_SECURE"].lower() in _TRUE if os.environ.get("SESSION_COOKIE_SECURE") else None
    )
    # A staff login ends after this many minutes without a request (default 8 hours, an office day),
    # and in any case this many hours after it began (security L1).
    SESSION_IDLE_MINUTES: int = _env_int("SESSION_IDLE_MINUTES", 8 * 60)
    SESSION_MAX_HOURS: int = _env_int("SESSION_MAX_HOURS", 12)

    JSON_SORT_KEYS: bool = False
    TEMPLATES_AUTO_RELOAD: bool | None = None

    # Static files carry a content hash in their URL (asset_url), so they may be cached for a year.
    SEND_FILE_MAX_AGE_DEFAULT: int = 365 * 24 * 3600
