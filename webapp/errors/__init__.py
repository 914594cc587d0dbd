"""Error pages in one place: HTML for the site, JSON for the API."""

from flask import Blueprint

bp = Blueprint("errors", __name__)

from webapp.errors import handlers  # noqa: E402,F401
