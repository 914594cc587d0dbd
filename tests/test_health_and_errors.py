"""/healthz, error pages, and the rollback on a crash."""

from __future__ import annotations

from flask import Flask, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from config import Config
from webapp.core.extensions import db
from webapp.core.units import Unit


def test_healthz_ok_when_database_answers(client):
    response = client.get(url_for("main.healthz"))
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_does_not_answer(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get(url_for("main.healthz"))
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_healthz_503_on_unreachable_server(make_app):
    class Unreachable(Config):
        SECRET_KEY = "x"
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"

    response = make_app(Unreachable).test_client().get("/healthz")
    assert response.status_code == 503


def test_a_crash_rolls_back_and_shows_the_500_page(app: Flask, database_url, make_app):
    """A fresh app (routes cannot be added to one that has served) with a view that writes, then fails."""

    class Crashing(Config):
        SECRET_KEY = "x"
        SQLALCHEMY_DATABASE_URI = database_url

    crashing = make_app(Crashing)

    @crashing.route("/crash")
    def crash():
        db.session.add(Unit(slug="setengah", name="Setengah jadi", short_name="Setengah", contacts=[]))
        db.session.flush()
        raise RuntimeError("boom")

    response = crashing.test_client().get("/crash")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Maaf, terjadi kesalahan pada server" in html
    assert "boom" not in html
    with crashing.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_405_and_other_http_errors_use_the_site_style(client):
    response = client.post(url_for("main.home"))
    assert response.status_code == 405
    assert "Metode permintaan tidak diizinkan" in response.get_data(as_text=True)
