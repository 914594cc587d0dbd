"""Kinerja: figures against hand computation on a small data set (both databases), the "< 5" rule, the pages."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import pytest
from flask import url_for

from tests.conftest import MONDAY, make_ticket, utc
from tests.test_api import _assert_valid
from webapp.berkas.models import DIPROSES, SELESAI, SIAP, Berkas, BerkasStep
from webapp.core.extensions import db
from webapp.kinerja import complaints, permits, queue
from webapp.kinerja.common import SUPPRESSED, Scope, percentile_cont, public
from webapp.kinerja.service import cached_public_figures, figure_cache, public_figures
from webapp.pengaduan.models import BERAT, DITOLAK, RINGAN, SEDANG
from webapp.pengaduan.models import SELESAI as DONE
from webapp.survei.models import SurveyResponse
from webapp.survei.periods import Period

# --- percentiles ------------------------------------------------------------------------------------


def test_percentile_cont_interpolates_as_postgresql_does():
    assert percentile_cont([2, 4, 6, 8, 10], 0.5) == 6
    assert percentile_cont([2, 4, 6, 8, 10], 0.9) == pytest.approx(9.2)  # rank 3.6: 8 + 0.6 x 2
    assert percentile_cont([7], 0.9) == 7
    assert percentile_cont([], 0.9) is None


# --- the queue --------------------------------------------------------------------------------------


def test_queue_period_matches_hand_computation(queue_day):
    figures = queue.period(Scope(queue_day["unit"]), MONDAY, MONDAY)
    # 9 tickets; called: A 2,4,6,8,10,3 and B 30,1 -> 8 waits: 1,2,3,4,6,8,10,30
    assert (figures.tickets, figures.served, figures.no_show) == (9, 6, 1)
    assert figures.mean == pytest.approx(64 / 8)
    assert figures.p50 == pytest.approx(5.0)  # rank 3.5 between 4 and 6
    assert figures.p90 == pytest.approx(10 + 0.3 * 20)  # rank 6.3 between 10 and 30
    assert [(p.day, p.tickets) for p in figures.series] == [(MONDAY, 9)]
    # Local hours: 02.00 UTC is 09 WIB, 03.00 UTC is 10, and 23.30 UTC on Sunday is 06 WIB on Monday (1).
    assert figures.heatmap[(1, 9)] == (6, pytest.approx(6.0))
    assert figures.heatmap[(1, 6)] == (1, pytest.approx(30.0))
    assert figures.heatmap[(1, 10)] == (2, pytest.approx(2.0))
    lines = {line.code: (line.called, line.mean) for line in figures.lines}
    assert lines["A"] == (6, pytest.approx(33 / 6))
    assert lines["B"] == (2, pytest.approx(15.5))


def test_queue_today_per_line_and_counters(queue_day):
    live = queue.today(Scope(queue_day["unit"]), 30, now=utc(MONDAY, 4))
    a, b = live.lines
    assert (a.issued, a.waiting, a.served, a.no_show) == (7, 1, 5, 0)
    assert a.p50 == pytest.approx(5.0) and a.p90 == pytest.approx(8.0 + 0.5 * 2)  # 2,3,4,6,8,10: rank 4.5
    assert (b.issued, b.served, b.no_show) == (2, 1, 1)
    # Loket 1 and 2 called today; loket 2 holds a ticket being served: one open counter is idle.
    assert (live.counters_total, live.counters_open, live.counters_idle) == (2, 2, 1)
    every = queue.today(Scope(None), 30, now=utc(MONDAY, 4))  # every unit: a line is named with its unit
    assert every.lines[0].name == f"Pendaftaran ({queue_day['unit'].short_name})" and every.totals.issued == 9


def test_a_booked_visitors_early_check_in_is_not_counted_as_wait(make_queue):
    """The wait of a booked ticket starts at its slot when the visitor came early; staff statistics agree."""
    from antrian.stats import Row

    line = make_queue()["A"]
    walk_in = make_ticket(line, 1, utc(MONDAY, 2), 4)  # 4
    early = make_ticket(line, 2, utc(MONDAY, 2), 25)  # slot 02.20, called 02.25: 5, not 25
    early.booked_from = utc(MONDAY, 2, 20)
    late = make_ticket(line, 3, utc(MONDAY, 2, 30), 6)  # slot 02.20, came 02.30: 6 from the check-in
    late.booked_from = utc(MONDAY, 2, 20)
    before_slot = make_ticket(line, 4, utc(MONDAY, 2), 10)  # slot 02.30 but called 02.10: no wait
    before_slot.booked_from = utc(MONDAY, 2, 30)
    db.session.commit()
    figures = queue.period(Scope(line.unit), MONDAY, MONDAY)
    assert figures.mean == pytest.approx((0 + 4 + 5 + 6) / 4)
    assert figures.p50 == pytest.approx(4.5)
    live = queue.today(Scope(line.unit), 30, now=utc(MONDAY, 4))
    assert live.p50 == pytest.approx(4.5)
    row = Row("A")
    for ticket in (walk_in, early, late, before_slot):
        row.add(ticket)
    assert sorted(row.waits) == pytest.approx([0, 4, 5, 6])


# --- complaints -------------------------------------------------------------------------------------


def test_complaints_period_matches_hand_computation(make_unit, make_complaint):
    unit = make_unit()
    received = utc(date(2026, 11, 2), 3)  # Monday 2 Nov, 10.00 WIB; deadline: 14 working days later, Friday 20 Nov
    made = [make_complaint(unit, now=received) for _ in range(5)]
    assert made[0].due_on == date(2026, 11, 20)
    closings = [utc(date(2026, 11, 4), 3), utc(date(2026, 11, 9), 3),
                utc(date(2026, 11, 20), 18)]  # 01.00 WIB on Saturday 21 Nov: one day late, by local date
    for complaint, closed_at, weight in zip(made, closings, (RINGAN, SEDANG, BERAT), strict=False):
        complaint.status, complaint.closed_at, complaint.weight = DONE, closed_at, weight
    made[3].status = DITOLAK
    made[4].channel = "telepon"
    db.session.commit()
    figures = complaints.period(Scope(unit), date(2026, 11, 1), date(2026, 11, 30))
    assert (figures.received, figures.rejected, figures.resolved, figures.on_time, figures.open) == (5, 1, 3, 2, 1)
    assert figures.on_time_share == pytest.approx(2 / 4)  # the rejected one is not counted
    assert figures.median_days == 5  # working days 2, 5 and 14 (Saturday adds none)
    assert dict(figures.by_channel)["Formulir daring"] == 4 and dict(figures.by_channel)["Telepon/WhatsApp"] == 1
    assert dict(figures.by_weight) == {"Ringan": 1, "Sedang": 1, "Berat": 1, "Belum ditetapkan": 2}
    assert dict(figures.by_status)["Selesai"] == 3
    live = complaints.today(Scope(unit), now=utc(date(2026, 11, 23), 3))
    assert (live.received, live.overdue) == (0, 1)  # the open one is past 20 Nov


# --- permits ----------------------------------------------------------------------------------------


def _berkas(service, sequence: int, *, status: str, due: date | None, ready: datetime | None,
            spent: tuple[int, int] = (0, 0), position: int = 1, arrived: datetime | None = None) -> Berkas:
    berkas = Berkas(unit_id=service.unit_id, service_id=service.id, year=2026, sequence=sequence,
                    number=f"2026-{sequence:05d}", tracking_code=secrets.token_urlsafe(16), status=status,
                    applicant_name="Warga Uji", applicant_id_kind="nik", applicant_id_number="1471010101010001",
                    applicant_phone="6281234567890", checklist=[], due_date=due, ready_at=ready,
                    registered_at=utc(date(2026, 11, 2), 2), current_position=position, arrived_at=arrived)
    berkas.steps = [
        BerkasStep(position=0, name="Verifikasi", executor="Petugas", public_label="Verifikasi", minutes=60,
                   spent_minutes=spent[0], visits=1 if status != DIPROSES else 0),
        BerkasStep(position=1, name="Tanda tangan", executor="Kepala", public_label="Tanda tangan", days=1,
                   spent_minutes=spent[1], visits=1 if status != DIPROSES else 0),
    ]
    db.session.add(berkas)
    return berkas


def test_permits_period_matches_hand_computation(app, make_service):
    service = make_service(title="Izin Uji")
    due = date(2026, 11, 10)
    _berkas(service, 1, status=SELESAI, due=due, ready=utc(due, 8), spent=(30, 100))  # 15.00 WIB on the due day
    _berkas(service, 2, status=SIAP, due=due, ready=utc(due, 17), spent=(90, 200))  # 00.00 WIB 11 Nov: late
    _berkas(service, 3, status=SELESAI, due=due, ready=utc(date(2026, 11, 12), 3), spent=(120, 300))
    _berkas(service, 4, status=SELESAI, due=None, ready=utc(date(2026, 11, 5), 3), spent=(10, 10))  # no standard
    _berkas(service, 5, status=DIPROSES, due=due, ready=None, position=0)
    db.session.commit()
    figures = permits.period(Scope(service.unit), date(2026, 11, 1), date(2026, 11, 30))
    (row,) = figures.services
    assert (row.service, row.completed, row.with_standard, row.on_time) == ("Izin Uji", 4, 3, 1)
    assert row.on_time_share == pytest.approx(1 / 3)
    per_day = 8 * 60  # WORKING_HOURS 08:00-16:00: a mutu baku of 1 day
    assert app.config["WORKING_HOURS"] == "08:00-16:00"
    slow = {s.step: s for s in figures.slowest}
    assert slow["Verifikasi"].mean_minutes == pytest.approx((30 + 90 + 120 + 10) / 4)
    assert (slow["Verifikasi"].standard_minutes, slow["Verifikasi"].late) == (60, 2)
    assert slow["Tanda tangan"].mean_minutes == pytest.approx(610 / 4)
    assert slow["Tanda tangan"].standard_minutes == per_day
    assert [s.step for s in figures.slowest] == ["Verifikasi", "Tanda tangan"]  # 62,5/60 before 152,5/480


def test_permits_today_counts_files_past_the_steps_mutu_baku(make_service):
    service = make_service(title="Izin Uji")
    _berkas(service, 1, status=DIPROSES, due=None, ready=None, position=0, arrived=utc(MONDAY, 1))  # 08.00 WIB
    _berkas(service, 2, status=DIPROSES, due=None, ready=None, position=0, arrived=utc(MONDAY, 4, 30))
    db.session.commit()
    (row,) = permits.today(Scope(service.unit), now=utc(MONDAY, 5))  # 12.00 WIB: 240 and 30 working minutes
    assert (row.step, row.files, row.late) == ("Verifikasi", 2, 1)


# --- the public figures and the "< 5" rule -----------------------------------------------------------


def test_a_figure_of_fewer_than_5_cases_is_withheld():
    assert public(4, 0.75) == {"count": None, "value": None, "suppressed": True}
    assert public(5, 0.75) == {"count": 5, "value": 0.75, "suppressed": False}
    assert public(0) == {"count": None, "value": None, "suppressed": True}


def _responses(service, count: int, score: int, day: date) -> None:
    for _ in range(count):
        db.session.add(SurveyResponse(unit_id=service.unit_id, service_id=service.id, channel="formulir", sex="L",
                                      age=30, education="sma", occupation="swasta", survey_date=day,
                                      **{f"u{i}": score for i in range(1, 10)}))
    db.session.commit()


def test_public_figures_withhold_small_counts(make_service, make_complaint, queue_day):
    unit = queue_day["unit"]
    service = make_service(unit=unit, title="Izin Uji", slug="izin-uji")
    _responses(service, 4, 3, MONDAY)
    for _ in range(4):
        make_complaint(unit, now=utc(MONDAY, 3))
    period = Period.parse("2026-11")
    figures = public_figures(unit, period)
    assert figures["ikm"] == {"count": None, "value": None, "suppressed": True, "respondents": None,
                              "grade": None, "grade_label": None}
    assert figures["complaints"]["received"]["suppressed"] is True
    assert figures["complaints"]["resolved_on_time"]["suppressed"] is True
    waits = {line["code"]: line["mean_wait_minutes"] for line in figures["queue"]}
    assert waits["A"] == {"count": 6, "value": 5.5, "suppressed": False}
    assert waits["B"]["suppressed"] is True  # two calls
    _responses(service, 1, 3, MONDAY)
    make_complaint(unit, now=utc(MONDAY, 3))
    figures = public_figures(unit, period)
    assert figures["ikm"]["value"] == 75.0 and figures["ikm"]["grade"] == "C"  # NRR 3 x 25
    assert figures["ikm"]["respondents"] == 5
    assert figures["complaints"]["received"] == {"count": 5, "value": 5, "suppressed": False}
    assert figures["complaints"]["resolved_on_time"] == {"count": 5, "value": 0.0, "suppressed": False}


def test_public_figures_are_cached_per_unit_and_period(app, make_unit, make_complaint, monkeypatch):
    unit = make_unit()
    period = Period.parse("2026-11")
    monkeypatch.setitem(app.config, "KINERJA_CACHE_SECONDS", 300)
    first = cached_public_figures(unit, period)
    for _ in range(5):
        make_complaint(unit, now=utc(MONDAY, 3))
    assert cached_public_figures(unit, period) is first  # kept
    assert cached_public_figures(unit, Period.parse("2026-Q4"))["complaints"]["received"]["count"] == 5
    figure_cache.clear()
    assert cached_public_figures(unit, period)["complaints"]["received"]["count"] == 5


# --- pages and the API ------------------------------------------------------------------------------


def test_the_public_page_shows_suppressed_figures_and_no_personal_data(client, make_unit, make_complaint):
    unit = make_unit(name="Dinas Kinerja Uji")
    for _ in range(3):
        make_complaint(unit, now=utc(MONDAY, 3), name="Budi Rahasia", phone="081298765432")
    page = client.get(url_for("kinerja.public_page", instansi=unit.slug, periode="2026-11"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Dinas Kinerja Uji" in html and "&lt; 5" in html
    assert "Budi Rahasia" not in html and "0812" not in html and "6281" not in html
    assert client.get(url_for("kinerja.public_page", instansi="tidak-ada")).status_code == 404


def test_home_and_footer_link_the_public_page(client):
    html = client.get(url_for("main.home")).get_data(as_text=True)
    assert html.count(f'href="{url_for("kinerja.public_page")}"') == 2


def test_the_api_answers_the_public_figures(client, make_unit, make_complaint):
    unit = make_unit()
    for _ in range(5):
        make_complaint(unit, now=utc(MONDAY, 3))
    response = client.get(url_for("api.get_kinerja", unit=unit.slug, **{"from": "2026-11-01", "to": "2026-11-30"}))
    assert response.status_code == 200
    body = response.get_json()
    _assert_valid("Kinerja", body)
    assert body["complaints"]["received"] == {"count": 5, "value": 5, "suppressed": False}
    assert body["ikm"]["suppressed"] is True
    for query, status in (({}, 400), ({"unit": "tidak-ada"}, 404), ({"unit": unit.slug, "from": "kemarin"}, 400),
                          ({"unit": unit.slug, "from": "2026-12-01", "to": "2026-11-01"}, 400),
                          ({"unit": unit.slug, "from": "2020-01-01", "to": "2026-11-01"}, 400)):
        answer = client.get(url_for("api.get_kinerja", **query))
        assert answer.status_code == status, query
        _assert_valid("Error", answer.get_json())


def test_a_units_head_sees_only_their_unit(client, login, make_unit, queue_day):
    other = make_unit(short_name="Dinas Lain")
    login("kepala_dinas", unit=queue_day["unit"])
    html = client.get(url_for("kinerja.dashboard_page", instansi=other.slug)).get_data(as_text=True)
    assert queue_day["unit"].short_name in html and "Dinas Lain" not in html


def test_a_global_account_picks_a_unit_or_every_unit(client, login, make_unit, queue_day):
    make_unit(short_name="Dinas Lain")
    login("sekretaris")
    every = client.get(url_for("kinerja.dashboard_page", periode="2026-11")).get_data(as_text=True)
    assert "Semua instansi" in every and "Dinas Lain" in every  # the menu of units
    one = client.get(url_for("kinerja.dashboard_page", instansi=queue_day["unit"].slug, periode="2026-11"))
    assert one.status_code == 200 and "9" in one.get_data(as_text=True)
    assert client.get(url_for("kinerja.dashboard_page", instansi="tidak-ada")).status_code == 404


def test_the_live_panel_is_a_partial_for_htmx(client, login, queue_day):
    login("kepala_dinas", unit=queue_day["unit"])
    response = client.get(url_for("kinerja.dashboard_page"), headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith("<section") and 'id="hari-ini"' in html and "<html" not in html


def test_the_dashboard_exports_xlsx_and_pdf(client, login, queue_day, make_service):
    from io import BytesIO

    from openpyxl import load_workbook

    service = make_service(unit=queue_day["unit"], title="Izin Uji", slug="izin-uji")
    _berkas(service, 1, status=SELESAI, due=date(2026, 11, 10), ready=utc(date(2026, 11, 10), 3), spent=(90, 100))
    db.session.commit()
    login("admin", unit=queue_day["unit"])
    page = client.get(url_for("kinerja.dashboard_page", periode="2026-11")).get_data(as_text=True)
    assert "Verifikasi" in page and "90,0 menit" in page and "60,0 menit" in page  # the slowest step, its mutu baku
    xlsx = client.get(url_for("kinerja.dashboard_xlsx", periode="2026-11"))
    assert xlsx.status_code == 200
    book = load_workbook(BytesIO(xlsx.data))
    assert {"Ringkasan", "Hari ini", "Harian", "Jam dan hari", "Pengaduan", "Berkas", "IKM"} <= set(book.sheetnames)
    daily = list(book["Harian"].iter_rows(values_only=True))
    assert daily[1] == (MONDAY.isoformat(), 9, 16.0)
    pdf = client.get(url_for("kinerja.dashboard_pdf", periode="2026-11"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_suppressed_marker_is_the_one_the_page_prints():
    assert SUPPRESSED == "< 5"


def test_the_pages_pass_the_nu_html_checker(client, login, queue_day, make_complaint, tmp_path):
    from tests.test_html_validity import vnu_errors

    for _ in range(2):
        make_complaint(queue_day["unit"], now=utc(MONDAY, 3))
    files = []
    for name, query in (("public", {"instansi": queue_day["unit"].slug}), ("public-all", {})):
        html = client.get(url_for("kinerja.public_page", periode="2026-11", **query)).get_data(as_text=True)
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(html, encoding="utf-8")
    login("kepala_dinas", unit=queue_day["unit"])
    for name, headers in (("dashboard", {}), ("live", {"HX-Request": "true"})):
        html = client.get(url_for("kinerja.dashboard_page", periode="2026-11"), headers=headers).get_data(as_text=True)
        if name == "live":  # a fragment: checked inside a minimal document
            html = f"<!doctype html><html lang=id><head><title>x</title></head><body>{html}</body></html>"
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    assert vnu_errors(files) == []


def test_the_period_is_compared_with_the_one_before(make_service, queue_day):
    from fractions import Fraction

    from webapp.kinerja.service import dashboard

    unit = queue_day["unit"]
    service = make_service(unit=unit, title="Izin Uji", slug="izin-uji")
    _responses(service, 6, 3, MONDAY)  # November: every element 3, IKM 75
    _responses(service, 2, 2, date(2026, 10, 5))  # October: every element 2, IKM 50
    make_ticket(queue_day["A"], 1, utc(date(2026, 10, 5), 2), 12, day=date(2026, 10, 5))
    db.session.commit()
    board = dashboard(Scope(unit), Period.parse("2026-11"))
    assert board.previous.period.key == "2026-10"
    assert (board.previous.queue.tickets, board.previous.queue.p90) == (1, pytest.approx(12.0))
    assert board.previous.queue.series == [] and board.current.queue.series  # the previous period: totals only
    assert board.ikm.result.respondents == 6 and board.ikm.before.respondents == 2
    assert float(board.ikm.change) == 25.0
    assert {e.change for e in board.ikm.elements} == {Fraction(1)}


def test_bookings_checked_in_today(queue_day):
    from datetime import time

    from webapp.kinerja import bookings
    from webapp.reservasi.models import Booking

    line = queue_day["A"]
    for i, status in enumerate((Booking.HADIR, Booking.HADIR, Booking.AKTIF, Booking.BATAL, Booking.TIDAK_DATANG)):
        db.session.add(Booking(unit_id=line.unit_id, queue_service_id=line.id, day=MONDAY, start=time(9, 0),
                               starts_at=utc(MONDAY, 2), ends_at=utc(MONDAY, 2, 30), code_hash=f"{i:064d}",
                               code_tail=f"{i:04d}", status=status))
    db.session.add(Booking(unit_id=line.unit_id, queue_service_id=line.id, day=MONDAY - timedelta(days=1),
                           start=time(9, 0), starts_at=utc(MONDAY, 2), ends_at=utc(MONDAY, 2, 30),
                           code_hash="f" * 64, code_tail="ffff", status=Booking.HADIR))  # another day
    db.session.commit()
    figures = bookings.today(Scope(queue_day["unit"]), now=utc(MONDAY, 4))
    assert (figures.booked, figures.checked_in) == (4, 2)  # the cancelled one is not a booking any more
