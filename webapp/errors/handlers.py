"""Handlers for 400, 403, 404, 405, 413, 429 and 500; a 500 rolls the database session back."""

from __future__ import annotations

from flask import Response, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from webapp.core.api import api_error
from webapp.core.extensions import db
from webapp.core.i18n import N_
from webapp.errors import bp

MESSAGES = {
    400: N_("Permintaan tidak dapat diproses."),
    401: N_("Token API tidak sah atau sudah dicabut."),
    403: N_("Anda tidak berhak membuka halaman ini."),
    404: N_("Halaman tidak ditemukan."),
    405: N_("Metode permintaan tidak diizinkan."),
    409: N_("Permintaan bertentangan dengan keadaan saat ini."),
    429: N_("Terlalu banyak permintaan. Coba lagi sebentar lagi."),
    500: N_("Terjadi kesalahan pada server."),
}


def _too_large_message() -> str:
    """The 413 sentence, with the limit that applied to this request in words."""
    limit = request.max_content_length or 0
    megabytes = limit / (1024 * 1024)
    size = f"{megabytes:.0f} MB" if megabytes >= 1 else f"{max(1, limit // 1024)} kB"
    return _("Kiriman terlalu besar: paling banyak %(size)s sekaligus. Tidak ada yang tersimpan; "
             "kecilkan atau kurangi lampiran, lalu kirim lagi (tekan Kembali di peramban untuk kembali "
             "ke formulir).", size=size)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int):
    # The API answers in Indonesian, the language of record; a page in the visitor's language.
    message = _too_large_message() if status == 413 else _(MESSAGES.get(status, N_("Terjadi kesalahan.")))
    if _wants_json():
        return api_error(status, message)
    template = "errors/404.html" if status == 404 else "errors/500.html" if status == 500 else "errors/error.html"
    return render_template(template, status=status, message=message), status


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Every HTTP error in the site's style (or as JSON under /api/)."""
    if isinstance(error, SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return Response("Host tidak dikenal.", status=400, mimetype="text/plain")
    if error.code == 500:
        return server_error(error)
    if error.response is not None:  # the raiser made its own answer (e.g. a form kept on a 429)
        return error.response
    response, status = _render(error.code or 500)
    # A 405 must say which methods the resource takes (RFC 9110 15.5.6); keep the exception's Allow.
    allow = dict(error.get_headers()).get("Allow")
    if allow:
        response = make_response(response)
        response.headers["Allow"] = allow
    return response, status


@bp.app_errorhandler(InternalServerError)
def server_error(error: Exception):
    """A crash: roll back whatever the request had begun, then apologise."""
    db.session.rollback()
    return _render(500)
