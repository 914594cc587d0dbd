"""Who may file a survey response, and what a one-time link binds (security M5).

The rules live in ``webapp.survei.filing.file_response``; the public form and the JSON API both
obey them. A bearer token acts as its account: it files only for its own unit's services, only
the roles that type in paper questionnaires may give a past date, and tokens have a rate limit.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import url_for
from sqlalchemy import func, select

from tests.conftest import csrf_from
from tests.test_api import _assert_valid
from webapp.core.extensions import db, limiter
from webapp.survei.filing import (
    DATE_ANONYMOUS,
    DATE_NOT_YOUR_ROLE,
    NOT_YOUR_UNIT,
    OTHER_SERVICE,
    OTHER_UNIT,
    SurveyError,
    SurveyRefusedError,
    file_response,
)
from webapp.survei.invitations import invitation_by_token, issue_invitation
from webapp.survei.models import ELEMENT_CODES, SurveyResponse

ANSWERS = dict.fromkeys(ELEMENT_CODES, 3)
RESPONDENT = {"sex": "P", "age": 30, "education": "s1", "occupation": "swasta"}


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def two_units(make_unit, make_service):
    """Pekanbaru with two services and Kampar with one, as in the review's reproduction."""
    pekanbaru = make_unit(slug="dpmptsp-pekanbaru", name="DPMPTSP Kota Pekanbaru")
    kampar = make_unit(slug="dpmptsp-kampar", name="DPMPTSP Kabupaten Kampar")
    return {
        "pekanbaru": pekanbaru,
        "kampar": kampar,
        "izin_pku": make_service(unit=pekanbaru, slug="izin-reklame", title="Izin Reklame"),
        "izin_pku_2": make_service(unit=pekanbaru, slug="izin-usaha", title="Izin Usaha"),
        "izin_kampar": make_service(unit=kampar, slug="izin-instalasi-genset", title="Izin Instalasi Genset"),
    }


def _bearer(make_user, role: str, unit=None) -> dict[str, str]:
    user = make_user(role=role, unit=unit)
    _, plain = user.issue_token("uji survei")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _body(service_slug: str, **extra) -> dict:
    return {"service": service_slug, "answers": ANSWERS, "respondent": RESPONDENT, **extra}


def _count() -> int:
    return db.session.scalar(select(func.count(SurveyResponse.id))) or 0


def _file(service, **kwargs) -> SurveyResponse:
    return file_response(service=service, answers=ANSWERS, sex="L", age=30, education="sma", occupation="swasta",
                         **kwargs)  # fmt: skip


# --- a unit's token files only for its unit --------------------------------------------------


def test_a_pekanbaru_token_cannot_file_for_a_kampar_service(client, make_user, two_units):
    headers = _bearer(make_user, "petugas_loket", two_units["pekanbaru"])
    refused = client.post(url_for("api.post_survey"), json=_body("izin-instalasi-genset"), headers=headers)
    assert refused.status_code == 403
    error = refused.get_json()
    _assert_valid("Error", error)
    assert error["error"]["message"] == NOT_YOUR_UNIT
    assert error["error"]["fields"] == {"service": [NOT_YOUR_UNIT]}
    assert _count() == 0
    own = client.post(url_for("api.post_survey"), json=_body("izin-reklame"), headers=headers)
    assert own.status_code == 201 and own.get_json()["unit"] == "dpmptsp-pekanbaru"


def test_a_global_token_files_for_any_unit(client, make_user, two_units):
    headers = _bearer(make_user, "petugas_loket")  # no unit: the office as a whole
    for slug in ("izin-reklame", "izin-instalasi-genset"):
        assert client.post(url_for("api.post_survey"), json=_body(slug), headers=headers).status_code == 201
    assert _count() == 2


def test_the_service_refuses_an_account_of_another_unit_whoever_calls_it(make_user, two_units):
    officer = make_user(role="admin", unit=two_units["pekanbaru"])
    with pytest.raises(SurveyRefusedError, match="instansi lain"):
        _file(two_units["izin_kampar"], actor=officer)
    _file(two_units["izin_pku"], actor=officer)
    _file(two_units["izin_kampar"], actor=None)  # a respondent files for themselves, any unit
    db.session.commit()
    assert _count() == 2


