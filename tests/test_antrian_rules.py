"""Queue rules: numbering per service per local day, priority, counter actions, estimates."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from antrian.issuing import UnknownQueueError, issue, issue_ticket, open_services
from antrian.models import DailySequence, Ticket
from antrian.reading import estimated_wait_minutes, position, snapshot, ticket_view
from antrian.service import (
    QueueError,
    StillCalledError,
    call_next,
    finish,
    recall,
    skip,
    start_serving,
    transfer,
)
from webapp.core.extensions import db
from webapp.core.localtime import local_today

# 09:00 WIB on a Monday.
MONDAY_9 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_numbers_count_per_service_and_start_with_001(make_queue):
    q = make_queue()
    numbers = [issue_ticket(q["A"], now=MONDAY_9).number for _ in range(3)] + [
        issue_ticket(q["B"], now=MONDAY_9).number
    ]
    assert numbers == ["A-001", "A-002", "A-003", "B-001"]


def test_numbering_restarts_at_the_units_local_midnight_not_utcs(make_queue):
    q = make_queue()
    before_midnight = datetime(2026, 11, 23, 16, 59, tzinfo=UTC)  # 23.59 WIB
    after_midnight = datetime(2026, 11, 23, 17, 1, tzinfo=UTC)  # 00.01 WIB, still 23 November in UTC
    first = issue_ticket(q["A"], now=before_midnight)
    second = issue_ticket(q["A"], now=after_midnight)
    assert (first.number, second.number) == ("A-001", "A-001")
    assert (first.day.isoformat(), second.day.isoformat()) == ("2026-11-23", "2026-11-24")
    q["unit"].timezone = "Asia/Jayapura"  # WIT, two hours ahead
    db.session.commit()
    assert local_today(q["unit"], datetime(2026, 11, 23, 15, 30, tzinfo=UTC)).isoformat() == "2026-11-24"


def test_tokens_are_unguessable_and_unique(make_queue):
    q = make_queue()
    tokens = {issue_ticket(q["A"], now=MONDAY_9).token for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 24 for t in tokens)


def test_hours_days_and_daily_cap(app, make_queue, monkeypatch):
    q = make_queue(daily_cap=2)
    q["B"].opens_at, q["B"].closes_at = time(8, 0), time(12, 0)
    db.session.commit()
    assert [s.code for s in open_services(q["unit"], now=MONDAY_9)] == ["A", "B"]
    afternoon = MONDAY_9 + timedelta(hours=5)  # 14.00 WIB
    assert [s.code for s in open_services(q["unit"], now=afternoon)] == ["A"]
    with pytest.raises(QueueError, match="tutup"):
        issue_ticket(q["B"], now=afternoon)
    monkeypatch.setitem(app.config, "QUEUE_DAYS", frozenset({1, 2, 3, 4, 5}))
    assert open_services(q["unit"], now=MONDAY_9 - timedelta(days=1)) == []  # Sunday
    with pytest.raises(QueueError, match="tutup"):
        issue_ticket(q["A"], now=MONDAY_9 - timedelta(days=1))
    issue_ticket(q["A"], now=MONDAY_9)
    issue_ticket(q["A"], now=MONDAY_9)
    with pytest.raises(QueueError, match="Kuota harian"):
        issue_ticket(q["A"], now=MONDAY_9)
    assert issue_ticket(q["B"], now=afternoon, check_hours=False).number == "B-001"  # staff: priority tickets


def test_opening_hours_edges_and_inactive_services(make_queue):
    """The same rules on both paths of issue (one SQL statement on PostgreSQL, step by step on SQLite)."""
    q = make_queue()
    q["B"].opens_at, q["B"].closes_at = time(8, 0), time(12, 0)
    db.session.commit()
    eight = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08.00 WIB
    assert issue(q["unit"].slug, "B", now=eight).number == "B-001"
    with pytest.raises(QueueError, match="tutup"):
        issue(q["unit"].slug, "B", now=eight - timedelta(seconds=1))
    with pytest.raises(QueueError, match="tutup"):
        issue(q["unit"].slug, "B", now=eight + timedelta(hours=4))  # 12.00: closed
    assert issue(q["unit"].slug, "A", now=eight + timedelta(hours=15, minutes=59)).number == "A-001"  # 23.59
    q["A"].active = False
    db.session.commit()
    with pytest.raises(QueueError, match="tutup"):
        issue(q["unit"].slug, "A", now=eight)
    with pytest.raises(UnknownQueueError) as unknown:
        issue(q["unit"].slug, "Z", now=eight)
    assert unknown.value.field == "service"
    with pytest.raises(UnknownQueueError) as unknown:
        issue("tidak-ada", "A", now=eight)
    assert unknown.value.field == "unit"
    with pytest.raises(QueueError, match="prioritas"):
        issue(q["unit"].slug, "B", now=eight, priority_reason="vip")
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 2


def test_issuing_answers_what_the_kiosk_and_the_displays_need(make_queue):
    q = make_queue()
    before = snapshot(q["unit"], now=MONDAY_9)["version"]
    issued = issue(q["unit"].slug, "A", now=MONDAY_9, priority_reason="lansia")
    stored = db.session.get(Ticket, issued.id)
    assert (issued.number, issued.token, issued.sequence, issued.day) == (
        stored.number, stored.token, stored.sequence, stored.day)  # fmt: skip
    assert (stored.status, stored.priority, stored.priority_reason, stored.call_count) == ("waiting", True, "lansia", 0)
    assert (stored.queue_service_id, stored.issued_service_id, stored.unit_id) == (q["A"].id, q["A"].id, q["unit"].id)
    assert stored.issued_at.replace(tzinfo=UTC) == MONDAY_9
    assert (issued.unit.id, issued.unit.slug) == (q["unit"].id, q["unit"].slug)
    # Issuing leaves the version alone: publish_change(..., issued=True) raises it (test_antrian_pages).
    assert snapshot(q["unit"], now=MONDAY_9)["version"] == before


def test_numbers_past_999_keep_every_digit(make_queue):
    q = make_queue()
    db.session.add(DailySequence(queue_service_id=q["A"].id, day=local_today(q["unit"], MONDAY_9), last=998))
    db.session.commit()
    assert [issue_ticket(q["A"], now=MONDAY_9).number for _ in range(2)] == ["A-999", "A-1000"]


def test_call_next_priority_first_then_arrival_over_the_counters_services(make_queue):
    q = make_queue()
    a1 = issue_ticket(q["A"], now=MONDAY_9)
    b1 = issue_ticket(q["B"], now=MONDAY_9 + timedelta(minutes=1))
    a2 = issue_ticket(q["A"], priority_reason="lansia", now=MONDAY_9 + timedelta(minutes=2))
    assert (position(a2), position(a1), position(b1)) == (0, 1, 0)  # the priority ticket goes first in line A
    assert call_next(q["loket2"], now=MONDAY_9 + timedelta(minutes=3)).id == a2.id  # priority
    start_serving(q["loket2"], a2.id, now=MONDAY_9 + timedelta(minutes=3))
    assert call_next(q["loket2"], now=MONDAY_9 + timedelta(minutes=4)).id == a1.id
    start_serving(q["loket2"], a1.id, now=MONDAY_9 + timedelta(minutes=4))
    assert call_next(q["loket2"], now=MONDAY_9 + timedelta(minutes=5)) is None  # B is not served at Loket 2
    assert call_next(q["loket1"], now=MONDAY_9 + timedelta(minutes=5)).id == b1.id
    db.session.refresh(a2)
    assert a2.status == Ticket.DONE  # calling the next one finished it: it was being served


def test_a_ticket_is_served_only_after_it_was_started_or_finished_explicitly(make_queue):
    """Calling the next number refuses while the counter holds a ticket only called (security M4)."""
    q = make_queue()
    first, second = issue_ticket(q["A"], now=MONDAY_9), issue_ticket(q["A"], now=MONDAY_9)
    called_at = MONDAY_9 + timedelta(minutes=1)
    assert call_next(q["loket1"], now=called_at).id == first.id
    for moment in (called_at + timedelta(minutes=1), called_at + timedelta(hours=2)):
        with pytest.raises(StillCalledError) as refused:
            call_next(q["loket1"], now=moment)
        assert refused.value.ticket_id == first.id
    db.session.expire_all()
    assert [db.session.get(Ticket, t.id).status for t in (first, second)] == [Ticket.CALLED, Ticket.WAITING]
    # Selesai on a ticket only called is the officer's explicit word that it was served.
    done = finish(q["loket1"], first.id, now=called_at + timedelta(minutes=3))
    assert (done.status, done.serving_at.replace(tzinfo=UTC)) == (Ticket.DONE, called_at)
    # A ticket being served is finished by the next call (one key per visitor at a fast counter).
    assert call_next(q["loket1"], now=called_at + timedelta(minutes=4)).id == second.id
    start_serving(q["loket1"], second.id, now=called_at + timedelta(minutes=5))
    assert call_next(q["loket1"], now=called_at + timedelta(minutes=9)) is None
    served = db.session.get(Ticket, second.id)
    assert (served.status, served.finished_at.replace(tzinfo=UTC)) == (Ticket.DONE, called_at + timedelta(minutes=9))


def test_skip_then_recall_the_same_day_and_transfer_keeps_arrival(make_queue):
    q = make_queue()
    early = issue_ticket(q["A"], now=MONDAY_9)
    later_b = issue_ticket(q["B"], now=MONDAY_9 + timedelta(minutes=5))
    called = call_next(q["loket1"], now=MONDAY_9 + timedelta(minutes=6))
    assert called.id == early.id
    skip(q["loket1"], called.id)
    assert db.session.get(Ticket, early.id).status == Ticket.SKIPPED
    again = recall(q["loket1"], early.id, now=MONDAY_9 + timedelta(minutes=10))
    assert (again.status, again.call_count) == (Ticket.CALLED, 2)
    moved = transfer(q["loket1"], early.id, q["B"])
    assert (moved.status, moved.number, moved.queue_service_id) == (Ticket.WAITING, "A-001", q["B"].id)
    assert position(moved) == 0  # ahead of B-001: it arrived first
    assert position(db.session.get(Ticket, later_b.id)) == 1


def test_actions_check_the_ticket_is_at_this_counter(make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"], now=MONDAY_9)
    with pytest.raises(QueueError, match="tidak sedang di loket ini"):
        finish(q["loket1"], ticket.id)
    call_next(q["loket1"], now=MONDAY_9)
    with pytest.raises(QueueError):
        start_serving(q["loket2"], ticket.id)


def test_estimated_wait_comes_from_todays_real_service_times(make_queue):
    q = make_queue()
    tickets = [issue_ticket(q["A"], now=MONDAY_9) for _ in range(4)]
    assert estimated_wait_minutes(tickets[3], position(tickets[3])) is None  # nobody served yet today
    t = MONDAY_9
    for _ in range(2):  # two visitors served in 6 and 10 minutes at Loket 1
        called = call_next(q["loket1"], now=t)
        t += timedelta(minutes=6 if called.id == tickets[0].id else 10)
        finish(q["loket1"], called.id, now=t)
    # mean 8 minutes, two counters serve A, one person ahead of the last ticket: (1 + 1) * 8 / 2
    assert estimated_wait_minutes(tickets[3], position(tickets[3])) == 8
    view = ticket_view(tickets[3])
    assert view["people_ahead"] == 1
    assert "token" not in view


def test_snapshot_shows_counters_recent_calls_and_waiting(make_queue):
    q = make_queue()
    issue_ticket(q["A"], now=MONDAY_9)
    issue_ticket(q["A"], now=MONDAY_9)
    issue_ticket(q["B"], now=MONDAY_9)
    call_next(q["loket2"], now=MONDAY_9)
    state = snapshot(q["unit"], now=MONDAY_9)
    assert state["version"] == 1  # the call; tickets raise it when they are announced
    assert [c["current"]["number"] if c["current"] else None for c in state["counters"]] == [None, "A-001"]
    assert state["services"][0]["waiting"] == ["A-002"]
    recent = state["recent_calls"][0]
    assert {k: recent[k] for k in ("number", "service", "counter", "call")} == {
        "number": "A-001", "service": "A", "counter": 2, "call": 1}
    assert recent["called_at"] == MONDAY_9.astimezone(UTC).isoformat()
