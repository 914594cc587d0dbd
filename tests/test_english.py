"""The public side in English (issue 17): the language rule, the switch, the cache, and no Indonesian left.

``test_every_public_page_reads_in_english`` renders every public page in English and looks at what a
visitor reads (text, alt, title, aria-label, placeholder, the description), leaving out what is marked
``lang="id"`` (the standards' own published text, names of offices and services). It fails on an
Indonesian msgid left untranslated, and, since a string never marked for translation is not a msgid,
also on common Indonesian words.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import url_for
from lxml import html as lxml_html
from sqlalchemy import select

from tests.conftest import csrf_from, open_all_day
from tests.public_pages import refused_forms, visitor_pages
from webapp.core.extensions import db
from webapp.core.i18n import choose_locale, from_accept_language
from webapp.core.units import Unit
from webapp.standards.models import Service

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"

# Words that only Indonesian has: one of them outside lang="id" is a string nobody marked.
INDONESIAN_WORDS = {
    "dan", "yang", "untuk", "dengan", "tidak", "anda", "ini", "itu", "atau", "dari", "pada", "sudah", "belum",
    "akan", "dapat", "kami", "silakan", "halaman", "layanan", "pengaduan", "antrian", "berkas", "permohonan",
    "lacak", "kirim", "cari", "isi", "pilih", "beranda", "petugas", "nomor", "hari", "kerja", "menit", "orang",
    "tanggal", "waktu", "biaya", "persyaratan", "prosedur", "produk", "kembali", "terima", "kasih", "masuk",
    "survei", "hasil", "periksa", "sedang", "bila", "jika", "sampaikan", "lihat", "tiket",
}  # fmt: skip
# Names that stay as they are in English: the product, offices, laws, acronyms.
KEPT = {"Loket", "DPMPTSP", "IKM", "SKM", "NIK", "NIB", "KTP", "OSS", "SP4N-LAPOR!", "PermenPANRB", "SOP"}
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")


def read_text(page: str) -> str:
    """What a visitor reads on ``page``, without scripts and without what is marked as Indonesian."""
    tree = lxml_html.fromstring(page)
    for element in tree.xpath('//script | //style | //*[@lang="id"] | //*[@aria-hidden="true"]'):
        if element.getparent() is not None:
            element.drop_tree()
    parts = [" ".join(" ".join(tree.itertext()).split())]
    for name in READ_ATTRIBUTES:
        parts += tree.xpath(f"//@{name}")
    parts += tree.xpath('//meta[@name="description"]/@content')
    return " ".join(parts)


def _published_names() -> list[str]:
    """The names offices published: units, services, their contact labels, queue lines; longest first."""
    from antrian.models import Counter, QueueService

    names: set[str] = set()
    for unit in db.session.scalars(select(Unit)):
        names |= {unit.name, unit.short_name, *(c.get("label") or "" for c in unit.contacts or [])}
    for service in db.session.scalars(select(Service)):
        names |= {service.title, *(c.get("label") or "" for c in service.complaint_channels or [])}
    names |= {q.name for q in db.session.scalars(select(QueueService))}
    names |= {c.name for c in db.session.scalars(select(Counter))}
    return sorted((n for n in names if n), key=len, reverse=True)


def _around(text: str, word: str) -> str:
    """The words around the first ``word`` in ``text``, to find it in the template."""
    match = re.search(rf"\b{re.escape(word)}\b", text)
    return text[max(0, match.start() - 40):match.end() + 40] if match else word


def _indonesian_msgids() -> list[str]:
    """Each msgid's fixed words (placeholders removed): long enough to be told apart from English."""
    catalog = read_po(PO.open("rb"))
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        translated = message.string[0] if isinstance(message.string, tuple) else message.string
        for piece in re.split(r"%\(\w+\)[sd]|%%\(\w+\)s", msgid):
            piece = piece.strip(" .,:;()")
            if len(piece) >= 12 and " " in piece and piece not in translated:
                found.append(piece)
    return found


