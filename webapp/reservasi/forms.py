"""Forms of reservasi: the public booking form (with the complaint form's robot checks), moving, cancelling,
the check-in code (kiosk and counter), and a line's booking setup."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from webapp.core.forms import REQUIRED, Digits, EmailAddress, NoMarkup, Phone, RobotCheck, strip


class BookingForm(RobotCheck, FlaskForm):
    """Name and phone or email (NIK when the unit asks); a honeypot and a minimum fill time against robots,
    as on the complaint form. The slot chosen travels in hidden fields, checked again by the service."""

    name = StringField(_l("Nama"), filters=[strip], validators=[DataRequired(REQUIRED), Length(max=120), NoMarkup()])
    phone = StringField(_l("Nomor HP (WhatsApp/SMS)"), filters=[strip],
                        validators=[Optional(), Length(max=30), Phone()],
                        description=_l("Untuk konfirmasi dan pengingat. Boleh dikosongkan bila mengisi email."))
    email = StringField(_l("Email"), filters=[strip], validators=[Optional(), Length(max=254), EmailAddress()],
                        description=_l("Boleh dikosongkan bila mengisi nomor HP."))
    nik = StringField(_l("NIK"), filters=[strip], validators=[Optional(), Digits(16, _l("NIK"))],
                      description=_l("16 angka, sesuai KTP."))
    tanggal = HiddenField()
    jam = HiddenField()
    min_fill_setting = "RESERVASI_MIN_FILL_SECONDS"
    salt = "reservasi-form-dibuka"

    def validate(self, extra_validators=None) -> bool:
        """Fields first, then one of phone or email, then the robot checks."""
        valid = super().validate(extra_validators)
        if not self.phone.data and not self.email.data:
            self.phone.errors = [*self.phone.errors, _l("Tulis nomor HP (WhatsApp/SMS) atau email untuk konfirmasi.")]
            valid = False
        if self.looks_like_a_robot():
            self.form_errors.append(_l("Formulir terkirim terlalu cepat. Periksa isian Anda, lalu tekan "
                                       "Pesan sekali lagi."))
            valid = False
        return valid



class ActionForm(FlaskForm):
    """A button (cancel, confirm): only its CSRF token and an optional confirmation."""

    yakin = HiddenField()


class MoveForm(FlaskForm):
    """The new day and start of a booking."""

    tanggal = HiddenField(validators=[DataRequired(REQUIRED)])
    jam = HiddenField(validators=[DataRequired(REQUIRED)])


class CheckInForm(FlaskForm):
    """The booking code as typed or scanned (a QR scanner types the URL or the code and Enter)."""

    kode = StringField(_l("Kode reservasi"), filters=[strip],
                       validators=[DataRequired(_l("Tulis atau scan kode reservasi Anda.")), Length(max=300)],
                       description=_l("8 huruf dan angka, misalnya ABCD-EF23."))


class SetupForm(FlaskForm):
    """A line's booking rules (README, "Reservasi untuk kantor")."""

    enabled = BooleanField("Terima reservasi untuk layanan ini")
    slot_minutes = IntegerField("Lama satu slot (menit)", validators=[
        DataRequired(REQUIRED), NumberRange(5, 240, "Antara 5 dan 240 menit.")])
    places = IntegerField("Orang yang dilayani per slot", validators=[
        DataRequired(REQUIRED), NumberRange(1, 500, "Antara 1 dan 500.")])
    walk_in_percent = IntegerField("Bagian untuk pengunjung tanpa reservasi (%)", validators=[
        Optional(), NumberRange(0, 100, "Antara 0 dan 100.")], default=50,
        description="Dianjurkan sedikitnya 50%, agar warga tanpa ponsel tetap dilayani.")
    days_ahead = IntegerField("Dapat dipesan sampai (hari ke depan)", validators=[
        DataRequired(REQUIRED), NumberRange(1, 90, "Antara 1 dan 90 hari.")])
    early_minutes = IntegerField("Check-in paling awal (menit sebelum slot)", validators=[
        Optional(), NumberRange(0, 120, "Antara 0 dan 120 menit.")], default=15)
    late_minutes = IntegerField("Batas terlambat (menit setelah slot dimulai)", validators=[
        Optional(), NumberRange(0, 240, "Antara 0 dan 240 menit.")], default=30)
    mark = StringField("Tanda nomor reservasi", filters=[strip], validators=[
        Optional(), Regexp(r"^[A-Z]$", message="Satu huruf besar, misalnya R.")], default="R",
        description="Huruf di depan nomor tiket reservasi: R menjadikan A-007 sebagai RA-007.")
    max_per_contact = IntegerField("Reservasi aktif per nomor/email per hari", validators=[
        DataRequired(REQUIRED), NumberRange(1, 10, "Antara 1 dan 10.")], default=1)
    noshow_limit = IntegerField("Diblokir setelah tidak datang (kali)", validators=[
        Optional(), NumberRange(0, 20, "Antara 0 dan 20; 0 berarti tidak pernah.")], default=2)
    noshow_days = IntegerField("dalam (hari)", validators=[
        DataRequired(REQUIRED), NumberRange(1, 365, "Antara 1 dan 365 hari.")], default=14)
    ask_nik = BooleanField("Minta NIK (tidak wajib bagi warga)")

    def values(self) -> dict:
        """The values for webapp.reservasi.service.save_setup."""
        return {"enabled": bool(self.enabled.data), "slot_minutes": self.slot_minutes.data,
                "places": self.places.data, "walk_in_percent": self.walk_in_percent.data or 0,
                "days_ahead": self.days_ahead.data, "early_minutes": self.early_minutes.data or 0,
                "late_minutes": self.late_minutes.data or 0, "mark": self.mark.data or "",
                "max_per_contact": self.max_per_contact.data, "noshow_limit": self.noshow_limit.data or 0,
                "noshow_days": self.noshow_days.data, "ask_nik": bool(self.ask_nik.data)}
