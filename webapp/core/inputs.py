"""Bad input stopped at the edge: NUL bytes, lone surrogates, ids and numbers out of range.

PostgreSQL refuses U+0000 in text and no database can store an unpaired UTF-16 surrogate,
so a request carrying either would reach the database and end in a 500, losing whatever the
person typed. ``refuse_unstorable_text`` runs before every view (before the CSRF check, which
parses the form) and answers 400 with an Indonesian message naming the field instead.

Ids in URLs are bounded to PostgreSQL's ``integer`` by ``BoundedIntConverter``, which replaces
Flask's ``int`` converter for every route: ``/admin/pengaduan/2147483648`` is a 404 like any
other unknown id. ``parse_id`` and ``page_number`` do the same for ids and page numbers typed
into forms and query strings, accepting only ASCII digits (``"²".isdigit()`` is true, yet
``int("²")`` raises).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, current_app, g, render_template, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from webapp.core.api import api_error

# PostgreSQL's ``integer``: every primary key and id column of the schema.
MAX_ID = 2**31 - 1
# Far beyond any real listing, small enough for any OFFSET.
MAX_PAGE = 100_000

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")

UNSTORABLE_MESSAGE = (
    "Isian memuat karakter yang tidak dapat disimpan (karakter NUL atau karakter Unicode yang rusak). "
    "Hapus karakter itu lalu kirim lagi."
)
PATH_MESSAGE = "Alamat memuat karakter yang tidak diizinkan (karakter NUL atau karakter Unicode yang rusak)."

# Fields whose value is never shown back to the person, even when refused.
_SECRET_FIELDS = re.compile(r"csrf|password|kata_sandi|sandi|token", re.IGNORECASE)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` limited to PostgreSQL's ``integer``: larger ids match no route (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def has_unstorable(text: str) -> bool:
    """True when ``text`` holds a NUL byte or an unpaired surrogate."""
    return bool(_UNSTORABLE.search(text))


def visible(text: str) -> str:
    """``text`` with the unstorable characters replaced by U+FFFD, safe to show back."""
    return _UNSTORABLE.sub("\ufffd", text)


def parse_id(raw: Any) -> int | None:
    """A database id typed as ASCII digits within 1..2³¹−1, else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 1 <= raw <= MAX_ID else None
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not _ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def page_number(raw: Any) -> int:
    """The page asked for in ``?halaman=``, clamped to 1..MAX_PAGE (garbage: page 1)."""
    if not isinstance(raw, str) or not raw.strip().isascii() or not raw.strip().isdigit():
        return 1
    return min(max(int(raw.strip()[:7]), 1), MAX_PAGE)


def _json_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON document (keys too), with the dotted path of its field."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _json_strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{index}]" if path else f"[{index}]")


def _first_bad_field() -> tuple[str, str] | None:
    """(where, field name) of the first unstorable value in the request, or None."""
    if has_unstorable(request.path):
        return "path", ""
    for key, value in request.args.items(multi=True):
        if has_unstorable(key) or has_unstorable(value):
            return "query", visible(key)
    if request.is_json:  # application/json and every application/*+json, as get_json() reads them
        document = request.get_json(silent=True)  # malformed JSON is the view's to refuse
        for name, text in _json_strings(document, ""):
            if has_unstorable(text):
                return "json", visible(name) or "body"
    elif request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data",
    ):
        for key, value in request.form.items(multi=True):
            if has_unstorable(key) or has_unstorable(value):
                return "form", visible(key)
        for key, upload in request.files.items(multi=True):
            if has_unstorable(upload.filename or ""):
                return "form", visible(key)
    return None


def keeps_refused_text(view: Any) -> Any:
    """Mark a view whose form shows a refused field itself, beside the field, with the text kept.

    For such a view the guard does not answer: it replaces the unstorable characters by U+FFFD
    in the form data and lists the fields in ``g``; the view must then call ``refused_fields``
    after validating, which fails the form with the message beside each field.
    """
    view.keeps_refused_text = True
    return view


def refused_fields(form: Any) -> bool:
    """After ``form.validate()``: True when the guard refused some field; its message is then beside it."""
    names = g.get("refused_fields") or set()
    for name in names:
        field = form._fields.get(name)
        errors = field.errors if field is not None else form.form_errors
        if isinstance(errors, tuple):  # WTForms keeps an unvalidated field's errors as a tuple
            errors = field.errors = list(errors)
        errors.append(UNSTORABLE_MESSAGE)
    return bool(names)


def _clean_form_for_view() -> bool:
    """For a view marked ``keeps_refused_text``: clean the form data, remember the fields; True when done."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "keeps_refused_text", False):
        return False
    form = request.form  # the path and the query string were checked before the form
    if any(has_unstorable(key) for key in form) or any(
        has_unstorable(key) or has_unstorable(upload.filename or "") for key, upload in request.files.items(multi=True)
    ):
        return False  # no field to show the message beside: the guard's own page answers
    g.refused_fields = {key for key, value in form.items(multi=True) if has_unstorable(value)}
    # request.form is a cached property: what Flask-WTF reads from now on is the cleaned copy.
    request.__dict__["form"] = ImmutableMultiDict([(key, visible(value)) for key, value in form.items(multi=True)])
    return True


def refuse_unstorable_text() -> Any:
    """Before every view: a 400 for NUL or an unpaired surrogate anywhere in the request.

    The API answers the usual error shape naming the field. A page answers with the
    refused form's text shown back (secrets left out), so nothing typed is lost.
    """
    found = _first_bad_field()
    if found is None:
        return None
    where, field = found
    if where == "form" and _clean_form_for_view():
        return None
    message = PATH_MESSAGE if where == "path" else UNSTORABLE_MESSAGE
    if request.path.startswith("/api/"):
        return api_error(400, message, field=field or None)
    kept = []
    if where == "form":
        kept = [(key, visible(value)) for key, value in request.form.items(multi=True)
                if not _SECRET_FIELDS.search(key) and value.strip()]
    return render_template("errors/refused_input.html", status=400, message=message,
                           field=field, kept=kept), 400


def init_input_guard(app: Flask) -> None:
    """Bound ``<int:>`` ids for every route and refuse unstorable text before every view."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_unstorable_text)