@pytest.mark.usefixtures("demo", "fresh_limits")
def test_every_public_page_reads_in_english(app, client):
    client.set_cookie("bahasa", "en")
    pages = {name: client.get(url).get_data(as_text=True) for name, url in visitor_pages(client).items()}
    pages.update(refused_forms(client))
    msgids = _indonesian_msgids()
    names = _published_names()
    problems = []
    for name, page in pages.items():
        assert '<html lang="en">' in page, name
        text = read_text(page)
        # What offices published keeps its wording (titles, offices, their own contact labels; meta and
        # <title> cannot carry lang="id"), and so do addresses.
        for published in names:
            text = text.replace(published, " ")
        text = re.sub(r"\S+://\S+|\S+@\S+|www\.\S+", " ", text)
        problems += [f"{name}: untranslated “{m}”" for m in msgids if m in text]
        problems += [f"{name}: markup shown as text: “…{_around(text, t)}…”" for t in ("strong", "span", "em")
                     if f"<{t}" in text]
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z-]+", text) if w not in KEPT}
        problems += [f"{name}: Indonesian word “{w}” in “…{_around(text, w)}…”"
                     for w in sorted(words) if w.lower() in INDONESIAN_WORDS]
    assert not problems, "\n".join(problems)
    assert len(pages) >= 15


def test_the_check_finds_an_unmarked_string():
    page = ('<html lang="en"><body><p>Ticket A-001</p><p>Silakan tunggu di ruang tunggu</p>'
            '<p lang="id">Persyaratan resmi dan layanan</p></body></html>')
    text = read_text(page)
    assert "Silakan" in text and "Persyaratan" not in text
    assert {w.lower() for w in text.split()} & INDONESIAN_WORDS == {"silakan"}


# --- choosing the language ---------------------------------------------------------------------


def test_the_language_rule():
    assert choose_locale(None, None, None) == "id"
    assert choose_locale(None, None, "en-GB,en;q=0.9") == "en"
    assert choose_locale(None, None, "id-ID,id;q=0.9,en;q=0.8") == "id"
    assert choose_locale(None, None, "fr, en;q=0.5") == "en"
    assert choose_locale(None, None, "fr, de") == "id"
    assert choose_locale(None, "en", "id") == "en"  # the remembered choice beats the browser
    assert choose_locale("id", "en", "en") == "id"  # and ?lang= beats both
    assert choose_locale("xx", None, None) == "id"
    assert from_accept_language("en;q=0, id;q=0.3") == "id"
    assert from_accept_language("en;q=abc") is None


@pytest.mark.usefixtures("demo")
def test_lang_is_remembered_and_the_switch_keeps_the_page(client):
    service = db.session.scalars(select(Service).order_by(Service.id)).first()
    url = url_for("standards.detail", slug=service.slug)
    first = client.get(url, query_string={"lang": "en"})
    assert '<html lang="en">' in first.get_data(as_text=True)
    assert "bahasa=en" in first.headers["Set-Cookie"]
    again = client.get(url).get_data(as_text=True)  # the cookie now
    assert '<html lang="en">' in again and "Requirements" in again
    assert f'href="{url}?lang=id"' in again  # the switch back, on the same page
    back = client.get(url, query_string={"lang": "id"}).get_data(as_text=True)
    assert '<html lang="id">' in back and "Persyaratan" in back


