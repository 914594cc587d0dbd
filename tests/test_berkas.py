"""Berkas: the route derived from the SOP, registration, the kartu kendali with returns and late
steps, working-day deadlines, the ready notice and the monthly reminder, the public tracking page."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from sqlalchemy import select

from tests.conftest import csrf_from
from webapp.berkas.models import DIKEMBALIKAN, DIPROSES, SELESAI, SIAP, Berkas
from webapp.berkas.reminders import send_reminders
from webapp.berkas.service import (
    Applicant,
    BerkasError,
    collect,
    complete_requirements,
    days_used,
    hand_over,
    is_late,
    receive,
    register,
    return_to,
    step_is_late,
    step_minutes,
    working_minutes,
)
from webapp.berkas.steps import default_route, requirements, route_for, route_from_sop, route_source
from webapp.berkas.tracking import lookup
from webapp.core.extensions import db, limiter
from webapp.core.phone import normalise_phone
from webapp.outbox.models import OutboxMessage
from webapp.standards.models import Service

WIB = ZoneInfo("Asia/Jakarta")
SANITARIAN = json.loads(
    (Path(__file__).parents[1] / "data" / "standards" / "izin-kerja-tenaga-sanitarian.json").read_text()
)
NAME, NIK, PHONE = "Siti Rahmawati Uji", "1471015507900003", "0812-7777-8899"


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in November (or ``month``) 2026, Jakarta time."""
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def applicant(**overrides) -> Applicant:
    values = {"name": NAME, "id_kind": "nik", "id_number": NIK, "phone": PHONE,
              "email": "siti@example.com", "address": "Jl. Sudirman No. 1, Pekanbaru"}  # fmt: skip
    values.update(overrides)
    return Applicant(**values)


@pytest.fixture
def sanitarian(make_service):
    """A published service carrying seed 004's SOP (no persyaratan, no typed jangka waktu)."""
    components = dict(SANITARIAN["components"])
    return make_service(slug="sanitarian-uji", title="Surat Izin Kerja Tenaga Sanitarian", components=components,
                        sop=SANITARIAN["sop"])  # fmt: skip


@pytest.fixture
def officers(make_user):
    """One account per executor of the sanitarian SOP, with names that must never reach the public."""
    accounts = {
        "fo": make_user(role="petugas_loket", username="fo"),
        "bo": make_user(role="petugas_loket", username="bo"),
        "sek": make_user(role="sekretaris", username="sek"),
        "kadis": make_user(role="kepala_dinas", username="kadis"),
        "admin": make_user(role="admin", username="adm"),
    }
    for key, user in accounts.items():
        user.name = f"Pejabat Rahasia {key.upper()}"
    db.session.commit()
    return accounts


# --- the route -------------------------------------------------------------------------------


def test_the_sanitarian_sop_becomes_a_route_with_its_executors_and_mutu_baku():
    route = route_from_sop(SANITARIAN["sop"])
    assert [s.executor for s in route] == [
        "Front Office", "Back Office", "JF Analis Kebijakan Ahli Muda", "JF Analis Kebijakan Ahli Madya",
        "Sekretaris", "Kepala Dinas", "Back Office", "Front Office",
    ]  # fmt: skip
    # Steps 1 and 2 of the SOP (3 and 35 minutes) are both the front office's: one step of 38 minutes.
    assert (route[0].minutes, route[0].days) == (38, None)
    assert route[0].name.startswith("Petugas menerima dan memeriksa berkas")
    assert (route[5].minutes, route[5].days) == (None, 1)
    assert [s.role for s in route] == ["petugas_loket", None, None, None, "sekretaris", "kepala_dinas", None,
                                       "petugas_loket"]  # fmt: skip
    assert route[-1].name == "Penyerahan dokumen kepada pemohon"
    assert route[3].public_label == "Pemeriksaan dan paraf oleh JF Analis Kebijakan Ahli Madya"
    assert route[5].public_label == "Penandatanganan oleh Kepala Dinas"


def test_a_service_without_sop_gets_a_simple_route_without_invented_times(make_service):
    service = make_service()
    route = default_route(service)
    assert len(route) == 4 and route[-1].executor == "Front Office"
    assert all(s.minutes is None and s.days is None for s in route)
    assert requirements(service) == ["Fotokopi KTP", "Surat permohonan"]


def test_requirements_fall_back_to_the_sops_kelengkapan(sanitarian):
    assert requirements(sanitarian) == ["Surat permohonan", "Persyaratan perizinan"]


