"""The queue's units of work: each counter action, the version raise, the setup and the SQLite issue commit
themselves; a refusal changes nothing; the issue on PostgreSQL, which commits per statement, refuses to run inside one.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from antrian.counter import NothingHeldError, act
from antrian.issuing import issue, issue_ticket
from antrian.models import DailySequence, QueueState, Ticket
from antrian.reading import unit_version
from antrian.service import (
    QueueError,
    call_next,
    finish,
    raise_version,
    recall,
    skip,
    start_serving,
    transfer,
)
from antrian.setup import save_setup, setup_of
from tests.unit_of_work import commits, refuses
from webapp.audit.models import AuditEvent
from webapp.core.db import dialect_name, transactional
from webapp.core.extensions import db

MONDAY_9 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09.00 WIB


def _status(ticket_id: int) -> str:
    return db.session.get(Ticket, ticket_id).status


@pytest.fixture
def called(make_queue):
    """A queue whose loket 1 has called the first of two tickets of line A."""
    q = make_queue()
    first = issue_ticket(q["A"], now=MONDAY_9)
    issue_ticket(q["A"], now=MONDAY_9)
    assert call_next(q["loket1"], now=MONDAY_9).id == first.id
    return {**q, "ticket_id": first.id}


@pytest.mark.parametrize(("rule", "after"), [(skip, Ticket.SKIPPED), (start_serving, Ticket.SERVING),
                                             (finish, Ticket.DONE), (recall, Ticket.CALLED)])  # fmt: skip
def test_each_counter_action_commits_its_change_and_the_units_version(called, rule, after):
    version = unit_version(called["unit"].id)
    with commits():
        rule(called["loket1"], called["ticket_id"], MONDAY_9)
    assert _status(called["ticket_id"]) == after
    assert unit_version(called["unit"].id) == version + 1


@pytest.mark.parametrize("rule", [skip, start_serving, finish])
def test_an_action_on_a_ticket_the_counter_does_not_hold_changes_nothing(called, rule):
    version = unit_version(called["unit"].id)
    with refuses(QueueError, "tidak sedang di loket ini"):
        rule(called["loket2"], called["ticket_id"], MONDAY_9)
    assert _status(called["ticket_id"]) == Ticket.CALLED
    assert unit_version(called["unit"].id) == version


def test_a_recall_of_another_days_ticket_changes_nothing(called):
    version = unit_version(called["unit"].id)
    with refuses(QueueError, "hari lain"):
        recall(called["loket1"], called["ticket_id"], MONDAY_9 + timedelta(days=1))
    assert unit_version(called["unit"].id) == version
    assert db.session.get(Ticket, called["ticket_id"]).call_count == 1


def test_a_transfer_commits_and_a_refused_one_changes_nothing(called):
    with refuses(QueueError, "sudah berada"):
        transfer(called["loket1"], called["ticket_id"], called["A"])
    assert _status(called["ticket_id"]) == Ticket.CALLED
    with commits():
        transfer(called["loket1"], called["ticket_id"], called["B"])
    moved = db.session.get(Ticket, called["ticket_id"])
    assert (moved.status, moved.queue_service_id, moved.counter_id) == (Ticket.WAITING, called["B"].id, None)


def test_the_dispatcher_refuses_without_a_held_ticket_and_changes_nothing(make_queue, make_user):
    q = make_queue()
    officer = make_user(role="petugas_loket", unit=q["unit"])
    with pytest.raises(NothingHeldError, match="tidak sedang memanggil"):  # refused after a read, before any write
        act(q["loket1"], "selesai", officer, now=MONDAY_9)
    db.session.rollback()
    assert unit_version(q["unit"].id) == 0


def test_raising_the_version_commits(make_queue):
    q = make_queue()
    with commits():
        raise_version(q["unit"].id)
    with commits():
        raise_version(q["unit"].id)
    assert db.session.get(QueueState, q["unit"].id).version == 2


def test_an_issue_commits_and_a_refused_one_takes_no_number(make_queue):
    q = make_queue(daily_cap=1)
    with commits():
        first = issue(q["unit"].slug, "A", now=MONDAY_9)
    assert db.session.get(Ticket, first.id).number == "A-001"
    with refuses(QueueError, "Kuota harian"):
        issue(q["unit"].slug, "A", now=MONDAY_9)
    assert db.session.scalar(select(DailySequence.last).where(DailySequence.queue_service_id == q["A"].id)) == 1
    assert db.session.scalar(select(Ticket.id).where(Ticket.sequence == 2)) is None


def test_a_call_joins_an_outer_unit_of_work_and_the_issue_refuses_to_where_it_commits_itself(make_queue):
    q = make_queue()
    ticket_id = issue(q["unit"].slug, "A", now=MONDAY_9).id

    @transactional
    def call_inside() -> Ticket | None:
        return call_next(q["loket1"], now=MONDAY_9)

    with commits():  # one commit, the outer one's
        called = call_inside()
    assert called.id == ticket_id and db.session.get(Ticket, ticket_id).status == Ticket.CALLED

    @transactional
    def issue_inside() -> int:
        return issue(q["unit"].slug, "A", now=MONDAY_9).id

    if dialect_name() == "postgresql":
        with pytest.raises(RuntimeError, match="outside a unit of work"):
            issue_inside()
    else:  # SQLite: the issue is a serial unit of work, and joins the outer one
        with commits():
            ticket_id = issue_inside()
        assert db.session.get(Ticket, ticket_id) is not None


def _service(code: str, name: str) -> dict:
    return {"code": code, "name": name, "opens_at": time(8, 0), "closes_at": time(15, 0), "daily_cap": None,
            "active": True}  # fmt: skip


def test_saving_the_setup_commits_with_its_audit_line_and_a_refusal_changes_nothing(make_queue, make_user):
    q = make_queue()
    unit, admin = q["unit"], make_user(role="admin")
    before = setup_of(unit)
    counters = [{"number": 1, "name": "Loket 1", "active": True, "services": "A"}]
    with refuses(QueueError, "huruf tidak dikenal"):
        save_setup(unit, [_service("A", "Pendaftaran")], [{**counters[0], "services": "A, Z"}], "", actor=admin)
    assert setup_of(unit) == before
    assert db.session.scalar(select(AuditEvent.id)) is None
    with commits():
        save_setup(unit, [_service("A", "Pendaftaran")], counters, "Selamat datang", actor=admin)
    assert setup_of(unit)["running_text"] == "Selamat datang"
    assert db.session.scalars(select(AuditEvent.username)).all() == [admin.username]