@pytest.mark.usefixtures("demo")
def test_the_browser_language_chooses_the_first_visit(client):
    url = url_for("standards.catalogue")
    english = client.get(url, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Accept-Language" in english.headers["Vary"]
    assert '<html lang="id">' in client.get(url, headers={"Accept-Language": "id"}).get_data(as_text=True)


@pytest.mark.usefixtures("demo")
def test_the_page_cache_keeps_the_languages_apart(client):
    url = url_for("standards.catalogue")
    assert '<html lang="id">' in client.get(url).get_data(as_text=True)
    assert '<html lang="en">' in client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="id">' in client.get(url).get_data(as_text=True)
    client.set_cookie("bahasa", "en")
    assert '<html lang="en">' in client.get(url).get_data(as_text=True)


@pytest.mark.usefixtures("demo")
def test_qr_codes_stay_language_neutral(app, client):
    service = db.session.scalars(select(Service).order_by(Service.id)).first()
    client.set_cookie("bahasa", "en")
    page = client.get(url_for("standards.detail", slug=service.slug)).get_data(as_text=True)
    printed = re.search(r'<p class="url">([^<]+)</p>', page).group(1)
    assert "lang=" not in printed and printed.endswith(f"/layanan/{service.slug}")


@pytest.mark.usefixtures("demo")
def test_staff_pages_and_the_lobby_tv_stay_indonesian(client):
    client.set_cookie("bahasa", "en")
    login = client.get(url_for("auth.login")).get_data(as_text=True)
    assert '<html lang="id">' in login
    unit = db.session.scalars(select(Unit).order_by(Unit.id)).first()
    display = client.get(url_for("antrian.display", instansi=unit.slug)).get_data(as_text=True)
    assert '<html lang="id">' in display


def test_dates_numbers_and_money_follow_the_language(app):
    from datetime import date

    from flask_babel import refresh

    from webapp.core import formatting

    with app.test_request_context("/?lang=en"):
        refresh()  # the test's app context outlives a request: forget the last request's language
        assert formatting.tanggal(date(2026, 11, 30)) == "30 November 2026"
        assert formatting.tanggal(date(2026, 8, 17)) == "17 August 2026"
        assert formatting.angka(1234.5, 1) == "1,234.5"
        assert formatting.rupiah(150000) == "Rp 150.000"
        assert formatting.rupiah(0) == "Free"
        assert formatting.hari_kerja(5) == "5 working days"
        assert formatting.hari_kerja(1) == "1 working day"
        assert formatting.perkiraan_tunggu(90) == "about 1 hour 30 minutes"
    with app.test_request_context("/"):
        refresh()
        assert formatting.tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
        assert formatting.angka(1234.5, 1) == "1.234,5"
        assert formatting.rupiah(150000) == "Rp 150.000"
        assert formatting.hari_kerja(5) == "5 hari kerja"


# --- the catalogue is current ------------------------------------------------------------------


def test_every_msgid_is_translated_and_the_mo_is_current():
    po = read_po(PO.open("rb"))
    mo = read_mo(MO.open("rb"))
    untranslated = [m.id for m in po if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])]
    assert not untranslated, untranslated
    def same(a, b) -> bool:
        return (tuple(a) if isinstance(a, list | tuple) else a) == (tuple(b) if isinstance(b, list | tuple) else b)

    # A msgid with a context (pgettext) is its own entry: look it up with its context.
    stale = [m.id for m in po if m.id and (mo.get(m.id, m.context) is None
                                           or not same(mo.get(m.id, m.context).string, m.string))]
    assert not stale, f"run make translations: {stale[:5]}"
    assert len([m for m in po if m.id]) == len([m for m in mo if m.id])