def test_demo_load_makes_the_sanitarian_route_available(demo):
    service = Service.by_slug("izin-kerja-tenaga-sanitarian")
    assert route_source(service) == "sop"
    assert len(route_for(service)) == 8


# --- time --------------------------------------------------------------------------------------


def test_working_minutes_skip_nights_weekends_and_holidays(sanitarian):
    unit = sanitarian.unit
    assert working_minutes(unit, at(23, 15, 50), at(24, 8, 10)) == 20  # Monday evening to Tuesday morning
    assert working_minutes(unit, at(27, 15, 0), at(30, 9, 0)) == 120  # Friday to Monday
    # 24 December is cuti bersama and 25 December Christmas: Wednesday 15.00 to Monday 08.30.
    assert working_minutes(unit, at(23, 15, month=12), at(28, 8, 30, month=12)) == 90


def test_the_due_date_counts_working_days_from_registration(sanitarian, officers):
    # Registered Wednesday 23 December 2026; jangka waktu 2 working days (the SOP's total):
    # 24 (cuti bersama) and 25 (Natal) are off, 26-27 the weekend: 28 and 29 December.
    berkas = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 10, month=12))
    db.session.commit()
    assert berkas.duration_days == 2
    assert berkas.due_date == date(2026, 12, 29)
    assert not is_late(berkas, now=at(29, 15, month=12))
    assert is_late(berkas, now=at(30, 8, month=12))
    assert days_used(berkas, now=at(30, 8, month=12)) == 3


def test_only_the_units_own_and_office_wide_closures_count_against_a_berkas(sanitarian, officers, make_unit):
    from webapp.workdays.models import Closure

    unit = sanitarian.unit
    db.session.add(Closure(day=date(2026, 11, 24), reason="HUT kabupaten lain", unit_id=make_unit().id))
    db.session.commit()
    # Registered Monday 23 November; jangka waktu 2 working days: 24 and 25 November.
    first = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 10))
    assert first.due_date == date(2026, 11, 25)
    assert working_minutes(unit, at(23, 15, 50), at(24, 8, 10)) == 20
    db.session.add(Closure(day=date(2026, 11, 24), reason="HUT kota", unit_id=unit.id))
    db.session.commit()
    second = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 10))
    assert second.due_date == date(2026, 11, 26)
    assert working_minutes(unit, at(23, 15, 50), at(24, 8, 10)) == 10  # Tuesday is closed: only Monday's 10 minutes


# --- registration ------------------------------------------------------------------------------


def test_registration_numbers_count_per_unit_and_year(sanitarian, make_service, officers):
    first = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 9))
    second = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 9, 5))
    other = make_service(slug="lain", title="Lain")
    elsewhere = register(other, applicant(), [True, True], officers["fo"], now=at(23, 9, 6))
    db.session.commit()
    assert (first.number, second.number, elsewhere.number) == ("2026-00001", "2026-00002", "2026-00001")
    assert len({first.tracking_code, second.tracking_code}) == 2
    assert len(first.tracking_code) == 20  # 120 random bits


def test_an_incomplete_file_goes_back_and_starts_when_completed(sanitarian, officers):
    berkas = register(sanitarian, applicant(), [True, False], officers["fo"], now=at(23, 9))
    db.session.commit()
    assert berkas.status == DIKEMBALIKAN and berkas.missing == ["Persyaratan perizinan"]
    assert berkas.steps == [] and berkas.due_date is None
    complete_requirements(berkas, [False, True], officers["fo"], now=at(25, 9))
    db.session.commit()
    assert berkas.status == DIPROSES and berkas.current_position == 0
    assert berkas.due_date == date(2026, 11, 27)  # counted from the day it was complete
    assert [m.kind for m in berkas.movements] == ["daftar", "tolak_lengkap", "lengkapi", "terima"]


def test_phone_numbers_are_checked_and_normalised():
    assert normalise_phone("0812-7777-8899") == "6281277778899"
    assert normalise_phone("+62 812 7777 8899") == "6281277778899"
    with pytest.raises(ValueError):
        normalise_phone("0761 123456")  # a landline cannot get the SMS


# --- the kartu kendali ------------------------------------------------------------------------


def _walk_to(berkas, position, officers, start):
    """Receive and hand over until the file is at ``position``; returns the time reached."""
    who = {"petugas_loket": officers["fo"], "sekretaris": officers["sek"], "kepala_dinas": officers["kadis"]}
    moment = start
    while berkas.current_position < position:
        step = berkas.current_step
        officer = who.get(step.role, officers["bo"])
        if berkas.received_at is None:
            receive(berkas, officer, now=moment)
        moment += timedelta(minutes=2)
        hand_over(berkas, officer, now=moment)
    return moment


