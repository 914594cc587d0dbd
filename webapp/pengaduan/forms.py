"""Complaint forms: the public form, the staff form for direct complaints, and the staff steps."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.core.forms import REQUIRED, Digits, EmailAddress, Phone, RobotCheck, SaneDate, choices, strip
from webapp.pengaduan.models import CHANNELS, STAFF_CHANNELS, STATUSES, WEIGHTS

OTHER_SERVICE = "lainnya"


class ComplaintFields(FlaskForm):
    """What every complaint carries, filed by the person or by staff for them."""

    name = StringField(_l("Nama"), validators=[Optional(), Length(max=120, message=_l("Paling panjang 120 huruf."))],
                       filters=[strip], description=_l("Boleh dikosongkan bila memilih anonim."))
    anonymous = BooleanField(_l("Anonim: sembunyikan identitas saya dari semua petugas selain Tim Pengaduan"))
    phone = StringField(_l("Nomor HP/WhatsApp"), validators=[Optional(), Phone()], filters=[strip],
                        description=_l("Isi nomor HP atau email, atau keduanya. Kami mengirim kode lacak ke sana."))
    email = StringField(_l("Email"), validators=[Optional(), EmailAddress()], filters=[strip])
    nik = StringField(_l("NIK (tidak wajib)"), validators=[Optional(), Digits(16, _l("NIK"))], filters=[strip],
                      description=_l("16 angka pada KTP."))
    nib = StringField(_l("NIB bagi pelaku usaha (tidak wajib)"), validators=[Optional(), Digits(13, _l("NIB"))],
                      filters=[strip], description=_l("13 angka Nomor Induk Berusaha."))
    service = SelectField(_l("Layanan yang diadukan"), validators=[DataRequired(_l("Pilih layanan, atau Lainnya."))])
    service_other = StringField(_l("Bila lainnya, layanan atau hal apa?"), validators=[Optional(), Length(max=200)],
                                filters=[strip])
    description = TextAreaField(
        _l("Apa yang terjadi?"),
        validators=[DataRequired(_l("Ceritakan apa yang terjadi.")),
                    Length(min=10, max=5000, message=_l("Tulis antara 10 dan 5000 huruf."))],
        filters=[strip],
        description=_l("Ceritakan kejadiannya: siapa, di mana, apa yang Anda alami."),
    )
    incident_date = DateField(_l("Kapan terjadi? (tidak wajib)"), validators=[Optional(), SaneDate()])
    incident_place = StringField(_l("Di mana? (tidak wajib)"), validators=[Optional(), Length(max=200)],
                                 filters=[strip], description=_l("Misalnya: loket 2, ruang tunggu, laman OSS."))
    desired_outcome = TextAreaField(_l("Apa yang Anda harapkan?"), validators=[Optional(), Length(max=2000)],
                                    filters=[strip], description=_l("Penyelesaian yang Anda inginkan."))
    attachments = MultipleFileField(_l("Lampiran (tidak wajib)"))
    confidential = BooleanField(_l("Rahasia: isi pengaduan saya tidak ditampilkan di halaman lacak"))

    # The public form and the API need a way to answer and a name (or anonim); staff recording a
    # letter or the suggestion box may have neither.
    require_contact = True

    def validate(self, extra_validators=None) -> bool:
        """Fields first, then the rules across fields."""
        valid = super().validate(extra_validators)
        if self.require_contact and not self.phone.data and not self.email.data:
            self.phone.errors = [*self.phone.errors, _l("Isi nomor HP atau email agar kami dapat menjawab.")]
            valid = False
        if self.require_contact and not self.anonymous.data and not self.name.data:
            self.name.errors = [*self.name.errors, _l("Isi nama Anda, atau centang Anonim.")]
            valid = False
        return valid

    def set_services(self, services) -> None:
        """Options: the published services by unit, then "lainnya"."""
        options = [SelectChoice(value="", label=_("Pilih layanan"))]
        options += [SelectChoice(value=s.slug, label=s.title) for s in services]
        options.append(SelectChoice(value=OTHER_SERVICE, label=_("Lainnya (tidak ada di daftar)")))
        self.service.choices = options

    def validate_incident_date(self, field) -> None:
        """A complaint is about something that already happened."""
        from webapp.core.localtime import local_today

        if field.data and field.data > local_today():
            raise ValidationError(_l("Tanggal kejadian tidak boleh setelah hari ini."))

    def validate_attachments(self, field) -> None:
        """At most PENGADUAN_MAX_ATTACHMENTS files (their content is checked in the view)."""
        files = [f for f in (field.data or []) if getattr(f, "filename", "")]
        limit = current_app.config["PENGADUAN_MAX_ATTACHMENTS"]
        if len(files) > limit:
            raise ValidationError(_("Paling banyak %(num)d berkas.", num=limit))


class ComplaintForm(RobotCheck, ComplaintFields):
    """The public form: contact required, a honeypot and a minimum fill time against robots."""

    min_fill_setting = "PENGADUAN_MIN_FILL_SECONDS"
    salt = "pengaduan-form-dibuka"

    def validate(self, extra_validators=None) -> bool:
        """Fields first, then the rules across fields and the robot checks."""
        valid = super().validate(extra_validators)
        if self.looks_like_a_robot():
            self.form_errors.append(
                _l("Formulir terkirim terlalu cepat. Periksa isian Anda, lalu tekan Kirim pengaduan sekali lagi.")
            )
            valid = False
        return valid



class DirectComplaintForm(ComplaintFields):
    """Staff record a complaint for a visitor, a caller, a letter or the suggestion box."""

    require_contact = False

    channel = SelectField("Saluran", choices=choices(STAFF_CHANNELS.items()), default="datang_langsung")
    received_on = DateField("Tanggal diterima", validators=[Optional(), SaneDate()],
                            description="Kosongkan bila hari ini. Tenggat 14 hari kerja dihitung dari tanggal ini.")
    ticket = HiddenField()

    def validate_received_on(self, field) -> None:
        """Not in the future."""
        from webapp.core.localtime import local_today

        if field.data and field.data > local_today():
            raise ValidationError("Tanggal diterima tidak boleh setelah hari ini.")
        if field.data and (local_today() - field.data).days > 366:
            raise ValidationError("Tanggal diterima paling lama setahun yang lalu.")


class TrackLookupForm(FlaskForm):
    """The lookup: a code typed from the receipt or the message."""

    class Meta:
        csrf = False

    kode = StringField(_l("Kode lacak"), validators=[DataRequired(_l("Isi kode lacak."))],
                       description=_l("16 huruf dan angka, misalnya ABCD-EFGH-JKMN-PQRS."))


class NoteForm(FlaskForm):
    """A text for one step: a note, a reply, a resolution, a reason."""

    text = TextAreaField("Teks", validators=[DataRequired(REQUIRED), Length(max=5000)], filters=[strip])


class OptionalNoteForm(FlaskForm):
    """Verify: an optional internal note."""

    text = TextAreaField("Catatan internal (tidak wajib)", validators=[Optional(), Length(max=2000)],
                         filters=[strip])


class ClassifyForm(FlaskForm):
    """Weight, which decides who handles the complaint (seed 004)."""

    weight = SelectField("Bobot", choices=choices(WEIGHTS.items()))
    text = TextAreaField("Alasan (tidak wajib)", validators=[Optional(), Length(max=2000)], filters=[strip])


class AssignForm(FlaskForm):
    """Hand the complaint to a member of staff."""

    assignee = SelectField("Petugas", coerce=int)
    text = TextAreaField("Pesan untuk petugas (tidak wajib)", validators=[Optional(), Length(max=2000)],
                         filters=[strip])


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token."""


