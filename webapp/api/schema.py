"""Request bodies checked against the schemas that openapi.json publishes: one source for clients and server.

Before any API view runs, the JSON body of its operation is validated (JSON Schema 2020-12, as OpenAPI 3.1
uses it) against the operation's ``requestBody`` schema in ``openapi.json``. A body that is not JSON, or a
missing required body, answers 400; a body that breaks the schema answers 422 in the one error shape,
naming the field by its JSON path (``respondent.sex``, ``answers.U3``). The message is the failing
schema's ``x-message`` when the file gives one, so the published file also holds the words a person reads.

The views still apply the rules a schema cannot say (a known service, a phone number's shape, quotas).
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from flask import Response, abort, request
from flask_login import current_user
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from webapp.core.api import api_error

OPENAPI_FILE = Path(__file__).with_name("openapi.json")
API_PREFIX = "/api/v1"
_DOCUMENT_URI = "urn:loket:openapi"
_RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

# The JSON type names, as a person reads them.
TYPE_WORDS = {
    "string": "teks",
    "integer": "bilangan bulat",
    "number": "angka",
    "boolean": "true atau false",
    "object": "objek JSON",
    "array": "daftar",
    "null": "null",
}


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The parsed openapi.json (read once per process)."""
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


def openapi_path(rule: str) -> str:
    """The OpenAPI path of a Flask URL rule: ``/api/v1/antrian/<int:counter_id>`` -> ``/antrian/{counter_id}``."""
    path = rule.removeprefix(API_PREFIX)
    return _RULE_PARAMETER.sub(lambda match: "{" + match.group(1) + "}", path)


