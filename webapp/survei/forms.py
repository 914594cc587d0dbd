"""The survey form: the service received, who answers, the nine elements and a suggestion."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from webapp.core.forms import choices
from webapp.survei.service import (
    AGE_MAX,
    AGE_MIN,
    EDUCATIONS,
    ELEMENTS_BY_CODE,
    FORM_ORDER,
    OCCUPATIONS,
    SEXES,
    SUGGESTION_MAX,
)


def _element_field(code: str) -> RadioField:
    element = ELEMENTS_BY_CODE[code]
    return RadioField(
        element.name,
        choices=choices(enumerate(element.answers, start=1)),
        coerce=int,
        validators=[InputRequired("Pilih salah satu jawaban.")],
        description=element.question,
    )


class SurveyForm(FlaskForm):
    """One respondent's survey. The element fields are named by code (u1..u9), not by position."""

    service = SelectField("Layanan yang Anda terima", validators=[InputRequired("Pilih layanan yang Anda terima.")])
    sex = RadioField(
        "Jenis kelamin", choices=choices(SEXES.items()), validators=[InputRequired("Pilih jenis kelamin.")]
    )
    age = IntegerField(
        "Umur (tahun)",
        validators=[
            InputRequired("Isi umur Anda dalam tahun."),
            NumberRange(AGE_MIN, AGE_MAX, f"Umur harus antara {AGE_MIN} dan {AGE_MAX} tahun."),
        ],
        render_kw={"inputmode": "numeric", "min": AGE_MIN, "max": AGE_MAX, "autocomplete": "off"},
    )
    education = SelectField(
        "Pendidikan terakhir",
        choices=choices([("", "Pilih pendidikan"), *EDUCATIONS.items()]),
        validators=[InputRequired("Pilih pendidikan terakhir.")],
    )
    occupation = SelectField(
        "Pekerjaan utama",
        choices=choices([("", "Pilih pekerjaan"), *OCCUPATIONS.items()]),
        validators=[InputRequired("Pilih pekerjaan utama.")],
    )
    u1 = _element_field("U1")
    u2 = _element_field("U2")
    u3 = _element_field("U3")
    u4 = _element_field("U4")
    u5 = _element_field("U5")
    u6 = _element_field("U6")
    u7 = _element_field("U7")
    # Facilities (U9) before complaints handling (U8), as on the published sample form.
    u9 = _element_field("U9")
    u8 = _element_field("U8")
    suggestion = TextAreaField(
        "Saran dan masukan (boleh dikosongkan)",
        validators=[Optional(), Length(max=SUGGESTION_MAX, message=f"Paling banyak {SUGGESTION_MAX} karakter.")],
        description="Jangan menulis nama, NIK, nomor telepon atau data pribadi lain.",
        render_kw={"rows": 4},
    )

    def element_fields(self) -> list:
        """The nine element fields in the order of the regulation's sample form."""
        return [self[code.lower()] for code in FORM_ORDER]

    def answers(self) -> dict[str, int]:
        """The scores by element code."""
        return {code: self[code.lower()].data for code in ELEMENTS_BY_CODE}


class PlanItemForm(Form):
    """One row of a follow-up plan."""

    element = SelectField("Unsur", validators=[Optional()])
    action = StringField("Rencana tindak lanjut", validators=[Optional(), Length(max=500)])
    schedule = StringField("Waktu", validators=[Optional(), Length(max=120)])
    responsible = StringField("Penanggung jawab", validators=[Optional(), Length(max=120)])


class FollowUpForm(FlaskForm):
    """A unit's follow-up plan for one period: rows of element, action, time and who is responsible."""

    items = FieldList(FormField(PlanItemForm), label="Baris", min_entries=1)
    note = TextAreaField("Catatan", validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
