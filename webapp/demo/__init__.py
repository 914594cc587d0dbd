"""Demo data: the offices and standards of the seed documents (``flask demo load``)."""

from flask import Blueprint

bp = Blueprint("demo", __name__, cli_group="demo")

from webapp.demo import commands  # noqa: E402,F401
