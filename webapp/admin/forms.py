"""Forms of the back office: unit profile, the sections of a standard, import, password."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.admin.fields import FlowNodeForm, ItemForm
from webapp.core.forms import REQUIRED, NoMarkup, SaneDate, choices, strip
from webapp.core.office import ROLES as OFFICE_ROLES
from webapp.core.office import OfficeError, clean_nip
from webapp.core.policy import ROLES
from webapp.standards.components import CATEGORIES, CONTACT_KINDS

# A fee in rupiah: far above any real one, within what a JSON number and the standard hold exactly.
MAX_AMOUNT = 10**12
TEXT = [Optional(), Length(max=2000, message="Paling panjang 2000 huruf."), NoMarkup()]
REQUIRED_TEXT = [DataRequired(REQUIRED), Length(max=300, message="Paling panjang 300 huruf."), NoMarkup()]


class ContactForm(Form):
    """One complaint or information channel."""

    kind = SelectField("Jenis", choices=choices(CONTACT_KINDS.items()))
    label = StringField("Nama saluran", validators=[Optional(), Length(max=120), NoMarkup()])
    value = StringField("Alamat, nomor atau tautan", validators=[Optional(), Length(max=300), NoMarkup()])


class UnitForm(FlaskForm):
    """A unit's profile."""

    name = StringField("Nama instansi", validators=REQUIRED_TEXT)
    short_name = StringField("Nama singkat", validators=REQUIRED_TEXT)
    city = StringField("Kota/kabupaten", validators=[Optional(), Length(max=120), NoMarkup()])
    address = TextAreaField("Alamat", validators=[Optional(), Length(max=500), NoMarkup()])
    timezone = StringField("Zona waktu", validators=[DataRequired(REQUIRED), Length(max=64)])
    contacts = FieldList(FormField(ContactForm), label="Saluran")

    def validate_timezone(self, field: StringField) -> None:
        """Only a real IANA zone such as Asia/Jakarta."""
        if field.data not in available_timezones():
            raise ValidationError("Zona waktu tidak dikenal. Contoh: Asia/Jakarta, Asia/Makassar, Asia/Jayapura.")


class OfficeForm(FlaskForm):
    """The kop surat of a unit: the regional government, contacts, place for dates, hours and logo."""

    government_name = StringField("Nama pemerintah daerah", description="Misalnya: Pemerintah Kabupaten Kampar.",
                                  validators=[Optional(), Length(max=200), NoMarkup()])  # fmt: skip
    phone = StringField("Telepon kantor", validators=[Optional(), Length(max=40), NoMarkup()])
    whatsapp = StringField("WhatsApp kantor", validators=[Optional(), Length(max=40), NoMarkup()])
    email = StringField("E-mail kantor", validators=[Optional(), Length(max=200), NoMarkup()])
    website = StringField("Situs web", validators=[Optional(), Length(max=200), NoMarkup()])
    place_name = StringField(
        "Tempat pada tanggal surat",
        description="Misalnya: Bangkinang (tertulis \"Bangkinang, 30 November 2026\").",
        validators=[Optional(), Length(max=120), NoMarkup()],
    )
    hours = FieldList(StringField(validators=[Optional(), Length(max=60), NoMarkup()]), min_entries=7, max_entries=7,
                      label="Jam layanan")  # fmt: skip
    logo = FileField("Lambang daerah atau logo instansi (PNG atau SVG, paling besar 512 KB)")
    remove_logo = BooleanField("Hapus logo yang ada")


class SignatoryForm(FlaskForm):
    """One signatory of a role, from a date on."""

    role = SelectField("Jabatan", choices=choices([("", "Pilih jabatan"), *OFFICE_ROLES.items()]),
                       validators=[DataRequired("Pilih jabatan penandatangan.")])  # fmt: skip
    name = StringField("Nama dan gelar", validators=[DataRequired(REQUIRED), Length(max=200), NoMarkup()])
    rank = StringField("Pangkat/golongan", description="Misalnya: Pembina Utama Muda (IV/c).",
                       validators=[Optional(), Length(max=120), NoMarkup()])  # fmt: skip
    nip = StringField("NIP", description="18 angka; spasi boleh, misalnya 19681024 200003 1 002.",
                      validators=[Optional(), Length(max=30)])  # fmt: skip
    valid_from = DateField("Berlaku mulai", validators=[DataRequired("Isi tanggal mulai berlaku."), SaneDate()])

    def validate_nip(self, field: StringField) -> None:
        """The NIP rule of webapp.core.office, with its message beside the field."""
        try:
            clean_nip(field.data)
        except OfficeError as exc:
            raise ValidationError(str(exc)) from exc


