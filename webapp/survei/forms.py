"""The survey form: the service received, who answers, the nine elements and a suggestion; the same
fields read from JSON for the API (``ApiSurveyForm``); and the follow-up plan editor.

The public form and the API check a response with the same fields, choices and messages;
``webapp.survei.filing.file_response`` then checks it once more, with the rules that bind a
one-time link and an account, before it is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, Form, FormField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from webapp.core.forms import choices
from webapp.survei.invitations import invitation_by_token
from webapp.survei.models import ELEMENT_CODES, SurveyInvitation
from webapp.survei.questionnaire import (
    AGE_INVALID,
    AGE_MAX,
    AGE_MIN,
    EDUCATION_INVALID,
    EDUCATIONS,
    ELEMENTS_BY_CODE,
    FORM_ORDER,
    OCCUPATION_INVALID,
    OCCUPATIONS,
    SERVICE_INVALID,
    SEX_INVALID,
    SEXES,
    SUGGESTION_MAX,
    score_invalid,
)


class _NamesInvalidChoice:
    """A choice field that says, in Indonesian, what is wrong with a value outside its choices (WTForms says
    "Not a valid choice."): a tampered form, or an API client."""

    def __init__(self, *args: Any, invalid: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def pre_validate(self, form: Any) -> None:
        """The field's own check of the choices, with its own message."""
        try:
            super().pre_validate(form)  # type: ignore[misc]
        except ValidationError:
            raise ValidationError(self.invalid) from None


class ChoiceRadio(_NamesInvalidChoice, RadioField):
    """Radio buttons whose invalid value is named in Indonesian."""


class ChoiceSelect(_NamesInvalidChoice, SelectField):
    """A drop-down whose invalid value is named in Indonesian."""


def _element_field(code: str) -> RadioField:
    element = ELEMENTS_BY_CODE[code]
    return ChoiceRadio(
        _l(element.name),
        choices=choices((score, _l(answer)) for score, answer in enumerate(element.answers, start=1)),
        coerce=int,
        validators=[InputRequired(_l("Pilih salah satu jawaban."))],
        description=_l(element.question),
        invalid=score_invalid(code),
    )


class SurveyForm(FlaskForm):
    """One respondent's survey. The element fields are named by code (u1..u9), not by position."""

    service = ChoiceSelect(
        _l("Layanan yang Anda terima"), validators=[InputRequired(_l("Pilih layanan yang Anda terima."))],
        invalid=SERVICE_INVALID,
    )
    sex = ChoiceRadio(
        _l("Jenis kelamin"), choices=choices((key, _l(label)) for key, label in SEXES.items()),
        validators=[InputRequired(_l("Pilih jenis kelamin."))],
        invalid=SEX_INVALID,
    )
    age = IntegerField(
        _l("Umur (tahun)"),
        validators=[
            InputRequired(_l("Isi umur Anda dalam tahun.")),
            NumberRange(AGE_MIN, AGE_MAX, _l("Umur harus antara %(min)d dan %(max)d tahun.", min=AGE_MIN, max=AGE_MAX)),
        ],
        render_kw={"inputmode": "numeric", "min": AGE_MIN, "max": AGE_MAX, "autocomplete": "off"},
    )
    education = ChoiceSelect(
        _l("Pendidikan terakhir"),
        choices=choices([("", _l("Pilih pendidikan")), *((k, _l(v)) for k, v in EDUCATIONS.items())]),
        validators=[InputRequired(_l("Pilih pendidikan terakhir."))],
        invalid=EDUCATION_INVALID,
    )
    occupation = ChoiceSelect(
        _l("Pekerjaan utama"),
        choices=choices([("", _l("Pilih pekerjaan")), *((k, _l(v)) for k, v in OCCUPATIONS.items())]),
        validators=[InputRequired(_l("Pilih pekerjaan utama."))],
        invalid=OCCUPATION_INVALID,
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
        _l("Saran dan masukan (boleh dikosongkan)"),
        validators=[
            Optional(), Length(max=SUGGESTION_MAX, message=_l("Paling banyak %(num)d karakter.", num=SUGGESTION_MAX)),
        ],
        description=_l("Jangan menulis nama, NIK, nomor telepon atau data pribadi lain."),
        render_kw={"rows": 4},
    )

    def official(self, field: Any) -> Any:
        """The element ``field`` asks about: its official question and answers, shown beside a translation."""
        return ELEMENTS_BY_CODE[field.name.upper()]

    def element_fields(self) -> list:
        """The nine element fields in the order of the regulation's sample form."""
        return [self[code.lower()] for code in FORM_ORDER]

    def answers(self) -> dict[str, int]:
        """The scores by element code."""
        return {code: self[code.lower()].data for code in ELEMENTS_BY_CODE}

    def response(self) -> dict[str, Any]:
        """The validated answers and respondent, as ``file_response`` takes them (the form and the API alike)."""
        return {"answers": self.answers(), "sex": self.sex.data, "age": self.age.data,
                "education": self.education.data, "occupation": self.occupation.data,
                "suggestion": self.suggestion.data or ""}


