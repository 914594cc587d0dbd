"""The counter-button dispatcher itself, and how the panel (HTML) and the API (JSON) map its outcome."""

from __future__ import annotations

import pytest
from flask import url_for

from antrian.counter import (
    NotAllowedError,
    NothingHeldError,
    UnknownActionError,
    act,
    counters_for,
    issue_priority,
    panel_state,
)
from antrian.issuing import UnknownQueueError, issue_ticket
from antrian.models import Ticket
from antrian.service import QueueError, StillCalledError, call_next, skip
from tests.conftest import csrf_from
from tests.test_api_antrian import _staff_token
from webapp.core.extensions import db


def test_panggil_never_closes_a_ticket_that_was_only_called(make_queue, make_user):
    officer = make_user(role="petugas_loket")  # of no unit: every counter
    q = make_queue()
    first, second, third = issue_ticket(q["A"]), issue_ticket(q["A"]), issue_ticket(q["A"])
    outcome = act(q["loket1"], "panggil", officer)
    assert outcome.ticket.id == first.id and outcome.called.id == first.id and outcome.notice == ""
    with pytest.raises(StillCalledError, match=r"Nomor A-001 masih dipanggil\. Pilih Mulai, Tidak hadir atau Selesai"):
        act(q["loket1"], "panggil", officer)
    assert not db.session().in_transaction()  # the write lock taken for the check is released
    db.session.expire_all()
    assert db.session.get(Ticket, first.id).status == Ticket.CALLED  # still held, not served
    assert db.session.get(Ticket, second.id).status == Ticket.WAITING  # and nobody else called

    act(q["loket1"], "lewati", officer)  # a no-show settles it
    assert act(q["loket1"], "panggil", officer).called.id == second.id
    act(q["loket1"], "selesai", officer)  # so does an explicit Selesai (served)
    assert act(q["loket1"], "panggil", officer).called.id == third.id
    act(q["loket1"], "mulai", officer)  # and a start: panggil then finishes the ticket being served
    nobody = act(q["loket1"], "panggil", officer)
    assert (nobody.ticket, nobody.called, nobody.notice) == (None, None, "Tidak ada yang menunggu.")
    db.session.expire_all()
    statuses = [db.session.get(Ticket, t.id).status for t in (first, second, third)]
    assert statuses == [Ticket.SKIPPED, Ticket.DONE, Ticket.DONE]


def test_ulang_of_another_ticket_follows_the_same_rule(make_queue, make_user):
    officer = make_user(role="petugas_loket")  # of no unit: every counter
    q = make_queue()
    no_show, held = issue_ticket(q["A"]), issue_ticket(q["A"])
    act(q["loket1"], "panggil", officer)
    act(q["loket1"], "lewati", officer)
    act(q["loket1"], "panggil", officer)
    with pytest.raises(StillCalledError, match="Nomor A-002 masih dipanggil"):
        act(q["loket1"], "ulang", officer, ticket_id=no_show.id)
    db.session.expire_all()
    assert (db.session.get(Ticket, no_show.id).status, db.session.get(Ticket, held.id).status) == (
        Ticket.SKIPPED, Ticket.CALLED)  # fmt: skip
    assert act(q["loket1"], "ulang", officer).called.id == held.id  # its own ticket is recalled as ever
    act(q["loket1"], "mulai", officer)
    again = act(q["loket1"], "ulang", officer, ticket_id=no_show.id)  # the served one is finished first
    assert again.called.id == no_show.id and db.session.get(Ticket, held.id).status == Ticket.DONE


