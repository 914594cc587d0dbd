"""The smallest Flask app: the baseline that bench_catalogue.py compares Loket against.

One route returns a short HTML string, with no database, template or extension, so its
requests per second are the ceiling of Flask + gunicorn sync workers on this machine.
Serve it as ``gunicorn --chdir bench -w 2 -b 127.0.0.1:PORT 'bare_app:create_app()'``.
"""

from __future__ import annotations

from flask import Flask

PAGE = "<!doctype html><html lang=id><title>Loket</title><p>Halo</p></html>"


def create_app() -> Flask:
    """Build the baseline app: ``GET /`` answers a fixed, short HTML page."""
    app = Flask(__name__)

    @app.route("/")
    def index() -> str:
        """The fixed page."""
        return PAGE

    return app
