"""Login and logout of staff."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from webapp.auth import bp
from webapp.auth.forms import LoginForm
from webapp.auth.models import User, equalise_timing
from webapp.auth.service import note_login
from webapp.auth.throttle import login_verdict, record_failure
from webapp.core.extensions import limiter


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so that the login page cannot send people elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
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
        verdict = login_verdict(username, address)
        if not verdict.allowed:
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
            record_failure(username, address)
            form.form_errors.append("Nama pengguna atau kata sandi salah.")
            return render_template("auth/login.html", form=form), 200
        note_login(user)
        next_url = _safe_next(request.args.get("next"))
        session.clear()  # a fresh session (and CSRF token) for the signed-in user
        login_user(user)
        return redirect(next_url)
    return render_template("auth/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
def logout() -> Response:
    """Log out (a POST with a CSRF token, so that a link elsewhere cannot log staff out)."""
    logout_user()
    flash("Anda sudah keluar.", "info")
    return redirect(url_for("auth.login"))
