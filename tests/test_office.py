"""The office profile (issue 16): NIP, opening hours, logo checked by content, signatories by date, admin page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import url_for

from tests.conftest import csrf_from
from webapp.core.extensions import db
from webapp.core.office import (
    OfficeError,
    Signatory,
    check_logo,
    clean_nip,
    format_nip,
    hours_summary,
    parse_day_hours,
    profile_for,
    signatory_for,
)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f000500"
    "0201e2217bc30000000049454e44ae426082"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#0b4f5c"/></svg>'


def test_a_nip_is_18_digits_with_real_dates():
    assert clean_nip("19681024 200003 1 002") == "196810242000031002"
    assert clean_nip("") is None and clean_nip(None) is None
    assert format_nip("196810242000031002") == "19681024 200003 1 002"
    for bad in ("1968102420000310", "19681024200003100X", "196813242000031002", "196810242000131002",
                "196810242000033002"):  # fmt: skip
        with pytest.raises(OfficeError):
            clean_nip(bad)


def test_opening_hours_are_typed_as_office_staff_write_them():
    assert parse_day_hours("08.00-16.00") == [["08:00", "16:00"]]
    assert parse_day_hours("08:00 – 11.30, 13.30-16.00") == [["08:00", "11:30"], ["13:30", "16:00"]]
    assert parse_day_hours("") == []
    for bad in ("pagi", "16.00-08.00", "08.00-12.00, 11.00-16.00", "25.00-26.00"):
        with pytest.raises(OfficeError):
            parse_day_hours(bad)
    week = {str(d): [["08:00", "16:00"]] for d in range(4)} | {"4": [["08:00", "11:30"], ["13:30", "16:00"]]}
    assert hours_summary(week) == [("Senin–Kamis", "08.00–16.00"), ("Jumat", "08.00–11.30, 13.30–16.00")]
    assert hours_summary({}) == []


def test_a_logo_is_checked_by_its_content_not_its_name():
    assert check_logo(PNG) == "image/png"
    assert check_logo(SVG) == "image/svg+xml"
    refused = {
        "gif": b"GIF89a\x01\x00\x01\x00",
        "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "event": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
        "link": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
                b'<image x:href="http://example.com/a.png"/></svg>',
        "entity": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        "html": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
        "too big": PNG + b"\0" * (600 * 1024),
        "empty": b"",
    }  # fmt: skip
    for name, data in refused.items():
        with pytest.raises(OfficeError):
            check_logo(data)
            pytest.fail(name)


def test_a_document_keeps_the_signatory_of_its_date(make_unit):
    unit = make_unit()
    db.session.add_all([
        Signatory(unit_id=unit.id, role="kepala_dinas", name="Kepala Lama", valid_from=date(2022, 2, 25)),
        Signatory(unit_id=unit.id, role="kepala_dinas", name="Kepala Baru", valid_from=date(2026, 7, 1)),
    ])  # fmt: skip
    db.session.commit()
    assert signatory_for(unit, "kepala_dinas", date(2022, 2, 24)) is None
    assert signatory_for(unit, "kepala_dinas", date(2026, 6, 30)).name == "Kepala Lama"
    assert signatory_for(unit, "kepala_dinas", date(2026, 7, 1)).name == "Kepala Baru"
    assert signatory_for(unit, "sekretaris", date(2026, 7, 1)) is None


def test_admin_fills_the_kop_hours_and_logo(client, login, make_unit):
    unit = make_unit(name="Dinas Uji Kop", address="Jalan Uji 1")
    login("admin")
    url = url_for("admin.office_profile", unit_id=unit.id)
    page = client.get(url)
    assert page.status_code == 200 and "Kop surat dan penandatangan" in page.text
    data = {"csrf_token": csrf_from(client, url), "government_name": "Pemerintah Kabupaten Uji",
            "phone": "0761-123456", "whatsapp": "0812-7646-0487", "email": "dinas@uji.go.id",
            "website": "dinas.uji.go.id", "place_name": "Kota Uji",
            **{f"hours-{d}": "08.00-16.00" for d in range(4)}, "hours-4": "08.00-11.30, 13.30-16.00",
            "hours-5": "", "hours-6": "", "logo": (io.BytesIO(SVG), "lambang.svg")}  # fmt: skip
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    profile = profile_for(unit)
    assert profile.government_name == "Pemerintah Kabupaten Uji" and profile.place_name == "Kota Uji"
    assert profile.hours == [("Senin–Kamis", "08.00–16.00"), ("Jumat", "08.00–11.30, 13.30–16.00")]
    assert unit.logo_type == "image/svg+xml" and profile.logo_data_url.startswith("data:image/svg+xml;base64,")
    logo = client.get(url_for("standards.unit_logo", slug=unit.slug))
    assert logo.status_code == 200 and "sandbox" in logo.headers["Content-Security-Policy"]


def test_a_bad_hour_or_logo_is_shown_beside_its_field_and_kept(client, login, make_unit):
    unit = make_unit()
    login("admin")
    url = url_for("admin.office_profile", unit_id=unit.id)
    data = {"csrf_token": csrf_from(client, url), "government_name": "Pemerintah Uji", "hours-0": "pagi sampai sore",
            "logo": (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'), "logo.svg")}  # fmt: skip
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Senin: Tulis jam seperti 08.00-16.00" in response.text and 'value="pagi sampai sore"' in response.text
    db.session.expire_all()
    assert unit.government_name is None and unit.logo is None


def test_admin_adds_and_removes_signatories(client, login, make_unit):
    unit = make_unit()
    login("admin")
    page = url_for("admin.office_profile", unit_id=unit.id)
    add = url_for("admin.add_signatory_view", unit_id=unit.id)
    bad = client.post(add, data={"csrf_token": csrf_from(client, page), "role": "kepala_dinas", "name": "Budi",
                                 "nip": "1234", "valid_from": "2026-01-05"})  # fmt: skip
    assert bad.status_code == 422 and "NIP harus 18 angka" in bad.text and 'value="Budi"' in bad.text
    good = client.post(add, data={"csrf_token": csrf_from(client, page), "role": "kepala_dinas",
                                  "name": "Budi Kepala, S.H.", "rank": "Pembina Utama Muda (IV/c)",
                                  "nip": "19681024 200003 1 002", "valid_from": "2026-01-05"})  # fmt: skip
    assert good.status_code == 302
    signatory = signatory_for(unit, "kepala_dinas", date(2026, 2, 1))
    assert signatory.nip == "196810242000031002"
    assert "19681024 200003 1 002" in client.get(page).text
    again = client.post(add, data={"csrf_token": csrf_from(client, page), "role": "kepala_dinas", "name": "Lain",
                                   "valid_from": "2026-01-05"})  # fmt: skip
    assert again.status_code == 422 and "Sudah ada Kepala Dinas" in again.text
    removed = client.post(url_for("admin.remove_signatory_view", unit_id=unit.id, signatory_id=signatory.id),
                          data={"csrf_token": csrf_from(client, page)})  # fmt: skip
    assert removed.status_code == 302 and signatory_for(unit, "kepala_dinas", date(2026, 2, 1)) is None


def test_a_unit_admin_cannot_edit_another_units_kop(client, login, make_unit):
    mine, other = make_unit(), make_unit()
    login("admin", unit=mine)
    assert client.get(url_for("admin.office_profile", unit_id=other.id)).status_code == 403
    assert client.get(url_for("admin.office_profile", unit_id=mine.id)).status_code == 200


def test_the_kop_page_is_valid_html_also_with_errors(client, login, make_unit, tmp_path):
    from tests.test_html_validity import vnu_errors

    unit = make_unit()
    login("admin")
    url = url_for("admin.office_profile", unit_id=unit.id)
    pages = {
        "ok": client.get(url).get_data(as_text=True),
        "bad-hours": client.post(url, data={"csrf_token": csrf_from(client, url), "hours-0": "pagi"}).text,
        "bad-nip": client.post(url_for("admin.add_signatory_view", unit_id=unit.id),
                               data={"csrf_token": csrf_from(client, url), "nip": "12"}).text,
    }  # fmt: skip
    files = []
    for name, html in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(html, encoding="utf-8")
    assert vnu_errors(files) == []


def test_a_service_page_does_not_read_the_logo_but_the_poster_does(app, client, make_service, monkeypatch):
    """The logo (up to 512 KB, a deferred column) is read and encoded only where a kop prints it."""
    import re

    from sqlalchemy import event

    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
    service = make_service()
    service.unit.logo, service.unit.logo_type = SVG, "image/svg+xml"
    db.session.commit()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    reads_logo = re.compile(r"unit\.logo(?!_)\b")
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.expire_all()
        page = client.get(url_for("standards.detail", slug=service.slug))
        assert page.status_code == 200 and "data:image/svg+xml" not in page.get_data(as_text=True)
        assert statements and not [s for s in statements if reads_logo.search(s)]
        poster = client.get(url_for("standards.poster", slug=service.slug)).get_data(as_text=True)
        assert "data:image/svg+xml;base64," in poster  # the kop still prints it
        assert [s for s in statements if reads_logo.search(s)]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