def test_every_marked_string_is_in_the_catalogue():
    """A string marked in code or templates but not extracted (``make translations`` not run) fails here."""
    from babel.messages.extract import extract_from_dir

    root = TRANSLATIONS.parent
    po = read_po(PO.open("rb"))
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in po if m.id}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "N_": None, "lazy_gettext": None,
                "pgettext": ((1, "c"), 2)}
    found = set()
    for folder, method in (("webapp", "python"), ("antrian", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _name, _line, message, _comments, _context in extract_from_dir(
            root / folder, method_map=[(pattern, method)], keywords=keywords,
            options_map={pattern: {"extensions": "jinja2.ext.i18n"}},
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    missing = sorted(m for m in found if m and m not in known)
    assert not missing, f"run make translations: {missing[:10]}"


# --- a service's own English text (admin) ------------------------------------------------------


def _english_form(client, service, **values) -> object:
    token = csrf_from(client, url_for("admin.edit_english", service_id=service.id))
    return client.post(url_for("admin.edit_english", service_id=service.id), data={"csrf_token": token, **values})


def test_admin_adds_english_shown_beside_the_official_text(client, login, make_service):
    service = make_service()
    login("admin")
    answer = _english_form(client, service, title_en="Test permit", summary_en="A permit for tests.",
                           requirements_en="Copy of your ID card (KTP or passport)\n\n")
    assert answer.status_code == 302
    assert service.title_en == "Test permit"
    assert service.requirements_en == [{"id_text": "Fotokopi KTP", "en": "Copy of your ID card (KTP or passport)"}]
    with client.session_transaction() as session:  # a visitor now, not staff
        session.clear()
    page = client.get(url_for("standards.detail", slug=service.slug, lang="en")).get_data(as_text=True)
    assert "<h1>Test permit</h1>" in page and "A permit for tests." in page
    assert "Official text in Indonesian below." in page
    assert '<p class="official-title" lang="id">Layanan Uji</p>' in page
    assert "Copy of your ID card (KTP or passport)" in page and '(Fotokopi KTP)' in page
    assert '<span lang="id">Surat permohonan</span>' in page  # an item without English keeps the official text
    indonesian = client.get(url_for("standards.detail", slug=service.slug, lang="id")).get_data(as_text=True)
    assert "Test permit" not in indonesian and "Official text" not in indonesian
    api = client.get(url_for("api.service", slug=service.slug)).get_json()
    assert api["en"] == {"name": "Test permit", "summary": "A permit for tests.",
                         "requirements": ["Copy of your ID card (KTP or passport)", None]}


def test_english_lines_beyond_the_official_list_are_refused(client, login, make_service):
    service = make_service()
    login("admin")
    answer = _english_form(client, service, requirements_en="one\ntwo\nthree")
    assert answer.status_code == 422 and "paling banyak 2 baris" in answer.get_data(as_text=True)
    assert service.requirements_en is None


def test_publishing_a_new_version_leaves_the_english_alone(client, login, make_service):
    from tests.conftest import standard_document
    from webapp.standards.versions import publish_document, set_english

    service = make_service()
    set_english(service, "Test permit", None, ["ID card"], actor=None)
    publish_document(service, standard_document(title="Layanan Uji Baru"), "impor", actor=None)
    db.session.commit()
    assert service.title == "Layanan Uji Baru"
    assert (service.title_en, service.english_requirements()) == ("Test permit", ["ID card", None])


def test_english_items_follow_their_indonesian_text_not_their_position(client, login, make_service):
    """A new version inserts an item before the translated one and rewords another: no English beside the wrong text."""
    from tests.conftest import standard_document
    from webapp.standards.versions import publish_document, set_english

    service = make_service()
    set_english(service, None, None, ["Copy of your ID card", "Application letter"], actor=None)
    items = [{"text": "Pas foto 3x4"}, {"text": "Fotokopi KTP"}, {"text": "Surat permohonan bermeterai"}]
    document = standard_document()
    document["components"]["persyaratan"] = {"items": items}
    publish_document(service, document, "impor", actor=None)
    db.session.commit()
    assert service.english_requirements() == [None, "Copy of your ID card", None]
    page = client.get(url_for("standards.detail", slug=service.slug, lang="en")).get_data(as_text=True)
    assert '<span lang="id">Pas foto 3x4</span>' in page  # the new first item: no English beside it
    paired = '<span lang="en">Copy of your ID card</span> <span class="official-text" lang="id">(Fotokopi KTP)</span>'
    assert paired in page
    assert "Application letter" not in page and '<span lang="id">Surat permohonan bermeterai</span>' in page
    login("admin")
    admin = client.get(url_for("admin.edit_english", service_id=service.id)).get_data(as_text=True)
    assert "Terjemahan usang" in admin and "Surat permohonan" in admin and "Application letter" in admin


# --- messages in the language the person used --------------------------------------------------


@pytest.mark.usefixtures("demo", "fresh_limits")
def test_a_complaint_filed_in_english_gets_its_messages_in_english(app, client):
    from tests.pengaduan_helpers import complaint_data
    from webapp.outbox.models import OutboxMessage
    from webapp.pengaduan.models import Complaint

    client.set_cookie("bahasa", "en")
    answer = client.post(url_for("pengaduan.form"), data=complaint_data(app, client, email=""))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    complaint = db.session.scalars(select(Complaint).order_by(Complaint.id.desc())).first()
    assert complaint.locale == "en"
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.reference == complaint.number)).one()
    assert message.body.startswith(f"We received complaint {complaint.number} on ")
    assert "working days" in message.body and "Tracking code:" in message.body
    assert "Pengaduan" not in message.body


@pytest.mark.usefixtures("demo", "fresh_limits")
def test_a_ticket_followed_in_english_is_called_in_english(app, client):
    from antrian.models import Ticket
    from antrian.notify import notify_due, set_contact
    from webapp.outbox.models import OutboxMessage

    unit = db.session.scalars(select(Unit).order_by(Unit.id)).first()
    open_all_day(unit)
    token = client.post(url_for("api.take_ticket"), json={"unit": unit.slug, "service": "A"}).get_json()["token"]
    ticket = db.session.scalars(select(Ticket).where(Ticket.token == token)).one()
    set_contact(ticket, "081234567890", locale="en")
    notify_due(unit.id)
    near = db.session.scalars(select(OutboxMessage).where(OutboxMessage.reference == ticket.number)).all()
    assert near and "your turn is coming up" in near[0].body and "you are next" in near[0].body


def test_a_filter_on_a_constant_follows_each_pages_language(app):
    """Jinja folds a filter of a constant into the compiled template unless it runs at render time."""
    from flask import render_template_string
    from flask_babel import refresh

    template = "{{ 14 | hari_kerja }} {{ 0 | rupiah }}"
    with app.test_request_context("/?lang=id"):
        refresh()
        assert render_template_string(template) == "14 hari kerja Gratis"
    with app.test_request_context("/?lang=en"):
        refresh()
        assert render_template_string(template) == "14 working days Free"


def test_booking_pages_read_in_english_and_the_confirmation_is_sent_in_english(client, booking_line):
    from webapp.outbox.models import OutboxMessage
    from webapp.reservasi.models import Booking
    from webapp.reservasi.service import Contact, book, booking_days, link_key, setup_of, slots

    queue = booking_line()
    unit, line = queue["unit"], queue["A"]
    client.set_cookie("bahasa", "en")
    setup = setup_of(line)
    day = next(d for d in booking_days(line, setup) if any(s.available for s in slots(line, setup, d)))
    start = next(s.start for s in slots(line, setup, day) if s.available)
    booking, _code = book(line, day, start, Contact("Jane Investor", "081234567890", locale="en"))
    pages = {
        "booking-start": client.get(url_for("reservasi.start", instansi=unit.slug, layanan=line.code,
                                            tanggal=day.isoformat(), jam=start.strftime("%H:%M"))),
        "booking": client.get(url_for("reservasi.booking", key=link_key(booking))),
        "booking-kiosk": client.get(url_for("reservasi.kiosk_checkin", instansi=unit.slug)),
    }
    msgids = _indonesian_msgids()
    names = _published_names()
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = read_text(response.get_data(as_text=True))
        for published in names:
            text = text.replace(published, " ")
        leftovers = [m for m in msgids if m in text] + [w for w in re.findall(r"[A-Za-z]+", text)
                                                          if w.lower() in INDONESIAN_WORDS and w not in KEPT]
        assert not leftovers, (name, leftovers, text[:500])
    assert db.session.get(Booking, booking.id).locale == "en"
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic.like("reservasi%"))).first()
    assert message is not None and message.body.startswith("Your booking for ") and "is confirmed" in message.body


