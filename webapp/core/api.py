"""The one shape of a JSON API error, used by every API module and by the error handlers.

``{"error": {"status": 422, "message": "Periksa isian pengaduan.", "fields": {"phone": ["..."]}}}``

``message`` is a sentence in Indonesian for the person; ``fields`` names the fields at
fault, each with its messages (an empty object when no field is at fault). The OpenAPI
file describes it once, as ``components.schemas.Error``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Response, jsonify


def api_error(status: int, message: str, fields: Mapping[str, Iterable[str]] | None = None,
              field: str | None = None) -> tuple[Response, int]:
    """An error answer: ``field`` is a shortcut for one field whose message is ``message``."""
    named = {name: list(messages) for name, messages in (fields or {}).items()}
    if field is not None:
        named.setdefault(field, [message])
    return jsonify(error={"status": status, "message": message, "fields": named}), status
