"""The core's database helpers: the unit of work, the one counter, timestamps in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select

from webapp.core.db import as_utc, in_unit_of_work, next_value, transactional, when_committed
from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.pengaduan.models import ComplaintCounter


def _unit(slug: str) -> Unit:
    return Unit(slug=slug, name=slug, short_name=slug, timezone="Asia/Jakarta", contacts=[])


def _slugs() -> set[str]:
    db.session.rollback()  # read what is committed, not what the session holds
    return set(db.session.scalars(select(Unit.slug)))


@pytest.fixture
def commits():
    """Count the commits of the session."""
    seen = []
    listener = lambda session: seen.append(1)  # noqa: E731
    event.listen(db.session(), "after_commit", listener)
    yield seen
    event.remove(db.session(), "after_commit", listener)


def test_a_unit_of_work_commits_when_it_returns(commits):
    @transactional
    def add(slug: str) -> str:
        assert in_unit_of_work()
        db.session.add(_unit(slug))
        return slug

    assert add("satu") == "satu"
    assert not in_unit_of_work()
    assert commits == [1]
    assert "satu" in _slugs()


def test_a_unit_of_work_rolls_back_when_it_raises():
    @transactional(serial=True)
    def add_then_fail() -> None:
        db.session.add(_unit("gagal"))
        db.session.flush()
        raise ValueError("ditolak")

    with pytest.raises(ValueError, match="ditolak"):
        add_then_fail()
    assert not in_unit_of_work()
    assert "gagal" not in _slugs()


def test_a_nested_unit_of_work_joins_the_outer_one(commits):
    @transactional
    def inner(slug: str) -> None:
        db.session.add(_unit(slug))

    @transactional
    def outer() -> None:
        inner("dalam-1")
        inner("dalam-2")
        raise RuntimeError("batal semua")

    with pytest.raises(RuntimeError):
        outer()
    assert commits == []
    assert not {"dalam-1", "dalam-2"} & _slugs()


def test_a_unit_of_work_can_keep_what_it_wrote_loaded_after_its_commit(commits):
    """keep_loaded: the rows written are read after the commit without a query; without it they are expired."""

    def add(slug: str) -> Unit:
        unit = _unit(slug)
        db.session.add(unit)
        return unit

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    kept = transactional(keep_loaded=True)(add)("tetap")
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert kept.slug == "tetap" and statements == []
        expired = transactional(add)("kedaluwarsa")
        statements.clear()
        assert expired.slug == "kedaluwarsa" and len(statements) == 1  # read back
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert commits == [1, 1] and db.session().expire_on_commit  # only that one commit kept them


def test_what_waits_for_the_commit_runs_after_it_the_first_ones_ahead(commits):
    ran: list[str] = []

    @transactional
    def inner() -> None:
        when_committed(lambda: ran.append(f"later, after {len(commits)} commit"))
        when_committed(lambda: ran.append("announcement"), first=True)

    @transactional
    def outer() -> None:
        when_committed(lambda: ran.append("follow-up"))
        inner()  # joins: nothing runs at its end
        assert ran == []

    outer()
    assert ran == ["announcement", "follow-up", "later, after 1 commit"]
    when_committed(lambda: ran.append("outside a unit of work: at once"))
    assert ran[-1] == "outside a unit of work: at once"


def test_what_waits_for_the_commit_is_dropped_by_a_rollback_and_runs_despite_an_error():
    ran: list[str] = []

    @transactional
    def refused() -> None:
        when_committed(lambda: ran.append("never"))
        raise ValueError("ditolak")

    with pytest.raises(ValueError):
        refused()

    def fails() -> None:
        raise RuntimeError("pertama")

    @transactional
    def done() -> None:
        when_committed(fails)
        when_committed(lambda: ran.append("still runs"))

    with pytest.raises(RuntimeError, match="pertama"):
        done()
    assert ran == ["still runs"]
    refused_again = transactional(lambda: None)  # nothing left over from the rolled-back unit
    refused_again()
    assert ran == ["still runs"]


def test_the_counter_counts_per_key_without_gaps():
    assert [next_value(ComplaintCounter, year=2026) for _ in range(3)] == [1, 2, 3]
    assert next_value(ComplaintCounter, year=2027) == 1
    db.session.commit()
    assert next_value(ComplaintCounter, year=2026) == 4


def test_naive_moments_are_utc_and_aware_ones_are_converted():
    wib = timezone(timedelta(hours=7))
    assert as_utc(datetime(2026, 11, 30, 8, 0)) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert as_utc(datetime(2026, 11, 30, 8, 0, tzinfo=wib)) == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    unit = _unit("waktu")
    db.session.add(unit)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).created_at.tzinfo is not None  # aware on SQLite too
