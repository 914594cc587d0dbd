"""The queue's JSON API against its OpenAPI description."""

from __future__ import annotations

from flask import url_for

from tests.test_api import _assert_valid
from webapp.core.extensions import db, limiter


def _staff_token(make_user, unit, role="petugas_loket") -> dict:
    user = make_user(role=role, unit=unit)
    _, plain = user.issue_token("kios")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_a_ticket_taken_through_the_api_keeps_the_caller_s_language(client, make_queue):
    """A kiosk app asking in English gets a ticket whose page speaks English (the one-statement path on PostgreSQL)."""
    from antrian.models import Ticket

    q = make_queue()
    for language in ("en-GB,en;q=0.9", "id"):
        response = client.post(url_for("api.take_ticket"), json={"unit": q["unit"].slug, "service": "A"},
                               headers={"Accept-Language": language})
        assert response.status_code == 201
    assert [t.locale for t in db.session.scalars(db.select(Ticket).order_by(Ticket.id))] == ["en", "id"]


def test_take_a_ticket_and_read_it(client, make_queue):
    q = make_queue()
    response = client.post(url_for("api.take_ticket"), json={"unit": q["unit"].slug, "service": "A"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["number"] == "A-001"
    assert body["url"] == f"http://localhost/antrian/tiket/{body['token']}"
    ticket = client.get(url_for("api.get_ticket", token=body["token"])).get_json()
    _assert_valid("Ticket", ticket)
    assert (ticket["status"], ticket["people_ahead"]) == ("waiting", 0)
    state = client.get(url_for("api.queue_state", unit=q["unit"].slug)).get_json()
    _assert_valid("QueueState", state)
    assert state["services"][0]["waiting"] == 1
    assert state["version"] == 1  # announced at once in the tests (QUEUE_STATE_DELAY 0): one raise per ticket
    client.post(url_for("api.take_ticket"), json={"unit": q["unit"].slug, "service": "B"})
    assert client.get(url_for("api.queue_state", unit=q["unit"].slug)).get_json()["version"] == 2


def test_bad_ticket_requests_say_what_is_wrong(client, make_queue):
    q = make_queue()
    assert client.post(url_for("api.take_ticket"), data="x").status_code == 400
    unknown = client.post(url_for("api.take_ticket"), json={"unit": q["unit"].slug, "service": "Z"})
    assert unknown.status_code == 422
    assert list(unknown.get_json()["error"]["fields"]) == ["service"]
    assert client.get(url_for("api.get_ticket", token="palsu")).status_code == 404


def test_counter_calls_need_a_staff_token_of_the_unit(client, make_queue, make_user, make_unit):
    q = make_queue()
    client.post(url_for("api.take_ticket"), json={"unit": q["unit"].slug, "service": "A"})
    url = url_for("api.counter_action", counter_id=q["loket1"].id, action="panggil")
    assert client.post(url).status_code == 401
    assert client.post(url, headers=_staff_token(make_user, q["unit"], role="tim_pengaduan")).status_code == 403
    assert client.post(url, headers=_staff_token(make_user, make_unit())).status_code == 403
    headers = _staff_token(make_user, q["unit"])
    called = client.post(url, headers=headers)
    assert called.status_code == 200
    _assert_valid("Ticket", called.get_json()["ticket"])
    assert called.get_json()["ticket"]["status"] == "called"
    # A-001 was only called: panggil does not close it as served (security M4), the officer settles it first.
    refused = client.post(url, headers=headers)
    assert refused.status_code == 409
    _assert_valid("Error", refused.get_json())
    assert refused.get_json()["error"]["message"].startswith("Nomor A-001 masih dipanggil.")
    start = url_for("api.counter_action", counter_id=q["loket1"].id, action="mulai")
    assert client.post(start, headers=headers).get_json()["ticket"]["status"] == "serving"
    assert client.post(url, headers=headers).status_code == 404  # nobody waits any more; A-001 is finished
    finish = url_for("api.counter_action", counter_id=q["loket1"].id, action="selesai")
    assert client.post(finish, headers=headers).status_code == 409  # "panggil" finished A-001 already


def test_a_counter_call_answers_from_what_it_committed(app, client, make_queue, make_user, monkeypatch):
    """After the call's last write nothing is read: the lobby's screens receive the call while the answer is
    built, so the answer comes from the rows as committed (keep_loaded), not from reading them back."""
    from sqlalchemy import event

    from antrian import events

    monkeypatch.setitem(app.config, "QUEUE_STATE_DELAY", 60)  # the state follows later, in a task not started here
    monkeypatch.setattr(events, "_scheduled", set())
    monkeypatch.setattr(events.socketio, "start_background_task", lambda *args: None)
    q = make_queue()
    headers = _staff_token(make_user, q["unit"])
    for _ in range(2):
        client.post(url_for("api.take_ticket"), json={"unit": q["unit"].slug, "service": "A"})
    call = url_for("api.counter_action", counter_id=q["loket1"].id, action="panggil")
    client.post(call, headers=headers)
    client.post(url_for("api.counter_action", counter_id=q["loket1"].id, action="mulai"), headers=headers)
    # The next panggil finishes A-001 on its way (and makes its survey invitation).
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        called = client.post(call, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert called.status_code == 200, called.text
    [raised] = [i for i, statement in enumerate(statements) if statement.startswith("INSERT INTO queue_state")]
    # After the call's last write only the survey's follow-up reads (the catalogue's titles): not the answer's rows.
    assert not [s for s in statements[raised + 1:] if "FROM ticket" in s or "FROM counter" in s], statements
    ticket = called.get_json()["ticket"]
    assert (ticket["number"], ticket["status"], ticket["counter"]["number"]) == ("A-002", "called", q["loket1"].number)
    _assert_valid("Ticket", ticket)


def test_anonymous_tickets_are_rate_limited_but_kiosk_tokens_are_not(app, client, make_queue, make_user, monkeypatch):
    q = make_queue()
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    limiter.reset()
    body = {"unit": q["unit"].slug, "service": "A"}
    assert [client.post(url_for("api.take_ticket"), json=body).status_code for _ in range(3)] == [201, 201, 429]
    headers = _staff_token(make_user, q["unit"])
    assert all(client.post(url_for("api.take_ticket"), json=body, headers=headers).status_code == 201 for _ in range(3))
    limiter.reset()