def test_the_route_with_a_return_and_late_steps(sanitarian, officers):
    fo, bo = officers["fo"], officers["bo"]
    berkas = register(sanitarian, applicant(), [True, True], fo, now=at(23, 8))
    db.session.commit()
    assert berkas.holder_name == fo.display_name and berkas.received_at is not None

    hand_over(berkas, fo, "lengkap", now=at(23, 8, 30))  # 30 minutes of 38: in time
    assert berkas.current_position == 1 and berkas.received_at is None
    with pytest.raises(BerkasError, match="Terima berkas dulu"):
        hand_over(berkas, bo, now=at(23, 8, 40))
    receive(berkas, bo, now=at(23, 9))
    hand_over(berkas, bo, now=at(23, 9, 10))  # 40 minutes at a 3-minute step: late
    receive(berkas, bo, now=at(23, 9, 20))  # JF Ahli Muda (any staff of the unit)
    hand_over(berkas, bo, now=at(23, 9, 24))
    receive(berkas, bo, now=at(23, 10))  # JF Ahli Madya finds the paraf missing
    with pytest.raises(BerkasError, match="alasan"):
        return_to(berkas, 2, "  ", bo, now=at(23, 10, 5))
    with pytest.raises(BerkasError, match="sebelumnya"):
        return_to(berkas, 3, "sama", bo, now=at(23, 10, 5))
    return_to(berkas, 2, "Paraf JF Ahli Muda belum ada", bo, now=at(23, 10, 5))
    assert berkas.current_position == 2
    receive(berkas, bo, now=at(23, 10, 10))
    hand_over(berkas, bo, now=at(23, 10, 12))
    db.session.commit()

    steps = berkas.steps
    assert (steps[0].spent_minutes, step_is_late(berkas, steps[0])) == (30, False)
    assert (steps[1].spent_minutes, step_is_late(berkas, steps[1])) == (40, True)
    assert (steps[2].spent_minutes, steps[2].visits) == (14 + 7, 2)  # 09.10-09.24 and 10.05-10.12
    assert step_is_late(berkas, steps[2])
    assert steps[3].visits == 1 and steps[3].spent_minutes == 41  # 09.24 to 10.05
    returned = [m for m in berkas.movements if m.kind == "kembali"]
    assert len(returned) == 1 and returned[0].note == "Paraf JF Ahli Muda belum ada"
    assert (returned[0].from_position, returned[0].to_position, returned[0].officer_name) == (3, 2, bo.display_name)

    # The Sekretaris's step is the sekretaris's: a front-office account may not sign for it.
    receive(berkas, bo, now=at(23, 10, 20))
    hand_over(berkas, bo, now=at(23, 10, 25))
    assert berkas.current_step.executor == "Sekretaris"
    with pytest.raises(BerkasError, match="dikerjakan oleh Sekretaris"):
        receive(berkas, officers["fo"], now=at(23, 10, 30))
    receive(berkas, officers["sek"], now=at(23, 10, 30))
    hand_over(berkas, officers["sek"], now=at(23, 10, 40))
    # The Kepala Dinas has one working day (480 minutes); signing the next afternoon is in time.
    receive(berkas, officers["kadis"], now=at(23, 13))
    assert step_minutes(berkas, berkas.current_step, now=at(24, 10, 40)) == 5 * 60 + 20 + 2 * 60 + 40
    assert not step_is_late(berkas, berkas.current_step, now=at(24, 10, 40))
    assert step_is_late(berkas, berkas.current_step, now=at(24, 10, 41))
    hand_over(berkas, officers["kadis"], now=at(24, 10))
    receive(berkas, bo, now=at(24, 10, 5))
    hand_over(berkas, bo, now=at(24, 10, 8))  # numbered: ready to collect
    db.session.commit()
    assert berkas.status == SIAP and berkas.ready_at == at(24, 10, 8)
    assert not is_late(berkas)  # ready on day 1 of 2

    with pytest.raises(BerkasError, match="loket penyerahan"):
        collect(berkas, fo, NAME, now=at(25, 9))
    receive(berkas, fo, now=at(24, 11))
    with pytest.raises(BerkasError, match="nama"):
        collect(berkas, fo, " ", now=at(25, 9))
    collect(berkas, fo, NAME, now=at(25, 9))
    db.session.commit()
    assert berkas.status == SELESAI and berkas.collected_by == NAME
    assert berkas.steps[-1].spent_minutes == 0  # the day waiting for the applicant is not held against the office
    assert [m.kind for m in berkas.movements].count("serah") == 8


