"""Staff accounts: login, roles, API tokens and the ``flask users`` commands."""

from flask import Blueprint

bp = Blueprint("auth", __name__, cli_group="users")

from webapp.auth import commands, routes  # noqa: E402,F401
