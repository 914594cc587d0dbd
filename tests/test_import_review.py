"""An import over a standard staff edited waits for review: diffs per part, keep / take / edit, then publish."""

from __future__ import annotations

import copy

from flask import url_for
from sqlalchemy import func, select

from tests.conftest import csrf_from
from tests.import_helpers import document
from tests.unit_of_work import commits, refuses
from webapp.audit.models import AuditEvent
from webapp.core.extensions import db
from webapp.standards.components import StandardError
from webapp.standards.importer import import_document
from webapp.standards.models import Service, ServiceVersion
from webapp.standards.review import EDIT, KEEP, TAKE, apply_review, discard_import, pending_import, review_parts
from webapp.standards.versions import open_draft, save_draft

TITLE = "Izin Reklame"


def _items(doc: dict, code: str) -> list[str]:
    return [i["text"] for i in doc["components"][code]["items"]]


def _published_with_edited_draft(unit, actor=None) -> Service:
    """Izin Reklame imported and published (v1), then edited in its draft: a requirement added, the product reworded."""
    result = import_document(unit, document(TITLE, 1), filename="v1.txt", publish=True, actor=None)
    service = result.created[0][1]
    assert service.is_published
    doc = copy.deepcopy(service.to_document())
    doc["components"]["persyaratan"]["items"].append({"text": "Surat Kuasa", "items": []})
    doc["components"]["produk"]["paragraphs"] = ["Surat izin reklame (diketik petugas)"]
    save_draft(service, doc, "persyaratan dan produk", actor=actor)
    return service


def _counts() -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model)) for model in (Service, ServiceVersion, AuditEvent)
    )


def test_an_import_never_overwrites_an_edited_draft_and_waits_for_review(make_unit):
    unit = make_unit()
    service = _published_with_edited_draft(unit)
    result = import_document(unit, document(TITLE, 2), filename="v2.txt", actor=None)
    [outcome] = result.outcomes
    assert (outcome.state, outcome.note) == ("updated", "menunggu tinjauan")
    draft = open_draft(service)
    assert "Surat Kuasa" in _items(draft.document, "persyaratan")  # the officer's edit is still there
    pending = pending_import(service)
    assert (pending.kind, pending.source_name) == ("impor", "v2.txt") and len(pending.source_sha256) == 64
    assert _items(pending.document, "persyaratan")[0] == "Surat permohonan nomor 2"

    parts = {p.code: p for p in review_parts(service)}
    # Parts staff edited start on "keep"; parts the import changes and nobody edited start on "take".
    assert parts["persyaratan"].edited and parts["persyaratan"].default == KEEP
    assert parts["produk"].edited and parts["produk"].default == KEEP
    assert not parts["dasar_hukum"].edited and parts["dasar_hukum"].default == TAKE
    assert not parts["biaya"].changes and parts["biaya"].default == KEEP  # the same in both
    assert not parts["sop"].in_import
    rows = [(r.kind, r.left, r.right) for r in parts["persyaratan"].against_draft.rows]
    assert ("changed", "Surat permohonan nomor 1", "Surat permohonan nomor 2") in rows
    assert ("removed", "Surat Kuasa", None) in rows
    assert parts["persyaratan"].against_published.changed


def test_keep_one_edit_take_the_rest_and_publish(make_unit, make_user):
    unit = make_unit()
    officer = make_user(username="sari")
    service = _published_with_edited_draft(unit, officer)
    import_document(unit, document(TITLE, 2), filename="v2.txt", actor=officer)
    choices = {p.code: p.default for p in review_parts(service) if p.in_import}
    choices["produk"] = TAKE  # the officer's product wording gives way to the decree's
    with commits():  # a serial unit of work (it reads, then writes): one commit of what it wrote
        done = apply_review(service, choices, "Impor SK 2026", publish=True, actor=officer)
    assert done.version.number == 2 and done.to_edit == []
    published = service.to_document()
    assert _items(published, "persyaratan")[-1] == "Surat Kuasa"  # kept
    assert _items(published, "persyaratan")[0] == "Surat permohonan nomor 1"
    assert published["components"]["produk"]["paragraphs"] == ["Surat izin nomor 2"]  # taken
    assert _items(published, "dasar_hukum")[0] == "Peraturan Daerah Nomor 2 Tahun 2020"  # taken by default
    assert open_draft(service) is None and pending_import(service) is None
    # The same file again: recognised by its hash, nothing changes.
    before = _counts()
    again = import_document(unit, document(TITLE, 2), filename="v2-salinan.txt", actor=officer)
    assert again.outcomes[0].state == "unchanged" and _counts() == before