def test_the_ready_notice_goes_by_sms_without_name_or_nik(sanitarian, officers):
    berkas = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 8))
    _walk_to(berkas, 7, officers, at(23, 8, 5))
    db.session.commit()
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.channel, m.topic) for m in messages] == [("sms", "berkas.siap"), ("email", "berkas.siap")]
    sms = messages[0]
    assert sms.recipient == "6281277778899" and sms.reference == berkas.number
    assert {m.unit_id for m in messages} == {berkas.unit_id}  # listed to the berkas's unit only
    assert berkas.number in sms.body and "sudah selesai" in sms.body
    assert berkas.tracking_code in sms.body
    for message in messages:
        for secret in (NAME, "Siti", NIK, "Sudirman"):
            assert secret not in message.body


# --- the reminder after a month -----------------------------------------------------------------


def test_the_reminder_comes_a_month_after_ready_once(sanitarian, officers, runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://layanan.example.go.id")
    berkas = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 8))
    _walk_to(berkas, 7, officers, at(24, 9))
    db.session.commit()
    assert berkas.ready_at.astimezone(WIB).date() == date(2026, 11, 24)
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()

    assert send_reminders(now=at(23, 23, month=12)) == []  # a day short of a month
    result = runner.invoke(args=["berkas", "pengingat", "--sekarang", "2026-12-24T08:00+07:00"])
    assert result.exit_code == 0, result.output
    assert "Pengingat dikirim: 1 berkas" in result.output and berkas.number in result.output
    db.session.expire_all()
    reminded = db.session.get(Berkas, berkas.id)
    assert reminded.reminder_at == at(24, 8, month=12)
    sms = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).one()
    assert sms.topic == "berkas.pengingat" and "belum diambil" in sms.body
    assert f"https://layanan.example.go.id/izin/lacak/{berkas.tracking_code}" in sms.body
    assert NAME not in sms.body and NIK not in sms.body
    again = runner.invoke(args=["berkas", "pengingat", "--sekarang", "2026-12-30T08:00+07:00"])
    assert "Pengingat dikirim: 0 berkas" in again.output
    bad = runner.invoke(args=["berkas", "pengingat", "--sekarang", "besok"])
    assert bad.exit_code != 0


def test_collected_files_get_no_reminder(sanitarian, officers):
    berkas = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 8))
    moment = _walk_to(berkas, 7, officers, at(23, 9))
    receive(berkas, officers["fo"], now=moment)
    collect(berkas, officers["fo"], NAME, now=moment + timedelta(days=2))
    db.session.commit()
    assert send_reminders(now=at(30, 9, month=12)) == []


# --- the applicant's pages ---------------------------------------------------------------------


def _assert_no_personal_data(text: str, officers) -> None:
    for secret in (NAME, "Rahmawati", NIK, PHONE, "8899", "siti@example.com", "Sudirman"):
        assert secret not in text, secret
    for officer in officers.values():
        assert officer.display_name not in text


def test_the_tracking_page_follows_the_file_without_personal_data(client, sanitarian, officers):
    berkas = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 8))
    hand_over(berkas, officers["fo"], "catatan internal", now=at(23, 8, 20))
    db.session.commit()
    response = client.get(url_for("berkas.track", code=berkas.tracking_code))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Permohonan 2026-00001" in html and "Langkah 2 dari 8" in html
    assert "Penyiapan dokumen" in html  # the Back Office step, in plain words
    assert "Perkiraan selesai" in html and "25 November 2026" in html
    assert "catatan internal" not in html
    _assert_no_personal_data(html, officers)
    partial = client.get(url_for("berkas.track", code=berkas.tracking_code), headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True) and "Langkah 2 dari 8" in partial.get_data(as_text=True)
    version = f"{len(berkas.movements)}-diproses"
    unchanged = client.get(url_for("berkas.track", code=berkas.tracking_code, v=version),
                           headers={"HX-Request": "true"})  # fmt: skip
    assert unchanged.status_code == 204 and unchanged.data == b""
    assert client.get(url_for("berkas.track", code="bukan-kode-yang-ada")).status_code == 404