# --- permit tracking ---------------------------------------------------------------------------


def _reads_in_english(name: str, html: str) -> list[str]:
    """What on ``html`` is left in Indonesian outside lang="id": msgids untranslated and unmarked words."""
    text = read_text(html)
    for published in _published_names():
        text = text.replace(published, " ")
    leftovers = [m for m in _indonesian_msgids() if m in text]
    leftovers += [w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in INDONESIAN_WORDS and w not in KEPT]
    return [f"{name}: {w}" for w in leftovers]


@pytest.mark.usefixtures("fresh_limits")
def test_permit_tracking_reads_in_english(client, make_service, make_user):
    """The applicant's tracking page at each state (in process, returned, ready, collected) and the lookup."""
    import json
    from datetime import timedelta

    from webapp.berkas.service import Applicant, collect, hand_over, receive, register, return_to

    sop = json.loads((TRANSLATIONS.parent / "data" / "standards" / "izin-kerja-tenaga-sanitarian.json").read_text())
    service = make_service(slug="sanitarian-en", title="Surat Izin Kerja Tenaga Sanitarian",
                           components=dict(sop["components"]), sop=sop["sop"])
    who = {role: make_user(role=role, username=f"{role}-en") for role in ("petugas_loket", "sekretaris",
                                                                          "kepala_dinas")}
    person = Applicant(name="Jane Investor", id_kind="nib", id_number="1234567890123", phone="081234567890",
                       email="", address="Jl. Sudirman 1")
    client.set_cookie("bahasa", "en")
    problems: list[str] = []
    clock = [None]

    def walk_to(berkas, position: int) -> None:
        clock[0] = clock[0] or berkas.registered_at
        while berkas.current_position < position:
            officer = who.get(berkas.current_step.role, who["petugas_loket"])
            if berkas.received_at is None:
                receive(berkas, officer, now=clock[0])
            clock[0] += timedelta(minutes=5)
            hand_over(berkas, officer, now=clock[0])

    def page(name: str, berkas) -> str:
        db.session.commit()
        response = client.get(url_for("berkas.track", code=berkas.tracking_code))
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert '<html lang="en">' in html, name
        problems.extend(_reads_in_english(name, html))
        return html

    officer = who["petugas_loket"]
    moving = register(service, person, [True, True], officer)
    walk_to(moving, 2)
    step = moving.current_step
    actor = who.get(step.role, officer)
    receive(moving, actor, now=clock[0])
    return_to(moving, 1, "perbaikan", actor, now=clock[0] + timedelta(minutes=5))
    html = page("track-in-process", moving)
    assert "Step 2 of" in html and "Moved to the next step: <span lang=\"id\">" in html
    assert "Sent back to an earlier step for correction: <span lang=\"id\">" in html
    page("track-returned", register(service, person, [False, True], officer))
    ready = register(service, person, [True, True], officer)
    walk_to(ready, len(ready.steps) - 1)
    assert ready.status == "siap"
    page("track-ready", ready)
    receive(ready, officer, now=clock[0])
    collect(ready, officer, "Jane Investor", now=clock[0] + timedelta(minutes=5))
    assert ready.status == "selesai"
    page("track-collected", ready)
    wrong = client.post(url_for("berkas.lookup_form"), data={
        "csrf_token": csrf_from(client, url_for("berkas.lookup_form")), "number": "2026-99999", "phone": "0811"})
    assert wrong.status_code == 422
    problems += _reads_in_english("lookup-refused", wrong.get_data(as_text=True))
    assert not problems, "\n".join(problems)