def test_take_and_edit_fills_the_draft_and_publishes_nothing(make_unit):
    unit = make_unit()
    service = _published_with_edited_draft(unit)
    import_document(unit, document(TITLE, 2), filename="v2.txt", actor=None)
    done = apply_review(service, {"persyaratan": EDIT, "produk": KEEP}, publish=True, actor=None)
    assert done.version is None and done.to_edit == ["persyaratan"] and done.taken == ["persyaratan"]
    draft = open_draft(service)
    assert _items(draft.document, "persyaratan")[0] == "Surat permohonan nomor 2"
    assert draft.document["components"]["produk"]["paragraphs"] == ["Surat izin reklame (diketik petugas)"]
    assert draft.kind == "impor" and draft.source_name == "v2.txt"
    assert service.to_document()["components"]["produk"]["paragraphs"] == ["Surat izin nomor 1"]  # public unchanged


def test_an_unknown_choice_changes_nothing(make_unit):
    unit = make_unit()
    service = _published_with_edited_draft(unit)
    import_document(unit, document(TITLE, 2), filename="v2.txt", actor=None)
    before = _counts()
    with refuses(StandardError, "Pilihan tinjauan tidak dikenal"):
        apply_review(service, {"persyaratan": "hapus"}, publish=True, actor=None)
    with refuses(StandardError, "Pilihan tinjauan tidak dikenal"):
        apply_review(service, {"bukan_komponen": TAKE}, publish=True, actor=None)
    assert _counts() == before and pending_import(service) is not None


def test_a_newer_file_replaces_the_waiting_import_and_a_discarded_one_can_come_again(make_unit):
    unit = make_unit()
    service = _published_with_edited_draft(unit)
    import_document(unit, document(TITLE, 2), filename="v2.txt", actor=None)
    import_document(unit, document(TITLE, 3), filename="v3.txt", actor=None)
    waiting = db.session.scalars(select(ServiceVersion).where(ServiceVersion.status == ServiceVersion.IMPORT)).all()
    assert [w.source_name for w in waiting] == ["v3.txt"]
    draft_before = copy.deepcopy(open_draft(service).document)
    assert discard_import(service, actor=None)
    assert pending_import(service) is None and open_draft(service).document == draft_before
    again = import_document(unit, document(TITLE, 3), filename="v3.txt", actor=None)
    assert again.outcomes[0].state == "updated"  # a discarded import is not remembered


def test_publish_from_the_cli_takes_an_import_over_a_clean_draft_but_not_over_edits(make_unit):
    unit = make_unit()
    clean = import_document(unit, document("Izin Gudang", 4), filename="a.txt", publish=True, actor=None).created[0][1]
    edited = _published_with_edited_draft(unit)
    assert open_draft(clean) is None
    result = import_document(unit, document("Izin Gudang", 5) + b"\n-----\n\n" + document(TITLE, 5), filename="b.txt",
                             publish=True, actor=None)  # fmt: skip
    by_title = {o.service.title: o for o in result.outcomes}
    assert by_title["Izin Gudang"].published and clean.to_document()["components"]["produk"]["paragraphs"] == [
        "Surat izin nomor 5"
    ]
    assert not by_title[TITLE].published
    assert by_title[TITLE].note == "menunggu tinjauan: draf berisi perubahan petugas, tidak ditimpa"
    assert pending_import(edited) is not None and "Surat Kuasa" in _items(open_draft(edited).document, "persyaratan")