def test_the_tracking_page_says_where_and_when_to_collect(client, sanitarian, officers, make_unit):
    sanitarian.unit.address = "Jl. Jenderal Sudirman No. 464, Pekanbaru"
    berkas = register(sanitarian, applicant(address="Jl. Rumah Pemohon"), [True, True], officers["fo"],
                      now=at(23, 8))  # fmt: skip
    _walk_to(berkas, 7, officers, at(23, 9))
    db.session.commit()
    html = client.get(url_for("berkas.track", code=berkas.tracking_code)).get_data(as_text=True)
    assert "siap diambil" in html and "Jl. Jenderal Sudirman No. 464" in html
    assert "Bawa tanda terima" in html and "23 Desember 2026" in html  # collect within a month
    assert "Hari kerja pukul 08.00–16.00" in html
    assert "Jl. Rumah Pemohon" not in html and NAME not in html


def test_the_lookup_needs_the_number_and_the_phone(client, app, sanitarian, officers, monkeypatch):
    berkas = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 8))
    db.session.commit()
    assert lookup("2026-00001", "+62 812 7777 8899") is berkas
    assert lookup("2026-00001", "081200000000") is None
    limiter.reset()
    token = csrf_from(client, url_for("berkas.lookup_form"))
    found = client.post(url_for("berkas.lookup_form"), data={"csrf_token": token, "number": "2026-00001",
                                                             "phone": "081277778899"})  # fmt: skip
    assert found.status_code == 302
    assert found.headers["Location"].endswith(url_for("berkas.track", code=berkas.tracking_code))
    wrong = client.post(url_for("berkas.lookup_form"), data={"csrf_token": token, "number": "2026-00001",
                                                             "phone": "081200000000"})  # fmt: skip
    unknown = client.post(url_for("berkas.lookup_form"), data={"csrf_token": token, "number": "2026-09999",
                                                               "phone": "081277778899"})  # fmt: skip
    assert wrong.status_code == unknown.status_code == 422
    message = "Nomor registrasi dan nomor HP tidak cocok"
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert 'value="2026-00001"' in wrong.get_data(as_text=True)  # what was typed stays
    monkeypatch.setitem(app.config, "BERKAS_LOOKUP_RATE_LIMIT", "2 per minute")
    limiter.reset()
    codes = [client.post(url_for("berkas.lookup_form"), data={"csrf_token": token, "number": "x", "phone": "y"})
             .status_code for _ in range(3)]  # fmt: skip
    assert codes == [422, 422, 429]
    # Security I1: the applicant's own number and phone are answered from that address all the same.
    again = client.post(url_for("berkas.lookup_form"), data={"csrf_token": token, "number": "2026-00001",
                                                             "phone": "081277778899"})  # fmt: skip
    assert again.status_code == 302
    limiter.reset()


# --- staff pages over HTTP ------------------------------------------------------------------------


def test_registration_form_keeps_input_and_asks_before_returning_a_file(client, login, sanitarian):
    login("petugas_loket")
    url = url_for("berkas.register_view", layanan=sanitarian.id)
    page = client.get(url).get_data(as_text=True)
    assert "Surat permohonan" in page and "Persyaratan perizinan" in page
    token = csrf_from(client, url)
    bad = client.post(url, data={"csrf_token": token, "applicant_name": NAME, "id_kind": "nik", "id_number": "123",
                                 "phone": "0761 12345", "address": ""})  # fmt: skip
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "NIK terdiri dari 16 angka" in html and "nomor HP Indonesia" in html and "Wajib diisi" in html
    assert f'value="{NAME}"' in html
    data = {"csrf_token": token, "applicant_name": NAME, "id_kind": "nik", "id_number": NIK, "phone": PHONE,
            "address": "Jl. Uji", "received": ["0"]}  # fmt: skip
    ask = client.post(url, data={**data, "action": "daftar"})
    assert ask.status_code == 422 and "Persyaratan belum lengkap" in ask.get_data(as_text=True)
    assert db.session.scalar(select(Berkas.id)) is None  # nothing saved until the officer confirms
    returned = client.post(url, data={**data, "action": "kembalikan"})
    assert returned.status_code == 302
    berkas = db.session.scalars(select(Berkas)).one()
    assert berkas.status == DIKEMBALIKAN
    sheet = client.get(returned.headers["Location"]).get_data(as_text=True)
    assert "Persyaratan perizinan" in sheet and "Berkas Dikembalikan" in sheet
    done = client.post(url, data={**data, "received": ["0", "1"], "action": "daftar"})
    assert done.status_code == 302
    second = db.session.scalars(select(Berkas).where(Berkas.id != berkas.id)).one()
    assert second.status == DIPROSES and second.number == "2026-00002"
    receipt = client.get(url_for("berkas.receipt", berkas_id=second.id)).get_data(as_text=True)
    assert "Tanda Terima" in receipt and "<svg" in receipt and second.number in receipt


