"""QR codes: they decode (zxing-cpp) to the service's public URL, and are cached by ETag."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from flask import url_for
from PIL import Image

from webapp.core.page_cache import page_cache
from webapp.standards.models import Service
from webapp.standards.service import search_services


def _decode_png(data: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    assert len(results) == 1, "expected exactly one QR code"
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def test_every_png_qr_decodes_to_its_service_page(client, demo):
    services = search_services(None)
    assert len(services) == 9
    for service in services:
        response = client.get(url_for("standards.qr_code_png", slug=service.slug))
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert _decode_png(response.data) == f"http://localhost/layanan/{service.slug}"


def test_public_base_url_is_what_the_qr_encodes(app, client, demo, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://layanan.kamparkab.go.id")
    response = client.get(url_for("standards.qr_code_png", slug="izin-instalasi-genset"))
    assert _decode_png(response.data) == "https://layanan.kamparkab.go.id/layanan/izin-instalasi-genset"


def test_without_public_base_url_the_request_origin_is_used(app, client, demo, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["kantor.example"])  # a host the operator allowed
    response = client.get(
        url_for("standards.qr_code_png", slug="izin-instalasi-genset"), base_url="https://kantor.example:8443"
    )
    assert _decode_png(response.data) == "https://kantor.example:8443/layanan/izin-instalasi-genset"


@pytest.mark.parametrize(
    ("endpoint", "mimetype"),
    [("standards.qr_code_svg", "image/svg+xml"), ("standards.qr_code_png", "image/png")],
)
def test_qr_has_etag_long_cache_and_answers_304(client, demo, endpoint, mimetype):
    url = url_for(endpoint, slug="izin-instalasi-genset")
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == mimetype
    etag = first.headers["ETag"]
    assert first.cache_control.public
    assert first.cache_control.max_age >= 7 * 24 * 3600
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_etag_changes_with_the_encoded_url(app, client, demo, monkeypatch):
    url = url_for("standards.qr_code_svg", slug="izin-instalasi-genset")
    before = client.get(url).headers["ETag"]
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://layanan.example.go.id")
    page_cache.clear()  # settings change only at a restart, which starts with an empty cache
    after = client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["ETag"] != before


def test_svg_is_a_single_path_svg(client, demo):
    svg = client.get(url_for("standards.qr_code_svg", slug="izin-instalasi-genset")).get_data(as_text=True)
    assert svg.lstrip().startswith("<?xml") or svg.lstrip().startswith("<svg")
    assert "<path" in svg
    assert "<script" not in svg


def test_unknown_service_qr_is_404(client):
    assert client.get(url_for("standards.qr_code_png", slug="tidak-ada")).status_code == 404


def test_qr_is_drawn_once_per_url(app, client, demo, monkeypatch):
    from webapp.core import qr

    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)  # past the page cache, to the drawing
    qr.qr_png.cache_clear()
    url = url_for("standards.qr_code_png", slug="izin-instalasi-genset")
    for _ in range(3):
        client.get(url)
    info = qr.qr_png.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    assert Service.by_slug("izin-instalasi-genset") is not None
