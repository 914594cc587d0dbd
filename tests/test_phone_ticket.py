"""The phone ticket (issue 13): the wait in words, cancelling, the "near" and "called" messages to a number
left for the day, the daily erasure, the setup's new rows and previews, statistics in Indonesian formats."""

from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from antrian import notify
from antrian.events import publish_change
from antrian.issuing import issue_ticket
from antrian.models import QueueState, Ticket
from antrian.notify import TOPIC_CALLED, TOPIC_NEAR, cancel_ticket, erase_contacts, notify_due, set_contact
from antrian.reading import position, ticket_view
from antrian.service import QueueError, call_next, finish, recall
from antrian.stats import by_day_and_service
from tests.conftest import csrf_from
from tests.test_antrian_rules import MONDAY_9
from webapp.core.extensions import db
from webapp.core.formatting import angka, menit, perkiraan_tunggu, ribuan, tanggal_singkat
from webapp.outbox.models import FAILED, OutboxMessage

PHONE_TYPED, PHONE_STORED = "0812-3456-7890", "6281234567890"


def _messages(topic: str | None = None) -> list[OutboxMessage]:
    statement = select(OutboxMessage).order_by(OutboxMessage.id)
    if topic:
        statement = statement.where(OutboxMessage.topic == topic)
    return list(db.session.scalars(statement))


# --- wording and formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "words"), [
    (None, ""), (0, "kurang dari 5 menit"), (4.9, "kurang dari 5 menit"), (5, "sekitar 5 menit"),
    (12, "sekitar 10 menit"), (23, "sekitar 25 menit"), (57, "sekitar 55 menit"), (58, "sekitar 1 jam"),
    (75, "sekitar 1 jam 15 menit"), (130, "sekitar 2 jam 15 menit"),
])  # fmt: skip
def test_the_wait_is_worded_coarsely(minutes, words):
    assert perkiraan_tunggu(minutes) == words


def test_indonesian_number_and_date_formats():
    assert angka(0.9, 1) == "0,9"
    assert angka(2.25, 1) == "2,3"  # half up, as on paper (a float's 2.25 would round to even)
    assert angka(1234.56, 1) == "1.234,6"
    assert menit(0.94) == "0,9 menit" and menit(None) == "—"
    assert ribuan(1234567) == "1.234.567" and ribuan(12) == "12"
    assert tanggal_singkat("2026-11-30") == "30 Nov 2026"


# --- the estimate on the page and in the API ----------------------------------------------------------


def test_the_ticket_page_and_api_give_the_wait_in_words(client, make_queue):
    q = make_queue()
    served = issue_ticket(q["A"])
    waiting = [issue_ticket(q["A"]) for _ in range(4)]
    page = client.get(url_for("antrian.ticket", token=waiting[-1].token)).get_data(as_text=True)
    assert "Perkiraan waktu tunggu muncul setelah layanan pertama hari ini selesai." in page
    called = call_next(q["loket1"])
    assert called.id == served.id
    called.called_at -= timedelta(minutes=9)  # nine minutes at the counter
    db.session.commit()
    finish(q["loket1"], called.id)
    view = client.get(url_for("api.get_ticket", token=waiting[-1].token)).get_json()
    # 4 in line (3 ahead + itself) x 9 minutes, over the two counters serving A: 18 minutes.
    assert (view["people_ahead"], view["estimated_wait_minutes"]) == (3, 18)
    assert view["estimated_wait_text"] == "sekitar 20 menit"
    page = client.get(url_for("antrian.ticket", token=waiting[-1].token)).get_data(as_text=True)
    assert "Perkiraan menunggu: sekitar 20 menit." in page
    assert 'data-notify-ahead="3"' in page and "Beri tahu saya" in page
    assert 'data-estimate-every="20.0"' in page  # QUEUE_ESTIMATE_REFRESH: phones ask at most every 20 s


# --- cancelling ----------------------------------------------------------------------------------------


def _cancel(client, ticket: Ticket, confirm: bool):
    page = url_for("antrian.ticket", token=ticket.token)
    data = {"csrf_token": csrf_from(client, page)}
    if confirm:
        data["yakin"] = "1"
    return client.post(url_for("antrian.cancel", token=ticket.token), data=data)


