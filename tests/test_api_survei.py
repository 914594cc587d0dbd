"""The survey's JSON API: POST /api/v1/survei and GET /api/v1/ikm, checked against the OpenAPI file."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import func, select, update

from tests.test_api import _assert_valid
from tests.test_survei_rules import THIRTY
from webapp.core.extensions import db, limiter
from webapp.survei.invitations import issue_invitation
from webapp.survei.models import ELEMENT_CODES, SurveyInvitation, SurveyResponse


def _body(service_slug: str = "layanan-uji", scores=(3,) * 9, **overrides) -> dict:
    body = {
        "service": service_slug,
        "answers": dict(zip(ELEMENT_CODES, scores, strict=True)),
        "respondent": {"sex": "L", "age": 41, "education": "sma", "occupation": "swasta"},
        "suggestion": "Terima kasih",
    }
    body.update(overrides)
    return body


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def test_a_response_is_filed_and_answers_201(client, make_service):
    make_service()
    body = _body()
    _assert_valid("SurveyRequest", body)
    response = client.post(url_for("api.post_survey"), json=body)
    assert response.status_code == 201
    _assert_valid("SurveyFiled", response.get_json())
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.channel == "api" and stored.answers() == dict.fromkeys(ELEMENT_CODES, 3)


@pytest.mark.parametrize(
    ("change", "status", "field", "message"),
    [
        (lambda b: b["answers"].update(U3=5), 422, "answers.U3", "Nilai U3 harus 1, 2, 3 atau 4."),
        (lambda b: b["answers"].update(U3=0), 422, "answers.U3", "Nilai U3 harus 1, 2, 3 atau 4."),
        (lambda b: b["answers"].update(U3="3"), 422, "answers.U3", "Nilai U3 harus 1, 2, 3 atau 4."),
        (lambda b: b["answers"].update(U3=True), 422, "answers.U3", "Nilai U3 harus 1, 2, 3 atau 4."),
        (lambda b: b["answers"].pop("U9"), 422, "answers.U9", "Pilih salah satu jawaban."),
        (lambda b: b["answers"].update(U10=2), 422, "answers", "Unsur tidak dikenal: U10."),
        (lambda b: b.update(answers=[3] * 9), 422, "answers", "Jawaban harus berisi U1 sampai U9."),
        (lambda b: b.update(service="tidak-ada"), 422, "service", "Layanan tidak dikenal."),
        (lambda b: b["respondent"].update(sex="X"), 422, "respondent.sex", "Jenis kelamin harus L atau P."),
        (lambda b: b["respondent"].update(age="40"), 422, "respondent.age", "Umur harus antara 15 dan 100 tahun."),
        (lambda b: b["respondent"].update(age=101), 422, "respondent.age", "Umur harus antara 15 dan 100 tahun."),
        (lambda b: b["respondent"].update(education="s9"), 422, "respondent.education", "Pendidikan tidak dikenal."),
        (lambda b: b.pop("respondent"), 422, "respondent",
         "respondent harus berisi sex, age, education dan occupation."),
        (lambda b: b.update(suggestion=12), 422, "suggestion", "suggestion harus berupa teks atau null."),
        (lambda b: b["respondent"].update(sex=["L"]), 422, "respondent.sex", "Jenis kelamin harus L atau P."),
        (lambda b: b["respondent"].update(education={"a": 1}), 422, "respondent.education",
         "Pendidikan tidak dikenal."),
        (lambda b: b["respondent"].update(occupation=[]), 422, "respondent.occupation", "Pekerjaan tidak dikenal."),
        (lambda b: b.update(token="palsu"), 422, "token", "Token survei tidak dikenal."),
        (lambda b: b.update(date="kemarin"), 422, "date", "Tanggal harus berbentuk YYYY-MM-DD."),
    ],
)
def test_bad_posts_are_refused_with_a_reason(client, make_service, change, status, field, message):
    make_service()
    body = _body()
    change(body)
    response = client.post(url_for("api.post_survey"), json=body)
    assert response.status_code == status
    error = response.get_json()
    _assert_valid("Error", error)
    assert list(error["error"]["fields"]) == [field]
    assert error["error"]["message"] == message
    assert error["error"]["fields"][field] == [message]
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0


def test_a_post_that_is_not_json_is_a_400(client, make_service):
    make_service()
    response = client.post(url_for("api.post_survey"), data="U1=4", content_type="text/plain")
    assert response.status_code == 400
    _assert_valid("Error", response.get_json())


def test_a_one_time_token_files_once(client, make_service):
    service = make_service()
    token = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="antrian", reference="77")
    db.session.commit()
    assert client.post(url_for("api.post_survey"), json=_body(token=token)).status_code == 201
    again = client.post(url_for("api.post_survey"), json=_body(token=token))
    assert again.status_code == 409
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 1


def test_anonymous_posts_are_limited_per_address_and_token_holders_are_not(
    app, client, make_service, make_user, monkeypatch
):
    make_service()
    monkeypatch.setitem(app.config, "SURVEY_RATE_LIMIT", "2 per hour")
    statuses = [client.post(url_for("api.post_survey"), json=_body()).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    _assert_valid("Error", client.post(url_for("api.post_survey"), json=_body()).get_json())
    kiosk = make_user(role="petugas_loket")
    _, plain = kiosk.issue_token("kios survei")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert [client.post(url_for("api.post_survey"), json=_body(), headers=headers).status_code for _ in range(4)] == [
        201
    ] * 4


def test_thirty_posts_give_the_hand_computed_index(client, make_service, make_user):
    """See tests/test_survei_rules.py for the hand computation: IKM 21125/270 = 78,24, grade B."""
    service = make_service()
    user = make_user(role="admin")
    _, plain = user.issue_token("impor survei kertas")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    for row in THIRTY:
        assert client.post(url_for("api.post_survey"), json=_body(scores=row), headers=headers).status_code == 201
    for query in ({"service": service.slug}, {"unit": service.unit.slug}):
        response = client.get(url_for("api.get_ikm", **query))
        assert response.status_code == 200
        body = response.get_json()
        _assert_valid("Ikm", body)
        assert body["respondents"] == 30
        assert body["ikm"] == 78.24
        assert (body["grade"], body["grade_label"]) == ("B", "Baik")
        assert body["nrr"]["U4"] == 4.0 and body["nrr"]["U1"] == 3.1667 and body["nrr"]["U8"] == 2.1667
        assert body["element_grades"] == {
            "U1": "B", "U2": "B", "U3": "C", "U4": "A", "U5": "B", "U6": "C", "U7": "B", "U8": "D", "U9": "B"
        }  # fmt: skip
        assert body["population"] is None and body["minimum_sample"] is None


def test_ikm_ranges_and_errors(client, make_service):
    service = make_service()
    client.post(url_for("api.post_survey"), json=_body(scores=(4,) * 9))
    empty = client.get(url_for("api.get_ikm", unit=service.unit.slug, **{"from": "2001-01-01", "to": "2001-12-31"}))
    assert empty.status_code == 200
    body = empty.get_json()
    _assert_valid("Ikm", body)
    assert body["respondents"] == 0 and body["ikm"] is None and body["nrr"] == {}
    assert body["period"] == {"from": "2001-01-01", "to": "2001-12-31", "label": "01-01-2001 s.d. 31-12-2001"}
    for query, status in (
        ({}, 400),
        ({"unit": service.unit.slug, "service": service.slug}, 400),
        ({"unit": service.unit.slug, "from": "kemarin"}, 400),
        ({"unit": service.unit.slug, "from": "2026-02-01", "to": "2026-01-01"}, 400),
        ({"unit": "tidak-ada"}, 404),
        ({"service": "tidak-ada"}, 404),
    ):
        response = client.get(url_for("api.get_ikm", **query))
        assert response.status_code == status, query
        _assert_valid("Error", response.get_json())


def test_staff_type_in_paper_forms_with_their_date(client, make_service, make_user):
    make_service()
    assert client.post(url_for("api.post_survey"), json=_body(date="2026-01-15")).status_code == 403
    user = make_user(role="admin")
    _, plain = user.issue_token("formulir kertas")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    filed = client.post(url_for("api.post_survey"), json=_body(date="2026-01-15"), headers=headers)
    assert filed.status_code == 201 and filed.get_json()["survey_date"] == "2026-01-15"
    future = client.post(url_for("api.post_survey"), json=_body(date="2999-01-01"), headers=headers)
    assert future.status_code == 422
    assert client.post(url_for("api.post_survey"), json=_body(date="kemarin"), headers=headers).status_code == 422


def test_a_link_spent_between_the_check_and_the_save_is_refused_not_a_500(make_service):
    """Two tabs: both passed the "already used?" check; the second save must not file a second response."""
    from webapp.survei.filing import InvitationUsedError, file_response
    from webapp.survei.invitations import invitation_by_token

    service = make_service()
    token = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="antrian", reference="78")
    db.session.commit()
    stale = invitation_by_token(token)  # loaded by the second tab before the first one saved
    answers = dict.fromkeys(ELEMENT_CODES, 3)
    kwargs = {"service": service, "answers": answers, "sex": "L", "age": 30, "education": "sma",
              "occupation": "swasta", "suggestion": ""}
    # The first tab spends the link; the second tab's copy still says it is unused.
    db.session.execute(update(SurveyInvitation).where(SurveyInvitation.id == stale.id)
                       .values(used_at=func.now()).execution_options(synchronize_session=False))
    assert stale.used_at is None
    with pytest.raises(InvitationUsedError):
        file_response(**kwargs, invitation=stale, actor=None)
    db.session.rollback()
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0
