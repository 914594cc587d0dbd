"""The public catalogue of service standards, their QR codes and printable posters."""

from flask import Blueprint

bp = Blueprint("standards", __name__)

from webapp.standards import commands, routes  # noqa: E402,F401