def test_the_review_page_shows_both_diffs_and_publishes_the_choices(client, login, make_unit):
    unit = make_unit()
    service = _published_with_edited_draft(unit)
    import_document(unit, document(TITLE, 2), filename="v2.txt", actor=None)
    login("admin")
    url = url_for("admin.import_review", service_id=service.id)
    for listing in (url_for("admin.services"), url_for("admin.versions", service_id=service.id)):
        assert f'href="{url}"' in client.get(listing).get_data(as_text=True)  # staff find what waits
    html = client.get(url).get_data(as_text=True)
    assert "Tinjau hasil impor: Izin Reklame" in html and "v2.txt" in html
    assert "Persyaratan: draf dan hasil impor" in html and "Persyaratan: versi terbit dan hasil impor" in html
    assert "<del>Surat permohonan nomor 1</del>" in html and "<ins>Surat permohonan nomor 2</ins>" in html
    assert 'name="pilih-persyaratan" value="keep" checked' in html
    assert 'name="pilih-dasar_hukum" value="take" checked' in html
    assert "diubah petugas di draf" in html
    token = csrf_from(client, url)
    response = client.post(url, data={"csrf_token": token, "pilih-persyaratan": "keep", "pilih-produk": "take",
                                      "pilih-dasar_hukum": "take", "note": "SK baru", "terbitkan": "1"})  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url_for("admin.versions", service_id=service.id))
    db.session.refresh(service)
    published = service.to_document()
    assert "Surat Kuasa" in _items(published, "persyaratan")
    assert published["components"]["produk"]["paragraphs"] == ["Surat izin nomor 2"]
    # With nothing waiting, the page sends staff back to the versions.
    assert client.get(url).status_code == 302


def test_a_bad_choice_on_the_page_keeps_the_form(client, login, make_unit):
    unit = make_unit()
    service = _published_with_edited_draft(unit)
    import_document(unit, document(TITLE, 2), filename="v2.txt", actor=None)
    login("admin")
    url = url_for("admin.import_review", service_id=service.id)
    token = csrf_from(client, url)
    response = client.post(url, data={"csrf_token": token, "pilih-persyaratan": "hapus", "note": "catatan ketik"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Pilihan tinjauan tidak dikenal" in html and 'value="catatan ketik"' in html
    assert pending_import(service) is not None


def test_an_admin_of_another_unit_may_not_review(client, login, make_unit):
    unit, other = make_unit(), make_unit()
    service = _published_with_edited_draft(unit)
    import_document(unit, document(TITLE, 2), filename="v2.txt", actor=None)
    login("admin", unit=other)
    assert client.get(url_for("admin.import_review", service_id=service.id)).status_code == 403
    login("admin", unit=unit)
    token = csrf_from(client, url_for("admin.import_review", service_id=service.id))
    response = client.post(url_for("admin.import_discard", service_id=service.id), data={"csrf_token": token})
    assert response.status_code == 302 and pending_import(service) is None


def test_import_review_and_discard_are_serial_units_of_work(make_unit, monkeypatch):
    """They read (the waiting import, the draft) before they write: each takes the write lock first."""
    from webapp.core import db as core_db

    started: list[str] = []
    real = core_db.begin_write
    monkeypatch.setattr(core_db, "begin_write", lambda: (started.append("begin"), real())[1])
    unit = make_unit()
    service = _published_with_edited_draft(unit)
    started.clear()
    import_document(unit, document(TITLE, 2), filename="v2.txt", actor=None)
    assert started == ["begin"]
    discard_import(service, actor=None)
    assert started == ["begin"] * 2
    import_document(unit, document(TITLE, 3), filename="v3.txt", actor=None)
    apply_review(service, {"persyaratan": KEEP}, publish=False, actor=None)
    assert started == ["begin"] * 4
