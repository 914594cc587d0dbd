"""Who is asking, and what every response carries: sessions, bearer tokens, CSRF, security headers."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response, abort, current_app, g, request, session
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from webapp.auth.models import ApiToken, User, hash_token
from webapp.auth.service import note_token_use
from webapp.core.db import utcnow
from webapp.core.extensions import csrf, db, login_manager

TOKEN_USE_RESOLUTION = timedelta(minutes=1)

# The site's own scripts and styles only: no inline script, no framing by other sites.
_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


# How often the idle clock of a session is written back to its cookie: not on every request.
SEEN_RESOLUTION_SECONDS = 60


def _session_expired(now: float) -> bool:
    """Whether the login in this session is past SESSION_IDLE_MINUTES idle or SESSION_MAX_HOURS old."""
    login_at, seen_at = session.get("login_at"), session.get("seen_at")
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True  # a login from before these limits, or a forged session: sign in again
    config = current_app.config
    return now - seen_at > config["SESSION_IDLE_MINUTES"] * 60 or now - login_at > config["SESSION_MAX_HOURS"] * 3600


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The account of a session cookie (security L1).

    Void when the password changed, the account was deactivated, the account logged out since
    (``session_version``), or the session was idle or alive too long (SESSION_IDLE_MINUTES,
    SESSION_MAX_HOURS).
    """
    user_id, _, rest = session_id.partition(":")
    fingerprint, _, version = rest.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() and len(user_id) < 12 else None
    if (
        user is None
        or not user.active
        or fingerprint != user.password_fingerprint
        or version != str(user.session_version or 0)
    ):
        return None
    now = int(time.time())
    if _session_expired(now):
        session.clear()
        return None
    if now - session["seen_at"] >= SEEN_RESOLUTION_SECONDS:
        session["seen_at"] = now
    return user


@dataclass(frozen=True)
class BearerToken:
    """An active API token as a request sees it: which token, whose, and when it was last noted as used."""

    id: int
    user_id: int
    last_used_at: datetime | None


# Active tokens by hash, each with the monotonic time until which it may be trusted without asking the
# database (API_TOKEN_CACHE_SECONDS): a kiosk sends its token with every ticket. Only tokens found active
# are kept, so the dict holds at most the installation's tokens, whatever a client sends.
_active_tokens: dict[str, tuple[float, BearerToken]] = {}
_clock = time.monotonic


def forget_cached_tokens() -> None:
    """Ask the database again about every token (done after a commit that touched tokens or accounts)."""
    _active_tokens.clear()


def active_token(plain: str) -> BearerToken | None:
    """The unrevoked token matching ``plain`` whose account is active, or None.

    Kept per process for API_TOKEN_CACHE_SECONDS: a token revoked or an account deactivated in another
    process (or with the CLI) stops working here within that time; in this process, at once.
    """
    digest = hash_token(plain)
    cached = _active_tokens.get(digest)
    if cached is not None and cached[0] > _clock():
        return cached[1]
    row = db.session.execute(
        select(ApiToken.id, ApiToken.user_id, ApiToken.last_used_at)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None), User.active.is_(True))
    ).first()
    if row is None:
        _active_tokens.pop(digest, None)
        return None
    token = BearerToken(*row)
    seconds = current_app.config["API_TOKEN_CACHE_SECONDS"]
    if seconds > 0:
        _active_tokens[digest] = (_clock() + seconds, token)
    return token


def _note_use(plain: str, token: BearerToken) -> BearerToken:
    """Write last_used_at at most once a TOKEN_USE_RESOLUTION: not a write per API call."""
    now = utcnow()
    last = token.last_used_at
    if last is not None and last >= now - TOKEN_USE_RESOLUTION:
        return token
    token = replace(token, last_used_at=now)
    digest = hash_token(plain)
    if digest in _active_tokens:  # first, so that the kiosk's other requests meanwhile do not write too
        _active_tokens[digest] = (_active_tokens[digest][0], token)
    note_token_use(token.id, now)
    return token


@event.listens_for(Session, "after_flush")
def _note_account_change(db_session: Session, flush_context: Any) -> None:
    for obj in (*db_session.new, *db_session.dirty, *db_session.deleted):
        if isinstance(obj, ApiToken | User):
            db_session.info["accounts_changed"] = True
            return


@event.listens_for(Session, "after_commit")
def _forget_after_account_change(db_session: Session) -> None:
    if db_session.info.pop("accounts_changed", False):
        forget_cached_tokens()


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    """The account of an ``Authorization: Bearer`` API token (loaded only when a view asks who it is)."""
    token = getattr(g, "api_token", None)
    user = db.session.get(User, token.user_id) if token else None
    return user if user is not None and user.active else None


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate_bearer_and_check_csrf() -> None:
    """Bearer-token requests are checked by token; every other state-changing request needs CSRF."""
    if request.routing_exception is not None:
        return  # no view will run (404, 405): nothing can change, let the error handler answer
    plain = _bearer_token() if request.blueprint == "api" else None  # tokens open the API, nothing else
    if plain is not None:
        token = active_token(plain)
        if token is None:
            abort(401)
        g.api_token = _note_use(plain, token)
        return
    if request.blueprint == "api" and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return  # an API call without a session cookie carries no ambient authority to forge
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


SECURITY_HEADERS = (
    ("Content-Security-Policy", _CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def add_security_headers(response: Response) -> Response:
    """Headers every response carries (a view may set its own stricter one first)."""
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend([(name, value) for name, value in SECURITY_HEADERS if name.lower() not in present])
    return response


def init_security(app: Flask) -> None:
    """Wire the checks above into the app; CSRF is checked here rather than by default."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    # The cookie itself also lapses after the idle time (the login sets session.permanent).
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    app.before_request(authenticate_bearer_and_check_csrf)
    app.after_request(add_security_headers)