class GeneralForm(FlaskForm):
    """Title, address (slug), category and source of a standard."""

    title = StringField("Nama layanan", validators=REQUIRED_TEXT)
    slug = StringField(
        "Alamat halaman (slug)",
        validators=[
            DataRequired(REQUIRED),
            Length(max=120),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message="Hanya huruf kecil, angka dan tanda hubung, misalnya izin-genset.",
            ),
        ],
    )
    category = SelectField("Kategori", choices=choices(CATEGORIES.items()))
    source = StringField("Sumber dokumen", validators=[Optional(), Length(max=300), NoMarkup()])
    source_note = TextAreaField(
        "Catatan internal tentang sumber (hanya untuk petugas, tidak tampil di halaman publik)",
        validators=[Optional(), Length(max=1000), NoMarkup()],
    )


class NewServiceForm(GeneralForm):
    """A new service: the general data plus its unit."""

    unit = SelectField("Instansi", coerce=int)


class BlockForm(FlaskForm):
    """One component: paragraphs, list items (with levels), notes and its typed value."""

    published = BooleanField("Komponen ini dimuat dalam dokumen standar")
    partial = BooleanField("Teks dalam dokumen sumber dimulai di tengah")
    value = IntegerField(
        "Nilai", validators=[Optional(), NumberRange(min=0, max=MAX_AMOUNT, message="Antara 0 dan 1 triliun.")]
    )
    paragraphs = TextAreaField(
        "Paragraf pembuka", validators=TEXT, description="Pisahkan paragraf dengan baris kosong."
    )
    items = FieldList(FormField(ItemForm), label="Butir")
    notes = TextAreaField("Catatan penutup", validators=TEXT, description="Pisahkan paragraf dengan baris kosong.")
    flow_title = StringField("Judul bagan alir", validators=[Optional(), Length(max=300), NoMarkup()])
    flow = FieldList(FormField(FlowNodeForm), label="Kotak bagan")


class SopStepForm(Form):
    """One row of the SOP table."""

    activity = TextAreaField("Kegiatan", validators=TEXT, description="Satu kalimat per baris.")
    actors = SelectMultipleField("Pelaksana", choices=[], validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())  # fmt: skip
    kelengkapan = StringField("Kelengkapan", validators=[Optional(), Length(max=500), NoMarkup()])
    minutes = IntegerField("Waktu (menit)", validators=[Optional(), NumberRange(min=0, max=100000)])
    days = IntegerField("Waktu (hari kerja)", validators=[Optional(), NumberRange(min=0, max=3650)])
    duration_text = StringField("Waktu seperti tertulis", validators=[Optional(), Length(max=100), NoMarkup()])
    output = StringField("Output", validators=[Optional(), Length(max=500), NoMarkup()])
    keterangan = StringField("Keterangan", validators=[Optional(), Length(max=500), NoMarkup()])


class SopForm(FlaskForm):
    """The SOP table with mutu baku."""

    has_sop = BooleanField("Layanan ini memiliki SOP yang dipublikasikan")
    title = StringField("Judul SOP", validators=[Optional(), Length(max=300), NoMarkup()])
    actors = FieldList(
        StringField("Pelaksana", validators=[Optional(), Length(max=120), NoMarkup()]), label="Pelaksana"
    )
    actors_note = StringField("Catatan pelaksana", validators=[Optional(), Length(max=500), NoMarkup()])
    steps = FieldList(FormField(SopStepForm), label="Langkah")
    total_days = IntegerField("Total (hari kerja)", validators=[Optional(), NumberRange(min=0, max=3650)])
    total_text = StringField("Total seperti tertulis", validators=[Optional(), Length(max=100), NoMarkup()])


class GuideStepForm(Form):
    """One step of a guide."""

    title = StringField("Langkah", validators=[Optional(), Length(max=300), NoMarkup()])
    details = TextAreaField("Rincian", validators=TEXT, description="Satu petunjuk per baris.")


class GuideForm(Form):
    """One step-by-step guide."""

    title = StringField("Judul panduan", validators=[Optional(), Length(max=300), NoMarkup()])
    paragraphs = TextAreaField("Pengantar", validators=TEXT)
    steps = FieldList(FormField(GuideStepForm), label="Langkah")


class GuidesForm(FlaskForm):
    """Every guide of a service."""

    guides = FieldList(FormField(GuideForm), label="Panduan")


class ChannelsForm(FlaskForm):
    """The complaint channels shown as tappable links."""

    channels = FieldList(FormField(ContactForm), label="Saluran")


class DecreeForm(FlaskForm):
    """Where, when and by whom the standard was set."""

    has_decree = BooleanField("Dokumen memuat penetapan")
    place = StringField("Ditetapkan di", validators=[Optional(), Length(max=120), NoMarkup()])
    date = DateField("Tanggal", validators=[Optional(), SaneDate()], format="%Y-%m-%d")
    date_text = StringField("Tanggal seperti tertulis", validators=[Optional(), Length(max=120), NoMarkup()])
    signer_title = StringField("Jabatan penanda tangan", validators=[Optional(), Length(max=300), NoMarkup()])
    signer_name = StringField("Nama penanda tangan", validators=[Optional(), Length(max=200), NoMarkup()])
    signer_rank = StringField("Pangkat", validators=[Optional(), Length(max=120), NoMarkup()])
    signer_nip = StringField("NIP", validators=[Optional(), Length(max=40), NoMarkup()])


