"""The working-day calendar: weekends, national holidays, cuti bersama and closures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

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
    assert add_working_days(date(2026, 11, 2), 14, None) == date(2026, 11, 20)
    assert working_days_between(date(2026, 11, 2), date(2026, 11, 20), None) == 14


def test_saturday_receipt_counts_from_monday():
    assert add_working_days(date(2026, 11, 7), 1, None) == date(2026, 11, 9)


def test_national_holiday_and_cuti_bersama_are_skipped():
    # Eid al-Fitr 2026: 20 March cuti bersama, 21-22 March (weekend) holiday, 23-24 March cuti bersama.
    # From Thursday 19 March (Nyepi, a holiday itself): Wed 18 is cuti bersama too.
    assert not is_working_day(date(2026, 3, 19), None)
    assert not is_working_day(date(2026, 3, 20), None)
    assert not is_working_day(date(2026, 3, 23), None)
    assert add_working_days(date(2026, 3, 17), 1, None) == date(2026, 3, 25)


def test_cuti_bersama_can_count_as_working(app):
    app.config["CUTI_BERSAMA_NONWORKING"] = False
    try:
        assert is_working_day(date(2026, 3, 20), None)
        assert add_working_days(date(2026, 3, 17), 1, None) == date(2026, 3, 18)
    finally:
        app.config["CUTI_BERSAMA_NONWORKING"] = True


def test_closure_entered_by_admin_is_skipped():
    db.session.add(Closure(day=date(2026, 11, 10), reason="Pindah kantor"))
    db.session.commit()
    assert add_working_days(date(2026, 11, 9), 1, None) == date(2026, 11, 11)
    assert [off.kind for off in days_off(date(2026, 11, 1), date(2026, 11, 30), None)] == ["penutupan"]


def test_across_the_new_year():
    # 24 Dec cuti bersama, 25 Dec Christmas, 1 Jan 2027 New Year.
    assert add_working_days(date(2026, 12, 23), 3, None) == date(2026, 12, 30)
    assert add_working_days(date(2026, 12, 30), 2, None) == date(2027, 1, 4)


def test_zero_and_negative():
    assert add_working_days(date(2026, 11, 7), 0, None) == date(2026, 11, 7)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 7), -1, None)
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 2), None) == -14


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(date(2024, 1, 1), date(2028, 12, 31)), count=st.integers(1, 40))
def test_deadline_properties(start, count):
    deadline = add_working_days(start, count, None)
    # The deadline is a working day, exactly `count` working days after the start ...
    assert is_working_day(deadline, None)
    assert working_days_between(start, deadline, None) == count
    # ... and the day before it holds one working day fewer (it is the first such day).
    assert working_days_between(start, deadline - timedelta(days=1), None) == count - 1
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
    assert add_working_days(date(2026, 11, 9), 1, None) == date(2026, 11, 11)
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
            add_working_days(date(2026, 11, 2) + timedelta(days=offset), 14, None)
            working_days_between(date(2026, 11, 2), date(2026, 12, 2) + timedelta(days=offset), None)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert sum("FROM closure" in s for s in statements) == 1
    db.session.add(Closure(day=date(2026, 11, 10), reason="Pindah kantor"))
    db.session.commit()
    assert add_working_days(date(2026, 11, 9), 1, None) == date(2026, 11, 11)  # seen after the commit


# --- closures per unit (security L7) ----------------------------------------------------------------

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = datetime(2026, 11, 9, 10, tzinfo=WIB)  # Monday 9 November 2026; no holiday until Christmas


def test_another_units_closure_does_not_move_this_units_complaint_deadline(make_unit, make_complaint):
    pku, kampar = make_unit(), make_unit()
    db.session.add(Closure(day=date(2026, 11, 10), reason="HUT Kabupaten Kampar", unit_id=kampar.id))
    db.session.commit()
    mine, theirs, loose = make_complaint(pku, now=MONDAY), make_complaint(kampar, now=MONDAY), make_complaint(
        None, now=MONDAY)
    assert mine.due_on == date(2026, 11, 27)  # 14 working days from Monday 9 November
    assert loose.due_on == date(2026, 11, 27)  # a complaint of no unit follows the office-wide calendar
    assert theirs.due_on == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 9), 1, pku.id) == date(2026, 11, 10)
    assert add_working_days(date(2026, 11, 9), 1, kampar.id) == date(2026, 11, 11)
    assert is_working_day(date(2026, 11, 10), pku.id) and not is_working_day(date(2026, 11, 10), kampar.id)
    assert working_days_between(date(2026, 11, 9), date(2026, 11, 11), kampar.id) == 1
    assert [off.reason for off in days_off(date(2026, 11, 1), date(2026, 11, 30), kampar.id)] == [
        "HUT Kabupaten Kampar"]
    assert days_off(date(2026, 11, 1), date(2026, 11, 30), pku.id) == []


def test_an_office_wide_closure_moves_every_units_complaint_deadline(make_unit, make_complaint):
    pku, kampar = make_unit(), make_unit()
    db.session.add(Closure(day=date(2026, 11, 10), reason="Pindah kantor"))
    db.session.commit()
    made = [make_complaint(unit, now=MONDAY) for unit in (pku, kampar, None)]
    assert [complaint.due_on for complaint in made] == [date(2026, 11, 30)] * 3
    assert not is_working_day(date(2026, 11, 10), pku.id) and not is_working_day(date(2026, 11, 10), None)


def test_a_unit_sekretaris_adds_and_deletes_only_its_units_closures(client, login, make_unit):
    own, other = make_unit(short_name="DPMPTSP Pekanbaru"), make_unit(short_name="DPMPTSP Kampar")
    login("sekretaris", unit=own)
    url = url_for("admin.calendar", tahun=2026)
    token = csrf_from(client, url)
    for unit in ("0", str(other.id)):  # the whole office, another unit
        answer = client.post(url, data={"csrf_token": token, "day": "2026-11-10", "reason": "HUT", "unit": unit})
        assert answer.status_code == 403, unit
    assert db.session.query(Closure).count() == 0
    saved = client.post(url, data={"csrf_token": token, "day": "2026-11-10", "reason": "HUT Kota", "unit": str(own.id)})
    assert saved.status_code == 302
    assert db.session.query(Closure).one().unit_id == own.id
    again = client.post(url, data={"csrf_token": token, "day": "2026-11-10", "reason": "Lagi", "unit": str(own.id)})
    assert again.status_code == 422 and "sudah tercatat" in again.text

    office = Closure(day=date(2026, 11, 11), reason="Libur seluruh kantor")
    theirs = Closure(day=date(2026, 11, 12), reason="HUT Kabupaten Kampar", unit_id=other.id)
    db.session.add_all([office, theirs])
    db.session.commit()
    page = client.get(url).text
    assert "Libur seluruh kantor" in page and "Seluruh kantor" in page and "HUT Kota" in page
    assert "HUT Kabupaten Kampar" not in page
    for closure in (office, theirs):
        answer = client.post(url_for("admin.delete_closure", closure_id=closure.id), data={"csrf_token": token})
        assert answer.status_code == 403
    assert db.session.query(Closure).count() == 3
    mine = db.session.query(Closure).filter_by(unit_id=own.id).one()
    deleted = client.post(url_for("admin.delete_closure", closure_id=mine.id), data={"csrf_token": token})
    assert deleted.status_code == 302
    assert db.session.query(Closure).count() == 2


def test_a_global_account_adds_office_wide_and_unit_closures_and_sees_whom_they_bind(client, login, make_unit):
    unit = make_unit(short_name="DPMPTSP Kampar")
    login("admin")
    url = url_for("admin.calendar", tahun=2026)
    token = csrf_from(client, url)
    for unit_value, reason in (("0", "Pindah kantor"), (str(unit.id), "HUT Kabupaten Kampar")):
        answer = client.post(url, data={"csrf_token": token, "day": "2026-11-10", "reason": reason, "unit": unit_value})
        assert answer.status_code == 302
    duplicate = client.post(url, data={"csrf_token": token, "day": "2026-11-10", "reason": "Lagi", "unit": "0"})
    assert duplicate.status_code == 422 and "sudah tercatat" in duplicate.text
    assert {(c.unit_id, c.reason) for c in db.session.query(Closure)} == {(None, "Pindah kantor"),
                                                                          (unit.id, "HUT Kabupaten Kampar")}
    page = client.get(url).text
    assert "Seluruh kantor" in page and "DPMPTSP Kampar" in page


def test_one_closure_per_day_and_unit_on_every_database(make_unit):
    from sqlalchemy.exc import IntegrityError

    unit, other = make_unit(), make_unit()
    day = date(2026, 11, 10)
    db.session.add_all([Closure(day=day, reason="a", unit_id=unit.id), Closure(day=day, reason="b", unit_id=other.id),
                        Closure(day=day, reason="c")])
    db.session.commit()
    for unit_id in (unit.id, None):
        db.session.add(Closure(day=day, reason="lagi", unit_id=unit_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert db.session.query(Closure).count() == 3


def test_closures_of_every_unit_are_still_read_once_per_transaction(make_unit):
    from sqlalchemy import event

    units = [make_unit().id for _ in range(3)]
    db.session.add_all([Closure(day=date(2026, 11, 10), reason="a", unit_id=units[0]),
                        Closure(day=date(2026, 11, 11), reason="b")])
    db.session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        days = [add_working_days(date(2026, 11, 9), 2, unit_id) for unit_id in (*units, None)]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert days == [date(2026, 11, 13), date(2026, 11, 12), date(2026, 11, 12), date(2026, 11, 12)]
    assert sum("FROM closure" in s for s in statements) == 1


def test_adding_a_closure_is_one_unit_of_work_with_its_audit_line(make_unit, make_user):
    from tests.unit_of_work import counting_commits, stored
    from webapp.audit.models import AuditEvent
    from webapp.workdays.service import ClosureError, add_closure

    unit, sekretaris = make_unit(short_name="DPMPTSP Kampar"), make_user(role="sekretaris")
    with counting_commits() as commits:
        closure = add_closure(date(2026, 11, 10), " HUT Kabupaten ", unit.id, actor=sekretaris)
    assert commits == [1] and stored(Closure) == 1
    event = db.session.scalar(db.select(AuditEvent))
    assert (event.action, event.object_id, event.unit_id, event.username) == (
        "create", closure.id, unit.id, sekretaris.username)
    assert event.summary == "Hari tutup 2026-11-10 (DPMPTSP Kampar): HUT Kabupaten"
    with counting_commits() as commits, pytest.raises(ClosureError, match="sudah tercatat"):
        add_closure(date(2026, 11, 10), "Lagi", unit.id, actor=sekretaris)
    assert commits == []
    assert stored(Closure) == 1 and stored(AuditEvent) == 1  # the refusal recorded nothing


def test_deleting_a_closure_is_one_unit_of_work_with_its_audit_line(make_user):
    from tests.unit_of_work import counting_commits, stored
    from webapp.audit.models import AuditEvent
    from webapp.workdays.service import add_closure, delete_closure

    closure = add_closure(date(2026, 11, 10), "Pindah kantor", None, actor=None)
    admin = make_user()
    with counting_commits() as commits:
        delete_closure(closure, actor=admin)
    assert commits == [1] and stored(Closure) == 0
    events = db.session.execute(db.select(AuditEvent.username, AuditEvent.summary).order_by(AuditEvent.id)).all()
    what = "2026-11-10 (seluruh kantor): Pindah kantor"
    assert [tuple(e) for e in events] == [("sistem", f"Hari tutup {what}"),
                                          (admin.username, f"Hapus hari tutup {what}")]