class BookFilterForm(FlaskForm):
    """Filters of the Buku Pengaduan (a GET form)."""

    class Meta:
        csrf = False

    q = StringField("Cari", description="Nomor, nama, isi pengaduan.")
    status = SelectField("Status", choices=choices([("", "Semua"), ("terbuka", "Belum selesai"),
                                                    *STATUSES.items()]), default="")
    weight = SelectField("Bobot", choices=choices([("", "Semua"), ("belum", "Belum ditetapkan"),
                                                   *WEIGHTS.items()]), default="")
    channel = SelectField("Saluran", choices=choices([("", "Semua"), *CHANNELS.items()]), default="")
    tenggat = SelectField("Tenggat", choices=choices([("", "Semua"), ("terlambat", "Terlambat"),
                                                      ("segera", "Segera jatuh tempo")]), default="")
    dari = DateField("Diterima dari", validators=[Optional(), SaneDate()])
    sampai = DateField("Sampai", validators=[Optional(), SaneDate()])


class ReportSummaryForm(FlaskForm):
    """The team's narrative of the month (analysis, follow-up), corrected when the report is returned."""

    summary = TextAreaField("Ringkasan dan tindak lanjut", validators=[Optional(), Length(max=10000)],
                            filters=[strip])


class ReviewForm(FlaskForm):
    """The Sekretaris approves or returns the report with a note."""

    note = TextAreaField("Catatan pemeriksaan", validators=[Optional(), Length(max=5000)], filters=[strip],
                         description="Wajib bila laporan dikembalikan untuk diperbaiki.")
