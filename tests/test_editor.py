"""Editing standards: drafts, list buttons, validation, preview, publish, compare, restore, audit."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from tests.conftest import csrf_from
from webapp.audit.models import AuditEvent
from webapp.core.extensions import db
from webapp.standards.models import Service, ServiceVersion
from webapp.standards.versions import open_draft


def _requirements_form(client, service, items, extra=None):
    """Form data of the persyaratan section with ``items`` as its rows."""
    token = csrf_from(client, url_for("admin.edit_service", service_id=service.id, section="persyaratan"))
    data = {"csrf_token": token, "published": "y", "paragraphs": "", "notes": ""}
    for index, text in enumerate(items):
        data[f"items-{index}-text"] = text
        data[f"items-{index}-level"] = "0"
    data.update(extra or {})
    return data


def _publish(client, service, note=""):
    """Press "Terbitkan" on the preview page."""
    token = csrf_from(client, url_for("admin.preview", service_id=service.id))
    return client.post(url_for("admin.publish", service_id=service.id), data={"csrf_token": token, "note": note})


def _new_service(client, **fields):
    """Submit the new-service form."""
    url = url_for("admin.new_service")
    return client.post(url, data={"csrf_token": csrf_from(client, url), "category": "perizinan", **fields})


def _edit_url(service, section="persyaratan"):
    return url_for("admin.edit_service", service_id=service.id, section=section)


def test_editing_goes_to_a_draft_and_the_public_page_waits_for_publication(client, login, make_service):
    service = make_service()
    admin = login("admin")
    data = _requirements_form(client, service, ["Fotokopi KTP yang masih berlaku", "Surat permohonan"])
    response = client.post(_edit_url(service), data=data)
    assert response.status_code == 302
    public = client.get(url_for("standards.detail", slug=service.slug)).get_data(as_text=True)
    assert "Fotokopi KTP yang masih berlaku" not in public
    preview = client.get(url_for("admin.preview", service_id=service.id)).get_data(as_text=True)
    assert "Fotokopi KTP yang masih berlaku" in preview
    token = csrf_from(client, url_for("admin.preview", service_id=service.id))
    published = client.post(url_for("admin.publish", service_id=service.id), data={"csrf_token": token, "note": "KTP"})
    assert published.status_code == 302
    public = client.get(url_for("standards.detail", slug=service.slug)).get_data(as_text=True)
    assert "Fotokopi KTP yang masih berlaku" in public
    numbers = db.session.scalars(select(ServiceVersion.number).where(ServiceVersion.service_id == service.id)).all()
    assert sorted(numbers) == [1, 2]
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    update = next(e for e in events if e.action == "update")
    assert update.username == admin.username
    assert any(c["path"] == "components.persyaratan.items[1].text" for c in update.changes)
    assert any(e.action == "publish" and e.username == admin.username for e in events)


def test_list_buttons_add_remove_and_move_without_saving(client, login, make_service):
    service = make_service()
    login("admin")
    data = _requirements_form(client, service, ["Satu", "Dua", "Tiga"], {"op": "up:items-2"})
    html = client.post(_edit_url(service), data=data, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert html.index("Tiga</textarea>") < html.index("Dua</textarea>")
    assert "<html" not in html
    data = _requirements_form(client, service, ["Satu", "Dua"], {"op": "add:items"})
    html = client.post(_edit_url(service), data=data).get_data(as_text=True)
    assert 'name="items-2-text"' in html
    assert "<html" in html
    data = _requirements_form(client, service, ["Satu", "Dua"], {"op": "remove:items-0"})
    html = client.post(_edit_url(service), data=data).get_data(as_text=True)
    assert "Satu</textarea>" not in html and "Dua</textarea>" in html
    assert open_draft(service) is None  # nothing saved by list buttons


def test_nested_items_are_kept_through_the_editor(client, login, make_service):
    service = make_service()
    login("admin")
    data = _requirements_form(client, service, ["Induk", "Anak"])
    data["items-1-level"] = "1"
    assert client.post(_edit_url(service), data=data).status_code == 302
    draft = open_draft(db.session.get(Service, service.id))
    items = draft.document["components"]["persyaratan"]["items"]
    assert items == [{"text": "Induk", "items": [{"text": "Anak", "items": []}]}]


def test_validation_error_beside_the_field_and_in_the_summary_keeps_what_was_typed(client, login, make_service):
    service = make_service()
    login("admin")
    data = _requirements_form(client, service, ["Baik", "<script>alert(1)</script> jahat"])
    response = client.post(_edit_url(service), data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ada yang perlu diperbaiki" in html
    assert 'href="#items-1-text"' in html
    assert 'id="items-1-text-error"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; jahat" in html
    assert "<script>alert(1)</script>" not in html
    assert open_draft(service) is None


def test_typed_value_must_be_a_number(client, login, make_service):
    service = make_service()
    login("admin")
    token = csrf_from(client, _edit_url(service, "jangka_waktu"))
    response = client.post(
        _edit_url(service, "jangka_waktu"),
        data={"csrf_token": token, "published": "y", "value": "lima", "paragraphs": "5 (lima) hari kerja"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#value"' in html
    assert "5 (lima) hari kerja" in html


def test_unpublishing_a_component_says_so_publicly(client, login, make_service):
    service = make_service()
    login("admin")
    token = csrf_from(client, _edit_url(service, "produk"))
    assert client.post(_edit_url(service, "produk"), data={"csrf_token": token}).status_code == 302
    _publish(client, service)
    html = client.get(url_for("standards.detail", slug=service.slug)).get_data(as_text=True)
    assert "Surat Izin Uji" not in html


def test_slug_of_a_published_service_cannot_change(client, login, make_service):
    service = make_service()
    login("admin")
    token = csrf_from(client, _edit_url(service, "umum"))
    response = client.post(
        _edit_url(service, "umum"),
        data={"csrf_token": token, "title": "Layanan Uji", "slug": "alamat-baru", "category": "perizinan"},
    )
    assert response.status_code == 422
    assert "tidak dapat diubah" in response.get_data(as_text=True)


def test_new_service_is_a_draft_off_the_public_site(client, login, make_unit):
    unit = make_unit()
    login("admin")
    response = _new_service(client, unit=unit.id, title="Izin Reklame", slug="izin-reklame")
    assert response.status_code == 302
    assert client.get(url_for("standards.detail", slug="izin-reklame")).status_code == 404
    assert "Izin Reklame" not in client.get(url_for("standards.catalogue")).get_data(as_text=True)
    assert client.get(url_for("api.service", slug="izin-reklame")).status_code == 404
    service = Service.by_slug("izin-reklame")
    _publish(client, service)
    assert client.get(url_for("standards.detail", slug="izin-reklame")).status_code == 200


def test_duplicate_slug_is_refused_with_the_form_kept(client, login, make_service):
    service = make_service()
    login("admin")
    response = _new_service(client, unit=service.unit_id, title="Kembar", slug=service.slug)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "sudah dipakai" in html
    assert 'value="Kembar"' in html


def test_compare_side_by_side_and_restore_the_first_version(client, login, make_service):
    service = make_service()
    login("admin")
    client.post(
        _edit_url(service), data=_requirements_form(client, service, ["Fotokopi KTP", "Surat permohonan", "NPWP"])
    )
    _publish(client, service)
    html = client.get(url_for("admin.compare", service_id=service.id)).get_data(as_text=True)
    assert "<ins>NPWP</ins>" in html
    assert "v1" in html and "v2" in html
    token = csrf_from(client, url_for("admin.versions", service_id=service.id))
    response = client.post(url_for("admin.restore", service_id=service.id, number=1), data={"csrf_token": token})
    assert response.status_code == 302
    public = client.get(url_for("standards.detail", slug=service.slug)).get_data(as_text=True)
    assert "NPWP" not in public
    versions = client.get(url_for("admin.versions", service_id=service.id)).get_data(as_text=True)
    assert "Dipulihkan dari versi 1" in versions
    assert db.session.scalar(select(func.max(ServiceVersion.number))) == 3
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "restore")) is not None


def test_restore_is_refused_while_a_draft_is_open(client, login, make_service):
    service = make_service()
    login("admin")
    client.post(_edit_url(service), data=_requirements_form(client, service, ["A"]))
    _publish(client, service)
    client.post(_edit_url(service), data=_requirements_form(client, service, ["B"]))
    token = csrf_from(client, url_for("admin.versions", service_id=service.id))
    client.post(url_for("admin.restore", service_id=service.id, number=1), data={"csrf_token": token})
    page = client.get(url_for("admin.versions", service_id=service.id)).get_data(as_text=True)
    assert "Masih ada draf terbuka" in page
    token = csrf_from(client, url_for("admin.versions", service_id=service.id))
    client.post(url_for("admin.discard", service_id=service.id), data={"csrf_token": token})
    assert open_draft(db.session.get(Service, service.id)) is None


def test_sop_and_guides_round_trip_through_the_editor(client, login, demo):
    service = Service.by_slug("izin-kerja-tenaga-sanitarian")
    login("admin")
    page = client.get(_edit_url(service, "sop")).get_data(as_text=True)
    assert "Kepala Dinas Menandatangani" in page
    # Saving the untouched forms changes nothing: the editor loses no field of the SOP.
    for section in ("sop", "kompetensi", "pengaduan", "penetapan", "saluran"):
        form_page = client.get(_edit_url(service, section)).get_data(as_text=True)
        assert "Simpan ke draf" in form_page
    oss = Service.by_slug("oss-umk-orang-perseorangan")
    guides = client.get(_edit_url(oss, "panduan")).get_data(as_text=True)
    assert 'name="guides-1-steps-15-title"' in guides


def test_unit_profile_edit_keeps_typed_values_on_error(client, login, make_unit):
    unit = make_unit()
    login("admin")
    url = url_for("admin.edit_unit", unit_id=unit.id)
    token = csrf_from(client, url)
    data = {"csrf_token": token, "name": "Dinas Baru", "short_name": "Baru", "timezone": "Mars/Olympus",
            "contacts-0-kind": "phone", "contacts-0-label": "Telepon", "contacts-0-value": "0761-123456"}  # fmt: skip
    response = client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Zona waktu tidak dikenal" in html
    assert 'value="Dinas Baru"' in html and 'value="0761-123456"' in html
    data["timezone"] = "Asia/Jakarta"
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(unit)
    assert unit.name == "Dinas Baru"
    assert unit.contacts == [{"kind": "phone", "label": "Telepon", "value": "0761-123456"}]


def test_audit_log_filters_and_pages(client, login, make_service):
    service = make_service()
    admin = login("admin")
    for i in range(3):
        client.post(_edit_url(service), data=_requirements_form(client, service, [f"Butir {i}"]))
    everything = client.get(url_for("admin.audit")).get_data(as_text=True)
    assert "4 catatan" in everything  # the publication of version 1, then three edits
    only_updates = client.get(url_for("admin.audit", action="update")).get_data(as_text=True)
    assert "3 catatan" in only_updates
    by_user = client.get(url_for("admin.audit", username=admin.username)).get_data(as_text=True)
    assert "3 catatan" in by_user
    nobody = client.get(url_for("admin.audit", username="orang-lain")).get_data(as_text=True)
    assert "0 catatan" in nobody
    text = client.get(url_for("admin.audit", q="%")).get_data(as_text=True)
    assert "0 catatan" in text
    future = client.get(url_for("admin.audit", date_from="2999-01-01")).get_data(as_text=True)
    assert "0 catatan" in future


def test_every_section_round_trips_every_demo_standard_unchanged(app, demo, monkeypatch):
    """Opening a section and saving it untouched changes nothing, for every seed standard."""
    from webapp.admin.editor import SECTIONS, apply_section, section_data
    from webapp.admin.routes import _section_form
    from webapp.standards.components import normalise_standard

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # forms built here, not posted
    for service in db.session.scalars(select(Service)):
        document = service.to_document()
        for section in SECTIONS:
            form = _section_form(section, service, data=section_data(section, document))
            assert form.validate(), (service.slug, section.key, form.errors)
            after = normalise_standard(apply_section(section, document, form.data))
            assert after == normalise_standard(document), (service.slug, section.key)


def test_error_summary_lines_read_well_after_a_question_label():
    from wtforms import Form, StringField
    from wtforms.validators import DataRequired

    from webapp.core.forms import flatten_errors

    class Question(Form):
        what = StringField("Apa yang terjadi?", validators=[DataRequired("Ceritakan apa yang terjadi.")])
        name = StringField("Nama", validators=[DataRequired("Isi nama.")])

    form = Question()
    form.validate()
    assert flatten_errors(form) == [
        ("what", "Apa yang terjadi? Ceritakan apa yang terjadi."),
        ("name", "Nama: Isi nama."),
    ]