def test_the_counter_hands_the_file_on_and_a_stale_page_is_refused(client, login, sanitarian):
    officer = login("petugas_loket")
    berkas = register(sanitarian, applicant(), [True, True], officer)
    db.session.commit()
    detail = url_for("berkas.detail", berkas_id=berkas.id)
    page = client.get(detail).get_data(as_text=True)
    assert "Kartu kendali" in page and "Serahkan ke Back Office" in page and "38 menit" in page
    token = csrf_from(client, detail)
    version = str(len(berkas.movements))
    moved = client.post(url_for("berkas.act", berkas_id=berkas.id, action="serahkan"),
                        data={"csrf_token": token, "version": version, "note": "lengkap"})  # fmt: skip
    assert moved.status_code == 302
    db.session.refresh(berkas)
    assert berkas.current_position == 1
    stale = client.post(url_for("berkas.act", berkas_id=berkas.id, action="terima"),
                        data={"csrf_token": token, "version": version}, follow_redirects=True)  # fmt: skip
    assert "baru saja diubah petugas lain" in stale.get_data(as_text=True)
    db.session.refresh(berkas)
    assert berkas.received_at is None


def test_the_staff_list_puts_late_files_first_and_exports(client, login, sanitarian, officers):
    login("admin")
    old = register(sanitarian, applicant(), [True, True], officers["fo"], now=datetime.now(UTC) - timedelta(days=30))
    new = register(sanitarian, applicant(), [True, True], officers["fo"])
    db.session.commit()
    html = client.get(url_for("berkas.index")).get_data(as_text=True)
    assert html.index(old.number) < html.index(new.number)
    assert "terlambat" in html
    csv_text = client.get(url_for("berkas.index", format="csv")).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("Nomor registrasi,Layanan")
    assert old.number in csv_text and NIK not in csv_text and "8899" not in csv_text
    xlsx = client.get(url_for("berkas.index", format="xlsx"))
    assert xlsx.data[:2] == b"PK"
    stats = client.get(url_for("berkas.statistics")).get_data(as_text=True)
    assert "Surat Izin Kerja Tenaga Sanitarian" in stats and "<svg" in stats and "mutu baku 38 menit" in stats


def test_the_admin_edits_a_route_and_new_files_follow_it(client, login, make_service, officers):
    service = make_service()
    login("admin")
    url = url_for("berkas.edit_route", service_id=service.id)
    token = csrf_from(client, url)
    data = {"csrf_token": token,
            "steps-0-name": "Periksa", "steps-0-executor": "Front Office", "steps-0-role": "petugas_loket",
            "steps-0-public_label": "Diperiksa", "steps-0-minutes": "15", "steps-0-days": "",
            "steps-1-name": "Serahkan", "steps-1-executor": "Front Office", "steps-1-role": "",
            "steps-1-public_label": "Siap diambil", "steps-1-minutes": "", "steps-1-days": ""}  # fmt: skip
    assert client.post(url, data=data).status_code == 302
    assert route_source(service) == "atur" and [s.name for s in route_for(service)] == ["Periksa", "Serahkan"]
    berkas = register(service, applicant(), [True, True], officers["fo"])
    hand_over(berkas, officers["fo"])
    db.session.commit()
    assert berkas.status == SIAP  # two steps: the second is the hand-over
    one_step = {k: v for k, v in data.items() if not k.startswith("steps-1")}
    assert client.post(url, data=one_step).status_code == 422
    assert client.post(url, data={"csrf_token": token, "op": "reset"}).status_code == 302
    assert route_source(service) == "sederhana"
    assert [s.name for s in berkas.steps] == ["Periksa", "Serahkan"]  # a registered file keeps its route


