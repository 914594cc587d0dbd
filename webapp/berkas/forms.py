"""Forms of the berkas pages: registration, route actions, documents, lookup and verification."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.berkas.listing import OPEN, ListFilter
from webapp.core.forms import REQUIRED, NoMarkup, Phone, SaneDate, choices
from webapp.core.inputs import parse_id
from webapp.core.policy import ROLES


class ChecklistField(SelectMultipleField):
    """Tick boxes, one per requirement; the value is the item's index."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Any subset of the listed items is valid (an empty one too: nothing was brought)."""
        known = {str(c[0]) for c in self.choices or []}  # type: ignore[union-attr]
        if any(str(v) not in known for v in self.data or []):
            raise ValidationError("Pilihan tidak dikenal.")


class RegistrationForm(FlaskForm):
    """The front office registers a berkas for a service."""

    applicant_name = StringField("Nama pemohon", validators=[DataRequired(REQUIRED), Length(max=160), NoMarkup()])
    id_kind = SelectField(
        "Jenis identitas", choices=choices([("nik", "NIK (perorangan)"), ("nib", "NIB (pelaku usaha)")])
    )
    id_number = StringField("Nomor identitas", validators=[DataRequired(REQUIRED)],
                            description="NIK 16 angka atau NIB 13 angka.")
    phone = StringField("Nomor HP",
                        validators=[DataRequired(REQUIRED), Length(max=20, message="Paling panjang 20 huruf."),
                                    Phone()],
                        description="Pemberitahuan dokumen selesai dikirim lewat SMS ke nomor ini.")
    email = StringField("Email (boleh kosong)", validators=[
        Optional(), Length(max=254), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Alamat email tidak valid.")])
    address = TextAreaField("Alamat pemohon", validators=[DataRequired(REQUIRED), Length(max=500), NoMarkup()],
                            description="Untuk surat pemberitahuan bila dokumen tidak diambil dalam sebulan.")
    received = ChecklistField("Persyaratan yang diterima", coerce=str)
    note = TextAreaField("Catatan (boleh kosong)", validators=[Optional(), Length(max=1000), NoMarkup()])
    ticket = HiddenField()
    action = HiddenField(default="daftar")

    def validate_id_number(self, field: Any) -> None:
        """NIK is 16 digits, NIB 13."""
        digits = re.sub(r"\s", "", field.data or "")
        length = 16 if self.id_kind.data == "nik" else 13
        if not re.fullmatch(rf"\d{{{length}}}", digits):
            raise ValidationError(f"{'NIK' if length == 16 else 'NIB'} terdiri dari {length} angka.")
        field.data = digits


class ButtonForm(FlaskForm):
    """A button that changes something: it carries the CSRF token and nothing else."""


class CompleteForm(FlaskForm):
    """The applicant came back with what was missing."""

    received = ChecklistField("Persyaratan yang diterima", coerce=str)


class StepActionForm(FlaskForm):
    """A route button: receive, hand over, return (with a reason) or hand the document over."""

    version = HiddenField()
    note = StringField("Catatan penyerahan (boleh kosong)", validators=[Optional(), Length(max=300), NoMarkup()])
    position = SelectField("Kembalikan ke langkah", coerce=int, validate_choice=False)
    reason = TextAreaField("Alasan pengembalian", validators=[Optional(), Length(max=500), NoMarkup()])
    recipient = StringField("Nama yang mengambil", validators=[Optional(), Length(max=160), NoMarkup()],
                            description="Pemohon sendiri atau kuasanya (tunjukkan surat kuasa).")


class DocumentForm(FlaskForm):
    """The issued product: its number, holder, dates, and a PDF (uploaded or generated)."""

    number = StringField("Nomor dokumen", validators=[DataRequired(REQUIRED), Length(max=120), NoMarkup()])
    title = StringField("Jenis dokumen", validators=[DataRequired(REQUIRED), Length(max=300), NoMarkup()])
    holder_name = StringField("Nama pemegang", validators=[DataRequired(REQUIRED), Length(max=160), NoMarkup()])
    issued_on = DateField("Tanggal terbit", validators=[DataRequired("Isi tanggal terbit."), SaneDate()])
    valid_until = DateField("Berlaku sampai (boleh kosong)", validators=[Optional(), SaneDate()])
    pdf = FileField("PDF dokumen (boleh kosong)",
                    description="Kosongkan untuk membuat PDF dengan kode QR verifikasi dari sistem.")

    def validate_valid_until(self, field: Any) -> None:
        """A document cannot expire before it is issued."""
        if field.data and self.issued_on.data and field.data < self.issued_on.data:
            raise ValidationError("Tanggal berlaku tidak boleh sebelum tanggal terbit.")


class RevokeForm(FlaskForm):
    """Revoke an issued document."""

    reason = TextAreaField("Alasan pencabutan", validators=[DataRequired(REQUIRED), Length(max=500), NoMarkup()])


class LookupForm(FlaskForm):
    """The applicant finds a berkas by registration number and phone."""

    number = StringField(_l("Nomor registrasi"), validators=[DataRequired(REQUIRED), Length(max=20)],
                         description=_l("Tertulis di tanda terima, misalnya 2026-00042."))
    phone = StringField(_l("Nomor HP yang didaftarkan"), validators=[DataRequired(REQUIRED), Length(max=20)])


class VerifyUploadForm(FlaskForm):
    """Upload a PDF to compare with the recorded hash."""

    pdf = FileField(_l("Berkas PDF dokumen"))


ROLE_CHOICES = [("", "Semua petugas instansi"), *ROLES.items()]


class RouteStepForm(Form):
    """One step of a service's route."""

    name = StringField("Langkah", validators=[DataRequired(REQUIRED), Length(max=200), NoMarkup()])
    executor = StringField("Pelaksana", validators=[DataRequired(REQUIRED), Length(max=120), NoMarkup()])
    role = SelectField("Peran yang boleh mengerjakan", choices=choices(ROLE_CHOICES))
    public_label = StringField("Keterangan untuk pemohon", validators=[DataRequired(REQUIRED), Length(max=200),
                                                                      NoMarkup()])
    minutes = IntegerField("Mutu baku (menit)", validators=[Optional(), NumberRange(min=0, max=100000)])
    days = IntegerField("Mutu baku (hari kerja)", validators=[Optional(), NumberRange(min=0, max=365)])


class RouteForm(FlaskForm):
    """A service's route, edited by the admin."""

    steps = FieldList(FormField(RouteStepForm), label="Langkah", min_entries=0)

    def validate_steps(self, field: Any) -> None:
        """A route has at least two steps: processing and the hand-over to the applicant."""
        if len(field.entries) < 2:
            raise ValidationError("Alur paling sedikit dua langkah (yang terakhir: penyerahan kepada pemohon).")


class FilterForm(Form):
    """Filters of the staff list."""

    status = SelectField("Status", default="terbuka")
    layanan = SelectField("Layanan", default="")
    langkah = StringField("Pelaksana langkah", validators=[Optional(), Length(max=120)])
    petugas = SelectField("Dipegang oleh", default="")
    q = StringField("Cari nomor", validators=[Optional(), Length(max=40)])

    def criteria(self) -> ListFilter:
        """The filters as the list's query takes them (a choice that is not a number filters nothing)."""
        return ListFilter(
            status=self.status.data or OPEN,
            service_id=parse_id(self.layanan.data),
            executor=self.langkah.data or "",
            holder_id=parse_id(self.petugas.data),
            number=self.q.data or "",
        )
