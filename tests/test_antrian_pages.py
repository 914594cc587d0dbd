"""Kiosk, ticket, print view, display and counter panel over HTTP, and the Socket.IO events they cause."""

from __future__ import annotations

import io
import re

import zxingcpp
from flask import url_for
from PIL import Image

from antrian.events import NAMESPACE
from antrian.issuing import issue_ticket
from antrian.models import Ticket
from tests.conftest import csrf_from
from webapp.core.extensions import db


def _take(client, unit, code="A"):
    url = url_for("antrian.kiosk", instansi=unit.slug)
    return client.post(url, data={"csrf_token": csrf_from(client, url), "service": code})


def test_kiosk_shows_open_services_and_prints_a_ticket(client, make_queue):
    q = make_queue()
    page = client.get(url_for("antrian.kiosk", instansi=q["unit"].slug)).get_data(as_text=True)
    assert "Pendaftaran" in page and "Pengambilan Izin" in page
    response = _take(client, q["unit"])
    assert response.status_code == 302
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.number == "A-001"
    assert response.headers["Location"] == url_for("antrian.print_ticket", token=ticket.token, kios=1)
    slip = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A-001" in slip and "0 orang di depan Anda" in slip
    assert 'class="ticket-print w80"' in slip
    narrow = client.get(url_for("antrian.print_ticket", token=ticket.token, lebar=58)).get_data(as_text=True)
    assert 'class="ticket-print w58"' in narrow


def test_a_kiosk_ticket_keeps_the_visitor_s_language_without_a_phone_number(client, make_queue):
    """Its page words the estimate in the ticket's language: an English visitor's must say so at issue."""
    q = make_queue()
    for lang in ("en", "id"):
        url = url_for("antrian.kiosk", instansi=q["unit"].slug, lang=lang)
        assert client.post(url, data={"csrf_token": csrf_from(client, url), "service": "A"}).status_code == 302
    tickets = db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()
    assert [(t.locale, t.phone) for t in tickets] == [("en", None), ("id", None)]


def test_the_ticket_qr_decodes_to_the_phone_page(client, make_queue, browser, live_server):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    page = browser.new_page(viewport={"width": 500, "height": 500})
    page.goto(f"{live_server}/antrian/tiket/{ticket.token}/qr.svg")
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.screenshot())))
    page.close()
    assert [r.text for r in results] == [f"{live_server}/antrian/tiket/{ticket.token}"]


def test_closed_kiosk_says_so(app, client, make_queue, monkeypatch):
    q = make_queue()
    monkeypatch.setitem(app.config, "QUEUE_DAYS", frozenset())
    page = client.get(url_for("antrian.kiosk", instansi=q["unit"].slug)).get_data(as_text=True)
    assert "sedang tutup" in page


def test_ticket_page_shows_position_and_no_personal_data(client, make_queue):
    q = make_queue()
    issue_ticket(q["A"])
    second = issue_ticket(q["A"])
    html = client.get(url_for("antrian.ticket", token=second.token)).get_data(as_text=True)
    assert "A-002" in html
    assert "1 orang di depan Anda" in html
    assert client.get(url_for("antrian.ticket", token="palsu")).status_code == 404


def test_display_renders_counters_and_waiting(client, make_queue):
    q = make_queue()
    issue_ticket(q["A"])
    html = client.get(url_for("antrian.display", instansi=q["unit"].slug)).get_data(as_text=True)
    assert "Loket 1" in html and "Loket 2" in html
    assert re.search(r"A · Pendaftaran</span><span>1<", html)


