"""Catalogue search ranks by relevance and tolerates typos, on SQLite (rapidfuzz) and PostgreSQL (pg_trgm).

Run on both: ``TEST_DATABASE_URL=postgresql://...`` takes the pg_trgm path (migration 0018_search).
"""

from __future__ import annotations

from flask import url_for

from webapp.core.extensions import db
from webapp.standards.service import search, search_services


def _slugs(query: str) -> list[str]:
    return [s.slug for s in search_services(query)]


def test_the_title_counts_before_the_content(demo):
    found = _slugs("izin usaha")
    assert found, "nothing found for 'izin usaha'"
    assert found[0] == "oss-umk-orang-perseorangan"  # both words in its title
    # the complaint-handling standards only have "usaha" in their content, if at all: below
    for slug in found[1:]:
        assert slug != "oss-umk-orang-perseorangan"


def test_a_word_in_the_title_ranks_above_a_word_in_the_requirements(make_service, make_unit):
    unit = make_unit()
    # Made first, so the catalogue order alone would put it first.
    make_service(unit=unit, slug="dalam-isi", title="Rekomendasi Teknis",
                 components={"persyaratan": {"items": [{"text": "Denah lokasi reklame"}]}})  # fmt: skip
    make_service(unit=unit, slug="dalam-judul", title="Izin Reklame")
    assert _slugs("reklame") == ["dalam-judul", "dalam-isi"]


def test_a_typo_still_finds_the_service_and_suggests_the_word(demo):
    found = search("gensett")
    assert [s.slug for s in found.services] == ["izin-instalasi-genset"]
    assert found.suggestion == "genset"
    assert [s.slug for s in search("instalsi genset").services] == ["izin-instalasi-genset"]


def test_no_result_suggests_the_nearest_word(demo, client):
    found = search("sanitarion qqqqzz")
    assert found.services == []
    assert found.suggestion.startswith("sanitarian")
    page = client.get(url_for("standards.catalogue", q="gensetttx")).get_data(as_text=True)
    assert "Maksud Anda:" in page and url_for("standards.catalogue", q="genset") in page


def test_every_word_must_match(demo):
    assert _slugs("genset qqqqzzzz") == []
    assert _slugs("genset") == ["izin-instalasi-genset"]


def test_the_catalogue_page_ranks_and_groups_complaint_standards(client, demo):
    page = client.get(url_for("standards.catalogue", q="izin usaha")).get_data(as_text=True)
    assert "Perizinan Usaha Mikro Kecil" in page
    full = client.get(url_for("standards.catalogue")).get_data(as_text=True)
    assert "<h3>Pengaduan</h3>" in full


def test_the_engine_is_the_one_of_the_database(app):
    dialect = db.session.get_bind().dialect.name
    assert dialect in ("sqlite", "postgresql")


def test_english_visitors_find_a_service_by_its_english_text(make_service, make_unit):
    """ "passport" is only in the English requirement items admin added; "billboard" only in the English summary."""
    from webapp.standards.versions import set_english

    unit = make_unit()
    service = make_service(unit=unit, slug="izin-reklame", title="Izin Reklame")
    make_service(unit=unit, slug="lain", title="Rekomendasi Teknis")
    set_english(service, "Advertising permit", "Needed before you put up a billboard.",
                ["Copy of your passport (foreign nationals)"], actor=None)
    db.session.commit()
    assert _slugs("passport") == ["izin-reklame"]
    assert _slugs("Billboard") == ["izin-reklame"]
    assert _slugs("advertising permit") == ["izin-reklame"]
