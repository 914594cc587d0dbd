"""The JSON API, version 1, described by openapi.json."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from webapp.api import routes  # noqa: E402,F401
