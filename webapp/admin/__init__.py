"""Staff back office under /admin/: units, standards (drafts, versions), import, audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.admin import calendar, routes, users  # noqa: E402,F401
