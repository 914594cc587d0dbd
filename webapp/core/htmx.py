"""One live region, one partial: the full page renders it inside, htmx asks for it alone."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request


def wants_partial(headers: object) -> bool:
    """True when htmx asks for a fragment: not when it restores a page from history (a full page)."""
    get = headers.get  # type: ignore[attr-defined]
    return get("HX-Request") == "true" and get("HX-History-Restore-Request") != "true"


def is_htmx() -> bool:
    """True when htmx made this request for a fragment."""
    return wants_partial(request.headers)


def render_partial_or_page(page: str, partial: str, status: int = 200, **context: Any) -> Response:
    """The partial for htmx, the full page otherwise; caches are told the answer varies."""
    response = Response(render_template(partial if is_htmx() else page, **context), status=status)
    response.vary.add("HX-Request")
    return response
