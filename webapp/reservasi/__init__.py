"""Reservasi: book a queue slot from home, check in at the kiosk, be called on time (issue 14).

A feature over the queue (``antrian``): it reads the queue's lines and issues their tickets
(``antrian.issuing.issue_marked``); the queue knows nothing of it but a ticket's ``booked_from``.
Its template globals (``reservasi_url``, ``reservasi_checkin_url``) let pages of other features
link here without importing it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("reservasi", __name__, cli_group="reservasi")


@bp.record_once
def _template_globals(state: BlueprintSetupState) -> None:
    """Register the links other features' templates ask for."""
    from webapp.reservasi.links import reservasi_checkin_url, reservasi_url

    globals_: dict[str, Any] = state.app.jinja_env.globals
    globals_["reservasi_url"] = reservasi_url
    globals_["reservasi_checkin_url"] = reservasi_checkin_url


from webapp.reservasi import commands, routes, staff  # noqa: E402,F401
