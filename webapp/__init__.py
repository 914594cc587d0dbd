"""Loket: the public-facing system of a one-stop public service office.

``create_app()`` only wires things together, in named steps; features live in
blueprints (one package each) and their business rules in plain functions.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from jinja2 import pass_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config
from webapp.core.extensions import csrf, db, gate_limiter_hooks, limiter, login_manager, migrate, socketio

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] = Config) -> Flask:
    """Build the Loket application with the given configuration class."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(config_class)
    _settle_hosts_and_cookies(app)
    _init_logging(app)
    _prepare_instance(app)
    _init_extensions(app)
    _init_i18n(app)
    _init_input_guard(app)
    _init_security(app)
    _init_rate_limits(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _install_page_cache(app)
    _init_realtime(app)
    _apply_proxy_fix(app)
    return app


# Host names a fresh machine answers to without any setting (`flask run`).
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def _settle_hosts_and_cookies(app: Flask) -> None:
    """Settings that follow PUBLIC_BASE_URL unless set on their own (security L6, L1).

    TRUSTED_HOSTS: the host of PUBLIC_BASE_URL, else only this machine's names, so that a forged Host
    header is refused (400) rather than printed into a QR code. SESSION_COOKIE_SECURE: on when
    PUBLIC_BASE_URL is https.
    """
    base = app.config.get("PUBLIC_BASE_URL") or ""
    if not app.config.get("TRUSTED_HOSTS"):
        host = urlsplit(base).hostname if base else None
        app.config["TRUSTED_HOSTS"] = [host] if host else list(LOCAL_HOSTS)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = base.startswith("https://")


def _prepare_instance(app: Flask) -> None:
    """Create instance/, fill in the secret key and database URL when unset, size the connection pool."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance / "secret_key")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'loket.sqlite'}"
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):  # SQLite's in-memory pool takes no sizes
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_size": app.config["DATABASE_POOL_SIZE"],
            "max_overflow": app.config["DATABASE_MAX_OVERFLOW"],
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }


def _instance_secret_key(path: Path) -> str:
    """Return the random key kept in ``path``, creating it (mode 600) on first use.

    Several workers may start at once: exactly one creates the file, the others read it.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # the creator may not have written it yet
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty: delete it and start again") from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    logging.getLogger(__name__).info("Created a new secret key in %s", path)
    return key


def _init_extensions(app: Flask) -> None:
    """Bind the module-level extensions to this app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)


def _init_i18n(app: Flask) -> None:
    """Flask-Babel: the public pages in Indonesian or English (webapp.core.i18n, translations/)."""
    from webapp.core.i18n import init_i18n

    init_i18n(app, str(PROJECT_ROOT / "translations"))


def _init_input_guard(app: Flask) -> None:
    """Before any route exists and before the CSRF check: bounded int ids, no unstorable text."""
    from webapp.core.inputs import init_input_guard

    init_input_guard(app)


def _init_security(app: Flask) -> None:
    """Sessions, bearer tokens, CSRF on every state-changing request, security headers."""
    from webapp.auth.security import init_security

    init_security(app)


def _init_rate_limits(app: Flask) -> None:
    """Flask-Limiter, after security: a limit may exempt requests that carry an API token."""
    limiter.init_app(app)
    gate_limiter_hooks(app)


def _register_blueprints(app: Flask) -> None:
    """Attach every feature blueprint and its CLI commands."""
    from antrian import bp as antrian_bp
    from webapp.admin import bp as admin_bp
    from webapp.api import bp as api_bp
    from webapp.auth import bp as auth_bp
    from webapp.berkas import bp as berkas_bp
    from webapp.demo import bp as demo_bp
    from webapp.errors import bp as errors_bp
    from webapp.kinerja import bp as kinerja_bp
    from webapp.main import bp as main_bp
    from webapp.outbox import bp as outbox_bp
    from webapp.pengaduan import bp as pengaduan_bp
    from webapp.reservasi import bp as reservasi_bp
    from webapp.standards import bp as standards_bp
    from webapp.survei import bp as survei_bp

    app.register_blueprint(errors_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(standards_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(demo_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(auth_bp, url_prefix="/admin")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(antrian_bp, url_prefix="/antrian")
    app.register_blueprint(berkas_bp)
    app.register_blueprint(survei_bp)
    app.register_blueprint(pengaduan_bp)
    app.register_blueprint(kinerja_bp)
    app.register_blueprint(reservasi_bp)


def _register_template_helpers(app: Flask) -> None:
    """Filters and globals shared by every template."""
    from flask_login import current_user

    from webapp.core import formatting, office, pdf, policy
    from webapp.core.phone import display_phone
    from webapp.standards.components import CATEGORIES, COMPONENTS_BY_CODE

    app.jinja_env.filters["rupiah"] = _at_render_time(formatting.rupiah)
    app.jinja_env.filters["telepon"] = display_phone
    app.jinja_env.filters["tel_href"] = formatting.tel_href
    app.jinja_env.filters["whatsapp_href"] = formatting.whatsapp_href
    app.jinja_env.filters["web_href"] = formatting.web_href
    app.jinja_env.filters["tanggal"] = _at_render_time(formatting.tanggal)
    app.jinja_env.filters["waktu"] = _at_render_time(formatting.waktu)
    app.jinja_env.filters["angka"] = _at_render_time(formatting.angka)
    app.jinja_env.filters["ribuan"] = _at_render_time(formatting.ribuan)
    app.jinja_env.filters["menit"] = _at_render_time(formatting.menit)
    app.jinja_env.filters["tanggal_singkat"] = _at_render_time(formatting.tanggal_singkat)
    app.jinja_env.filters["perkiraan_tunggu"] = _at_render_time(formatting.perkiraan_tunggu)
    app.jinja_env.filters["hari_kerja"] = _at_render_time(formatting.hari_kerja)
    app.jinja_env.globals["public_url"] = formatting.public_url
    # The access policy, for menus and buttons: templates ask it and hold no role names.
    app.jinja_env.globals["can"] = lambda action, target=policy.NO_TARGET: policy.can(current_user, action, target)
    app.jinja_env.globals["staff_menu"] = lambda: policy.staff_menu(current_user)
    app.jinja_env.globals["is_current"] = policy.is_current
    app.jinja_env.globals["role_label"] = lambda role: policy.ROLES.get(role, role)
    app.jinja_env.globals["asset_url"] = formatting.asset_url
    # Globals, not context processors: imported macros see globals without "with context".
    app.jinja_env.globals["CATEGORIES"] = CATEGORIES
    app.jinja_env.globals["component_label"] = lambda code: COMPONENTS_BY_CODE[code].label
    # The office's identity for the paper layout and the public pages (templates/paper/).
    app.jinja_env.globals["office_profile"] = office.profile_for
    app.jinja_env.globals["signatory_for"] = office.signatory_for
    app.jinja_env.filters["nip"] = office.format_nip
    app.jinja_env.filters["sumber_publik"] = formatting.sumber_publik
    app.jinja_env.globals["paper_css"] = pdf.paper_css


def _at_render_time(function: Callable) -> Callable:
    """A filter that Jinja never evaluates while compiling: ``14 | hari_kerja`` would otherwise be folded into
    the compiled template in the language of the first page that used it (the words follow the page's language)."""

    @pass_context
    def runtime_filter(_context: object, *args: object, **kwargs: object) -> object:
        return function(*args, **kwargs)

    runtime_filter.__doc__ = function.__doc__
    return runtime_filter


def _install_page_cache(app: Flask) -> None:
    """Answer repeated anonymous visits of public pages before Flask (see webapp.core.page_cache)."""
    from webapp.core.page_cache import PageCacheMiddleware

    app.wsgi_app = PageCacheMiddleware(app.wsgi_app, app.config["SESSION_COOKIE_NAME"])  # type: ignore[method-assign]


def _init_realtime(app: Flask) -> None:
    """Flask-SocketIO for the queue (after the page cache: /socket.io/ is answered before it).

    Browsers from another origin are refused (a 400 on the handshake): see ``socket_origin_check``;
    an address holds at most SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS connections (antrian.events).
    """
    from antrian.events import QueueRedisManager, bound_connections

    url = app.config["REDIS_URL"]
    # With Redis: python-socketio's manager that also carries one queue change to every process (antrian.events).
    manager = {"client_manager": QueueRedisManager(url, channel=app.config["SOCKETIO_CHANNEL"])} if url else {}
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=url,
        **manager,
        cors_allowed_origins=socket_origin_check(app.config["PUBLIC_BASE_URL"]),
        logger=False,
        engineio_logger=False,
    )
    bound_connections(app)


def socket_origin_check(public_base_url: str) -> Callable[[str | None, dict], bool]:
    """The Socket.IO origin check: the request's own host, and the origin of ``public_base_url``.

    Not ``cors_allowed_origins=[]``: python-engineio reads an empty list as "CORS handling
    disabled" and then checks no origin at all. A request without Origin (not a browser:
    a display's own client, a script) is let through by engineio before this is asked.
    The request's host is compared without the scheme: behind a TLS proxy that sets no
    X-Forwarded-Proto the app sees http while the browser says https, and a page of another
    site cannot have our host. The host is the one ProxyFix trusted (PROXY_COUNT).
    """
    allowed = {_origin(public_base_url)} - {""}

    def check(origin: str | None, environ: dict) -> bool:
        if not origin:
            return True
        origin = origin.strip().lower()
        host = environ.get("HTTP_HOST", "").strip().lower()
        return origin in allowed or (bool(host) and urlsplit(origin).netloc == host)

    return check


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` in lower case, or "" when it has none."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _init_logging(app: Flask) -> None:
    """Send the app's own log records (loket.*, webapp.*, antrian.*) at LOG_LEVEL to stderr.

    Neither gunicorn nor ``flask run`` configures these loggers, so without this their INFO
    and WARNING lines (an outbox message with no sender, a failed socket event) went
    nowhere. One handler per process however many apps are built (the tests build many);
    records still reach the root logger too, where pytest's caplog listens.
    """
    from flask.logging import default_handler

    handler = next((h for h in logging.getLogger("loket").handlers if getattr(h, "_loket", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._loket = True  # type: ignore[attr-defined]
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(app.config["LOG_LEVEL"])
        if name == app.logger.name:
            logger.removeHandler(default_handler)  # Flask's own would print each app record twice
        if handler not in logger.handlers:
            logger.addHandler(handler)


LOGGERS = ("loket", "webapp", "antrian")


def _apply_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* from the configured number of reverse proxies."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Turn on foreign keys and WAL for SQLite; other databases are left alone."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
