"""Pengaduan: complaints filed online or at the counter, tracked by code, handled and reported.

Seeds 000 and 004: channels langsung and tidak langsung, a 14-working-day deadline, weights
ringan/sedang/berat deciding who handles a complaint, the Buku Pengaduan, the Berita Acara
Penyelesaian and the monthly report reviewed by the Sekretaris for the Kepala Dinas.
"""

from flask import Blueprint, current_app, request

bp = Blueprint("pengaduan", __name__)

# Endpoints that take attachments may receive more than MAX_CONTENT_LENGTH (an imported
# standard document): several photos of a receipt. Set before the CSRF check reads the form.
UPLOAD_ENDPOINTS = frozenset({"pengaduan.form", "pengaduan.staff_new"})


def _allow_attachments() -> None:
    if request.endpoint in UPLOAD_ENDPOINTS:
        config = current_app.config
        request.max_content_length = (
            config["PENGADUAN_MAX_ATTACHMENTS"] * config["PENGADUAN_ATTACHMENT_MAX_BYTES"] + 1024 * 1024
        )


@bp.record_once
def _install_upload_limit(state) -> None:
    # First among the app's before_request functions: the CSRF check parses the body.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_attachments)


from webapp.pengaduan import report, routes, staff  # noqa: E402,F401
