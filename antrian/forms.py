"""Forms of the kiosk and the counter panel (buttons, mostly: each carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from antrian.issuing import PRIORITY_REASONS, REQUEST_KEY_PATTERN
from antrian.models import ANNOUNCE_STYLES
from antrian.printing import PrinterAddressError, parse_printer_address, printer_target
from webapp.core.forms import REQUIRED, NoMarkup, Phone, SaneDate, choices, strip


class TakeTicketForm(FlaskForm):
    """The kiosk: the service code (the button pressed), an optional priority reason (when the unit offers
    it) and the tap's idempotency key (a uuid made by static/js/kios.js), so a retried POST finds its ticket."""

    service = HiddenField()
    prioritas = HiddenField(
        validators=[Optional(), AnyOf(list(PRIORITY_REASONS), message="Pilihan prioritas tidak dikenal.")]
    )
    kunci = HiddenField(validators=[Optional(), Regexp(REQUEST_KEY_PATTERN.pattern + "$", message="Kunci tidak sah.")])


class KioskDeviceForm(FlaskForm):
    """This browser's kiosk settings, kept in its signed kiosk cookie: paper width and how it prints."""

    lebar = RadioField("Lebar kertas", choices=[("80", "80 mm"), ("58", "58 mm")], default="80")
    cetak = RadioField(
        "Cara mencetak",
        choices=[("browser", "Lewat peramban (printer terpasang di komputer kios)"),
                 ("escpos", "Langsung ke printer termal jaringan (ESC/POS, port 9100-9109)")],
        default="browser",
    )
    printer = StringField(
        "Alamat printer jaringan", validators=[Length(max=260)],  # no Optional: it would skip validate_printer
        description="Misalnya 192.168.1.50 atau 192.168.1.50:9100. Hanya untuk cetak langsung.",
    )

    def validate_printer(self, field: StringField) -> None:
        """A printer address is needed, and must be host or host:port, when printing directly."""
        if self.cetak.data != "escpos":
            return
        if not field.data:
            raise ValidationError("Isi alamat printer untuk cetak langsung.")
        address = parse_printer_address(field.data)
        if address is None:
            raise ValidationError("Tulis alamat printer sebagai host atau host:port, misalnya 192.168.1.50:9100.")
        try:
            printer_target(address)
        except PrinterAddressError as exc:
            raise ValidationError(str(exc)) from exc


class KioskSetupForm(Form):
    """The unit's kiosk, on the queue setup page (its own fieldset "Kios")."""

    priority = BooleanField(
        "Tawarkan tiket prioritas di kios (lansia, penyandang disabilitas, ibu hamil)",
        description="Tiket prioritas dipanggil lebih dulu daripada tiket biasa.",
    )


class CounterActionForm(FlaskForm):
    """A counter button; ``ticket`` names the ticket it acts on, ``target`` a transfer's service."""

    ticket = HiddenField()
    target = HiddenField()


class PriorityTicketForm(FlaskForm):
    """Staff issue a priority ticket (elderly, disabled, pregnant), called before the others."""

    service = SelectField("Layanan")
    reason = SelectField("Alasan prioritas", choices=choices(PRIORITY_REASONS.items()))


class CancelTicketForm(FlaskForm):
    """The visitor gives the place back; ``yakin`` is the confirmation step's answer."""

    yakin = HiddenField()


class ContactForm(FlaskForm):
    """A mobile number for the "near" and "called" messages (optional; kept for the day only)."""

    phone = StringField(_l("Nomor HP"), validators=[Optional(), Length(max=30), Phone()], filters=[strip],
                        description=_l("Contoh: 0812 3456 7890. Disimpan hari ini saja, lalu dihapus."))
    hapus = HiddenField()


