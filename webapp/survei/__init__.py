"""Survei: the satisfaction survey (SKM) of PermenPANRB 14/2017 and its index (IKM).

The form, the public results at /ikm, staff results, follow-up plans and exports. The rules live
in plain modules: ``questionnaire`` (what is asked), ``ikm`` (the arithmetic), ``periods``,
``results`` (figures from the stored responses), ``filing`` (every rule of a response),
``invitations`` (one-time links) and ``antrian`` (the survey's side of the queue: importing it
here connects the survey to the queue's ``ticket_served`` signal and ticket page).
"""

from flask import Blueprint

bp = Blueprint("survei", __name__)

from webapp.survei import antrian, routes, staff  # noqa: E402,F401
