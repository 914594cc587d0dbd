"""A bare Flask route that inserts one row per request: the floor that bench_issuing.py compares Loket against.

``POST /api/v1/antrian/tiket`` (Loket's path, so the same kiosks can load it) reads the JSON
body, INSERTs one row (service code and a random token) into ``bench_floor_ticket`` with
SQLAlchemy Core on the same PostgreSQL, one autocommit statement (its own transaction, so one
round trip besides the pool's pre-ping), and answers 201 with
a number and the token. No ORM, no login, no rate limiter, no Socket.IO: what Flask, gunicorn,
gevent, SQLAlchemy's pool and psycopg cost for one durable write. The table is created by
the benchmark before the servers start. ``GET /healthz`` answers 200.

Serve it as Loket is served: ``gunicorn -c gunicorn.conf.py --chdir bench -b 127.0.0.1:PORT
'bare_issuing_app:create_app()'`` with DATABASE_URL set (a ``postgresql://`` URL).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from config import Config  # Loket's pool settings, read from the same environment

TABLE = "bench_floor_ticket"
CREATE_TABLE = f"CREATE TABLE IF NOT EXISTS {TABLE} (id serial PRIMARY KEY, service varchar(2), token varchar(43))"


def create_app() -> Flask:
    """Build the floor app on DATABASE_URL with Loket's engine options (pre-ping, pool size)."""
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, pool_size=Config.DATABASE_POOL_SIZE, max_overflow=Config.DATABASE_MAX_OVERFLOW,
                           **Config.SQLALCHEMY_ENGINE_OPTIONS).execution_options(isolation_level="AUTOCOMMIT")
    insert = text(f"INSERT INTO {TABLE} (service, token) VALUES (:service, :token) RETURNING id")
    app = Flask(__name__)

    @app.get("/healthz")
    def health() -> str:
        """Up."""
        return "ok"

    @app.post("/api/v1/antrian/tiket")
    def take() -> tuple:
        """One INSERT and its commit."""
        body = request.get_json(silent=True) or {}
        token = secrets.token_urlsafe(18)
        with engine.connect() as conn:
            row_id = conn.execute(insert, {"service": str(body.get("service", ""))[:2], "token": token}).scalar_one()
        return jsonify(number=f"{row_id:03d}", token=token), 201

    return app