def test_a_queue_ticket_becomes_a_berkas(client, login, make_queue, make_service):
    from antrian.issuing import issue_ticket
    from antrian.service import call_next

    queue = make_queue()
    service = make_service(unit=queue["unit"])
    ticket = issue_ticket(queue["A"])
    call_next(queue["loket1"])
    officer = login("petugas_loket", unit=queue["unit"])
    panel = client.get(url_for("antrian.counter_panel", loket=queue["loket1"].id)).get_data(as_text=True)
    link = url_for("berkas.register_view", tiket=ticket.id)
    assert link in panel
    form_url = url_for("berkas.register_view", tiket=ticket.id, layanan=service.id)
    page = client.get(form_url).get_data(as_text=True)
    assert ticket.number in page and f'value="{ticket.id}"' in page
    token = csrf_from(client, form_url)
    response = client.post(form_url, data={"csrf_token": token, "ticket": str(ticket.id), "applicant_name": NAME,
                                           "id_kind": "nib", "id_number": "1234567890123", "phone": PHONE,
                                           "address": "Jl. Uji", "received": ["0", "1"]})  # fmt: skip
    assert response.status_code == 302
    berkas = db.session.scalars(select(Berkas)).one()
    assert berkas.ticket_id == ticket.id and berkas.registered_by_id == officer.id


def test_a_berkas_links_only_a_queue_ticket_of_its_own_unit(client, login, make_queue, make_service, officers):
    from antrian.issuing import issue_ticket

    queue = make_queue()
    own = make_service(unit=queue["unit"], slug="sendiri", title="Layanan Sendiri")
    foreign = make_service(slug="asing", title="Layanan Asing")
    ticket = issue_ticket(queue["A"])
    with pytest.raises(BerkasError, match=f"Tiket antrian {ticket.number} milik instansi lain"):
        register(foreign, applicant(), [True, True], officers["fo"], ticket_id=ticket.id)
    with pytest.raises(BerkasError, match="tidak ditemukan"):
        register(own, applicant(), [True, True], officers["fo"], ticket_id=ticket.id + 99)
    assert db.session.scalars(select(Berkas)).all() == []
    assert register(own, applicant(), [True, True], officers["fo"], ticket_id=ticket.id).ticket_id == ticket.id

    login("admin")
    chooser = client.get(url_for("berkas.register_view", tiket=ticket.id)).get_data(as_text=True)
    assert "Layanan Sendiri" in chooser and "Layanan Asing" not in chooser
    form_url = url_for("berkas.register_view", layanan=foreign.id)
    token = csrf_from(client, form_url)
    refused = client.post(form_url, data={"csrf_token": token, "ticket": str(ticket.id), "applicant_name": NAME,
                                          "id_kind": "nib", "id_number": "1234567890123", "phone": PHONE,
                                          "address": "Jl. Uji", "received": ["0", "1"]})  # fmt: skip
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "milik instansi lain" in page and NAME in page and "Jl. Uji" in page  # the input is kept
    assert db.session.scalars(select(Berkas).where(Berkas.service_id == foreign.id)).all() == []


def test_the_notice_letter_is_listed_printed_and_marked_sent(client, login, sanitarian, officers):
    berkas = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(2, 8))
    _walk_to(berkas, 7, officers, at(2, 9))
    send_reminders(now=at(3, 9, month=12))
    db.session.commit()
    login("petugas_loket")
    listing = client.get(url_for("berkas.index")).get_data(as_text=True)
    assert "Surat pemberitahuan perlu dikirim (1)" in listing
    letter = client.get(url_for("berkas.notice_letter", berkas_id=berkas.id)).get_data(as_text=True)
    assert NAME in letter and "Jl. Sudirman No. 1, Pekanbaru" in letter and berkas.number in letter
    assert "belum diambil" in letter and "2 November 2026" in letter
    token = csrf_from(client, url_for("berkas.detail", berkas_id=berkas.id))
    sent = client.post(url_for("berkas.letter_sent", berkas_id=berkas.id), data={"csrf_token": token})
    assert sent.status_code == 302
    db.session.refresh(berkas)
    assert berkas.letter_sent_at is not None
    assert "Surat pemberitahuan perlu dikirim" not in client.get(url_for("berkas.index")).get_data(as_text=True)


def test_an_account_limited_to_a_unit_sees_only_its_files(client, login, make_unit, make_service, officers):
    mine = make_service(unit=make_unit(), slug="milik", title="Layanan Milik")
    theirs = make_service(unit=make_unit(), slug="lain", title="Layanan Lain")
    own = register(mine, applicant(), [True, True], officers["fo"])
    other = register(theirs, applicant(), [True, True], officers["fo"])
    db.session.commit()
    login("petugas_loket", unit=mine.unit)
    listing = client.get(url_for("berkas.index")).get_data(as_text=True)
    assert url_for("berkas.detail", berkas_id=own.id) in listing
    assert url_for("berkas.detail", berkas_id=other.id) not in listing
    assert client.get(url_for("berkas.detail", berkas_id=other.id)).status_code == 403
    assert client.get(url_for("berkas.register_view", layanan=theirs.id)).status_code == 200  # the chooser again
    assert "Layanan Lain" not in client.get(url_for("berkas.register_view")).get_data(as_text=True)


