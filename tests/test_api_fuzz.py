"""Schemathesis against /api/v1/openapi.json: every operation, anonymous and with a staff token.

Each generated request (valid and invalid bodies, parameters and headers, as the schema allows or breaks)
must get no 5xx, a status the file lists for the operation, the content type it lists, and a body that
matches the listed schema. The examples per operation are bounded (``FUZZ_EXAMPLES``, default 25) so the
suite stays within CI's time on SQLite and on PostgreSQL.

NUL bytes are generated too (``allow-x00``): the edge guard (``webapp/core/inputs.py``) refuses them,
and unpaired surrogates, with a 400 on both databases. ``FUZZ_ALLOW_X00=0`` leaves them out.
"""

from __future__ import annotations

import contextvars
import os

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.test_api import OPENAPI
from webapp.core.extensions import db, limiter

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
ALLOW_X00 = os.environ.get("FUZZ_ALLOW_X00", "1") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


OPERATIONS = [(path, method) for path, operations in OPENAPI["paths"].items()
              for method in operations if method != "parameters"]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]  # valid data, and data that breaks the schema


@pytest.fixture
def api_schema(app: Flask):
    """The API's own published file, loaded through the app (WSGI, no network), with bounded generation."""
    limiter.reset()
    config = schemathesis.Config.from_dict({
        "generation": {
            "allow-x00": ALLOW_X00,
            "with-security-parameters": False,  # the tests send a real token, or none
        },
    })
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    limiter.reset()


@pytest.fixture
def staff_headers(make_queue, make_user, make_service) -> dict[str, str]:
    """An admin's bearer token, a unit with a queue and a published service, so that some calls find something."""
    queue = make_queue()
    make_service(unit=queue["unit"])
    user = make_user(role="admin")
    _, plain = user.issue_token("schemathesis")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_every_operation_conforms_anonymous_and_with_a_staff_token(api_schema, staff_headers, path, method):
    """Each generated case is sent twice: without a token, and with an admin's bearer token."""
    operation = api_schema[path][method.upper()]
    cases = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in MODES))

    @given(case=cases)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        for headers in (None, staff_headers):
            # Each request in a context of its own, as the suite's client does: the test's own request
            # context would otherwise share g (and a login cached in it) with every generated request.
            contextvars.Context().run(case.call_and_validate, headers=headers, checks=CHECKS)
            db.session.rollback()

    run()
