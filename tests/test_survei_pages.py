"""The survey pages: the form, one-time links from served tickets, /ikm, the home badge, staff pages, exports."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from fractions import Fraction

import pytest
from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import func, select

from antrian.issuing import issue_ticket
from antrian.service import call_next, finish, start_serving
from tests.conftest import csrf_from
from tests.test_survei_rules import THIRTY
from webapp.core.extensions import db, limiter
from webapp.core.localtime import local_today
from webapp.survei.filing import file_response
from webapp.survei.invitations import issue_invitation, survey_url, token_hash
from webapp.survei.models import ELEMENT_CODES, FollowUpPlan, SurveyInvitation, SurveyResponse
from webapp.survei.periods import Period

PERSON = {"sex": "P", "age": "34", "education": "s1", "occupation": "wirausaha"}


def _answers_form(scores) -> dict:
    return {code.lower(): str(score) for code, score in zip(ELEMENT_CODES, scores, strict=True)}


def _file_thirty(service) -> None:
    for index, row in enumerate(THIRTY):
        file_response(
            service=service,
            answers=dict(zip(ELEMENT_CODES, row, strict=True)),
            sex="L" if index % 3 else "P",
            age=20 + index,
            education="sma" if index % 2 else "s1",
            occupation="swasta",
            suggestion="Antrian di loket 2 lama." if index == 0 else "",
actor=None,
        )
    db.session.commit()


def _served_ticket(queue):
    ticket = issue_ticket(queue["A"])
    call_next(queue["loket1"])
    finish(queue["loket1"], ticket.id)
    return ticket


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# --- the form --------------------------------------------------------------------------------


def test_the_form_asks_the_nine_elements_with_their_own_answers(client, make_service):
    make_service()
    page = _text(client.get(url_for("survei.form")))
    assert "Layanan Uji" in page
    assert page.index("kualitas sarana dan prasarana") < page.index("penanganan pengaduan pengguna layanan")
    for label in ("Sangat mahal", "Cukup mahal", "Murah", "Gratis", "Sangat sopan dan ramah", "Dikelola dengan baik"):
        assert label in page
    assert 'name="u9"' in page and 'name="u8"' in page


def test_a_filled_form_is_stored_by_element_code(client, make_service):
    service = make_service()
    token = csrf_from(client, url_for("survei.form"))
    scores = (4, 3, 2, 1, 4, 3, 2, 1, 3)
    response = client.post(
        url_for("survei.form"),
        data={"csrf_token": token, "service": service.slug, **PERSON, **_answers_form(scores), "suggestion": "Bagus"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for("survei.thanks"))
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.answers() == dict(zip(ELEMENT_CODES, scores, strict=True))
    assert (stored.sex, stored.age, stored.education, stored.occupation) == ("P", 34, "s1", "wirausaha")
    assert stored.channel == "formulir" and stored.suggestion == "Bagus"
    assert stored.survey_date == local_today(service.unit)


def test_a_form_with_errors_says_what_and_keeps_what_was_typed(client, make_service):
    service = make_service()
    token = csrf_from(client, url_for("survei.form"))
    answers = _answers_form((4, 3, 2, 1, 4, 3, 2, 1, 3))
    del answers["u3"]
    response = client.post(
        url_for("survei.form"),
        data={"csrf_token": token, "service": service.slug, **PERSON, "age": "7", **answers, "suggestion": "Cepat"},
    )
    assert response.status_code == 422
    page = _text(response)
    assert "Ada yang perlu diperbaiki" in page
    assert 'href="#u3"' in page and "Waktu penyelesaian: Pilih salah satu jawaban." in page
    assert "Umur harus antara 15 dan 100 tahun." in page
    assert re.search(r'id="u1-3"[^>]*checked|checked[^>]*id="u1-3"', page)  # U1 = 4 still chosen
    assert re.search(r">\s*Cepat</textarea>", page)
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0


def test_the_open_form_is_rate_limited_per_address(app, client, make_service, monkeypatch):
    service = make_service()
    monkeypatch.setitem(app.config, "SURVEY_RATE_LIMIT", "2 per hour")
    limiter.reset()
    token = csrf_from(client, url_for("survei.form"))
    data = {"csrf_token": token, "service": service.slug, **PERSON, **_answers_form((3,) * 9)}
    statuses = [client.post(url_for("survei.form"), data=data).status_code for _ in range(2)]
    assert statuses == [302, 302]
    refused = client.post(url_for("survei.form"), data={**data, "suggestion": "Mohon loket ditambah"})
    assert refused.status_code == 429
    page = _text(refused)
    assert "Terlalu banyak survei terkirim dari alamat ini" in page
    assert re.search(r">\s*Mohon loket ditambah</textarea>", page)  # nothing typed is lost
    assert "Retry-After" in refused.headers
    assert client.get(url_for("survei.form")).status_code == 200  # reading is not limited
    limiter.reset()


# --- one-time links --------------------------------------------------------------------------


def test_invitations_are_idempotent_and_only_a_hash_is_kept(make_service):
    service = make_service()
    first = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="berkas", reference="IZIN-1")
    again = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="berkas", reference="IZIN-1")
    other = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="berkas", reference="IZIN-2")
    db.session.commit()
    assert first == again != other
    rows = db.session.scalars(select(SurveyInvitation)).all()
    assert len(rows) == 2
    assert {r.token_hash for r in rows} == {token_hash(first), token_hash(other)}
    assert all(first not in (r.token_hash, r.reference) for r in rows)
    assert survey_url(first) == f"http://localhost/survei/{first}"


def test_a_served_ticket_gets_a_link_once_and_a_used_link_is_refused(client, make_service, make_queue):
    service = make_service()
    queue = make_queue(unit=service.unit)
    ticket = issue_ticket(queue["A"])
    waiting = _text(client.get(url_for("antrian.ticket", token=ticket.token)))
    assert "Isi survei kepuasan" not in waiting  # not before the service
    call_next(queue["loket1"])
    finish(queue["loket1"], ticket.id)
    page = client.get(url_for("antrian.ticket", token=ticket.token)).get_data(as_text=True)
    link = re.search(r'href="http://localhost/survei/([A-Za-z0-9_-]+)"', page)
    assert link, "no survey link on the served ticket's page"
    token = link.group(1)
    printed = _text(client.get(url_for("antrian.print_ticket", token=ticket.token, kios=1)))
    assert "survei" not in printed.lower()  # printed before the service: nothing to survey yet
    # The only service of the unit is taken as the service received.
    form_page = _text(client.get(url_for("survei.form_token", token=token)))
    assert "Layanan Uji" in form_page and '<select id="service"' not in form_page
    assert client.get(url_for("survei.form", token=token)).headers["Location"].endswith(f"/survei/{token}")
    csrf = csrf_from(client, url_for("survei.form_token", token=token))
    data = {"csrf_token": csrf, **PERSON, **_answers_form((4,) * 9)}
    assert client.post(url_for("survei.form_token", token=token), data=data).status_code == 302
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.channel == "undangan" and stored.service_id == service.id
    again = client.post(url_for("survei.form_token", token=token), data=data)
    assert again.status_code == 410
    assert "sudah dipakai" in _text(again)
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 1
    # Reloading the ticket page shows the same link, not a new one.
    assert token in client.get(url_for("antrian.ticket", token=ticket.token)).get_data(as_text=True)
    assert client.get(url_for("survei.form_token", token="tidak-ada")).status_code == 404


def test_a_line_serving_several_services_lets_the_respondent_choose(client, make_service, make_queue):
    one = make_service(slug="izin-satu", title="Izin Satu")
    make_service(unit=one.unit, slug="izin-dua", title="Izin Dua")
    ticket = _served_ticket(make_queue(unit=one.unit))
    page = client.get(url_for("antrian.ticket", token=ticket.token)).get_data(as_text=True)
    token = re.search(r"/survei/([A-Za-z0-9_-]+)", page).group(1)
    form_page = _text(client.get(url_for("survei.form_token", token=token)))
    assert '<select id="service"' in form_page and "Izin Satu" in form_page and "Izin Dua" in form_page


def test_staff_link_a_queue_line_to_a_service(client, login, make_service, make_queue):
    one = make_service(slug="izin-satu", title="Izin Satu")
    two = make_service(unit=one.unit, slug="izin-dua", title="Izin Dua")
    queue = make_queue(unit=one.unit)
    login("admin")
    url = url_for("survei.queue_links", slug=one.unit.slug)
    token = csrf_from(client, url)
    response = client.post(url, data={"csrf_token": token, f"line-{queue['A'].id}": str(two.id)})
    assert response.status_code == 302
    db.session.refresh(queue["A"])
    assert queue["A"].service_id == two.id
    ticket = _served_ticket(queue)
    page = client.get(url_for("antrian.ticket", token=ticket.token)).get_data(as_text=True)
    token = re.search(r"/survei/([A-Za-z0-9_-]+)", page).group(1)
    assert db.session.scalars(select(SurveyInvitation)).one().service_id == two.id
    assert "Izin Dua" in _text(client.get(url_for("survei.form_token", token=token)))


def test_the_queue_links_page_names_the_service_a_line_plainly_delivers(client, login, make_service, make_queue):
    one = make_service(slug="izin-satu", title="Izin Satu")
    make_queue(unit=one.unit)
    login("admin")
    url = url_for("survei.queue_links", slug=one.unit.slug)
    hint = "Tanpa pilihan, survei memakai Izin Satu (satu-satunya layanan atau namanya sama)."
    assert _text(client.get(url)).count(hint) == 2  # the only service: both lines, A and B
    make_service(unit=one.unit, slug="izin-dua", title="Izin Dua")
    assert "Tanpa pilihan, survei memakai" not in _text(client.get(url))  # two, and no line of either name


# --- results ---------------------------------------------------------------------------------


def test_ikm_without_responses_says_so_plainly(client, make_service):
    make_service()
    page = _text(client.get(url_for("survei.ikm")))
    assert "Belum ada hasil survei" in page
    assert "IKM</p>" not in page
    home = _text(client.get(url_for("main.home")))
    assert "Indeks Kepuasan Masyarakat" not in home


def test_thirty_responses_are_published_with_the_hand_computed_figures(client, make_service):
    service = make_service()
    _file_thirty(service)
    period = Period.semester_of(local_today(service.unit))
    page = _text(client.get(url_for("survei.ikm")))
    assert period.label in page
    assert '<p class="ikm-value">78,24</p>' in page
    assert "Mutu <strong>B</strong> · Baik" in page
    assert "30 orang" in page
    assert "tidak diketahui" in page  # no queue: the number of service users is unknown
    for code, nrr, grade in (("U1", "3,17", "B"), ("U3", "2,83", "C"), ("U4", "4,00", "A"), ("U8", "2,17", "D")):
        assert re.search(rf'{code}</span>.*?<td class="fig">{nrr}</td>.*?<strong>{grade}</strong>', page), code
    assert page.count("perlu perbaikan") == 3
    assert "<svg class=\"bar" in page
    assert "Antrian di loket 2 lama." not in page  # suggestions are for staff only
    home = _text(client.get(url_for("main.home")))
    assert "78,24" in home and f"Indeks Kepuasan Masyarakat {period.label}" in home


def test_service_users_come_from_the_queue_for_the_minimum_sample(client, make_service, make_queue):
    service = make_service()
    queue = make_queue(unit=service.unit)
    for _ in range(3):
        _served_ticket(queue)
    issue_ticket(queue["A"])  # still waiting: not a service user yet
    file_response(service=service, answers=dict.fromkeys(ELEMENT_CODES, 3), sex="L", age=40, education="sma",
                  occupation="swasta", actor=None)  # fmt: skip
    db.session.commit()
    page = _text(client.get(url_for("survei.ikm", instansi=service.unit.slug)))
    assert "3 orang (antrian yang selesai dilayani)" in page
    assert "3 orang · <strong class=\"warn\">belum terpenuhi</strong>" in page


def test_staff_see_results_write_a_plan_and_it_is_published(client, login, make_service):
    service = make_service()
    _file_thirty(service)
    login("sekretaris")
    results = _text(client.get(url_for("survei.results_page")))
    assert "78,24" in results and "Antrian di loket 2 lama." in results
    period = Period.semester_of(local_today(service.unit))
    url = url_for("survei.follow_up", slug=service.unit.slug, periode=period.key)
    editor = _text(client.get(url))
    assert editor.count('<select id="items-') == 3  # one row per flagged element to start with
    token = csrf_from(client, url)
    data = {
        "csrf_token": token,
        "items-0-element": "U8", "items-0-action": "Buka layanan pengaduan lewat WhatsApp setiap hari kerja",
        "items-0-schedule": "Januari 2027", "items-0-responsible": "Tim Pengaduan",
        "items-1-element": "U3", "items-1-action": "", "items-1-schedule": "", "items-1-responsible": "",
        "note": "Ditinjau setiap triwulan.",
    }  # fmt: skip
    assert client.post(url, data=data).status_code == 302
    plan = db.session.scalars(select(FollowUpPlan)).one()
    assert plan.period == period.key and len(plan.items) == 1
    public = _text(client.get(url_for("survei.ikm")))
    assert "Rencana tindak lanjut" in public and "Buka layanan pengaduan lewat WhatsApp" in public
    assert "Ditinjau setiap triwulan." in public


def test_the_plan_editor_adds_and_removes_rows(client, login, make_service):
    service = make_service()
    login("admin")
    url = url_for("survei.follow_up", slug=service.unit.slug, periode="2026-S1")
    token = csrf_from(client, url)
    response = client.post(url, data={"csrf_token": token, "items-0-action": "Satu", "op": "add:items"})
    assert response.status_code == 200
    page = _text(response)
    assert 'name="items-1-action"' in page and 'value="Satu"' in page


def test_the_tabulation_reopens_with_the_same_figures(client, login, make_service):
    service = make_service()
    _file_thirty(service)
    login("kepala_dinas")
    period = Period.semester_of(local_today(service.unit))
    response = client.get(url_for("survei.tabulation", slug=service.unit.slug, periode=period.key))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "No.")
    first = rows[header].index("U1")
    elements = slice(first, first + 9)
    assert list(rows[header][elements]) == list(ELEMENT_CODES)
    people = ("No.", "Tanggal", "Jam", "Layanan", "Jenis kelamin", "Umur", "Pendidikan", "Pekerjaan")
    assert rows[header][:first] == people
    respondents = [row for row in rows[header + 2 :] if isinstance(row[0], int)]
    assert len(respondents) == 30
    assert [tuple(r[elements]) for r in respondents] == THIRTY
    assert re.fullmatch(r"\d\d:\d\d", respondents[0][2])
    by_label = {row[first - 1]: row[elements] for row in rows if isinstance(row[first - 1], str)}
    assert list(by_label["Jumlah nilai per unsur"]) == [95, 100, 85, 120, 100, 85, 100, 65, 95]
    nrr = by_label["NRR per unsur (jumlah nilai / responden)"]
    assert nrr == pytest.approx([95 / 30, 100 / 30, 85 / 30, 4, 100 / 30, 85 / 30, 100 / 30, 65 / 30, 95 / 30])
    assert by_label["NRR tertimbang (NRR x 1/9)"][0] == pytest.approx(95 / 270)
    assert by_label["Jumlah NRR tertimbang"][0] == pytest.approx(845 / 270)
    assert by_label["IKM (jumlah NRR tertimbang x 25)"][0] == pytest.approx(float(Fraction(21125, 270)))
    assert round(by_label["IKM (jumlah NRR tertimbang x 25)"][0], 2) == 78.24
    assert by_label["Mutu pelayanan"][0] == "B (Baik)"
    assert list(by_label["Mutu per unsur"]) == ["B", "B", "C", "A", "B", "C", "B", "D", "B"]


def test_the_semester_report_is_a_pdf(client, login, make_service):
    service = make_service()
    _file_thirty(service)
    login("admin")
    response = client.get(url_for("survei.report", slug=service.unit.slug))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_a_unit_limited_officer_sees_only_that_unit(client, login, make_service, make_unit):
    mine = make_service(slug="punya-saya")
    other = make_service(unit=make_unit(), slug="punya-lain")
    login("sekretaris", unit=mine.unit)
    assert client.get(url_for("survei.results_page", instansi=other.unit.slug)).status_code == 403
    assert client.get(url_for("survei.tabulation", slug=other.unit.slug)).status_code == 403
    assert client.get(url_for("survei.results_page")).status_code == 200


def test_responses_count_in_the_units_local_day(make_service):
    service = make_service()
    late = datetime(2026, 6, 30, 18, 30, tzinfo=UTC)  # 1 July 01:30 in Jakarta: the second semester
    response = file_response(service=service, answers=dict.fromkeys(ELEMENT_CODES, 4), sex="L", age=30,
                             education="sma", occupation="swasta", now=late, actor=None)  # fmt: skip
    db.session.commit()
    assert response.survey_date.isoformat() == "2026-07-01"


def test_the_lobby_kiosk_returns_to_a_fresh_form(client, make_service):
    service = make_service()
    url = url_for("survei.form", kios="1")
    page = _text(client.get(url))
    assert 'class="kiosk survey-kiosk"' in page and 'action="/survei?kios=1"' in page
    token = csrf_from(client, url)
    data = {"csrf_token": token, "service": service.slug, **PERSON, **_answers_form((3,) * 9)}
    response = client.post(url, data=data)
    assert response.headers["Location"] == url_for("survei.thanks", kios="1")
    thanks = _text(client.get(response.headers["Location"]))
    assert 'http-equiv="refresh" content="15;url=/survei?kios=1"' in thanks
    unit_kiosk = url_for("survei.form", kios="1", instansi=service.unit.slug)
    response = client.post(unit_kiosk, data={**data, "csrf_token": csrf_from(client, unit_kiosk)})
    thanks = _text(client.get(response.headers["Location"]))
    assert f'content="15;url=/survei?kios=1&amp;instansi={service.unit.slug}"' in thanks


def test_a_one_time_link_has_a_qr_code(client, make_service):
    service = make_service()
    token = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="berkas", reference="IZIN-9")
    db.session.commit()
    response = client.get(url_for("survei.token_qr", token=token))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert client.get(url_for("survei.token_qr", token="tidak-ada")).status_code == 404


def test_no_survey_link_when_the_unit_publishes_no_service(client, make_queue):
    ticket = _served_ticket(make_queue())
    page = _text(client.get(url_for("antrian.ticket", token=ticket.token)))
    assert "Terima kasih, layanan Anda sudah selesai." in page
    assert "Isi survei kepuasan" not in page
    assert db.session.scalar(select(func.count(SurveyInvitation.id))) == 0


def test_ikm_lists_units_and_breaks_a_unit_down_by_service(client, make_service, make_unit):
    genset = make_service(slug="izin-genset", title="Izin Genset")
    sanitarian = make_service(unit=genset.unit, slug="izin-sanitarian", title="Izin Sanitarian")
    other = make_service(unit=make_unit(name="Dinas Lain"), slug="izin-lain", title="Izin Lain")
    for service, score in ((genset, 4), (sanitarian, 2), (other, 3)):
        file_response(service=service, answers=dict.fromkeys(ELEMENT_CODES, score), sex="L", age=30,
                      education="sma", occupation="swasta", actor=None)  # fmt: skip
    db.session.commit()
    overview = _text(client.get(url_for("survei.ikm")))
    assert genset.unit.name in overview and "Dinas Lain" in overview
    assert re.search(r"Dinas Lain</a></th> <td class=\"fig\">1</td> <td class=\"fig\">75,00</td>", overview)
    unit_page = _text(client.get(url_for("survei.ikm", instansi=genset.unit.slug)))
    assert '<p class="ikm-value">75,00</p>' in unit_page  # (4 x 9 + 2 x 9) / 2 / 9 x 25
    assert "Per layanan" in unit_page and "Izin Genset" in unit_page and "Izin Sanitarian" in unit_page
    one = _text(client.get(url_for("survei.ikm", layanan="izin-genset")))
    assert '<p class="ikm-value">100,00</p>' in one and "Mutu <strong>A</strong>" in one
    assert client.get(url_for("survei.ikm", instansi="tidak-ada")).status_code == 404


def test_a_units_survey_offers_only_its_services(client, make_service, make_unit):
    mine = make_service(slug="izin-saya", title="Izin Saya")
    make_service(unit=make_unit(), slug="izin-tetangga", title="Izin Tetangga")
    everyone = _text(client.get(url_for("survei.form")))
    assert "Izin Saya" in everyone and "Izin Tetangga" in everyone and "<optgroup" in everyone
    page = _text(client.get(url_for("survei.form", instansi=mine.unit.slug)))
    assert "Izin Saya" in page and "Izin Tetangga" not in page
    assert f'action="/survei?instansi={mine.unit.slug}"' in page and mine.unit.name in page
    token = csrf_from(client, url_for("survei.form", instansi=mine.unit.slug))
    data = {"csrf_token": token, "service": "izin-tetangga", **PERSON, **_answers_form((3,) * 9)}
    refused = client.post(url_for("survei.form", instansi=mine.unit.slug), data=data)
    assert refused.status_code == 422
    assert client.get(url_for("survei.form", instansi="tidak-ada")).status_code == 404


def test_a_ticket_is_invited_when_it_is_served_and_its_page_only_reads(client, make_service, make_queue):
    """The queue announces the served ticket (antrian.signals.ticket_served); the survey makes the link then."""
    service = make_service()
    queue = make_queue(unit=service.unit)
    first = issue_ticket(queue["A"])
    issue_ticket(queue["A"])
    call_next(queue["loket1"])
    assert db.session.scalar(select(func.count(SurveyInvitation.id))) == 0  # called, not yet served
    start_serving(queue["loket1"], first.id)
    assert db.session.scalar(select(func.count(SurveyInvitation.id))) == 0  # being served
    call_next(queue["loket1"])  # calling the next one finishes the ticket being served: it was served
    invitation = db.session.scalars(select(SurveyInvitation)).one()
    assert (invitation.source, invitation.reference, invitation.service_id) == ("antrian", str(first.id), service.id)
    db.session.expunge_all()
    page = client.get(url_for("antrian.ticket", token=first.token)).get_data(as_text=True)
    assert "Isi survei kepuasan" in page and "/survei/" in page
    assert db.session.scalar(select(func.count(SurveyInvitation.id))) == 1  # the GET made nothing


def test_the_ticket_served_signal_carries_the_served_ticket(make_queue):
    from antrian.models import Ticket
    from antrian.signals import ticket_served

    queue = make_queue()
    ticket = issue_ticket(queue["A"])
    call_next(queue["loket1"])
    heard = []

    def listener(sender, **_):
        heard.append((sender.id, sender.status))

    with ticket_served.connected_to(listener):
        finish(queue["loket1"], ticket.id)
    assert heard == [(ticket.id, Ticket.DONE)]
