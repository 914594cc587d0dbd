"""Flask extensions, created here unbound and wired to the app in create_app()."""

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that Alembic migrations can drop and alter them on every
# database (SQLite batch mode needs the names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
# The queue's realtime channel; with REDIS_URL set, events reach clients of every process.
socketio = SocketIO()

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Silakan masuk untuk membuka halaman petugas."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

# Storage comes from RATELIMIT_STORAGE_URI (memory by default, Redis when REDIS_URL is set).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

# Only these blueprints carry rate limits (the API, the login page, the kiosk, and later
# the public forms). Reading pages are shared by a whole lobby behind one address and served from a
# cache; see gate_limiter_hooks.
LIMITED_BLUEPRINTS = frozenset({"api", "auth", "antrian", "pengaduan", "survei", "berkas"})
# Endpoints whose limits also count requests with an API token (a limit of their own, keyed by
# the token): filing survey responses, where a token could otherwise flood a unit's index.
TOKEN_LIMITED_ENDPOINTS = frozenset({"api.post_survey"})


def gate_limiter_hooks(app: Flask) -> None:
    """Run Flask-Limiter's per-request hooks only for blueprints that have limits.

    Flask-Limiter checks every request, even one no limit applies to; on a cached public
    page that check was a quarter of the request's time (bench/bench_catalogue.py), and a
    tenth of a kiosk's ticket with a token (bench/bench_issuing.py).
    """

    def owned_by_limiter(func: Callable) -> bool:
        target = func.func if isinstance(func, partial) else func
        owner = getattr(target, "__self__", None)
        bound_first = isinstance(func, partial) and func.args and func.args[0] is limiter
        return owner is limiter or bool(bound_first)

    def gated(func: Callable, skip: Callable) -> Callable:
        def hook(*args: Any) -> Any:
            # A request with an API token (set before these hooks run) is exempt from every limit it
            # could meet (only the API takes tokens, and its limit exempts them), except on the
            # endpoints that set a limit for tokens.
            limited = request.blueprint in LIMITED_BLUEPRINTS and (
                g.get("api_token") is None or request.endpoint in TOKEN_LIMITED_ENDPOINTS
            )
            return func(*args) if limited else skip(*args)

        return hook

    hooks = (
        (app.before_request_funcs, lambda: None),
        (app.after_request_funcs, lambda response: response),
        (app.teardown_request_funcs, lambda error=None: None),
    )
    for registry, skip in hooks:
        registry[None] = [gated(f, skip) if owned_by_limiter(f) else f for f in registry.get(None, [])]
