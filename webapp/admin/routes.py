"""Back-office views: thin wrappers over the service functions of the catalogue (standards, versions, the
importer, a unit's profile) and of accounts (one's own password), and the audit log's list.

Each view validates, calls one service function with ``current_user`` as the actor (the
function commits: it is one unit of work), and redirects or renders; none commits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, stream_template, url_for
from flask_login import current_user, login_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from webapp.admin import bp
from webapp.admin.editor import FORM_CLASSES, SECTIONS, SECTIONS_BY_KEY, Section, apply_section, section_data
from webapp.admin.forms import (
    AuditFilterForm,
    ConfirmForm,
    EnglishForm,
    ImportForm,
    ImportReviewForm,
    NewServiceForm,
    OfficeForm,
    PasswordForm,
    PublishForm,
    SignatoryForm,
    UnitForm,
)
from webapp.audit.models import ACTIONS, AuditEvent
from webapp.auth.models import User
from webapp.auth.service import AccountError, change_own_password
from webapp.core.extensions import db
from webapp.core.formatting import public_url
from webapp.core.forms import apply_list_operation, choices, flatten_errors
from webapp.core.htmx import render_partial_or_page
from webapp.core.inputs import page_number, parse_id
from webapp.core.localtime import local_moment
from webapp.core.office import LOGO_MAX_BYTES, WEEKDAYS, OfficeError, Signatory, logo_data_url, signatories_of
from webapp.core.office import ROLES as OFFICE_ROLES
from webapp.core.policy import ROLES, guard, require, scoped
from webapp.core.units import Unit
from webapp.standards.batch import BatchRefusedError, FileReport, Totals, import_batch, upload_sources
from webapp.standards.compare import compare_documents
from webapp.standards.components import StandardError
from webapp.standards.models import Service
from webapp.standards.review import CHOICES, KEEP, apply_review, discard_import, pending_import, review_parts
from webapp.standards.service import StandardView
from webapp.standards.units import (
    OfficeProfileInput,
    UnitProfile,
    add_signatory,
    office_profile_input,
    remove_signatory,
    unit_profile,
    update_office_profile,
    update_unit_profile,
)
from webapp.standards.versions import (
    ConcurrentChangeError,
    create_service,
    discard_draft,
    open_draft,
    publish_draft,
    published_versions,
    restore_version,
    save_draft,
    set_english,
    version_by_number,
)

AUDIT_PAGE_SIZE = 50


# --- helpers --------------------------------------------------------------------------


def _visible_units() -> list[Unit]:
    """The units the current account may manage."""
    return list(db.session.scalars(scoped(current_user, select(Unit).order_by(Unit.name), Unit.id, unitless=False)))


def _unit_or_403(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id) or abort(404)
    require(current_user, "unit.edit", unit)
    return unit


def _service_or_403(service_id: int) -> Service:
    service = db.session.get(Service, service_id) or abort(404)
    require(current_user, "service.edit", service)
    return service


# --- dashboard and own account -----------------------------------------------------------


@bp.route("/")
@guard("staff.home")
def dashboard() -> str:
    """What this account can do."""
    return render_template("admin/dashboard.html", roles=ROLES, units=_visible_units())


@bp.route("/kata-sandi", methods=["GET", "POST"])
@guard("staff.home")
def change_password() -> Response | str:
    """Change one's own password."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(form.current.data, form.new.data, actor=current_user)
        except AccountError as error:
            form.current.errors.append(str(error))
        else:
            # The change ended every session of the account; this browser carries on with a new one.
            login_user(current_user._get_current_object())
            flash("Kata sandi sudah diganti.", "success")
            return redirect(url_for("admin.dashboard"))
    return render_template("admin/password.html", form=form, errors=flatten_errors(form))


# --- units ---------------------------------------------------------------------------------


@bp.route("/instansi")
@guard("unit.edit")
def units() -> str:
    """The units this account manages."""
    return render_template("admin/units.html", units=_visible_units())


