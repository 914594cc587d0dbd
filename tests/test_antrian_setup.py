"""The queue setup rule itself: services and counters kept, created, deactivated or deleted; the version raised."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from antrian.issuing import issue_ticket
from antrian.models import Counter, QueueService, QueueState, Ticket
from antrian.service import QueueError, call_next
from antrian.setup import letters, save_setup, setup_of
from webapp.audit.models import AuditEvent
from webapp.core.extensions import db


def _service(code: str, name: str, **overrides) -> dict:
    return {"code": code, "name": name, "opens_at": time(8, 0), "closes_at": time(15, 0), "daily_cap": None,
            "active": True, **overrides}  # fmt: skip


def _counter(number: int, services: str, **overrides) -> dict:
    return {"number": number, "name": f"Loket {number}", "active": True, "services": services, **overrides}


def _rows(model, unit) -> dict:
    key = "code" if model is QueueService else "number"
    return {getattr(r, key): r for r in db.session.scalars(select(model).where(model.unit_id == unit.id))}


def test_rows_left_out_are_deactivated_once_they_served_and_deleted_otherwise(make_queue):
    q = make_queue()
    ticket = issue_ticket(q["B"])
    call_next(q["loket1"])  # loket 1 has called B's ticket; loket 2 and service A never served
    unit = q["unit"]

    save_setup(unit, [_service("C", "Konsultasi", daily_cap=40)], [_counter(3, "c")], "  Selamat datang.  ", actor=None)

    services, counters = _rows(QueueService, unit), _rows(Counter, unit)
    assert set(services) == {"B", "C"} and set(counters) == {1, 3}
    assert services["B"].active is False and counters[1].active is False
    assert db.session.get(Ticket, ticket.id).counter_id == counters[1].id  # history intact
    assert (services["C"].daily_cap, services["C"].active) == (40, True)
    assert [s.code for s in counters[3].queue_services] == ["C"]
    assert db.session.get(QueueState, unit.id).running_text == "Selamat datang."


def test_kept_rows_are_updated_in_place_and_ordered_as_given(make_queue):
    q = make_queue()
    unit = q["unit"]
    a_id = q["A"].id
    save_setup(unit, [_service("B", "Pengambilan"), _service("A", "Pendaftaran Baru", closes_at=time(12, 0))],
               [_counter(1, "B"), _counter(2, "A, B", active=False)], "", actor=None)  # fmt: skip
    services = _rows(QueueService, unit)
    assert services["A"].id == a_id and services["A"].name == "Pendaftaran Baru"
    assert services["A"].closes_at == time(12, 0)
    assert (services["B"].position, services["A"].position) == (0, 1)
    assert setup_of(unit)["counters"] == [
        {"number": 1, "name": "Loket 1", "active": True, "services": "B"},
        {"number": 2, "name": "Loket 2", "active": False, "services": "A, B"},
    ]


def test_every_save_raises_the_version_and_is_audited_with_its_changes(make_queue):
    q = make_queue()
    unit = q["unit"]
    before = db.session.get(QueueState, unit.id)
    start = before.version if before else 0
    changes = save_setup(unit, [_service("A", "Pendaftaran")], [_counter(1, "A")], "Teks", actor=None)
    assert db.session.get(QueueState, unit.id).version == start + 1
    assert {"path": "running_text", "old": "", "new": "Teks"} in changes
    assert any(c["path"].startswith("services") for c in changes)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "queue")).one()
    assert event.object_id == unit.id and event.summary.startswith("Mengubah pengaturan antrian")
    save_setup(unit, [_service("A", "Pendaftaran")], [_counter(1, "A")], "Teks", actor=None)
    assert db.session.get(QueueState, unit.id).version == start + 2


def test_a_counter_naming_an_unknown_letter_changes_nothing(make_queue):
    q = make_queue()
    unit = q["unit"]
    before = setup_of(unit)
    with pytest.raises(QueueError, match="Loket 1: huruf tidak dikenal: Z"):
        save_setup(unit, [_service("A", "Pendaftaran")], [_counter(1, "A, z")], "", actor=None)
    db.session.rollback()
    assert setup_of(unit) == before
    assert letters(" a, B ,,c") == ["A", "B", "C"]


def test_a_service_a_kept_counter_no_longer_serves_can_be_deleted(make_queue):
    # Deleting B while loket 1 still listed it used to fail (the counter was saved after B's deletion).
    q = make_queue()
    unit = q["unit"]
    save_setup(unit, [_service("A", "Pendaftaran")], [_counter(1, "A"), _counter(2, "A")], "", actor=None)
    assert set(_rows(QueueService, unit)) == {"A"}
    assert [s.code for s in _rows(Counter, unit)[1].queue_services] == ["A"]