class JsonShapeError(ValueError):
    """A JSON body the API cannot read as a survey at all (400); ``field`` names the part at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class JsonFieldError(ValueError):
    """A JSON value of the wrong type (a number as text, a list for a word): the field's own message (422)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


DATE_FORMAT = "Tanggal harus berbentuk YYYY-MM-DD."


class ApiSurveyForm(SurveyForm):
    """The survey read from the API's JSON: the form's fields, choices and messages, plus a one-time token and,
    for staff typing in paper questionnaires, the day the questionnaire was filled.

    ``from_json`` checks the body's shape and each value's JSON type (the form would read "40" as 40; the
    API says integers), then feeds the form. Errors are named by their JSON path (``respondent.age``,
    ``answers.U3``: see ``json_name``).
    """

    class Meta:
        csrf = False  # a JSON API: no cookie authority to protect (a cookie caller's CSRF is checked by security)

    token = StringField("Token survei", validators=[Optional(), Length(max=64)])
    date = StringField("Tanggal survei", validators=[Optional()])

    # Form field -> (JSON path, JSON type, the message for a value of another type). bool is no int here.
    JSON_FIELDS: ClassVar[dict[str, tuple[tuple[str, ...], type, str]]] = {
        "service": (("service",), str, SERVICE_INVALID),
        "sex": (("respondent", "sex"), str, SEX_INVALID),
        "age": (("respondent", "age"), int, AGE_INVALID),
        "education": (("respondent", "education"), str, EDUCATION_INVALID),
        "occupation": (("respondent", "occupation"), str, OCCUPATION_INVALID),
        **{code.lower(): (("answers", code), int, score_invalid(code)) for code in ELEMENT_CODES},
    }

    invitation: SurveyInvitation | None = None

    @classmethod
    def from_json(cls, body: Any, service_choices: list[tuple[str, str]]) -> ApiSurveyForm:
        """The form filled from a JSON body; JsonShapeError (400) or JsonFieldError (422) when it cannot be."""
        if not isinstance(body, dict):
            raise JsonShapeError("Kirim JSON berisi service, answers dan respondent.")
        if not isinstance(body.get("respondent"), dict):
            raise JsonShapeError("respondent harus berisi sex, age, education dan occupation.", "respondent")
        suggestion = body.get("suggestion") or ""
        if not isinstance(suggestion, str):
            raise JsonShapeError("suggestion harus berupa teks.", "suggestion")
        answers = body.get("answers")
        if not isinstance(answers, dict):
            raise JsonFieldError("Jawaban harus berisi U1 sampai U9.", "answers")
        unknown = sorted(set(answers) - set(ELEMENT_CODES))
        if unknown:
            raise JsonFieldError(f"Unsur tidak dikenal: {', '.join(map(str, unknown))}.", "answers")
        data = MultiDict({"suggestion": suggestion})
        for name, (path, kind, invalid) in cls.JSON_FIELDS.items():
            value = body
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value is None:
                continue  # missing: the field's "required" message says so
            if kind is int and isinstance(value, float) and value.is_integer():
                value = int(value)  # JSON Schema (and so openapi.json) counts 3.0 as the integer 3
            if not isinstance(value, kind) or isinstance(value, bool):
                raise JsonFieldError(invalid, cls.json_name(name))
            data[name] = str(value)
        for name in ("token", "date"):  # read as text, as before: a number is an unknown token or a bad date
            if body.get(name) is not None:
                data[name] = str(body[name])
        form = cls(formdata=data)
        form.service.choices = service_choices
        return form

    @staticmethod
    def json_name(field: str) -> str:
        """The JSON path of a form field, as the API names it in its errors."""
        spec = ApiSurveyForm.JSON_FIELDS.get(field)
        return ".".join(spec[0]) if spec else field

    def json_errors(self) -> dict[str, list[str]]:
        """The form's errors by JSON path, in the order of the fields."""
        return {self.json_name(name): list(messages) for name, messages in self.errors.items()}

    def validate_token(self, field: StringField) -> None:
        """A token must be one the survey made; its use and its binding are checked when filing."""
        if field.data:
            self.invitation = invitation_by_token(field.data)
            if self.invitation is None:
                raise ValidationError("Token survei tidak dikenal.")

    def validate_date(self, field: StringField) -> None:
        """A date is an ISO date; who may set one is checked when filing."""
        if field.data:
            try:
                date.fromisoformat(field.data)
            except ValueError:
                raise ValidationError(DATE_FORMAT) from None

    def survey_date(self) -> date | None:
        """The date given (after validation), or None."""
        return date.fromisoformat(self.date.data) if self.date.data else None


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
