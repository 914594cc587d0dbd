"""The API says what it does: request bodies are checked against openapi.json, and the file lists every answer."""

from __future__ import annotations

import pytest
from flask import url_for
from jsonschema import Draft202012Validator

from tests.test_api import OPENAPI, _assert_valid, _validator
from tests.test_api_antrian import _staff_token
from tests.test_api_survei import _body as survey_body
from webapp.api.schema import body_validator, openapi_path
from webapp.core.extensions import db, limiter
from webapp.pengaduan.models import Complaint
from webapp.survei.models import SurveyResponse

PHONE = "081234567890"


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def _operations():
    for path, operations in OPENAPI["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield path, method, operation


def test_every_json_body_of_the_file_is_the_one_the_server_checks(app):
    """One source: each operation's validator is built from the file's own requestBody schema."""
    with_body = [(path, method) for path, method, op in _operations()
                 if "application/json" in op.get("requestBody", {}).get("content", {})]  # not a PDF upload
    assert len(with_body) == 5
    for path, method in with_body:
        assert body_validator(path, method) is not None, path
    rules = {openapi_path(rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    assert {path for path, _ in with_body} <= rules


@pytest.mark.parametrize("status", ["400", "401", "429"])
def test_every_operation_lists_the_answers_every_operation_can_give(status):
    """A bad token (401), the anonymous rate limit (429) and a malformed request (400) can meet any call."""
    missing = [f"{method.upper()} {path}" for path, method, op in _operations() if status not in op["responses"]]
    assert not missing


def test_403_is_listed_where_a_role_is_checked():
    assert "403" in OPENAPI["paths"]["/antrian/loket/{counter_id}/{action}"]["post"]["responses"]
    assert "403" in OPENAPI["paths"]["/survei"]["post"]["responses"]
    assert "401" in OPENAPI["paths"]["/saya"]["get"]["responses"]


@pytest.mark.parametrize("channel", [["online"], [None], {"a": 1}, 123])
def test_a_complaint_channel_of_the_wrong_type_is_a_422_naming_it(client, channel):
    body = {"name": "Uji", "phone": PHONE, "description": "Pelayanan lambat sekali di loket.", "channel": channel}
    response = client.post(url_for("api.create_complaint"), json=body)
    assert response.status_code == 422
    _assert_valid("Error", response.get_json())
    assert list(response.get_json()["error"]["fields"]) == ["channel"]
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0


def test_the_complaints_name_or_contact_rule_is_in_the_schema():
    """Generated clients see the rule: a name unless anonymous, and a phone or an email."""
    schema = _validator("ComplaintRequest")
    description = "Uraian yang cukup panjang."
    assert not schema.is_valid({"description": description})
    assert not schema.is_valid({"description": description, "name": "Uji"})
    assert not schema.is_valid({"description": description, "phone": PHONE})
    assert schema.is_valid({"description": description, "name": "Uji", "phone": PHONE})
    assert schema.is_valid({"description": description, "anonymous": True, "email": "a@b.id"})


def test_a_complaint_without_contact_is_refused_by_the_schema_with_the_forms_words(client):
    response = client.post(url_for("api.create_complaint"), json={"description": "Uraian yang cukup panjang."})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert fields == {"phone": ["Isi nomor HP atau email agar kami dapat menjawab."],
                      "name": ["Isi nama, atau kirim anonymous: true."]}


def test_an_integral_number_is_an_integer_as_the_schema_says(client, make_service):
    """JSON Schema counts 3.0 as an integer, so the server takes it too."""
    make_service()
    body = survey_body()
    body["answers"]["U1"] = 3.0
    body["respondent"]["age"] = 30.0
    assert Draft202012Validator.TYPE_CHECKER.is_type(3.0, "integer")
    _assert_valid("SurveyRequest", body)
    response = client.post(url_for("api.post_survey"), json=body)
    assert response.status_code == 201, response.get_json()
    stored = db.session.scalars(db.select(SurveyResponse)).one()
    assert stored.age == 30 and stored.answers()["U1"] == 3


def test_a_fractional_score_is_refused_by_the_schema(client, make_service):
    make_service()
    body = survey_body()
    body["answers"]["U1"] = 3.5
    response = client.post(url_for("api.post_survey"), json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"answers.U1": ["Nilai U1 harus 1, 2, 3 atau 4."]}


@pytest.mark.parametrize("raw", ["true", '"C"', "123", "[]", "null"])
def test_a_transfer_body_that_is_not_an_object_is_a_422(client, make_queue, make_user, raw):
    queue = make_queue()
    headers = _staff_token(make_user, queue["unit"])
    url = url_for("api.counter_action", counter_id=queue["loket1"].id, action="alihkan")
    response = client.post(url, data=raw, content_type="application/json", headers=headers)
    assert response.status_code == 422
    _assert_valid("Error", response.get_json())


def test_a_transfer_to_a_service_of_the_wrong_type_is_a_422_naming_it(client, make_queue, make_user):
    queue = make_queue()
    headers = _staff_token(make_user, queue["unit"])
    url = url_for("api.counter_action", counter_id=queue["loket1"].id, action="alihkan")
    response = client.post(url, json={"service": ["C"]}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"service": ["service harus berupa teks."]}


def test_an_anonymous_counter_call_is_a_401_before_its_body_is_read(client, make_queue):
    queue = make_queue()
    url = url_for("api.counter_action", counter_id=queue["loket1"].id, action="alihkan")
    assert client.post(url, data="true", content_type="application/json").status_code == 401


@pytest.mark.parametrize(("endpoint", "method"), [("api.services", "put"), ("api.take_ticket", "get"),
                                                  ("api.whoami", "delete"), ("standards.catalogue", "put")])
def test_a_405_says_which_methods_are_allowed(client, endpoint, method):
    response = getattr(client, method)(url_for(endpoint))
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed and method.upper() not in allowed


@pytest.mark.parametrize("counter_id", [2147483648, 9223372036854775808])
def test_a_counter_id_beyond_the_schema_is_a_404_on_every_database(client, make_queue, make_user, counter_id):
    """openapi.json bounds counter_id to the database's integer; beyond it no counter exists (no query is made)."""
    queue = make_queue()
    headers = _staff_token(make_user, queue["unit"])
    response = client.post(f"/api/v1/antrian/loket/{counter_id}/ulang", json={}, headers=headers)
    assert response.status_code == 404
    _assert_valid("Error", response.get_json())