class PublishForm(FlaskForm):
    """Publish the draft, with a note for the version history."""

    note = StringField("Catatan perubahan", validators=[Optional(), Length(max=300), NoMarkup()])


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token (discard, restore, revoke)."""


class ImportForm(FlaskForm):
    """Upload published standard documents: several files, or a .zip of them."""

    file = MultipleFileField("Berkas standar pelayanan (boleh beberapa, atau satu .zip)",
                             validators=[FileRequired("Pilih berkas yang akan diimpor.")])  # fmt: skip
    unit = SelectField("Instansi", coerce=int)


class ImportReviewForm(FlaskForm):
    """Apply the choices of an import's review (the per-part radios are read beside it); note for publishing."""

    note = StringField("Catatan perubahan", validators=[Optional(), Length(max=300), NoMarkup()])


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField("Kata sandi sekarang", validators=[DataRequired("Masukkan kata sandi sekarang.")],
                            render_kw={"autocomplete": "current-password"})  # fmt: skip
    new = PasswordField(
        "Kata sandi baru",
        validators=[
            DataRequired("Masukkan kata sandi baru."),
            Length(min=10, max=256, message="Paling sedikit 10 karakter."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        "Ulangi kata sandi baru",
        validators=[EqualTo("new", message="Kedua kata sandi baru tidak sama.")],
        render_kw={"autocomplete": "new-password"},
    )


class AuditFilterForm(FlaskForm):
    """Filters of the audit log (a GET form)."""

    class Meta:
        csrf = False

    q = StringField("Cari", validators=[Optional(), Length(max=100)])
    username = StringField("Pengguna", validators=[Optional(), Length(max=64)])
    action = SelectField("Tindakan", choices=[], validate_choice=False)
    date_from = DateField("Dari tanggal", validators=[Optional(), SaneDate()])
    date_to = DateField("Sampai tanggal", validators=[Optional(), SaneDate()])


class UserForm(FlaskForm):
    """A staff account: who, which role, which unit; a password when creating or resetting."""

    username = StringField(
        "Nama pengguna",
        validators=[
            DataRequired(REQUIRED),
            Length(max=64),
            Regexp(r"^[A-Za-z0-9._-]+$", message="Hanya huruf, angka, titik, garis bawah dan tanda hubung."),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    name = StringField("Nama lengkap", validators=[Optional(), Length(max=120), NoMarkup()])
    role = SelectField("Peran", choices=choices(ROLES.items()))
    unit = SelectField("Instansi", coerce=int, description="Akun yang dibatasi hanya melihat dan mengubah instansinya.")
    active = BooleanField("Akun aktif", default=True)
    password = PasswordField(
        "Kata sandi",
        validators=[Optional(), Length(min=10, max=256, message="Paling sedikit 10 karakter.")],
        render_kw={"autocomplete": "new-password"},
    )


WHOLE_OFFICE = 0  # the closure form's choice "the whole office" (a closure without a unit)


class ClosureForm(FlaskForm):
    """A day the office, or one unit, is closed beyond the national calendar.

    The view sets ``unit.choices``: the whole office and every unit for a global account,
    the account's own unit otherwise.
    """

    unit = SelectField("Berlaku untuk", coerce=int,
                       description="Hari tutup seluruh kantor menggeser tenggat semua instansi.")
    day = DateField("Tanggal", validators=[DataRequired("Masukkan tanggal."), SaneDate()])
    reason = StringField(
        "Alasan",
        description="Misalnya: libur daerah HUT Kabupaten, pindah kantor.",
        validators=[DataRequired("Tuliskan alasannya."), Length(max=200, message="Paling panjang 200 huruf."),
                    NoMarkup()],
    )


class EnglishForm(FlaskForm):
    """The optional English text of a service for foreign visitors (issue 17): a guide beside the official text."""

    title_en = StringField("Nama layanan dalam bahasa Inggris", validators=[Optional(), Length(max=300), NoMarkup()],
                           filters=[strip])
    summary_en = TextAreaField(
        "Ringkasan dalam bahasa Inggris", validators=[Optional(), Length(max=2000), NoMarkup()], filters=[strip],
        description="Satu atau dua kalimat: untuk apa layanan ini dan siapa yang memerlukannya.",
    )
    requirements_en = TextAreaField(
        "Persyaratan dalam bahasa Inggris", validators=[Optional(), Length(max=10000), NoMarkup()],
        description="Satu baris untuk setiap butir persyaratan, urut sesuai daftar resmi di bawah; "
                    "baris kosong bila butir itu tidak diterjemahkan.",
    )