# --- backdating ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sekretaris", "kepala_dinas"])
def test_a_role_that_types_in_no_paper_forms_cannot_backdate(client, make_user, two_units, role):
    headers = _bearer(make_user, role, two_units["pekanbaru"])
    refused = client.post(url_for("api.post_survey"), json=_body("izin-reklame", date="2026-01-15"), headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == {"status": 403, "message": DATE_NOT_YOUR_ROLE,
                                           "fields": {"date": [DATE_NOT_YOUR_ROLE]}}  # fmt: skip
    # The same account may file today's response (survey.file admits every staff role).
    assert client.post(url_for("api.post_survey"), json=_body("izin-reklame"), headers=headers).status_code == 201
    assert _count() == 1


@pytest.mark.parametrize("role", ["admin", "petugas_loket", "tim_pengaduan"])
def test_paper_form_roles_backdate_in_their_unit_only(client, make_user, two_units, role):
    headers = _bearer(make_user, role, two_units["pekanbaru"])
    filed = client.post(url_for("api.post_survey"), json=_body("izin-reklame", date="2026-01-15"), headers=headers)
    assert filed.status_code == 201 and filed.get_json()["survey_date"] == "2026-01-15"
    kampar = client.post(url_for("api.post_survey"), json=_body("izin-instalasi-genset", date="2026-01-15"),
                         headers=headers)  # fmt: skip
    assert kampar.status_code == 403
    assert _count() == 1


def test_an_anonymous_respondent_never_backdates(client, make_user, two_units):
    refused = client.post(url_for("api.post_survey"), json=_body("izin-reklame", date="2026-01-15"))
    assert refused.status_code == 403 and refused.get_json()["error"]["message"] == DATE_ANONYMOUS
    with pytest.raises(SurveyRefusedError):
        _file(two_units["izin_pku"], actor=None, survey_date=date(2026, 1, 15))
    assert _count() == 0


# --- a one-time link binds its response ------------------------------------------------------


def _invitation(service=None, unit=None, reference="1"):
    unit_id = unit.id if unit is not None else service.unit_id
    token = issue_invitation(unit_id=unit_id, service_id=service.id if service else None, source="antrian",
                             reference=reference)  # fmt: skip
    db.session.commit()
    return token


def test_the_service_binds_a_link_to_its_service_and_unit(two_units):
    """The rule lives in file_response, so no caller can forget it."""
    for_service = invitation_by_token(_invitation(two_units["izin_pku"], reference="1"))
    with pytest.raises(SurveyError) as other_service:
        _file(two_units["izin_pku_2"], actor=None, invitation=for_service)
    assert str(other_service.value) == OTHER_SERVICE
    any_service = invitation_by_token(_invitation(unit=two_units["pekanbaru"], reference="2"))
    with pytest.raises(SurveyError) as other_unit:
        _file(two_units["izin_kampar"], actor=None, invitation=any_service)
    assert str(other_unit.value) == OTHER_UNIT
    db.session.rollback()
    _file(two_units["izin_pku_2"], actor=None, invitation=any_service)  # any service of its own unit
    db.session.commit()
    assert _count() == 1


def test_a_link_binds_its_response_through_the_api(client, two_units):
    token = _invitation(two_units["izin_pku"])
    other = client.post(url_for("api.post_survey"), json=_body("izin-usaha", token=token))
    assert other.status_code == 422
    assert other.get_json()["error"]["fields"] == {"service": [OTHER_SERVICE]}
    unit_token = _invitation(unit=two_units["pekanbaru"], reference="2")
    elsewhere = client.post(url_for("api.post_survey"), json=_body("izin-instalasi-genset", token=unit_token))
    assert elsewhere.status_code == 422 and elsewhere.get_json()["error"]["message"] == OTHER_UNIT
    assert _count() == 0
    assert client.post(url_for("api.post_survey"), json=_body("izin-reklame", token=token)).status_code == 201
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert (stored.service_id, stored.channel) == (two_units["izin_pku"].id, "undangan")


def test_a_link_binds_its_response_through_the_form(client, two_units):
    token = _invitation(two_units["izin_pku"])
    url = url_for("survei.form_token", token=token)
    answers = {code.lower(): "3" for code in ELEMENT_CODES}
    data = {"csrf_token": csrf_from(client, url), "service": "izin-instalasi-genset", "sex": "L", "age": "30",
            "education": "sma", "occupation": "swasta", **answers}  # fmt: skip
    assert client.post(url, data=data).status_code == 302
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.service_id == two_units["izin_pku"].id  # the link's service, whatever was posted
    unit_token = _invitation(unit=two_units["pekanbaru"], reference="2")
    unit_url = url_for("survei.form_token", token=unit_token)
    refused = client.post(unit_url, data={**data, "csrf_token": csrf_from(client, unit_url)})
    assert refused.status_code == 422  # another unit's service is not among the link's choices
    assert _count() == 1


# --- tokens have a limit of their own --------------------------------------------------------


def test_token_callers_have_a_higher_limit_of_their_own(app, client, make_user, two_units, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_RATE_LIMIT", "2 per hour")
    monkeypatch.setitem(app.config, "SURVEY_TOKEN_RATE_LIMIT", "4 per hour")
    anonymous = [client.post(url_for("api.post_survey"), json=_body("izin-reklame")).status_code for _ in range(3)]
    assert anonymous == [201, 201, 429]
    headers = _bearer(make_user, "petugas_loket", two_units["pekanbaru"])
    statuses = [client.post(url_for("api.post_survey"), json=_body("izin-reklame"), headers=headers).status_code
                for _ in range(5)]  # fmt: skip
    assert statuses == [201, 201, 201, 201, 429]
    other = _bearer(make_user, "petugas_loket", two_units["pekanbaru"])  # each token counts on its own
    assert client.post(url_for("api.post_survey"), json=_body("izin-reklame"), headers=other).status_code == 201
    assert _count() == 2 + 4 + 1