def test_front_offices_registering_at_once_get_unique_gapless_numbers(app, sanitarian, officers):
    from tests.test_antrian_concurrency import _run_in_threads

    service_id, officer_id = sanitarian.id, officers["fo"].id

    def desk(_: int) -> list[int]:
        from webapp.auth.models import User

        numbers = []
        for _ in range(5):
            service, officer = db.session.get(Service, service_id), db.session.get(User, officer_id)
            numbers.append(register(service, applicant(), [True, True], officer).sequence)  # its own unit of work
        return numbers

    batches = _run_in_threads(app, 6, desk)
    assert sorted(n for batch in batches for n in batch) == list(range(1, 31))


def test_two_officers_handing_over_at_once_move_the_file_once(app, sanitarian, officers):
    from tests.test_antrian_concurrency import _run_in_threads

    berkas = register(sanitarian, applicant(), [True, True], officers["fo"])
    berkas_id, officer_id = berkas.id, officers["fo"].id

    def press(_: int) -> str:
        from webapp.auth.models import User

        # Both read the file first, as two kartu kendali pages do; the unit of work locks it.
        found, officer = db.session.get(Berkas, berkas_id), db.session.get(User, officer_id)
        assert found.received_at is not None
        try:
            hand_over(found, officer)
        except BerkasError as exc:
            return str(exc)
        return "ok"

    outcomes = sorted(_run_in_threads(app, 2, press))
    assert outcomes[1] == "ok" and outcomes[0].startswith("Terima berkas dulu")
    db.session.expire_all()
    moved = db.session.get(Berkas, berkas_id)
    assert moved.current_position == 1 and [m.kind for m in moved.movements].count("serah") == 1


def test_two_pages_of_one_version_pressed_at_once_move_the_file_once(app, sanitarian, officers):
    from tests.test_antrian_concurrency import _run_in_threads
    from webapp.berkas.actions import act, version_of

    berkas = register(sanitarian, applicant(), [True, True], officers["fo"])
    hand_over(berkas, officers["fo"])
    berkas_id, officer_id, version = berkas.id, officers["bo"].id, version_of(berkas)

    def press(_: int) -> str:
        from webapp.auth.models import User

        found, officer = db.session.get(Berkas, berkas_id), db.session.get(User, officer_id)
        try:
            return act(found, "terima", officer, version=version)
        except BerkasError as exc:
            return str(exc)

    outcomes = sorted(_run_in_threads(app, 2, press))
    assert outcomes[0].startswith("Berkas diterima") and outcomes[1].startswith("Berkas ini baru saja diubah")
    db.session.expire_all()
    assert [m.kind for m in db.session.get(Berkas, berkas_id).movements].count("terima") == 2  # registration's, this


def test_a_collected_permit_invites_one_survey_about_its_service(client, sanitarian, officers):
    from webapp.survei.models import SurveyResponse

    berkas = register(sanitarian, applicant(), [True, True], officers["fo"], now=at(23, 8))
    moment = _walk_to(berkas, 7, officers, at(23, 9))
    receive(berkas, officers["fo"], now=moment)
    db.session.commit()
    page = client.get(url_for("berkas.track", code=berkas.tracking_code)).get_data(as_text=True)
    assert "Isi survei kepuasan" not in page  # ready, not yet handed over
    collect(berkas, officers["fo"], NAME, now=moment + timedelta(hours=1))
    db.session.commit()
    page = client.get(url_for("berkas.track", code=berkas.tracking_code)).get_data(as_text=True)
    match = re.search(r'href="[^"]*/survei/([A-Za-z0-9_-]+)"', page)
    assert match, "the tracking page of a collected permit links to the survey"
    token = match.group(1)
    body = {"token": token, "service": sanitarian.slug, "answers": {f"U{i}": 4 for i in range(1, 10)},
            "respondent": {"sex": "P", "age": 34, "education": "s1", "occupation": "wirausaha"}}
    first = client.post(url_for("api.post_survey"), json=body)
    assert first.status_code == 201, first.get_json()
    assert client.post(url_for("api.post_survey"), json=body).status_code == 409  # one service, one response
    response = db.session.scalars(select(SurveyResponse)).one()
    assert response.service_id == sanitarian.id
    _assert_no_personal_data(page, officers)
