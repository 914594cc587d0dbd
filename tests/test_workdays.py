"""The working-day calendar: weekends, national holidays, cuti bersama and closures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_from
from webapp.core.extensions import db
from webapp.workdays.models import Closure
from webapp.workdays.service import add_working_days, days_off, is_working_day, working_days_between


def test_plain_fortnight_without_holidays():
    # Monday 2 November 2026: no holiday until Christmas. 14 working days later is Friday the 20th.
    assert add_working_days(date(2026, 11, 2), 14) == date(2026, 11, 20)
    assert working_days_between(date(2026, 11, 2), date(2026, 11, 20)) == 14


def test_saturday_receipt_counts_from_monday():
    assert add_working_days(date(2026, 11, 7), 1) == date(2026, 11, 9)


def test_national_holiday_and_cuti_bersama_are_skipped():
    # Eid al-Fitr 2026: 20 March cuti bersama, 21-22 March (weekend) holiday, 23-24 March cuti bersama.
    # From Thursday 19 March (Nyepi, a holiday itself): Wed 18 is cuti bersama too.
    assert not is_working_day(date(2026, 3, 19))
    assert not is_working_day(date(2026, 3, 20))
    assert not is_working_day(date(2026, 3, 23))
    assert add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)


def test_cuti_bersama_can_count_as_working(app):
    app.config["CUTI_BERSAMA_NONWORKING"] = False
    try:
        assert is_working_day(date(2026, 3, 20))
        assert add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 18)
    finally:
        app.config["CUTI_BERSAMA_NONWORKING"] = True


def test_closure_entered_by_admin_is_skipped():
    db.session.add(Closure(day=date(2026, 11, 10), reason="Pindah kantor"))
    db.session.commit()
    assert add_working_days(date(2026, 11, 9), 1) == date(2026, 11, 11)
    assert [off.kind for off in days_off(date(2026, 11, 1), date(2026, 11, 30))] == ["penutupan"]


def test_across_the_new_year():
    # 24 Dec cuti bersama, 25 Dec Christmas, 1 Jan 2027 New Year.
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    assert add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)


def test_zero_and_negative():
    assert add_working_days(date(2026, 11, 7), 0) == date(2026, 11, 7)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 7), -1)
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 2)) == -14


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(date(2024, 1, 1), date(2028, 12, 31)), count=st.integers(1, 40))
def test_deadline_properties(start, count):
    deadline = add_working_days(start, count)
    # The deadline is a working day, exactly `count` working days after the start ...
    assert is_working_day(deadline)
    assert working_days_between(start, deadline) == count
    # ... and the day before it holds one working day fewer (it is the first such day).
    assert working_days_between(start, deadline - timedelta(days=1)) == count - 1
    # Never a weekend, and at least `count` calendar days away.
    assert deadline.isoweekday() <= 5
    assert (deadline - start).days >= count


def test_admin_enters_and_removes_a_closure(client, login):
    login("admin")
    page = client.get(url_for("admin.calendar", tahun=2026))
    assert page.status_code == 200
    assert "Hari Kemerdekaan Republik Indonesia" in page.text
    token = csrf_from(client, url_for("admin.calendar", tahun=2026))
    failed = client.post(url_for("admin.calendar", tahun=2026), data={"csrf_token": token, "day": "2026-11-10",
                                                                      "reason": "<b>x</b>"})
    assert failed.status_code == 422
    assert "2026-11-10" in failed.text  # what was typed is kept
    saved = client.post(url_for("admin.calendar", tahun=2026),
                        data={"csrf_token": token, "day": "2026-11-10", "reason": "HUT Kabupaten"})
    assert saved.status_code == 302
    assert add_working_days(date(2026, 11, 9), 1) == date(2026, 11, 11)
    closure = db.session.query(Closure).one()
    client.post(url_for("admin.delete_closure", closure_id=closure.id), data={"csrf_token": token})
    assert db.session.query(Closure).count() == 0


def test_calendar_is_for_admin_and_sekretaris(client, login):
    login("petugas_loket")
    assert client.get(url_for("admin.calendar")).status_code == 403


def test_closures_are_read_once_per_transaction(app):
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.commit()  # a fresh transaction
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for offset in range(20):
            add_working_days(date(2026, 11, 2) + timedelta(days=offset), 14)
            working_days_between(date(2026, 11, 2), date(2026, 12, 2) + timedelta(days=offset))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert sum("FROM closure" in s for s in statements) == 1
    db.session.add(Closure(day=date(2026, 11, 10), reason="Pindah kantor"))
    db.session.commit()
    assert add_working_days(date(2026, 11, 9), 1) == date(2026, 11, 11)  # seen after the commit
