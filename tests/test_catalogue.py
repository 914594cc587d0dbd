"""Public pages: home, catalogue and its htmx search, one standard, unit pages, posters."""

from __future__ import annotations

import re

from flask import url_for

from webapp.core.extensions import db
from webapp.standards.components import COMPONENTS


def test_home_lists_every_unit_and_service(client, demo):
    html = client.get(url_for("main.home")).get_data(as_text=True)
    assert "Kabupaten Kampar" in html
    assert "Kota Pekanbaru" in html
    assert "Izin Instalasi Genset" in html
    assert 'lang="id"' in html


def test_catalogue_lists_all_and_search_narrows(client, demo):
    everything = client.get(url_for("standards.catalogue")).get_data(as_text=True)
    assert "9 layanan." in everything
    narrowed = client.get(url_for("standards.catalogue", q="genset")).get_data(as_text=True)
    assert "1 layanan cocok" in narrowed
    assert "Izin Instalasi Genset" in narrowed
    assert "Sanitarian" not in narrowed


def test_search_matches_every_word_case_insensitively_and_across_fields(client, demo):
    html = client.get(url_for("standards.catalogue", q="PENGADUAN tidak langsung")).get_data(as_text=True)
    assert "2 layanan cocok" in html
    assert "Pengaduan Secara Tidak Langsung" in html
    assert "Secara Langsung Lingkup Dinas" not in html
    requirement = client.get(url_for("standards.catalogue", q="bermaterai")).get_data(as_text=True)
    assert "Izin Instalasi Genset" in requirement  # found through a requirement, not the title


def test_search_without_results_says_so(client, demo):
    html = client.get(url_for("standards.catalogue", q="zzzz")).get_data(as_text=True)
    assert "Tidak ada layanan yang cocok" in html


def test_search_treats_like_wildcards_as_text(client, demo):
    html = client.get(url_for("standards.catalogue", q="%")).get_data(as_text=True)
    assert "Tidak ada layanan yang cocok" in html


def test_htmx_gets_only_the_results_partial_and_caches_vary(client, demo):
    response = client.get(url_for("standards.catalogue", q="genset"), headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "Izin Instalasi Genset" in html
    assert "HX-Request" in response.headers["Vary"]
    full = client.get(url_for("standards.catalogue", q="genset"))
    assert "HX-Request" in full.headers["Vary"]
    assert "<html" in full.get_data(as_text=True)


def test_search_works_without_javascript(client, demo):
    html = client.get(url_for("standards.catalogue")).get_data(as_text=True)
    form = re.search(r'<form class="search" action="([^"]+)" method="get"', html)
    assert form and form.group(1) == url_for("standards.catalogue")


def test_overlong_query_gets_a_message_and_keeps_what_was_typed(client, demo):
    query = "a" * 150
    html = client.get(url_for("standards.catalogue", q=query)).get_data(as_text=True)
    assert "paling panjang 100 huruf" in html
    assert f'value="{query}"' in html
    assert "9 layanan." in html


def test_service_page_has_all_fourteen_components_public_six_first(client, demo):
    html = client.get(url_for("standards.detail", slug="izin-instalasi-genset")).get_data(as_text=True)
    positions = []
    for component in COMPONENTS:
        anchor = f'id="{component.code}"'
        assert anchor in html, component.code
        positions.append(html.index(anchor))
    assert positions[:6] == sorted(positions[:6])
    assert max(positions[:6]) < min(positions[6:])
    assert "Surat Permohonan Bermaterai" in html
    assert 'type="checkbox"' in html
    assert "5 hari kerja" in html
    assert ">Gratis<" in html


def test_service_page_links_complaint_channels(client, demo):
    html = client.get(url_for("standards.detail", slug="izin-instalasi-genset")).get_data(as_text=True)
    assert 'href="mailto:dpmptsp@kamparkab.go.id"' in html
    assert 'href="tel:+6281276460487"' in html
    assert 'href="https://wa.me/6281276460487"' in html
    assert 'href="https://www.lapor.go.id"' in html


def test_service_page_says_what_the_document_does_not_publish(client, demo):
    html = client.get(url_for("standards.detail", slug="izin-kerja-tenaga-sanitarian")).get_data(as_text=True)
    assert html.count("Tidak dimuat dalam dokumen standar pelayanan") >= 5
    assert "dimulai di tengah" in html
    assert "Kepala Dinas Menandatangani Surat Izin Kerja Tenaga Sanitarian" in html
    assert "2 hari kerja" in html


def test_procedure_diagram_shows_flow_and_branch(client, demo):
    html = client.get(url_for("standards.detail", slug="rekomendasi-pelatih-anak-putus-sekolah")).get_data(as_text=True)
    assert 'class="flow"' in html
    assert "Pendaftaran FO" in html
    assert "Jika tidak lengkap" in html


def test_guides_are_shown_step_by_step(client, demo):
    html = client.get(url_for("standards.detail", slug="oss-umk-orang-perseorangan")).get_data(as_text=True)
    assert "(11 langkah)" in html
    assert "(16 langkah)" in html


def test_markup_in_data_is_escaped_everywhere(client, make_service):
    # Validation refuses tags; this title reaches the database behind its back, to prove
    # that the templates escape whatever is stored.
    service = make_service(slug="izin-uji")
    service.title = "Izin <Uji> & Co"
    db.session.commit()
    for endpoint in ("standards.detail", "standards.poster"):
        html = client.get(url_for(endpoint, slug=service.slug)).get_data(as_text=True)
        assert "Izin &lt;Uji&gt; &amp; Co" in html
        assert "<Uji>" not in html
    listing = client.get(url_for("standards.catalogue")).get_data(as_text=True)
    assert "<Uji>" not in listing


def test_unknown_service_is_a_404_in_the_site_style(client):
    response = client.get(url_for("standards.detail", slug="tidak-ada"))
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in html
    assert 'class="site-header"' in html


def test_poster_and_unit_sheet(client, demo):
    poster = client.get(url_for("standards.poster", slug="izin-instalasi-genset")).get_data(as_text=True)
    assert "Izin Instalasi Genset" in poster
    assert "Surat Permohonan Bermaterai" in poster
    assert url_for("standards.qr_code_svg", slug="izin-instalasi-genset") in poster
    assert "http://localhost/layanan/izin-instalasi-genset" in poster
    sheet = client.get(url_for("standards.unit_qr_sheet", slug="dpmptsp-kampar")).get_data(as_text=True)
    assert sheet.count('class="qr-card"') == 8
    unit = client.get(url_for("standards.unit", slug="dpmptsp-pekanbaru")).get_data(as_text=True)
    assert "Surat Izin Kerja Tenaga Sanitarian" in unit
    assert client.get(url_for("standards.unit", slug="tidak-ada")).status_code == 404


def test_static_assets_are_versioned_for_long_caching(client, demo):
    html = client.get(url_for("main.home")).get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', html)
    assert css
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600
