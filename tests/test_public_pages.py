"""Public pages speak to citizens (issue 16, ux review §2.1, top-10 item 5).

- No internal word ("seed", "transkripsi", "placeholder", "TODO", "lorem", "dummy" ...) on any
  public page: the scan reads what a visitor sees (text, alt, title, placeholder, aria-label),
  not class names or script.
- The note about the source document is shown to staff only.
- Standards of complaint handling stay public, grouped as "Pengaduan", and are not offered as
  the service a complaint or a survey answer is about.
- Each service page offers a queue number and shows the office's hours and address.
- Complaint replies keep the office's own contacts, masking only the citizen's.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import url_for
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.models import Service

INTERNAL_WORDS = ["seed", "transkripsi", "placeholder", "todo", "fixme", "lorem", "ipsum", "dummy", "xxx",
                  "traceback", "debug", "data demo", "catatan internal", "dokumen sumber mencetak", "ocr"]  # fmt: skip
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "value", "content"}


class _Visible(HTMLParser):
    """Collects the text a visitor can see or hear, leaving out script, style and markup."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name, value in attrs:
            shown = name in VISIBLE_ATTRIBUTES and value and not (tag == "input" and name == "value")
            if shown and not (tag == "meta" and name == "content" and dict(attrs).get("name") != "description"):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def internal_words_in(text: str) -> list[str]:
    lowered = text.casefold()
    return [word for word in INTERNAL_WORDS if re.search(rf"\b{re.escape(word)}\b", lowered)]


def public_urls() -> list[str]:
    urls = [url_for("main.home"), url_for("standards.catalogue"), url_for("standards.catalogue", q="izin"),
            url_for("standards.catalogue", q="gensett"), url_for("pengaduan.form"), url_for("pengaduan.lookup"),
            url_for("survei.form"), url_for("survei.ikm"), url_for("berkas.lookup_form"),
            url_for("berkas.verify_index"), url_for("antrian.kiosk"), url_for("antrian.display"),
            "/halaman-yang-tidak-ada"]  # fmt: skip
    for unit in db.session.scalars(select(Unit)):
        urls += [url_for("standards.unit", slug=unit.slug), url_for("standards.unit_qr_sheet", slug=unit.slug)]
    for service in db.session.scalars(select(Service).where(Service.is_published.is_(True))):
        urls += [url_for("standards.detail", slug=service.slug), url_for("standards.poster", slug=service.slug)]
    return urls


def test_the_scan_finds_internal_words_and_ignores_markup():
    assert internal_words_in(visible_text('<p>Sumber: dokumen (seed 001)</p>')) == ["seed"]
    assert internal_words_in(visible_text('<input placeholder="lorem ipsum">')) == ["lorem", "ipsum"]
    assert internal_words_in(visible_text('<input class="placeholder" name="todo"><script>debug()</script>')) == []


def test_no_public_page_shows_internal_words(client, demo):
    found = {}
    for url in public_urls():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        words = internal_words_in(visible_text(response.get_data(as_text=True)))
        if words:
            found[url] = words
    assert found == {}


def test_the_source_note_is_for_staff_only(client, login, demo):
    service = db.session.scalar(select(Service).where(Service.slug == "izin-instalasi-genset"))
    assert service.source_note
    public = client.get(url_for("standards.detail", slug=service.slug)).get_data(as_text=True)
    assert service.source_note[:40] not in public
    assert "seed 001" not in public and "Sumber:" in public
    login("admin")
    preview = client.get(url_for("admin.preview", service_id=service.id)).get_data(as_text=True)
    assert service.source_note[:40] in preview
    versions = client.get(url_for("admin.versions", service_id=service.id)).get_data(as_text=True)
    assert service.source_note[:40] in versions


def test_complaint_handling_standards_are_public_but_not_complained_about(client, demo):
    handling = db.session.scalars(select(Service).where(Service.category == "pengaduan")).all()
    assert handling
    catalogue = client.get(url_for("standards.catalogue")).get_data(as_text=True)
    for service in handling:
        assert client.get(url_for("standards.detail", slug=service.slug)).status_code == 200
        assert service.title in catalogue
    form = client.get(url_for("pengaduan.form")).get_data(as_text=True)
    survey = client.get(url_for("survei.form")).get_data(as_text=True)
    for service in handling:
        assert f'value="{service.slug}"' not in form
        assert f'value="{service.slug}"' not in survey
    genset = db.session.scalar(select(Service).where(Service.slug == "izin-instalasi-genset"))
    assert f'value="{genset.slug}"' in form and f'value="{genset.slug}"' in survey