@bp.route("/instansi/<int:unit_id>/ubah", methods=["GET", "POST"])
@guard("unit.edit")
def edit_unit(unit_id: int) -> Response | str:
    """Edit a unit's profile and its complaint channels."""
    unit = _unit_or_403(unit_id)
    operation = request.form.get("op")
    if request.method == "POST" and operation:
        form = UnitForm(formdata=None, data=apply_list_operation(UnitForm().data, operation))
        return render_template("admin/unit_edit.html", unit=unit, form=form, errors=[])
    if request.method == "GET":
        form = UnitForm(formdata=None, data=unit_profile(unit))
        return render_template("admin/unit_edit.html", unit=unit, form=form, errors=[])
    form = UnitForm()
    if form.validate():
        profile = UnitProfile(name=form.name.data, short_name=form.short_name.data, city=form.city.data or "",
                              address=form.address.data or "", timezone=form.timezone.data,
                              contacts=form.contacts.data)  # fmt: skip
        try:
            update_unit_profile(unit, profile, actor=current_user)
        except StandardError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Profil instansi disimpan.", "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_edit.html", unit=unit, form=form, errors=flatten_errors(form)), 422


# --- the kop surat: office profile, logo, signatories (issue 16) ------------------------------


def _office_page(unit: Unit, form: OfficeForm, signatory_form: SignatoryForm, status: int = 200):
    errors = flatten_errors(form) + flatten_errors(signatory_form)
    return render_template("admin/office.html", unit=unit, form=form, signatory_form=signatory_form, errors=errors,
                           signatories=signatories_of(unit), roles=OFFICE_ROLES, weekdays=WEEKDAYS,
                           logo=logo_data_url(unit)), status  # fmt: skip


