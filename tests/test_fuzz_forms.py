"""Hypothesis posts random and hostile text into every public form (issue 12, item 9).

Each test requires no 5xx, the typed text shown back when the form is refused, and nothing
half-saved: the row count moves by one only when the form was accepted. Bodies and query
strings are encoded by hand so that lone surrogates reach the server as a real client sends
them (UTF-8 of the surrogate, which the server decodes to U+FFFD), and NUL as ``%00``.

Bounded for CI: a fixed number of examples, derandomized (the same examples on every run), no
deadline (PostgreSQL on a shared machine is slow on the first request).
"""

from __future__ import annotations

import io
from urllib.parse import quote, urlencode

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from antrian.models import Ticket
from tests.conftest import csrf_from
from tests.pengaduan_helpers import complaint_data
from tests.test_survei_pages import PERSON, _answers_form
from webapp.core.extensions import db, limiter
from webapp.core.inputs import has_unstorable, visible
from webapp.pengaduan.models import Complaint
from webapp.standards.models import Service
from webapp.survei.models import SurveyResponse

HOSTILE = [
    "\x00", "ada NUL \x00 di sini", "\ud800", "x\udfffy", "\u202e\u200fexe.gnp", "😀👍🏽 mantap 🇮🇩",
    "=cmd|' /C calc'!A0", "+1+1", "@SUM(1,2)", "-2+3", "<script>alert(1)</script>", "x" * 100_000,
    "%00", "' OR 1=1 --", "\r\n\t", "²³", "٣٤", "\u200b", "a" * 2001,
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=80),
    st.builds(lambda before, bad, after: before + bad + after,
              st.text(max_size=20), st.sampled_from(HOSTILE), st.text(max_size=20)),
)
FUZZ = settings(max_examples=20, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture
def no_limits():
    """Rate limits off: the fuzzer sends more than a visitor may."""
    limiter.enabled = False
    yield
    limiter.enabled = True


def _wire(value: str) -> str:
    """What the server reads of ``value`` sent urlencoded: Werkzeug's own decoding of the same bytes.

    A lone surrogate travels as the bytes of its UTF-8 form, which are not valid UTF-8; Werkzeug
    keeps such a sequence percent-encoded (``%ED%A0%80``), so it never reaches a view as a surrogate.
    """
    query = urlencode({"v": value}, encoding="utf-8", errors="surrogatepass")
    return Request(EnvironBuilder(query_string=query).get_environ()).args["v"]


def _body(data: dict) -> bytes:
    return urlencode(data, encoding="utf-8", errors="surrogatepass").encode("ascii")


def _post_form(client, url: str, data: dict):
    return client.post(url, data=_body(data), content_type="application/x-www-form-urlencoded")


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _assert_kept(response, typed: str) -> None:
    """The refused page shows what was typed (as the server read it), escaped."""
    shown = visible(_wire(typed)).strip()
    assert str(escape(shown)) in response.get_data(as_text=True)


@FUZZ
@given(description=TEXT, name=TEXT)
def test_complaint_form(app, client, no_limits, description, name):
    before = _count(Complaint)
    data = complaint_data(app, client, description=description, name=name)
    response = _post_form(client, url_for("pengaduan.form"), data)
    assert response.status_code < 500
    accepted = response.status_code == 302
    assert _count(Complaint) == before + accepted
    if not accepted:
        assert response.status_code in (400, 422)
        _assert_kept(response, description)
        _assert_kept(response, name)
    else:
        assert not has_unstorable(_wire(description)) and not has_unstorable(_wire(name))


@FUZZ
@given(suggestion=TEXT, age=TEXT)
def test_survey_form(client, make_service, no_limits, suggestion, age):
    # The database is cleaned per test, not per example: the first example makes the service.
    slug = (Service.published_by_slug("layanan-fuzz") or make_service(slug="layanan-fuzz")).slug
    before = _count(SurveyResponse)
    data = {"csrf_token": csrf_from(client, url_for("survei.form")), "service": slug, **PERSON, "age": age,
            **_answers_form((4, 3, 2, 1, 4, 3, 2, 1, 3)), "suggestion": suggestion}
    response = _post_form(client, url_for("survei.form"), data)
    assert response.status_code < 500
    accepted = response.status_code == 302
    assert _count(SurveyResponse) == before + accepted
    if not accepted:
        assert response.status_code in (400, 422, 429)
        _assert_kept(response, suggestion)


@FUZZ
@given(code=TEXT)
def test_complaint_tracking_lookups(client, no_limits, code):
    query = urlencode({"kode": code}, encoding="utf-8", errors="surrogatepass")
    response = client.get(url_for("pengaduan.lookup"), query_string=query)
    assert response.status_code in (400, 404)
    if response.status_code == 404:
        _assert_kept(response, code)
    path = client.get(url_for("pengaduan.lookup") + "/" + quote(code.encode("utf-8", "surrogatepass"), safe=""))
    assert path.status_code in (400, 404)


@FUZZ
@given(number=TEXT, phone=TEXT)
def test_berkas_lookup(client, no_limits, number, phone):
    data = {"csrf_token": csrf_from(client, url_for("berkas.lookup_form")), "number": number, "phone": phone}
    response = _post_form(client, url_for("berkas.lookup_form"), data)
    assert response.status_code in (400, 422)
    _assert_kept(response, number)
    _assert_kept(response, phone)


@FUZZ
@given(code=TEXT, filename=TEXT, content=st.binary(max_size=2000))
def test_verification_upload(client, no_limits, code, filename, content):
    url = "/verifikasi/" + quote(code.encode("utf-8", "surrogatepass"), safe="")
    token = csrf_from(client, url_for("berkas.lookup_form"))  # one token per session serves every form
    upload = (io.BytesIO(content), _wire(filename) or "a.pdf")
    response = client.post(url, data={"csrf_token": token, "pdf": upload},
                           content_type="multipart/form-data")
    assert response.status_code < 500
    assert response.status_code in (400, 404, 422)


@FUZZ
@given(service=TEXT)
def test_kiosk(client, make_queue, no_limits, service):
    slug = _kiosk_unit() or make_queue()["unit"].slug
    url = url_for("antrian.kiosk", instansi=slug)
    before = _count(Ticket)
    data = {"csrf_token": csrf_from(client, url), "service": service}
    response = _post_form(client, url, data)
    assert response.status_code < 500
    issued = _count(Ticket) - before
    assert issued == (1 if _wire(service).strip() in ("A", "B") and response.status_code == 302 else 0)


def _kiosk_unit() -> str | None:
    """The unit a previous example of the kiosk test made (the database is cleaned per test, not per example)."""
    from antrian.models import QueueService

    line = db.session.scalars(select(QueueService)).first()
    return line.unit.slug if line else None
