"""Login and logout of staff."""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from webapp.auth import bp
from webapp.auth.forms import LoginForm
from webapp.auth.models import User, equalise_timing
from webapp.auth.service import end_sessions, note_login
from webapp.auth.throttle import begin_attempt, withdraw_attempt
from webapp.core.extensions import limiter

# A browser that has logged in to an account keeps this signed cookie (username and a random id):
# its later attempts are counted apart from strangers' (webapp.auth.throttle, security I1).
KNOWN_BROWSER_COOKIE = "loket_perangkat"
KNOWN_BROWSER_DAYS = 180


def _known_browsers() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="loket-known-browser")


def _known_browser(username: str) -> str | None:
    """The id of this browser if it has logged in to ``username`` before, else None."""
    raw = request.cookies.get(KNOWN_BROWSER_COOKIE, "")
    try:
        data = _known_browsers().loads(raw, max_age=KNOWN_BROWSER_DAYS * 86400) if raw else None
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username.lower()[:64] or not isinstance(data.get("d"), str):
        return None
    return data["d"][:32]


def _remember_browser(response: Response, username: str, device: str | None) -> Response:
    value = _known_browsers().dumps({"u": username.lower()[:64], "d": device or secrets.token_hex(12)})
    response.set_cookie(
        KNOWN_BROWSER_COOKIE, value, max_age=KNOWN_BROWSER_DAYS * 86400, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"], path=url_for("auth.login"),
    )
    return response


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so that the login page cannot send people elsewhere."""
    if target:
        parts = urlsplit(target)
        # A browser reads "/\evil.example" as "//evil.example": no backslash, no second slash.
        if (not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
                and "\\" not in target):
            return target
    return url_for("admin.dashboard")


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def login() -> Response | str | tuple[str, int]:
    """The staff login page."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = request.remote_addr or "-"
        device = _known_browser(username)
        # Counted before the password is checked, so that concurrent guesses cannot all get a check (M2).
        attempt_id, verdict = begin_attempt(username, address, device)
        if not verdict.allowed:
            withdraw_attempt(attempt_id)
            minutes = max(1, round(verdict.wait_seconds / 60))
            message = (
                f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit."
                if verdict.locked
                else f"Tunggu {verdict.wait_seconds} detik sebelum mencoba lagi."
            )
            form.form_errors.append(message)
            return render_template("auth/login.html", form=form), 429
        user = User.by_username(username)
        if user is None:
            equalise_timing(form.password.data)
        if user is None or not user.is_active or not user.check_password(form.password.data):
            form.form_errors.append("Nama pengguna atau kata sandi salah.")
            return render_template("auth/login.html", form=form), 200
        note_login(user)
        next_url = _safe_next(request.args.get("next"))
        session.clear()  # a fresh session (and CSRF token) for the signed-in user
        login_user(user)
        session.permanent = True  # the cookie expires with SESSION_IDLE_MINUTES (security.py)
        session["login_at"] = session["seen_at"] = int(time.time())
        return _remember_browser(redirect(next_url), username, device)
    return render_template("auth/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
def logout() -> Response:
    """Log out (a POST with a CSRF token, so that a link elsewhere cannot log staff out).

    Every copy of the login cookie ends, not just this browser's: the account's session version is raised.
    """
    if current_user.is_authenticated:
        end_sessions(current_user)
    logout_user()
    flash("Anda sudah keluar.", "info")
    return redirect(url_for("auth.login"))