def test_cancelling_asks_first_then_frees_the_place(client, make_queue, socket_client):
    q = make_queue()
    first, second, third = (issue_ticket(q["A"]) for _ in range(3))
    asked = _cancel(client, second, confirm=False)
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "Batalkan antrian A-002?" in html and "Ya, batalkan antrian" in html
    db.session.refresh(second)
    assert second.status == Ticket.WAITING  # the first press only asks
    version = db.session.get(QueueState, q["unit"].id)
    before = version.version if version else 0
    phone = socket_client()
    phone.emit("join", {"ticket": third.token}, namespace="/antrian")
    phone.get_received("/antrian")

    done = _cancel(client, second, confirm=True)
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, second.id).status == Ticket.CANCELLED
    assert position(db.session.get(Ticket, third.id)) == 1  # one place nearer
    assert db.session.get(QueueState, q["unit"].id).version == before + 1
    # The phone hears of its own ticket only: one place nearer, and no other visitor's number.
    events = phone.get_received("/antrian")
    assert [e["name"] for e in events] == ["position"]
    assert events[0]["args"][0]["number"] == "A-003" and events[0]["args"][0]["people_ahead"] == 1
    assert "A-002" not in str(events)
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Antrian A-002 dibatalkan" in page and "Antrian ini sudah Anda batalkan." in page
    assert "Batalkan antrian" not in page.replace("Antrian A-002 dibatalkan", "")
    assert client.get(url_for("api.get_ticket", token=second.token)).get_json()["status"] == "cancelled"

    # Never called: the counters call the first, then the third.
    assert call_next(q["loket1"]).id == first.id
    assert call_next(q["loket2"]).id == third.id
    finish(q["loket1"], first.id)
    assert call_next(q["loket1"]) is None
    with pytest.raises(QueueError):
        recall(q["loket1"], second.id)


