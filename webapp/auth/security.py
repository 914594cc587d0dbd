"""Who is asking, and what every response carries: sessions, bearer tokens, CSRF, security headers."""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import Flask, Response, abort, current_app, g, request

from webapp.auth.models import ApiToken, User
from webapp.extensions import csrf, db, login_manager
from webapp.standards.models import utcnow

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


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The account of a session cookie; a session from before a password change is void."""
    user_id, _, fingerprint = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or fingerprint != user.password_fingerprint:
        return None
    return user


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    """The account of an ``Authorization: Bearer`` API token."""
    token = getattr(g, "api_token", None)
    return token.user if token else None


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
        token = ApiToken.find_active(plain)
        if token is None:
            abort(401)
        now = utcnow()
        last = token.last_used_at
        if last is None or (last if last.tzinfo else last.replace(tzinfo=UTC)) < now - TOKEN_USE_RESOLUTION:
            token.last_used_at = now  # at most once a minute: not a write per API call
            db.session.commit()
        g.api_token = token
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
    app.before_request(authenticate_bearer_and_check_csrf)
    app.after_request(add_security_headers)