def test_a_service_page_offers_a_queue_number_and_the_office_hours_and_address(client, demo):
    kampar = Unit.by_slug("dpmptsp-kampar")
    kampar.address = "Jalan Uji Nomor 1, Bangkinang"
    kampar.opening_hours = {"0": [["08:00", "16:00"]], "4": [["08:00", "11:30"], ["13:30", "16:00"]]}
    db.session.commit()
    page = client.get(url_for("standards.detail", slug="izin-instalasi-genset")).get_data(as_text=True)
    assert "Ambil antrian" in page and url_for("antrian.kiosk") in page
    assert "Jalan Uji Nomor 1, Bangkinang" in page
    assert "Senin" in page and "08.00–16.00" in page and "Jumat" in page and "08.00–11.30, 13.30–16.00" in page


def test_a_service_page_says_hours_are_not_published_when_they_are_not(client, demo):
    page = client.get(url_for("standards.detail", slug="izin-kerja-tenaga-sanitarian")).get_data(as_text=True)
    assert "Ambil antrian" in page
    assert "Jam layanan belum diumumkan" in page


@pytest.mark.parametrize("endpoint", ["standards.catalogue", "pengaduan.form", "berkas.lookup_form",
                                      "berkas.verify_index", "survei.ikm", "antrian.kiosk"])  # fmt: skip
def test_home_and_navigation_reach_every_public_feature(client, demo, endpoint):
    home = client.get(url_for("main.home")).get_data(as_text=True)
    assert f'href="{url_for(endpoint)}"' in home
    other = client.get(url_for("pengaduan.lookup")).get_data(as_text=True)
    nav = other[other.index("<nav"): other.index("</nav>")]
    assert f'href="{url_for(endpoint)}"' in nav


def test_the_manifest_and_favicon(client, demo):
    manifest = client.get(url_for("main.manifest"))
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    data = manifest.get_json()
    assert data["lang"] == "id" and data["icons"] and data["start_url"] == "/"
    assert client.get(data["icons"][0]["src"]).status_code == 200
    home = client.get(url_for("main.home")).get_data(as_text=True)
    assert 'rel="manifest"' in home and 'rel="icon"' in home
    assert client.get("/favicon.ico").status_code in (200, 301, 302)


def test_a_reply_keeps_the_offices_contacts_and_hides_the_citizens(client, demo):
    from webapp.pengaduan.service import ComplaintInput, classify, file_complaint, reply, verify

    genset = db.session.scalar(select(Service).where(Service.slug == "izin-instalasi-genset"))
    complaint, code = file_complaint(ComplaintInput(description="Loket tutup lebih awal.", service=genset))
    verify(complaint, None)
    classify(complaint, "ringan", None)
    reply(complaint, "Hubungi kami di 0812-7646-0487 atau dpmptsp@kamparkab.go.id. Bapak menulis 0813-1111-2222 "
                     "dan budi@contoh.id.", None)  # fmt: skip
    db.session.commit()
    page = client.get(url_for("pengaduan.track", code=code)).get_data(as_text=True)
    assert "0812-7646-0487" in page and "dpmptsp@kamparkab.go.id" in page
    assert "0813-1111-2222" not in page and "budi@contoh.id" not in page
    assert "[nomor disembunyikan]" in page and "[email disembunyikan]" in page


def test_the_poster_prints_the_offices_hours_and_complaint_channels(client, demo):
    kampar = Unit.by_slug("dpmptsp-kampar")
    kampar.opening_hours = {"0": [["08:00", "16:00"]], "4": [["08:00", "11:30"], ["13:30", "16:00"]]}
    db.session.commit()
    poster = client.get(url_for("standards.poster", slug="izin-instalasi-genset")).get_data(as_text=True)
    assert "Jam layanan:" in poster and "08.00–11.30, 13.30–16.00" in poster
    assert "Pengaduan:" in poster and "0812-7646-0487" in poster
    assert "PEMERINTAH KABUPATEN KAMPAR" in poster.upper()