def test_a_called_ticket_can_no_longer_be_cancelled(client, make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    call_next(q["loket1"])
    with pytest.raises(QueueError, match="sudah dipanggil"):
        cancel_ticket(ticket)
    response = client.post(url_for("antrian.cancel", token=ticket.token),
                           data={"csrf_token": csrf_from(client, url_for("antrian.ticket", token=ticket.token)),
                                 "yakin": "1"})  # fmt: skip
    assert response.status_code == 302
    assert "tidak dapat dibatalkan lagi" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.status == Ticket.CALLED


def test_cancel_without_csrf_is_refused(client, make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    assert client.post(url_for("antrian.cancel", token=ticket.token), data={"yakin": "1"}).status_code == 400
    db.session.refresh(ticket)
    assert ticket.status == Ticket.WAITING


def test_a_cancelled_ticket_is_neither_served_nor_a_no_show_in_statistics(make_queue):
    q = make_queue()
    kept, given_back = issue_ticket(q["A"], now=MONDAY_9), issue_ticket(q["A"], now=MONDAY_9)
    cancel_ticket(given_back)
    call_next(q["loket1"], now=MONDAY_9 + timedelta(minutes=5))
    finish(q["loket1"], kept.id, now=MONDAY_9 + timedelta(minutes=8))
    [row] = by_day_and_service(db.session.scalars(select(Ticket)))
    assert (row.tickets, row.served, row.no_shows, row.cancelled) == (2, 1, 0, 1)
    assert row.waits == [5.0]  # the cancelled ticket has no wait
    assert row.label == "23 Nov 2026 · A Pendaftaran"


# --- a number for the day, and the messages -------------------------------------------------------------


def _leave_number(client, ticket: Ticket, phone: str):
    page = url_for("antrian.ticket", token=ticket.token)
    return client.post(url_for("antrian.contact", token=ticket.token),
                       data={"csrf_token": csrf_from(client, page), "phone": phone})  # fmt: skip


def test_a_wrong_number_is_refused_and_kept_as_typed(client, make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    response = _leave_number(client, ticket, "12345")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tulis nomor HP Indonesia" in html and 'value="12345"' in html
    db.session.refresh(ticket)
    assert ticket.phone is None


def test_near_and_called_go_once_each_to_the_number_never_shown_or_logged(client, make_queue, caplog):
    caplog.set_level(logging.DEBUG)
    q = make_queue()
    tickets = [issue_ticket(q["A"]) for _ in range(6)]  # the last has 5 ahead
    mine = tickets[-1]
    response = _leave_number(client, mine, PHONE_TYPED)
    assert response.status_code == 302
    db.session.refresh(mine)
    assert mine.phone == PHONE_STORED
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0812*****890" in page
    assert PHONE_STORED not in page and PHONE_TYPED not in page and "3456" not in page
    assert _messages() == []  # 5 ahead: not near yet

    call_next(q["loket1"])
    publish_change(q["unit"])  # 4 ahead
    assert _messages() == []
    call_next(q["loket2"])
    publish_change(q["unit"])  # 3 ahead: near
    [near] = _messages(TOPIC_NEAR)
    assert (near.recipient, near.channel, near.unit_id) == (PHONE_STORED, "whatsapp", q["unit"].id)
    assert "giliran Anda hampir tiba" in near.body and "A-006" in near.body and "3 orang" in near.body
    held = {1: tickets[0], 2: tickets[1]}
    for number in (1, 2, 1):  # 2, 1 and 0 ahead: no second "near"
        counter = q[f"loket{number}"]
        finish(counter, held[number].id)
        held[number] = call_next(counter)
        publish_change(q["unit"], called=held[number])
        assert len(_messages(TOPIC_NEAR)) == 1
    finish(q["loket2"], held[2].id)
    called = call_next(q["loket2"])
    assert called.id == mine.id
    publish_change(q["unit"], called=called)
    [message] = _messages(TOPIC_CALLED)
    assert "A-006 dipanggil" in message.body and "Loket 2" in message.body
    recall(q["loket2"], mine.id)
    publish_change(q["unit"], called=mine)
    assert len(_messages(TOPIC_CALLED)) == 1  # once per ticket
    assert PHONE_STORED not in caplog.text and "3456" not in caplog.text


def test_a_number_left_when_already_near_gets_the_message_at_once(client, make_queue):
    q = make_queue()
    first, mine = issue_ticket(q["A"]), issue_ticket(q["A"])
    assert _leave_number(client, mine, "+62 812 3456 7890").status_code == 302
    [near] = _messages(TOPIC_NEAR)
    assert "Anda berikutnya" not in near.body and "1 orang" in near.body
    assert first.id != mine.id


def test_a_ticket_called_before_it_was_near_gets_only_the_call(make_queue, app, monkeypatch):
    monkeypatch.setitem(app.config, "QUEUE_NOTIFY_CHANNEL", "sms")
    q = make_queue()
    mine = issue_ticket(q["A"], now=MONDAY_9)
    set_contact(mine, PHONE_TYPED, now=MONDAY_9)
    state = QueueState(unit_id=q["unit"].id, version=0, running_text="", notify_ahead=0)
    db.session.add(state)
    db.session.commit()
    call_next(q["loket1"], now=MONDAY_9)
    started: list[bool] = []
    monkeypatch.setattr(notify, "send_soon", lambda: started.append(True))
    queued: list = []

    def broadcaster() -> None:
        """As the delayed state broadcast runs it: an app context, no request."""
        with app.app_context():
            queued.append(notify_due(q["unit"].id, now=MONDAY_9))
            queued.append(notify_due(q["unit"].id, now=MONDAY_9))
            db.session.remove()

    thread = threading.Thread(target=broadcaster)
    thread.start()
    thread.join(30)
    assert queued == [[("A-001", TOPIC_CALLED)], []]
    assert [m.channel for m in _messages()] == ["sms"]
    # There the outbox's after-commit hook does not start delivery: the call's message is sent at once all
    # the same, once, for the one message queued.
    assert started == [True]


def test_the_visitor_can_erase_the_number(client, make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    set_contact(ticket, PHONE_TYPED)
    page = url_for("antrian.ticket", token=ticket.token)
    response = client.post(url_for("antrian.contact", token=ticket.token),
                           data={"csrf_token": csrf_from(client, page), "hapus": "1"})  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.phone is None


def test_numbers_are_erased_after_the_day_by_the_daily_job(runner, make_queue):
    q = make_queue()
    today, yesterday = MONDAY_9 + timedelta(days=1), MONDAY_9
    old = issue_ticket(q["A"], now=yesterday)
    set_contact(old, PHONE_TYPED, now=yesterday)
    assert notify_due(q["unit"].id, now=yesterday)  # near: a message to the number
    _messages()[0].created_at = yesterday  # queued then (the outbox stamps its own clock)
    db.session.commit()
    new = issue_ticket(q["A"], now=today)
    with pytest.raises(QueueError, match="bukan untuk hari ini"):
        set_contact(new, "0813 1111 2222", now=yesterday)
    set_contact(new, "0813 1111 2222", now=today)

    # Late on Monday (23.30 WIB) nothing is over yet.
    late = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    assert erase_contacts(late).tickets == 0

    result = runner.invoke(args=["antrian", "hapus-kontak", "--sekarang", "2026-11-24T00:05+07:00"])
    assert result.exit_code == 0, result.output
    assert "Nomor HP dihapus dari 1 tiket; 1 pesan antrian disamarkan." in result.output
    db.session.expire_all()
    assert db.session.get(Ticket, old.id).phone is None
    assert db.session.get(Ticket, new.id).phone == "6281311112222"  # Tuesday's ticket keeps its number today
    [message] = _messages()
    assert PHONE_STORED not in message.recipient and "*" in message.recipient
    assert message.status == FAILED  # not sent any more: the day is over
    bad = runner.invoke(args=["antrian", "hapus-kontak", "--sekarang", "kemarin"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output


def test_ticket_view_has_no_phone(make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    set_contact(ticket, PHONE_TYPED)
    assert PHONE_STORED not in repr(ticket_view(ticket))


# --- setup ----------------------------------------------------------------------------------------------


def test_added_lines_and_counters_start_active(client, login, make_queue):
    q = make_queue()
    login("admin")
    url = url_for("antrian.setup", slug=q["unit"].slug)
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    form = {"csrf_token": token, "running_text": "", "notify_ahead": "3",
            "services-0-code": "A", "services-0-name": "Pendaftaran", "services-0-opens_at": "08:00",
            "services-0-closes_at": "15:00", "services-0-active": "y",
            "counters-0-number": "1", "counters-0-name": "Loket 1", "counters-0-services": "A",
            "counters-0-active": "y"}  # fmt: skip
    added = client.post(url, data={**form, "op": "add:services"}).get_data(as_text=True)
    assert '<input checked id="services-1-active" name="services-1-active"' in added
    assert 'name="services-1-opens_at" required type="time" value="08:00"' in added
    assert '<input checked id="services-0-active"' in added
    added = client.post(url, data={**form, "op": "add:counters"}).get_data(as_text=True)
    assert '<input checked id="counters-1-active" name="counters-1-active"' in added


def test_setup_saves_notify_ahead_and_shows_previews_that_take_no_ticket(client, login, make_queue):
    from tests.test_antrian_staff import _setup_data

    q = make_queue()
    login("admin")
    url = url_for("antrian.setup", slug=q["unit"].slug)
    response = client.post(url, data=_setup_data(csrf_from(client, url), notify_ahead="5"))
    assert response.status_code == 302
    assert db.session.get(QueueState, q["unit"].id).notify_ahead == 5
    wrong = client.post(url, data=_setup_data(csrf_from(client, url), notify_ahead="99"))
    assert wrong.status_code == 422 and "Antara 0 dan 50 orang." in wrong.get_data(as_text=True)
    html = client.get(url).get_data(as_text=True)
    kiosk = url_for("antrian.kiosk", instansi=q["unit"].slug, pratinjau=1)
    display = url_for("antrian.display", instansi=q["unit"].slug, pratinjau=1)
    assert f'src="{kiosk.replace("&", "&amp;")}"' in html and f'src="{display.replace("&", "&amp;")}"' in html
    assert 'sandbox="allow-scripts allow-same-origin"' in html  # no allow-forms: a preview cannot submit
    framed = client.get(kiosk)
    assert framed.status_code == 200 and framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    taken = client.post(kiosk, data={"csrf_token": csrf_from(client, kiosk), "service": "A"})
    assert taken.status_code == 403
    assert db.session.scalar(select(Ticket.id)) is None