# --- refusals a visitor reads ------------------------------------------------------------------


def test_a_refusal_keeps_its_number_and_stays_indonesian_for_staff(app):
    from flask_babel import refresh

    from antrian.service import QueueError
    from webapp.core.i18n import N_
    from webapp.reservasi.service import BookingError

    error = QueueError(N_("Kuota harian %(name)s (%(cap)d nomor) sudah habis. Silakan datang besok."),
                       name="Pendaftaran", cap=120)
    booking = BookingError(N_("Reservasi ini sudah check-in dengan nomor %(number)s."), number="R-004")
    assert str(error) == "Kuota harian Pendaftaran (120 nomor) sudah habis. Silakan datang besok."
    with app.test_request_context("/?lang=en"):
        refresh()
        assert error.translated() == ("All of today's tickets for Pendaftaran (120 a day) have been taken. "
                                      "Please come back tomorrow.")
        assert booking.translated() == "This booking has already been checked in, with ticket R-004."
        assert str(error).startswith("Kuota harian")  # staff pages and the API keep the language of record
        assert QueueError("Pesan lain yang bukan msgid.").translated() == "Pesan lain yang bukan msgid."
    with app.test_request_context("/?lang=id"):
        refresh()
        assert booking.translated() == "Reservasi ini sudah check-in dengan nomor R-004."


@pytest.mark.usefixtures("demo", "fresh_limits")
def test_the_ticket_page_refuses_a_fourth_phone_in_english(app, client):
    from antrian.issuing import issue
    from antrian.models import Ticket
    from antrian.notify import MAX_TICKETS_PER_PHONE, set_contact

    unit = db.session.scalars(select(Unit).order_by(Unit.id)).first()
    open_all_day(unit)
    tokens = [issue(unit.slug, "A").token for _ in range(MAX_TICKETS_PER_PHONE + 1)]  # a counter's, not one address
    for token in tokens[:-1]:
        set_contact(db.session.scalars(select(Ticket).where(Ticket.token == token)).one(), "081234567890")
    db.session.commit()
    client.set_cookie("bahasa", "en")
    url = url_for("antrian.ticket", token=tokens[-1])
    answer = client.post(url_for("antrian.contact", token=tokens[-1]),
                         data={"csrf_token": csrf_from(client, url), "phone": "081234567890"}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert f"This phone number is already linked to {MAX_TICKETS_PER_PHONE} tickets today" in page, page[:3000]
    assert "sudah dititipkan" not in page


def test_the_kiosk_checks_a_booking_in_in_english(client, booking_line, clock):
    """Too early, then checked in: the kiosk says both in English, with the time and the ticket number."""
    from tests.test_reservasi import DAY, _book, wib

    queue = booking_line()
    _, code = _book(queue["A"])
    client.set_cookie("bahasa", "en")
    screen = url_for("reservasi.kiosk_checkin", instansi=queue["unit"].slug)
    clock.set(wib(DAY, 8, 30))
    early = client.post(screen, data={"csrf_token": csrf_from(client, screen), "kode": code})
    assert early.status_code == 409
    assert "You are early. Check-in for your booking opens at 08.45" in early.get_data(as_text=True)
    clock.set(wib(DAY, 8, 50))
    done = client.post(screen, data={"csrf_token": csrf_from(client, screen), "kode": code})
    assert done.status_code == 302
    with client.session_transaction() as session:  # shown on the kiosk screen the ticket page returns to
        flashed = [message for _category, message in session.get("_flashes", [])]
    assert flashed == ["You're checked in. Your booking ticket is RA-001; from 09.00 you will be called ahead of "
                       "people without a booking."], flashed