def test_the_panel_refuses_panggil_with_a_message_and_shows_the_held_ticket_after_a_reload(
    client, login, make_queue
):
    q = make_queue()
    issue_ticket(q["A"]), issue_ticket(q["A"])
    login("petugas_loket", unit=q["unit"])
    panel = url_for("antrian.counter_panel", loket=q["loket1"].id)
    token = csrf_from(client, panel)
    call = url_for("antrian.counter_action", counter_id=q["loket1"].id, action="panggil")
    client.post(call, data={"csrf_token": token})
    page = client.post(call, data={"csrf_token": token}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Nomor A-001 masih dipanggil. Pilih Mulai, Tidak hadir atau Selesai" in page
    reloaded = client.get(panel).get_data(as_text=True)  # a reload (or a new browser) after a crash
    assert '<p class="counter-number">A-001</p>' in reloaded and "A-002" in reloaded  # held; A-002 waits


def test_without_a_named_ticket_the_action_is_on_the_held_one(make_queue, make_user):
    officer = make_user(role="petugas_loket")  # of no unit: every counter
    q = make_queue()
    with pytest.raises(NothingHeldError, match="tidak sedang memanggil"):
        act(q["loket1"], "selesai", officer)
    ticket = issue_ticket(q["A"])
    act(q["loket1"], "panggil", officer)
    started = act(q["loket1"], "mulai", officer)
    assert started.ticket.id == ticket.id and started.ticket.status == Ticket.SERVING and started.called is None
    assert act(q["loket1"], "selesai", officer).ticket.status == Ticket.DONE
    with pytest.raises(NothingHeldError):
        act(q["loket1"], "ulang", officer)


def test_a_named_ticket_is_recalled_even_when_skipped(make_queue, make_user):
    officer = make_user(role="petugas_loket")  # of no unit: every counter
    q = make_queue()
    ticket = issue_ticket(q["A"])
    call_next(q["loket2"])
    skip(q["loket2"], ticket.id)
    again = act(q["loket1"], "ulang", officer, ticket_id=ticket.id)
    assert again.called.id == ticket.id and again.ticket.counter_id == q["loket1"].id
    assert (again.ticket.status, again.ticket.call_count) == (Ticket.CALLED, 2)
    skipped = act(q["loket1"], "lewati", officer, ticket_id=ticket.id)
    assert skipped.ticket.status == Ticket.SKIPPED and skipped.called is None


def test_alihkan_needs_a_known_line_of_the_unit(make_queue, make_user):
    officer = make_user(role="petugas_loket")  # of no unit: every counter
    q = make_queue()
    other = make_queue()
    ticket = issue_ticket(q["A"])
    act(q["loket1"], "panggil", officer)
    for target, message in ((None, "Pilih layanan tujuan."), ("Z", "Layanan tujuan tidak dikenal.")):
        with pytest.raises(UnknownQueueError, match=message) as refused:
            act(q["loket1"], "alihkan", officer, target=target)
        assert refused.value.field == "service"
    assert other["B"].code == "B"  # another unit's B is not this unit's B
    moved = act(q["loket1"], "alihkan", officer, target="B")
    assert moved.ticket.id == ticket.id and moved.notice == f"{ticket.number} dialihkan ke antrian Pengambilan Izin."
    assert (moved.ticket.queue_service_id, moved.ticket.status, moved.ticket.counter_id) == (
        q["B"].id, Ticket.WAITING, None)  # fmt: skip


def test_refusals_change_nothing_and_release_the_transaction(make_queue, make_user, make_unit):
    officer = make_user(role="petugas_loket")  # of no unit: every counter
    q = make_queue()
    ticket = issue_ticket(q["A"])
    act(q["loket2"], "panggil", officer)
    with pytest.raises(QueueError, match="tidak sedang di loket ini"):
        act(q["loket1"], "selesai", officer, ticket_id=ticket.id)
    assert not db.session().in_transaction()  # the write lock taken for the check is released
    with pytest.raises(UnknownActionError):
        act(q["loket1"], "hapus", officer)
    with pytest.raises(NotAllowedError):
        act(q["loket1"], "panggil", make_user(role="petugas_loket", unit=make_unit()))
    with pytest.raises(NotAllowedError):
        act(q["loket1"], "panggil", make_user(role="tim_pengaduan"))
    with pytest.raises(NotAllowedError):
        issue_priority(q["loket1"], make_user(role="petugas_loket", unit=make_unit()), "A", "lansia")
    assert db.session.get(Ticket, ticket.id).status == Ticket.CALLED


def test_a_priority_ticket_is_issued_in_one_of_the_counters_lines(make_queue, make_user):
    officer = make_user(role="petugas_loket")  # of no unit: every counter
    q = make_queue()
    issue_ticket(q["A"])
    with pytest.raises(QueueError, match="Pilih layanan"):
        issue_priority(q["loket2"], officer, "B", "lansia")  # loket 2 serves A only
    with pytest.raises(QueueError, match="Alasan prioritas"):
        issue_priority(q["loket2"], officer, "A", "teman")
    priority = issue_priority(q["loket2"], officer, "A", "hamil")
    assert priority.priority and act(q["loket2"], "panggil", officer).called.id == priority.id


def test_the_panel_and_the_api_answer_the_same_refusal_their_own_way(client, login, make_queue, make_user):
    q = make_queue()
    issue_ticket(q["A"])
    headers = _staff_token(make_user, q["unit"])
    api = url_for("api.counter_action", counter_id=q["loket1"].id, action="alihkan")
    assert client.post(api, headers=headers, json={"service": "B"}).status_code == 409  # nothing held yet
    client.post(url_for("api.counter_action", counter_id=q["loket1"].id, action="panggil"), headers=headers)
    refused = client.post(api, headers=headers, json={"service": "Z"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"service": ["Layanan tujuan tidak dikenal."]}
    assert client.post(url_for("api.counter_action", counter_id=q["loket1"].id, action="hapus"),
                       headers=headers).status_code == 404  # fmt: skip
    moved = client.post(api, headers=headers, json={"service": "B"})
    assert moved.status_code == 200 and moved.get_json()["ticket"]["service"]["code"] == "B"

    login("petugas_loket", unit=q["unit"])
    panel = url_for("antrian.counter_panel", loket=q["loket1"].id)
    token = csrf_from(client, panel)
    page = client.post(url_for("antrian.counter_action", counter_id=q["loket1"].id, action="alihkan"),
                       data={"csrf_token": token, "target": "Z"}, follow_redirects=True)  # fmt: skip
    assert "Loket ini tidak sedang memanggil nomor." in page.get_data(as_text=True)
    client.post(url_for("antrian.counter_action", counter_id=q["loket1"].id, action="panggil"),
                data={"csrf_token": token})  # fmt: skip
    page = client.post(url_for("antrian.counter_action", counter_id=q["loket1"].id, action="alihkan"),
                       data={"csrf_token": token, "target": "Z"}, follow_redirects=True)  # fmt: skip
    assert "Layanan tujuan tidak dikenal." in page.get_data(as_text=True)
    assert client.post(url_for("antrian.counter_action", counter_id=q["loket1"].id, action="hapus"),
                       data={"csrf_token": token}).status_code == 404  # fmt: skip


def test_the_panel_shows_the_counters_lines_and_the_units_no_shows(make_queue, make_user):
    q = make_queue()
    officer = make_user(role="petugas_loket", unit=q["unit"])
    a1, b1, a2 = issue_ticket(q["A"]), issue_ticket(q["B"]), issue_ticket(q["A"])
    act(q["loket1"], "panggil", officer)
    act(q["loket1"], "lewati", officer)  # A-001 did not come
    act(q["loket1"], "panggil", officer)  # B-001
    state = panel_state(q["loket2"])  # loket 2 serves A only
    assert state.current is None and [t.id for t in state.waiting] == [a2.id]
    assert [t.id for t in state.skipped] == [a1.id]
    assert [s.code for s in state.transfer_targets] == ["A", "B"]
    assert panel_state(q["loket1"]).current.id == b1.id
    make_queue()  # another unit's counters are not this officer's
    assert [c.id for c in counters_for(officer)] == [q["loket1"].id, q["loket2"].id]