@bp.route("/instansi/<int:unit_id>/kop-surat", methods=["GET", "POST"])
@guard("office.edit")
def office_profile(unit_id: int) -> Response | tuple[str, int]:
    """The unit's kop surat: regional government, contacts, place for dates, opening hours and logo."""
    unit = _unit_or_403(unit_id)
    require(current_user, "office.edit", unit)
    if request.method == "GET":
        form = OfficeForm(formdata=None, data=office_profile_input(unit))
        return _office_page(unit, form, SignatoryForm(formdata=None))
    form = OfficeForm()
    if form.validate():
        upload = form.logo.data
        logo = upload.read(LOGO_MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else None
        data = OfficeProfileInput(government_name=form.government_name.data or "", phone=form.phone.data or "",
                                  whatsapp=form.whatsapp.data or "", email=form.email.data or "",
                                  website=form.website.data or "", place_name=form.place_name.data or "",
                                  hours=[h or "" for h in form.hours.data])  # fmt: skip
        try:
            update_office_profile(unit, data, logo=logo, remove_logo=form.remove_logo.data, actor=current_user)
        except OfficeError as exc:
            message = str(exc)
            target = form.logo if logo and "ogo" in message else None
            if target is None:
                day = next((i for i, name in enumerate(WEEKDAYS) if message.startswith(f"{name}:")), None)
                target = form.hours.entries[day] if day is not None else None
            (target.errors if target is not None else form.form_errors).append(message)  # type: ignore[union-attr]
        else:
            flash("Kop surat disimpan.", "success")
            return redirect(url_for("admin.office_profile", unit_id=unit.id))
    return _office_page(unit, form, SignatoryForm(formdata=None), 422)


@bp.route("/instansi/<int:unit_id>/penandatangan", methods=["POST"])
@guard("office.edit")
def add_signatory_view(unit_id: int) -> Response | tuple[str, int]:
    """Add a signatory of a role from a date on (a new Kepala Dinas is a new row; earlier papers keep theirs)."""
    unit = _unit_or_403(unit_id)
    require(current_user, "office.edit", unit)
    signatory_form = SignatoryForm()
    if signatory_form.validate():
        try:
            add_signatory(unit, role=signatory_form.role.data, name=signatory_form.name.data,
                          rank=signatory_form.rank.data or "", nip=signatory_form.nip.data or "",
                          valid_from=signatory_form.valid_from.data, actor=current_user)  # fmt: skip
        except OfficeError as exc:
            signatory_form.form_errors.append(str(exc))
        else:
            flash("Penandatangan ditambahkan.", "success")
            return redirect(url_for("admin.office_profile", unit_id=unit.id))
    form = OfficeForm(formdata=None, data=office_profile_input(unit))
    return _office_page(unit, form, signatory_form, 422)


@bp.route("/instansi/<int:unit_id>/penandatangan/<int:signatory_id>/hapus", methods=["POST"])
@guard("office.edit")
def remove_signatory_view(unit_id: int, signatory_id: int) -> Response:
    """Remove a signatory row entered by mistake."""
    unit = _unit_or_403(unit_id)
    require(current_user, "office.edit", unit)
    signatory = db.session.get(Signatory, signatory_id)
    if signatory is None or signatory.unit_id != unit.id:
        abort(404)
    remove_signatory(signatory, actor=current_user)
    flash("Penandatangan dihapus.", "success")
    return redirect(url_for("admin.office_profile", unit_id=unit.id))


# --- services --------------------------------------------------------------------------------


@bp.route("/layanan")
@guard("service.edit")
def services() -> str:
    """Every service of the units this account manages, with its state."""
    units = _visible_units()
    statement = (
        select(Service)
        .where(Service.unit_id.in_([u.id for u in units]))
        .options(selectinload(Service.unit), selectinload(Service.versions))
        .order_by(Service.unit_id, Service.title)
    )
    return render_template("admin/services.html", services=db.session.scalars(statement).all(), units=units)


@bp.route("/layanan/baru", methods=["GET", "POST"])
@guard("service.edit")
def new_service() -> Response | str:
    """Start a new service standard as a draft."""
    form = NewServiceForm()
    form.unit.choices = choices((u.id, u.short_name) for u in _visible_units())
    if form.validate_on_submit():
        unit = _unit_or_403(form.unit.data)
        document = {
            "slug": form.slug.data,
            "title": form.title.data,
            "category": form.category.data,
            "source": form.source.data or None,
            "source_note": form.source_note.data or None,
            "components": {},
        }
        try:
            service = create_service(unit, document, actor=current_user)
        except StandardError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Draf layanan dibuat. Lengkapi komponennya, lalu terbitkan.", "success")
            return redirect(url_for("admin.edit_service", service_id=service.id, section="persyaratan"))
    return render_template("admin/service_new.html", form=form, errors=flatten_errors(form))


def _section_form(section: Section, service: Service, data: dict | None = None, bound: bool = False):
    form_class = FORM_CLASSES[section.kind]
    form = form_class() if bound else form_class(formdata=None, data=data)
    if section.kind == "sop":
        actors = choices((a, a) for a in (form.actors.data or []) if a)
        for entry in form.steps:
            entry.form.actors.choices = actors
    if section.kind == "block" and section.value_label:
        form.value.label.text = section.value_label
    return form


@bp.route("/layanan/<int:service_id>/ubah/<section>", methods=["GET", "POST"])
@guard("service.edit")
def edit_service(service_id: int, section: str) -> Response | str:
    """Edit one section of a standard's draft; list buttons add, remove and move items."""
    service = _service_or_403(service_id)
    current = SECTIONS_BY_KEY.get(section) or abort(404)
    draft = open_draft(service)
    document = draft.document if draft else service.to_document()
    context = {"service": service, "section": current, "sections": SECTIONS, "draft": draft}
    operation = request.form.get("op")
    if request.method == "POST" and operation:
        bound = _section_form(current, service, bound=True)
        data = apply_list_operation(bound.data, operation)
        form = _section_form(current, service, data=data)
        return render_partial_or_page(
            "admin/service_edit.html", "admin/_section_form.html", form=form, errors=[], **context
        )
    if request.method == "GET":
        form = _section_form(current, service, data=section_data(current, document))
        return render_template("admin/service_edit.html", form=form, errors=[], **context)
    form = _section_form(current, service, bound=True)
    if form.validate():
        try:
            changes = save_draft(service, apply_section(current, document, form.data), current.label,
                                 actor=current_user)
        except StandardError as exc:  # ConcurrentChangeError too: its message says to reload
            form.form_errors.append(str(exc))
        else:
            flash(f"{current.label} disimpan di draf." if changes else "Tidak ada perubahan.", "success")
            return redirect(url_for("admin.edit_service", service_id=service.id, section=current.key))
    return render_template("admin/service_edit.html", form=form, errors=flatten_errors(form), **context), 422


@bp.route("/layanan/<int:service_id>/bahasa-inggris", methods=["GET", "POST"])
@guard("service.edit")
def edit_english(service_id: int) -> Response | str | tuple[str, int]:
    """The optional English title, summary and requirement items of a service, for foreign visitors."""
    service = _service_or_403(service_id)
    requirements = service.requirement_texts()
    if request.method == "GET":
        lines = [english or "" for english in service.english_requirements()]
        while lines and not lines[-1]:
            lines.pop()
        form = EnglishForm(data={"title_en": service.title_en, "summary_en": service.summary_en,
                                 "requirements_en": "\n".join(lines)})
        return render_template("admin/english.html", form=form, service=service, requirements=requirements, errors=[])
    form = EnglishForm()
    lines = [line.strip() for line in (form.requirements_en.data or "").replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    valid = form.validate()
    if valid and len(lines) > len(requirements):
        form.requirements_en.errors.append(
            f"Daftar resmi memuat {len(requirements)} butir persyaratan; tulis paling banyak {len(requirements)} baris."
        )
    elif valid:
        changed = set_english(service, form.title_en.data, form.summary_en.data, lines, actor=current_user)
        flash("Teks bahasa Inggris disimpan." if changed else "Tidak ada perubahan.", "success")
        return redirect(url_for("admin.edit_english", service_id=service.id))
    return render_template("admin/english.html", form=form, service=service, requirements=requirements,
                           errors=flatten_errors(form)), 422


@bp.route("/layanan/<int:service_id>/pratinjau")
@guard("service.edit")
def preview(service_id: int) -> str:
    """The draft as the public will see it, with the publish button."""
    from webapp.standards.components import DELIVERY_COMPONENTS, MANUFACTURING_COMPONENTS

    service = _service_or_403(service_id)
    draft = open_draft(service)
    document = draft.document if draft else service.to_document()
    return render_template(
        "admin/preview.html",
        service=StandardView(document, service.unit),
        record=service,
        draft=draft,
        delivery=DELIVERY_COMPONENTS,
        manufacturing=MANUFACTURING_COMPONENTS,
        page_url=public_url("standards.detail", slug=document["slug"]),
        form=PublishForm(),
        discard_form=ConfirmForm(),
    )


@bp.route("/layanan/<int:service_id>/terbitkan", methods=["POST"])
@guard("service.edit")
def publish(service_id: int) -> Response:
    """Publish the draft as the next version."""
    service = _service_or_403(service_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = publish_draft(service, form.note.data or "", actor=current_user)
    except ConcurrentChangeError as exc:  # another officer published first: show what is there now
        flash(str(exc), "error")
        return redirect(url_for("admin.versions", service_id=service.id))
    except StandardError as exc:
        flash(f"Belum dapat diterbitkan: {exc}", "error")
        return redirect(url_for("admin.preview", service_id=service.id))
    flash(f"Versi {version.number} diterbitkan dan tampil di halaman publik.", "success")
    return redirect(url_for("admin.versions", service_id=service.id))


@bp.route("/layanan/<int:service_id>/buang-draf", methods=["POST"])
@guard("service.edit")
def discard(service_id: int) -> Response:
    """Throw the draft away; the published version stays."""
    service = _service_or_403(service_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if discard_draft(service, actor=current_user):
        flash("Draf dibuang.", "success")
    return redirect(url_for("admin.versions", service_id=service.id))


@bp.route("/layanan/<int:service_id>/versi")
@guard("service.edit")
def versions(service_id: int) -> str:
    """Every published version, the open draft, compare and restore."""
    service = _service_or_403(service_id)
    return render_template(
        "admin/versions.html",
        service=service,
        draft=open_draft(service),
        versions=published_versions(service),
        form=ConfirmForm(),
    )


@bp.route("/layanan/<int:service_id>/banding")
@guard("service.edit")
def compare(service_id: int) -> str:
    """Two versions side by side; by default the current one against the one before it."""
    service = _service_or_403(service_id)
    history = published_versions(service)
    draft = open_draft(service)
    right_key = request.args.get("kanan") or ("draf" if draft else (str(history[0].number) if history else None))
    left_key = request.args.get("kiri")
    if left_key is None:
        candidates = [v for v in history if right_key == "draf" or str(v.number) != right_key]
        left_key = str(candidates[0].number) if candidates else None
    left, right = _document_for(service, left_key, draft), _document_for(service, right_key, draft)
    if left is None or right is None:
        flash("Belum ada dua versi untuk dibandingkan.", "info")
        return render_template("admin/compare.html", service=service, sections=None, history=history,
                               left_key=left_key, right_key=right_key, draft=draft)  # fmt: skip
    return render_template(
        "admin/compare.html",
        service=service,
        sections=compare_documents(left, right),
        history=history,
        left_key=left_key,
        right_key=right_key,
        draft=draft,
    )


def _document_for(service: Service, key: str | None, draft) -> dict | None:
    if key == "draf":
        return draft.document if draft else None
    if (number := parse_id(key)) is not None:
        version = version_by_number(service, number)
        return version.document if version else None
    return None


@bp.route("/layanan/<int:service_id>/versi/<int:number>/pulihkan", methods=["POST"])
@guard("service.edit")
def restore(service_id: int, number: int) -> Response:
    """Publish an earlier version again, as a new version."""
    service = _service_or_403(service_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        version = restore_version(service, number, actor=current_user)
    except StandardError as exc:  # ConcurrentChangeError too: its message says to reload
        flash(str(exc), "error")
    else:
        flash(f"Isi versi {number} diterbitkan kembali sebagai versi {version.number}.", "success")
    return redirect(url_for("admin.versions", service_id=service.id))


# --- import -------------------------------------------------------------------------------


@bp.route("/impor", methods=["GET", "POST"])
@guard("service.import")
def import_standard() -> tuple[Iterator[str], dict[str, str]] | tuple[str, int]:
    """Upload standard documents (several files or a zip); the report streams file by file.

    The import runs in the request, each file its own unit of work, and the page is sent as
    each file is done: an office's 300 files take minutes, and the proxy sees bytes all along
    (no read timeout), while a refused file is reported and the next one goes on.
    """
    form = ImportForm()
    form.unit.choices = choices((u.id, u.short_name) for u in _visible_units())
    if form.validate_on_submit():
        unit = _unit_or_403(form.unit.data)
        title = (request.form.get("title") or "").strip()[:300] or None
        uploads = [(f.filename or "berkas", f.read()) for f in form.file.data if f]
        try:
            sources = upload_sources(uploads)
        except BatchRefusedError as exc:
            form.file.errors.append(f"Tidak ada yang diimpor: {exc}")
        else:
            totals = Totals()
            unit_id, actor_id = unit.id, current_user.id

            def reports() -> Iterator[FileReport]:
                # The body is sent after the view returns, when Flask has closed the request's
                # session: the unit and the account are read again in the session of the stream.
                here, actor = db.session.get(Unit, unit_id), db.session.get(User, actor_id)
                for report in import_batch(here, sources, title=title, actor=actor):
                    totals.add(report)
                    yield report

            page = stream_template("admin/import_result.html", reports=reports(), totals=totals,
                                   unit_name=unit.short_name, count=len(sources))  # fmt: skip
            return page, {"X-Accel-Buffering": "no"}  # nginx: pass each file's part on at once
    status = 422 if request.method == "POST" else 200
    return render_template("admin/import.html", form=form, errors=flatten_errors(form)), status


def _reviewed_service(service_id: int) -> Service:
    service = db.session.get(Service, service_id) or abort(404)
    require(current_user, "service.review_import", service)
    return service


@bp.route("/layanan/<int:service_id>/tinjau-impor", methods=["GET", "POST"])
@guard("service.review_import")
def import_review(service_id: int) -> Response | str | tuple[str, int]:
    """An import beside the published version and the draft, part by part: keep, take or edit; then publish."""
    service = _reviewed_service(service_id)
    pending = pending_import(service)
    if pending is None:
        flash("Tidak ada hasil impor yang menunggu tinjauan untuk layanan ini.", "info")
        return redirect(url_for("admin.versions", service_id=service.id))
    form = ImportReviewForm()
    parts = review_parts(service)
    picked = {p.code: p.default for p in parts}
    if form.validate_on_submit():
        picked = {p.code: request.form.get(f"pilih-{p.code}", KEEP) for p in parts if p.in_import}
        try:
            done = apply_review(service, picked, form.note.data or "", publish="terbitkan" in request.form,
                                actor=current_user)  # fmt: skip
        except StandardError as exc:  # ConcurrentChangeError too: its message says to reload
            form.form_errors.append(str(exc))
        else:
            if done.to_edit:
                flash("Bagian yang diambil sudah masuk draf. Ubah sekarang, lalu terbitkan.", "success")
                return redirect(url_for("admin.edit_service", service_id=service.id, section=done.to_edit[0]))
            if done.version is not None:
                flash(f"Versi {done.version.number} diterbitkan dan tampil di halaman publik.", "success")
                return redirect(url_for("admin.versions", service_id=service.id))
            flash("Pilihan tinjauan disimpan di draf.", "success")
            return redirect(url_for("admin.preview", service_id=service.id))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/import_review.html", service=service, pending=pending, parts=parts,
                           picked=picked, choices=CHOICES, draft=open_draft(service), form=form,
                           discard_form=ConfirmForm(), errors=flatten_errors(form)), status  # fmt: skip


@bp.route("/layanan/<int:service_id>/buang-impor", methods=["POST"])
@guard("service.review_import")
def import_discard(service_id: int) -> Response:
    """Throw a pending import away; the draft and the published version stay."""
    service = _reviewed_service(service_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if discard_import(service, actor=current_user):
        flash("Hasil impor dibuang; draf dan versi terbit tidak berubah.", "success")
    return redirect(url_for("admin.versions", service_id=service.id))


# --- audit log ------------------------------------------------------------------------------


@bp.route("/audit")
@guard("audit.view")
def audit() -> str:
    """The audit log, newest first, with filters and pages."""
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", "Semua tindakan"), *ACTIONS.items()])
    statement = scoped(current_user, select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
                       AuditEvent.unit_id, unitless=False)
    if form.validate():
        if form.q.data:
            statement = statement.where(AuditEvent.summary.icontains(form.q.data, autoescape=True))
        if form.username.data:
            statement = statement.where(AuditEvent.username == form.username.data.strip())
        if form.action.data:
            statement = statement.where(AuditEvent.action == form.action.data)
        def start_of(day: date) -> datetime:  # the office's day, as staff see it in the log
            return local_moment(day, time.min)

        if form.date_from.data:
            statement = statement.where(AuditEvent.at >= start_of(form.date_from.data))
        if form.date_to.data:
            statement = statement.where(AuditEvent.at < start_of(form.date_to.data + timedelta(days=1)))
    page = page_number(request.args.get("halaman"))
    pagination = db.paginate(statement, page=page, per_page=AUDIT_PAGE_SIZE, error_out=False)
    page_args = {k: v for k, v in request.args.items() if k != "halaman"}
    return render_template("admin/audit.html", form=form, pagination=pagination, actions=ACTIONS, page_args=page_args)
