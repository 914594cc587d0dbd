"""The JSON API, version 1, described by openapi.json."""

from flask import Blueprint, current_app, g

from webapp.core.extensions import limiter

bp = Blueprint("api", __name__)

# Anonymous clients are limited per address; kiosks and staff with a bearer token are not.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], exempt_when=lambda: g.get("api_token") is not None)(bp)

from webapp.api import antrian, berkas, pengaduan, reservasi, routes, survei  # noqa: E402,F401
from webapp.api.schema import check_request  # noqa: E402

# Every path parameter and JSON body meets the schema openapi.json publishes before a view reads it
# (after the rate limit and the token).
bp.before_request(check_request)