def test_counter_panel_calls_and_the_display_hears_it(app, client, login, make_queue, socket_client):
    q = make_queue()
    login("petugas_loket", unit=q["unit"])
    issue_ticket(q["A"])
    display = socket_client()
    display.emit("join", {"unit": q["unit"].slug}, namespace=NAMESPACE)
    snapshot = display.get_received(NAMESPACE)[0]
    assert snapshot["name"] == "snapshot"
    version = snapshot["args"][0]["version"]
    panel = url_for("antrian.counter_panel", loket=q["loket1"].id)
    token = csrf_from(client, panel)
    action = url_for("antrian.counter_action", counter_id=q["loket1"].id, action="panggil")
    response = client.post(action, data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "A-001" in response.get_data(as_text=True)
    events = display.get_received(NAMESPACE)
    assert [e["name"] for e in events] == ["called", "state"]
    called, state = events[0]["args"][0], events[1]["args"][0]
    assert called["number"] == "A-001"
    assert called["counter"] == {"number": 1, "name": "Loket 1"}
    assert called["version"] == state["version"] == version + 1
    assert state["counters"][0]["current"]["number"] == "A-001"
    display.disconnect(namespace=NAMESPACE)


def test_phone_joins_with_its_token_and_gets_its_ticket(app, make_queue, socket_client):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    phone = socket_client()
    phone.emit("join", {"ticket": ticket.token}, namespace=NAMESPACE)
    state = phone.get_received(NAMESPACE)[0]["args"][0]
    assert state["ticket"]["number"] == "A-001"
    assert state["ticket"]["people_ahead"] == 0
    phone.emit("join", {"ticket": "palsu"}, namespace=NAMESPACE)
    assert phone.get_received(NAMESPACE)[0]["name"] == "error"
    phone.disconnect(namespace=NAMESPACE)


def test_counter_actions_without_javascript_redirect(client, login, make_queue):
    q = make_queue()
    login("petugas_loket", unit=q["unit"])
    issue_ticket(q["A"])
    panel = url_for("antrian.counter_panel", loket=q["loket1"].id)
    response = client.post(
        url_for("antrian.counter_action", counter_id=q["loket1"].id, action="panggil"),
        data={"csrf_token": csrf_from(client, panel)},
    )
    assert response.status_code == 302
    assert "A-001" in client.get(panel).get_data(as_text=True)


def test_priority_ticket_from_the_panel_is_called_first(client, login, make_queue):
    q = make_queue()
    login("petugas_loket", unit=q["unit"])
    issue_ticket(q["A"])
    panel = url_for("antrian.counter_panel", loket=q["loket1"].id)
    token = csrf_from(client, panel)
    client.post(url_for("antrian.counter_action", counter_id=q["loket1"].id, action="prioritas"),
                data={"csrf_token": token, "service": "A", "reason": "hamil"})  # fmt: skip
    client.post(
        url_for("antrian.counter_action", counter_id=q["loket1"].id, action="panggil"), data={"csrf_token": token}
    )
    called = db.session.scalar(db.select(Ticket).where(Ticket.status == Ticket.CALLED))
    assert (called.number, called.priority_reason) == ("A-002", "hamil")


def test_counter_of_another_unit_is_forbidden(client, login, make_queue, make_unit):
    mine, theirs = make_queue(), make_queue(unit=make_unit())
    login("petugas_loket", unit=mine["unit"])
    assert (
        client.get(url_for("antrian.counter_panel", loket=theirs["loket1"].id)).status_code == 200
    )  # falls back to the chooser
    token = csrf_from(client, url_for("antrian.counter_panel", loket=mine["loket1"].id))
    action = url_for("antrian.counter_action", counter_id=theirs["loket1"].id, action="panggil")
    assert client.post(action, data={"csrf_token": token}).status_code == 403


def test_home_shows_todays_queue(client, make_queue):
    q = make_queue()
    issue_ticket(q["A"])
    html = client.get(url_for("main.home")).get_data(as_text=True)
    assert "Antrian hari ini" in html
    assert "Pendaftaran: 1 menunggu" in html


def test_a_burst_of_changes_is_one_state_broadcast_but_calls_go_at_once(app, make_queue, socket_client, monkeypatch):
    import time

    from antrian.events import publish_change
    from antrian.service import call_next

    monkeypatch.setitem(app.config, "QUEUE_STATE_DELAY", 0.5)  # room for a slow, shared test machine
    q = make_queue()
    display = socket_client()
    display.emit("join", {"unit": q["unit"].slug}, namespace=NAMESPACE)
    display.get_received(NAMESPACE)
    for _ in range(3):
        issue_ticket(q["A"])
        publish_change(q["unit"], issued=True)
    publish_change(q["unit"], called=call_next(q["loket1"]))
    called = display.get_received(NAMESPACE)
    assert [e["name"] for e in called] == ["called"]
    assert called[0]["args"][0]["version"] == 1  # the call raised it; the tickets have not been announced yet
    time.sleep(1.0)
    events = display.get_received(NAMESPACE)
    assert [e["name"] for e in events] == ["state"]
    state = events[0]["args"][0]
    assert state["services"][0]["waiting"] == ["A-002", "A-003"]
    assert state["version"] == 2  # one raise for the three tickets it announces


def test_a_transferred_tickets_first_call_in_its_new_line_is_call_count_1(client, make_queue, make_user,
                                                                          socket_client):
    """Conformance review, realtime 2: call_count counts the calls in the current line; 2+ is a recall."""
    from tests.test_api_antrian import _staff_token

    q = make_queue()
    staff = _staff_token(make_user, q["unit"])
    issue_ticket(q["B"])
    display = socket_client()
    display.emit("join", {"unit": q["unit"].slug}, namespace=NAMESPACE)
    display.get_received(NAMESPACE)

    def act(counter: str, action: str, **body) -> list[dict]:
        answer = client.post(url_for("api.counter_action", counter_id=q[counter].id, action=action),
                             headers=staff, json=body or None)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return [e["args"][0] for e in display.get_received(NAMESPACE) if e["name"] == "called"]

    assert [(c["number"], c["call_count"]) for c in act("loket1", "panggil")] == [("B-001", 1)]
    assert act("loket1", "alihkan", service="A") == []  # counter 1 sends it to line A
    first = act("loket2", "panggil")  # counter 2 serves line A only
    assert [(c["number"], c["service"]["code"], c["call_count"]) for c in first] == [("B-001", "A", 1)]
    assert [c["call_count"] for c in act("loket2", "ulang")] == [2]  # a recall in the new line
    display.disconnect(namespace=NAMESPACE)
