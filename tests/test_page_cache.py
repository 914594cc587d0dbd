"""The public page cache: shared renderings for anonymous visitors, cleared by publication."""

from __future__ import annotations

import gzip

from flask import url_for
from sqlalchemy import update

from webapp.core.extensions import db
from webapp.core.page_cache import PageCache, page_cache
from webapp.standards.models import Service


def _retitle_behind_the_orm(slug: str, title: str) -> None:
    """Change a title with plain SQL, as another server process would: no ORM event here."""
    db.session.execute(update(Service.__table__).where(Service.__table__.c.slug == slug).values(title=title))
    db.session.commit()


def test_anonymous_visitors_share_one_rendering(client, demo):
    url = url_for("standards.detail", slug="izin-instalasi-genset")
    assert "Izin Instalasi Genset" in client.get(url).get_data(as_text=True)
    _retitle_behind_the_orm("izin-instalasi-genset", "Judul Dari Proses Lain")
    assert "Izin Instalasi Genset" in client.get(url).get_data(as_text=True)  # still the cached page
    page_cache.clear()  # what the TTL does in other processes
    assert "Judul Dari Proses Lain" in client.get(url).get_data(as_text=True)


def test_a_change_committed_here_clears_the_cache_at_once(client, demo):
    url = url_for("standards.detail", slug="izin-instalasi-genset")
    client.get(url)
    service = Service.by_slug("izin-instalasi-genset")
    service.title = "Izin Genset Baru"
    db.session.commit()
    assert "Izin Genset Baru" in client.get(url).get_data(as_text=True)


def test_staff_always_get_a_fresh_page(client, demo, login):
    url = url_for("standards.detail", slug="izin-instalasi-genset")
    client.get(url)
    login("admin")
    _retitle_behind_the_orm("izin-instalasi-genset", "Segar Untuk Petugas")
    assert "Segar Untuk Petugas" in client.get(url).get_data(as_text=True)


def test_gzip_once_and_etag_revalidation(client, demo):
    url = url_for("standards.detail", slug="izin-kerja-tenaga-sanitarian")
    plain = client.get(url)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 3
    again = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == plain.headers["ETag"]
    cached = client.get(url)  # from the cache: the security headers were stored with the page
    assert "script-src 'self'" in cached.headers["Content-Security-Policy"]
    assert cached.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Loket-Cache-Ttl" not in cached.headers


def test_htmx_partial_and_full_page_are_cached_apart(client, demo):
    url = url_for("standards.catalogue", q="genset")
    full = client.get(url).get_data(as_text=True)
    partial = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" in full
    assert "<html" not in partial


def test_errors_are_not_cached(client, demo):
    url = url_for("standards.detail", slug="layanan-baru")
    assert client.get(url).status_code == 404
    service = Service.by_slug("izin-instalasi-genset")
    _retitle_behind_the_orm(service.slug, service.title)
    db.session.execute(
        update(Service.__table__).where(Service.__table__.c.slug == "izin-instalasi-genset").values(slug="layanan-baru")
    )
    db.session.commit()
    assert client.get(url).status_code == 200


def test_least_recently_used_entries_are_evicted():
    cache = PageCache(max_entries=2)
    from webapp.core.page_cache import _Entry

    entry = _Entry(expires=1e12, status=200, headers=(), body=b"", gzipped=None, etag="x")
    cache.put(("a",), entry)
    cache.put(("b",), entry)
    assert cache.get(("a",)) is entry
    cache.put(("c",), entry)
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is entry


def test_a_language_switch_is_remembered_even_when_another_visitor_filled_the_cache(app, demo):
    """A visitor with the cookie already set fills ``?lang=en``; the next one clicking EN still gets the cookie."""
    url = url_for("standards.detail", slug="izin-instalasi-genset", lang="en")
    plain = url_for("standards.detail", slug="izin-instalasi-genset")
    regular = app.test_client()
    regular.set_cookie("bahasa", "en")
    assert '<html lang="en">' in regular.get(url).get_data(as_text=True)
    newcomer = app.test_client()
    first = newcomer.get(url)
    assert '<html lang="en">' in first.get_data(as_text=True)
    assert "bahasa=en" in first.headers.get("Set-Cookie", "")
    assert '<html lang="en">' in newcomer.get(plain).get_data(as_text=True)
