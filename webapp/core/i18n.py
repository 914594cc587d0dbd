"""The visitor's language: Indonesian (the default and the language of record) or English.

One rule picks the language of a request (``choose_locale``): ``?lang=`` first (and it is
remembered in the ``bahasa`` cookie), then that cookie, then the browser's Accept-Language;
Indonesian when none of them names a language we have. The page cache asks the same
function, so a cached page is never answered in the other language.

Only the public side is translated. Staff pages (every view with a policy guard), the lobby
TV and printed official documents (views marked ``@indonesian_only``) stay Indonesian
whatever the visitor chose. The URLs printed on posters and tickets carry no language, so a
QR code opens the page in the language of the phone that scans it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Flask, Response, current_app, request
from flask_babel import Babel, get_locale, gettext, refresh

LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
COOKIE = "bahasa"
QUERY = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# The back office (docs/architecture.md): its pages stay Indonesian.
STAFF_PATH = "/admin/"

_ACCEPT_ITEM = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")

View = TypeVar("View", bound=Callable[..., Any])


def N_(message: str) -> str:  # noqa: N802 (the gettext convention, which pybabel and readers know)
    """Mark a constant for translation without translating it (pybabel extracts it; ``_()`` shows it)."""
    return message


class TranslatableError(ValueError):
    """A domain error a visitor may read: Indonesian in ``str()``, translatable on a public page.

    The message is a msgid (marked with ``N_``) with named values (``%(cap)d``) kept apart, so the
    number is put in after translation: ``str(exc)`` stays Indonesian (staff pages, the API, logs),
    and ``exc.translated()`` answers in the request's language.
    """

    def __init__(self, message: str, /, **values: Any) -> None:
        self.msgid = message
        self.values = values
        super().__init__(message % values if values else message)

    def translated(self) -> str:
        """The message in the request's language; a message that is not a msgid is shown as it is."""
        text = gettext(self.msgid)
        return text % self.values if self.values else text


def known(code: str | None) -> str | None:
    """``code`` when it names a language we have ("EN" and "en-GB" read as "en"), else None."""
    if not code:
        return None
    code = code.strip().lower().split("-")[0].split("_")[0]
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first language of ours in an Accept-Language header, by its weight (q), else None."""
    best: tuple[float, int, str] | None = None
    for position, item in enumerate((header or "").split(",")[:20]):
        match = _ACCEPT_ITEM.match(item)
        if not match:
            continue
        code = known(match.group(1))
        try:
            weight = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if code and weight > 0 and (best is None or (weight, -position) > (best[0], best[1])):
            best = (weight, -position, code)
    return best[2] if best else None


def choose_locale(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language of a request: ``?lang=``, else the cookie, else Accept-Language, else Indonesian."""
    return known(query) or known(cookie) or from_accept_language(accept_language) or DEFAULT_LANGUAGE


def indonesian_only(view: View) -> View:
    """Mark a view whose page stays Indonesian for everyone (the lobby TV, printed documents)."""
    view.indonesian_only = True  # type: ignore[attr-defined]
    return view


def _view_is_indonesian_only() -> bool:
    """Staff pages (under /admin/, or a policy guard on the view) and views marked ``indonesian_only``."""
    if request.path.startswith(STAFF_PATH):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return view is not None and (getattr(view, "indonesian_only", False) or hasattr(view, "policy_action"))


def visitor_locale() -> str:
    """The language the visitor chose, whatever page this is (to remember it on a complaint or ticket)."""
    return choose_locale(request.args.get(QUERY), request.cookies.get(COOKIE), request.headers.get("Accept-Language"))


def select_locale() -> str:
    """Flask-Babel's locale selector: the visitor's language on public pages, Indonesian elsewhere."""
    if not request:
        return DEFAULT_LANGUAGE
    if _view_is_indonesian_only():
        return DEFAULT_LANGUAGE
    return visitor_locale()


def current_language() -> str:
    """The language this page is rendered in ("id" or "en")."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def is_english() -> bool:
    """Whether this page is rendered in English."""
    return current_language() == "en"


def switch_url(code: str) -> str:
    """This page's URL with ``?lang=code`` (the other query values kept), for the ID / EN switch."""
    values = [(k, v) for k, v in request.args.items(multi=True) if k != QUERY]
    values.append((QUERY, code))
    return f"{request.path}?{urlencode(values)}"


def _remember_choice(response: Response) -> Response:
    """Keep a ``?lang=`` choice in a cookie, and tell caches that the language follows the browser."""
    chosen = known(request.args.get(QUERY))
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE") or False,
            httponly=True,
        )
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
    return response


def init_i18n(app: Flask, translations: str) -> None:
    """Flask-Babel with our selector, the ``_``/``ngettext`` template callables, and the cookie hook."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translations
    Babel(app, locale_selector=select_locale)
    # Flask-Babel keeps the locale on the app context; a test (or a job) that holds one app context
    # across requests would otherwise keep the first request's language.
    app.before_request(refresh)
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(
        current_language=current_language,
        language_switch_url=switch_url,
        public_page=lambda: bool(request) and not _view_is_indonesian_only(),
        LANGUAGES=LANGUAGES,
    )
