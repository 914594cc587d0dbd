"""Antrian: queue tickets at the kiosk, counters that call them, lobby displays and phones that follow.

The package is ``antrian``, not ``queue``: a top-level ``queue`` package would shadow the
standard library's ``queue`` module, which threading, logging and engineio import.
"""

from flask import Blueprint

bp = Blueprint("antrian", __name__)

from antrian import commands, events, routes, staff  # noqa: E402,F401