def _pointer_part(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


@cache
def body_validator(path: str, method: str) -> tuple[Draft202012Validator, bool, bool] | None:
    """(validator, body required, operation needs a token) of an operation's JSON body, or None if it takes none."""
    operation = openapi_document()["paths"].get(path, {}).get(method)
    if not operation or "requestBody" not in operation:
        return None
    body = operation["requestBody"]
    if "application/json" not in body.get("content", {}):
        return None
    pointer = "/".join(_pointer_part(part) for part in
                       ("paths", path, method, "requestBody", "content", "application/json", "schema"))
    registry = Registry().with_resource(
        _DOCUMENT_URI, Resource.from_contents(openapi_document(), default_specification=DRAFT202012))
    validator = Draft202012Validator({"$ref": f"{_DOCUMENT_URI}#/{pointer}"}, registry=registry)
    return validator, bool(body.get("required")), bool(operation.get("security"))


def _body_schema(path: str, method: str) -> dict[str, Any]:
    """The JSON schema of an operation's body, a named schema of the components followed."""
    document = openapi_document()
    schema = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:  # "#/components/schemas/Name"
        for part in schema["$ref"].removeprefix("#/").split("/"):
            document = document[part]
        schema = document
    return schema


def _field(error: ValidationError) -> str | None:
    """The JSON path of the value at fault; for a missing property, the path of that property."""
    parts = [str(part) for part in error.absolute_path]
    if isinstance(error.schema, dict) and error.schema.get("x-field"):
        parts.append(str(error.schema["x-field"]))  # a rule across fields names the one the person should fill
    if error.validator == "required":
        missing = re.match(r"'([^']+)' is a required property", error.message)
        if missing:
            parts.append(missing.group(1))
    return ".".join(parts) or None


def _message(error: ValidationError, field: str | None) -> str:
    """The schema's own words when it has them, else a sentence built from the rule broken.

    ``x-message``: the sentence for any broken rule of that schema; ``x-message-required``, on a property:
    the sentence when it is missing; ``x-message-unknown``, on an object: the words before the unknown names.
    """
    own = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = ", ".join(sorted(set(error.instance) - set(own.get("properties", {}))))
        prefix = own.get("x-message-unknown") or (f"Isian tidak dikenal di {field}" if field else "Isian tidak dikenal")
        return f"{prefix}: {extra}."
    if error.validator != "required" and own.get("x-message"):
        return str(own["x-message"])
    if error.validator == "required":
        target = _subschema(error, field)
        if isinstance(target, dict) and target.get("x-message-required"):
            return str(target["x-message-required"])
    name = field or "Isi JSON"
    value = error.validator_value
    match error.validator:
        case "type":
            kinds = value if isinstance(value, list) else [value]
            return f"{name} harus berupa {' atau '.join(TYPE_WORDS.get(k, k) for k in kinds)}."
        case "required":
            return f"{name} wajib diisi."
        case "enum":
            return f"{name} harus salah satu dari: {', '.join(map(str, value))}."
        case "minimum":
            return f"{name} paling kecil {value}."
        case "maximum":
            return f"{name} paling besar {value}."
        case "minLength":
            return f"{name} paling sedikit {value} karakter."
        case "maxLength":
            return f"{name} paling banyak {value} karakter."
        case "pattern":
            return f"{name} tidak sesuai format yang diminta."
    return f"{name} tidak sesuai skema API."


def _subschema(error: ValidationError, field: str | None) -> Any:
    """The schema of the missing property of a ``required`` error (for its ``x-message-required``)."""
    if not field or not isinstance(error.schema, dict):
        return None
    return error.schema.get("properties", {}).get(field.rsplit(".", 1)[-1])


def _errors(validator: Draft202012Validator, body: Any) -> list[ValidationError]:
    """Every rule the body breaks, shallowest first (an anyOf error keeps its branches in ``context``: its own
    ``x-message`` says the rule, so the branches are not listed)."""
    return sorted(validator.iter_errors(body),
                  key=lambda e: (len(e.absolute_path), e.validator != "type", [str(p) for p in e.absolute_path]))


@cache
def path_validators(path: str, method: str) -> dict[str, Draft202012Validator]:
    """A validator for each path parameter of an operation that the file gives a schema."""
    operation = openapi_document()["paths"].get(path, {}).get(method) or {}
    return {parameter["name"]: Draft202012Validator(parameter["schema"])
            for parameter in operation.get("parameters", [])
            if parameter.get("in") == "path" and "schema" in parameter}


def check_request() -> tuple[Response, int] | None:
    """Check this API request against openapi.json: its path parameters, then its JSON body.

    A path parameter outside its schema (a counter id beyond the database's integer range) names no
    resource: 404, before any query is built with it.
    """
    if request.url_rule is None:
        return None
    path, method = openapi_path(request.url_rule.rule), request.method.lower()
    for name, validator in path_validators(path, method).items():
        if name in (request.view_args or {}) and not validator.is_valid(request.view_args[name]):
            abort(404)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    return check_request_body(path, method)


def check_request_body(path: str, method: str) -> tuple[Response, int] | None:
    """Validate the JSON body of an operation against openapi.json; an error answer, or None to let the view run."""
    found = body_validator(path, method)
    if found is None:
        return None
    validator, required, needs_token = found
    if needs_token and not current_user.is_authenticated:
        return None  # who is asking comes first: the view's guard answers 401
    raw = request.get_data(cache=True)
    if not raw:
        return api_error(400, "Kirim badan permintaan berupa objek JSON.") if required else None
    if not request.is_json:
        return api_error(400, "Kirim badan permintaan sebagai JSON (Content-Type: application/json).")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; RecursionError: absurd nesting
        return api_error(400, "Badan permintaan bukan JSON yang sah.")
    if not isinstance(body, dict):
        # Name what the object must hold, so a client sees which fields to send.
        message = "Badan permintaan harus berupa objek JSON."
        schema = _body_schema(path, method)
        wanted = schema.get("required") or list(schema.get("properties", {})) or ["body"]
        return api_error(422, message, fields={name: [message] for name in wanted})
    errors = _errors(validator, body)
    if not errors:
        return None
    fields: dict[str, list[str]] = {}
    for error in errors:
        field = _field(error)
        message = _message(error, field)
        if message not in fields.setdefault(field or "body", []):
            fields[field or "body"].append(message)
    first = next(iter(fields.values()))[0]
    return api_error(422, first, fields=fields)
