"""Survei: the satisfaction survey (SKM) of PermenPANRB 14/2017 and its index (IKM).

The form, the public results at /ikm, staff results, follow-up plans and exports; the
arithmetic lives in ``webapp.survei.service``.
"""

from flask import Blueprint

bp = Blueprint("survei", __name__)

from webapp.survei import routes, staff  # noqa: E402,F401
