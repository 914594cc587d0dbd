"""The catalogue's units of work (versions, the importer, a unit's profile): each commits, a refusal changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import standard_document
from tests.unit_of_work import commits, counting_commits, refuses, stored
from webapp.audit.models import AuditEvent
from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.demo.loader import DATA_DIR
from webapp.standards import versions
from webapp.standards.components import StandardError
from webapp.standards.importer import ImportRefusedError, import_document, publish_imported
from webapp.standards.models import Service, ServiceVersion
from webapp.standards.units import unit_profile, update_unit_profile
from webapp.standards.versions import (
    CONCURRENT_CHANGE,
    ConcurrentChangeError,
    create_service,
    discard_draft,
    open_draft,
    publish_draft,
    restore_version,
    save_draft,
)

SEEDS = DATA_DIR / "seeds"


def _seed(number: str) -> bytes:
    return next(SEEDS.glob(f"{number}_*.txt")).read_bytes()


def _drafts() -> int:
    return stored(ServiceVersion, ServiceVersion.status == ServiceVersion.DRAFT)


def _retitled(service: Service, title: str) -> dict:
    document = service.to_document()
    document["title"] = title
    return document


def test_a_new_service_is_one_unit_of_work(make_unit, make_user):
    unit, editor = make_unit(), make_user()
    with counting_commits() as commits:
        create_service(unit, standard_document(slug="baru"), actor=editor)
    assert commits == [1]
    assert stored(Service, Service.slug == "baru") == 1 and _drafts() == 1
    with counting_commits() as commits, pytest.raises(StandardError, match="sudah dipakai"):
        create_service(unit, standard_document(slug="baru", title="Lain"), actor=editor)
    assert commits == []
    assert stored(Service) == 1 and stored(AuditEvent) == 1


def test_saving_publishing_and_discarding_a_draft_each_commit(make_service, make_user):
    service, editor = make_service(), make_user()
    with counting_commits() as commits:
        save_draft(service, _retitled(service, "Judul Draf"), "judul", actor=editor)
    assert commits == [1] and _drafts() == 1
    with counting_commits() as commits:
        version = publish_draft(service, "catatan", actor=editor)
    assert commits == [1] and version.number == 2 and _drafts() == 0
    assert db.session.get(Service, service.id).title == "Judul Draf"
    save_draft(service, _retitled(service, "Dibuang"), "judul", actor=editor)
    with counting_commits() as commits:
        assert discard_draft(service, actor=editor)
    assert commits == [1] and _drafts() == 0


def test_a_refused_draft_or_publication_changes_nothing(make_service, make_user):
    service, editor = make_service(), make_user()
    events = stored(AuditEvent)
    with counting_commits() as commits, pytest.raises(StandardError, match="tidak dapat diubah"):
        save_draft(service, {**service.to_document(), "slug": "alamat-lain"}, "slug", actor=editor)
    with pytest.raises(StandardError, match="Tidak ada draf"):
        publish_draft(service, actor=editor)
    assert commits == []
    assert _drafts() == 0  # the draft opened on the way was rolled back with the refusal
    assert stored(AuditEvent) == events


def test_restoring_commits_and_is_refused_while_a_draft_is_open(make_service, make_user):
    service, editor = make_service(title="Pertama"), make_user()
    save_draft(service, _retitled(service, "Kedua"), "judul", actor=editor)
    publish_draft(service, actor=editor)
    save_draft(service, _retitled(service, "Ketiga"), "judul", actor=editor)
    versions_before = stored(ServiceVersion)
    with counting_commits() as commits, pytest.raises(StandardError, match="Masih ada draf"):
        restore_version(service, 1, actor=editor)
    assert commits == [] and stored(ServiceVersion) == versions_before
    discard_draft(service, actor=editor)
    with counting_commits() as commits:
        version = restore_version(service, 1, actor=editor)
    assert commits == [1] and version.number == 3
    assert db.session.get(Service, service.id).title == "Pertama"


def test_two_officers_opening_a_draft_at_once_get_a_message_not_an_error_page(make_service, make_user, monkeypatch):
    service, editor = make_service(), make_user()
    save_draft(service, _retitled(service, "Draf Sari"), "judul", actor=editor)
    # The other officer's read missed Sari's draft (both read before either wrote): the index refuses the second.
    monkeypatch.setattr(versions, "open_draft", lambda _service: None)
    with counting_commits() as commits, pytest.raises(ConcurrentChangeError) as clash:
        save_draft(service, _retitled(service, "Draf Budi"), "judul", actor=editor)
    assert str(clash.value) == CONCURRENT_CHANGE and commits == []
    monkeypatch.undo()
    assert _drafts() == 1
    assert open_draft(service).document["title"] == "Draf Sari"


def test_an_import_is_one_unit_of_work_and_a_refused_one_changes_nothing(make_unit):
    unit = make_unit()
    # A serial unit of work (it reads the unit's services, then writes): checked with refuses/commits,
    # since on SQLite it first ends the read transaction, which counts as a commit (tests/unit_of_work.py).
    with refuses(ImportRefusedError, "tidak berenkode UTF-8"):
        import_document(unit, b"\xff\xfe bukan teks", actor=None)
    assert stored(Service) == 0 and stored(AuditEvent) == 0
    with commits():
        result = import_document(unit, _seed("001"), filename="001.txt", actor=None)
    assert stored(Service) == 1 and _drafts() == 1
    with counting_commits() as counted:
        [version] = publish_imported(result, "Impor 001.txt", actor=None)
    assert counted == [1] and version.number == 1 and _drafts() == 0


def test_publishing_an_import_is_all_or_none(make_unit, monkeypatch):
    unit = make_unit()
    result = import_document(unit, _seed("000"), filename="000.txt", actor=None)
    assert len(result.created) > 1
    last = result.created[-1][1]
    real = versions.publish_draft.__wrapped__

    def refuse_the_last(service, note="", *, actor):
        if service.id == last.id:
            raise StandardError("komponen belum lengkap")
        return real(service, note, actor=actor)

    monkeypatch.setattr("webapp.standards.importer.publish_draft", refuse_the_last)
    with counting_commits() as commits, pytest.raises(StandardError, match="belum lengkap"):
        publish_imported(result, "Impor 000.txt", actor=None)
    assert commits == []
    assert stored(ServiceVersion, ServiceVersion.number.is_not(None)) == 0
    assert _drafts() == len(result.created)  # the import's drafts stay saved


def test_a_units_profile_is_one_unit_of_work_and_a_refused_channel_changes_nothing(make_unit, make_user):
    unit, admin = make_unit(name="Dinas Lama"), make_user()
    profile = {**unit_profile(unit), "name": " Dinas Baru ", "city": " Kampar ",
               "contacts": [{"kind": "phone", "label": "", "value": "0761-1"},  # a label is required
                            {"kind": "email", "label": "", "value": ""}]}  # an empty row is no channel
    with counting_commits() as commits, pytest.raises(StandardError):
        update_unit_profile(unit, profile, actor=admin)
    assert commits == []
    db.session.rollback()
    assert (unit.name, unit.city) == ("Dinas Lama", None) and stored(AuditEvent) == 0
    profile["contacts"][0]["label"] = "Telepon"
    with counting_commits() as commits:
        changes = update_unit_profile(unit, profile, actor=admin)
    assert commits == [1]
    db.session.rollback()
    assert (unit.name, unit.city) == ("Dinas Baru", "Kampar")
    assert unit.contacts == [{"kind": "phone", "label": "Telepon", "value": "0761-1"}]
    assert {"name", "city"} <= {c["path"].split("[")[0].split(".")[0] for c in changes}
    event = db.session.scalar(select(AuditEvent))
    assert (event.username, event.unit_id, event.summary) == (admin.username, unit.id, "Mengubah profil Dinas Uji 1")
    assert db.session.get(Unit, unit.id).short_name == "Dinas Uji 1"