class QueueServiceForm(Form):
    """One queue service of the setup."""

    code = StringField(
        "Huruf", validators=[DataRequired(REQUIRED), Regexp(r"^[A-Z]$", message="Satu huruf besar, A-Z.")]
    )
    name = StringField("Nama layanan", validators=[DataRequired(REQUIRED), Length(max=120), NoMarkup()])
    opens_at = TimeField("Buka", validators=[DataRequired("Isi jam buka.")])
    closes_at = TimeField(
        "Tutup", validators=[DataRequired("Isi jam tutup.")], description="00:00 berarti tengah malam."
    )
    # Bounded: a number beyond the database's integer would end in a 500 (security review L5).
    daily_cap = IntegerField(
        "Kuota harian",
        validators=[Optional(), NumberRange(min=1, max=10_000, message="Antara 1 dan 10.000 tiket sehari.")],
    )
    active = BooleanField("Aktif", default=True)


class CounterForm(Form):
    """One counter of the setup."""

    number = IntegerField("Nomor", validators=[DataRequired(REQUIRED), NumberRange(min=1, max=99)])
    name = StringField("Nama", validators=[DataRequired(REQUIRED), Length(max=80), NoMarkup()])
    services = StringField(
        "Melayani (huruf, dipisah koma)", validators=[DataRequired("Isi huruf layanan, misalnya A, B.")]
    )
    active = BooleanField("Aktif", default=True)


class AnnounceForm(Form):
    """How the unit's lobby displays announce calls (its own fieldset, "Pengumuman panggilan")."""

    style = SelectField("Kalimat panggilan", choices=choices(ANNOUNCE_STYLES.items()), default="singkat")
    max_age_seconds = IntegerField(
        "Lewati panggilan yang lebih lama dari (detik)",
        default=60,
        validators=[DataRequired(REQUIRED), NumberRange(min=5, max=600, message="Antara 5 dan 600 detik.")],
        description="Saat panggilan menumpuk, panggilan yang sudah selama ini menunggu giliran hanya ditampilkan, "
        "tidak diucapkan.",
    )


class QueueSetupForm(FlaskForm):
    """A unit's queue: services, counters and the display's running text."""

    services = FieldList(FormField(QueueServiceForm), label="Layanan antrian")
    counters = FieldList(FormField(CounterForm), label="Loket")
    running_text = TextAreaField("Teks berjalan di layar", validators=[Optional(), Length(max=500), NoMarkup()])
    notify_ahead = IntegerField(
        "Beri tahu pengunjung saat tinggal … orang di depannya",
        validators=[Optional(), NumberRange(min=0, max=50, message="Antara 0 dan 50 orang.")],
        description="Pesan \u201cgiliran Anda hampir tiba\u201d di ponsel (peramban, WhatsApp atau SMS). Biasanya 3.",
    )
    announce = FormField(AnnounceForm, label="Pengumuman panggilan")
    kiosk = FormField(KioskSetupForm, label="Kios")

    def validate(self, extra_validators=None) -> bool:
        """Letters and counter numbers are unique, and every counter serves known letters."""
        valid = super().validate(extra_validators)
        codes = [entry.form.code.data for entry in self.services]
        if len(codes) != len(set(codes)):
            self.form_errors.append("Huruf layanan tidak boleh kembar.")
            valid = False
        numbers = [entry.form.number.data for entry in self.counters]
        if len(numbers) != len(set(numbers)):
            self.form_errors.append("Nomor loket tidak boleh kembar.")
            valid = False
        for entry in self.counters:
            wanted = {c.strip().upper() for c in (entry.form.services.data or "").split(",") if c.strip()}
            unknown = sorted(wanted - set(codes))
            if unknown:
                entry.form.services.errors = [
                    *entry.form.services.errors,
                    f"Huruf tidak dikenal: {', '.join(unknown)}.",
                ]
                valid = False
        return valid


class StatsForm(FlaskForm):
    """The period of the statistics (a GET form)."""

    class Meta:
        csrf = False

    dari = DateField("Dari tanggal", validators=[Optional(), SaneDate()])
    sampai = DateField("Sampai tanggal", validators=[Optional(), SaneDate()])
