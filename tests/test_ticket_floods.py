"""Security review M3: anonymous tickets cannot empty a service's day; the lobby's registered kiosk keeps
working without anyone typing."""

from __future__ import annotations

import time

from flask import url_for
from sqlalchemy import func, select

from antrian.models import Ticket
from antrian.routes import KIOSK_COOKIE
from tests.conftest import csrf_from
from webapp.core.extensions import db


def _api_ticket(client, unit, code="A", address="203.0.113.9", headers=None):
    return client.post(url_for("api.take_ticket"), json={"unit": unit.slug, "service": code}, headers=headers or {},
                       environ_base={"REMOTE_ADDR": address})


def _kiosk_ticket(client, unit, code="A"):
    url = url_for("antrian.kiosk", instansi=unit.slug)
    return client.post(url, data={"csrf_token": csrf_from(client, url), "service": code})


def _register_kiosk(app, client, make_user, unit):
    """An administrator registers ``client``'s browser as the unit's kiosk, then leaves it to visitors."""
    admin = make_user(role="admin", unit=unit)
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["login_at"] = session["seen_at"] = int(time.time())
    url = url_for("antrian.kiosk", instansi=unit.slug)
    page = client.get(url).get_data(as_text=True)
    assert "Daftarkan peramban ini sebagai kios" in page
    register = url_for("antrian.register_kiosk", instansi=unit.slug)
    answer = client.post(register, data={"csrf_token": csrf_from(client, url)})
    assert answer.status_code == 302
    assert client.get_cookie(KIOSK_COOKIE, path=url_for("antrian.kiosk")) is not None
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])  # the administrator leaves; the kiosk stays one


def _tickets() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def test_one_address_gets_a_few_anonymous_tickets_per_service_and_day(client, make_queue, make_user):
    q = make_queue()
    assert [_api_ticket(client, q["unit"]).status_code for _ in range(4)] == [201, 201, 201, 429]
    refused = _api_ticket(client, q["unit"])
    assert "sudah diambil 3 nomor" in refused.get_json()["error"]["message"]
    assert _api_ticket(client, q["unit"], code="B").status_code == 201  # another service
    assert _api_ticket(client, q["unit"], address="198.51.100.7").status_code == 201  # another address
    user = make_user(role="petugas_loket", unit=q["unit"])
    _, token = user.issue_token("kios")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert all(_api_ticket(client, q["unit"], headers=headers).status_code == 201 for _ in range(5))  # a kiosk device


def test_the_m3_reproduction_leaves_the_kiosks_share_of_the_day(app, client, make_user, make_queue):
    """35 anonymous tickets from many addresses against a cap of 30: half the day stays for the lobby's kiosk."""
    q = make_queue(daily_cap=30)
    statuses = [_api_ticket(client, q["unit"], code="A", address=f"10.0.{i}.1").status_code for i in range(35)]
    assert statuses.count(201) == 15 and statuses.count(409) == 20
    assert _tickets() == 15
    kiosk = app.test_client()
    unregistered = _kiosk_ticket(kiosk, q["unit"])  # a browser that is not the kiosk draws on the same share
    assert unregistered.status_code == 302
    assert "dari luar kantor hari ini sudah habis" in kiosk.get(unregistered.headers["Location"]).get_data(as_text=True)
    _register_kiosk(app, kiosk, make_user, q["unit"])
    answers = [_kiosk_ticket(kiosk, q["unit"]) for _ in range(16)]
    printed = [a for a in answers if "/cetak" in a.headers["Location"]]
    assert len(printed) == 15  # the rest of the day, pressed without typing anything
    assert "Kuota harian" in kiosk.get(answers[-1].headers["Location"]).get_data(as_text=True)
    assert _tickets() == 30


def test_without_a_cap_anonymous_tickets_have_a_daily_ceiling(app, client, make_queue, monkeypatch):
    monkeypatch.setitem(app.config, "TICKET_ANON_DAILY_MAX", 3)
    q = make_queue()
    statuses = [_api_ticket(client, q["unit"], address=f"10.1.{i}.1").status_code for i in range(4)]
    assert statuses == [201, 201, 201, 409]
    kiosk_press = _kiosk_ticket(app.test_client(), q["unit"])
    assert "/cetak" not in kiosk_press.headers["Location"]


def test_the_unregistered_kiosk_page_has_no_limit_per_address(client, make_queue):
    q = make_queue()
    assert all("/cetak" in _kiosk_ticket(client, q["unit"]).headers["Location"] for _ in range(6))


def test_only_an_administrator_of_the_unit_registers_a_kiosk(app, client, login, make_queue):
    q = make_queue()
    url = url_for("antrian.register_kiosk", instansi=q["unit"].slug)
    token = csrf_from(client, url_for("antrian.kiosk", instansi=q["unit"].slug))
    assert client.post(url, data={"csrf_token": token}).status_code == 302  # to the login page
    assert client.get_cookie(KIOSK_COOKIE, path=url_for("antrian.kiosk")) is None
    login("petugas_loket", unit=q["unit"])
    token = csrf_from(client, url_for("antrian.kiosk", instansi=q["unit"].slug))
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert "Daftarkan peramban" not in client.get(url_for("antrian.kiosk", instansi=q["unit"].slug)).get_data(
        as_text=True)


def test_a_forged_kiosk_cookie_counts_as_anonymous(app, client, make_queue, monkeypatch):
    monkeypatch.setitem(app.config, "TICKET_ANON_DAILY_MAX", 0)
    q = make_queue()
    client.set_cookie(KIOSK_COOKIE, "eyJ1bml0IjoxfQ.palsu", path=url_for("antrian.kiosk"))
    assert "/cetak" not in _kiosk_ticket(client, q["unit"]).headers["Location"]
