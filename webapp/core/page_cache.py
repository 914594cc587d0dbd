"""A short-lived in-process cache of public pages, for visitors who are not logged in.

A lobby full of phones opening the same standard should not render it thousands of
times. Views marked with ``cached_page`` are stored whole (security headers included,
and a gzip copy made once) by a WSGI middleware that answers the next anonymous visitors
before Flask runs at all, for PAGE_CACHE_SECONDS. A change to a standard or unit
committed in this process clears the cache at once; other processes catch up within the
TTL. Browsers revalidate with the ETag and get a 304. Visitors with a session cookie
(staff) always get a fresh page.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import parse_qs

from flask import current_app, make_response
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import EnvironHeaders
from werkzeug.http import parse_cookie

from webapp.core.htmx import wants_partial
from webapp.core.i18n import COOKIE, QUERY, choose_locale, known

COMPRESSIBLE = ("text/", "application/json", "image/svg+xml", "application/javascript")
MIN_GZIP_BYTES = 1024
MAX_ENTRIES = 2048


@dataclass(frozen=True)
class _Entry:
    expires: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes | None
    etag: str


class PageCache:
    """Rendered responses by URL, least recently used evicted first; safe across threads."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: tuple) -> _Entry | None:
        """The live entry for ``key``, if any."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: _Entry) -> None:
        """Keep ``entry``, evicting the least recently used beyond the limit."""
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (after a change to what the public sees)."""
        with self._lock:
            self._entries.clear()


page_cache = PageCache()


CACHE_MARK = "X-Loket-Cache-Ttl"
_NEVER_STORED = {"content-length", "set-cookie", CACHE_MARK.lower()}


def cached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a public GET view's successful answers as cacheable for PAGE_CACHE_SECONDS.

    The view runs as usual; ``PageCacheMiddleware`` stores what it answers to visitors
    without a session cookie, and answers the next ones itself, before Flask.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = make_response(view(*args, **kwargs))
        ttl = current_app.config["PAGE_CACHE_SECONDS"]
        if ttl > 0 and response.status_code == 200 and not response.is_streamed:
            response.headers[CACHE_MARK] = str(ttl)
            response.vary.add("Cookie")  # staff, who carry a session cookie, get a fresh page
            if "Cache-Control" not in response.headers:
                response.headers["Cache-Control"] = "no-cache"  # revalidate with the ETag: a 304 costs nothing
        return response

    return wrapper


def _language(environ: dict) -> str:
    """The language the page would be rendered in, chosen by the one rule of ``webapp.core.i18n``."""
    query = parse_qs(environ.get("QUERY_STRING", "")).get(QUERY, [None])[0]
    cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE)
    return choose_locale(query, cookie, environ.get("HTTP_ACCEPT_LANGUAGE"))


def _changes_language(environ: dict) -> bool:
    """Whether ``?lang=`` names a language other than the ``bahasa`` cookie's: the answer must set the cookie.

    Such an answer carries Set-Cookie, which the cache never stores; a visitor whose cookie already
    matches would otherwise fill the entry, and the next visitor clicking the switch would get the
    page without the cookie, so their next page falls back to the old language.
    """
    chosen = known(parse_qs(environ.get("QUERY_STRING", "")).get(QUERY, [None])[0])
    return chosen is not None and parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE) != chosen


class PageCacheMiddleware:
    """WSGI middleware that answers repeated anonymous GETs of marked pages from ``page_cache``."""

    def __init__(self, wsgi_app: Callable, session_cookie: str) -> None:
        self.wsgi_app = wsgi_app
        self.session_cookie = re.compile(rf"(?:^|;)\s*{re.escape(session_cookie)}=")

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or "HTTP_AUTHORIZATION" in environ
            or self._has_session(environ)
            or _changes_language(environ)  # Flask must answer, with the Set-Cookie that remembers the choice
        ):
            return self._strip_mark(environ, start_response)
        key = (
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
            environ.get("PATH_INFO"),
            environ.get("QUERY_STRING"),
            wants_partial(EnvironHeaders(environ)),  # the same test the view makes
            _language(environ),  # the same choice the view makes (webapp.core.i18n)
        )
        entry = page_cache.get(key)
        if entry is None:
            return self._fill(key, environ, start_response)
        return self._answer(entry, environ, start_response)

    def _has_session(self, environ: dict) -> bool:
        cookies = environ.get("HTTP_COOKIE")
        return bool(cookies) and self.session_cookie.search(cookies) is not None

    def _strip_mark(self, environ: dict, start_response: Callable) -> Any:
        def strip(status: str, headers: list, exc_info: Any = None) -> Any:
            return start_response(status, [(k, v) for k, v in headers if k != CACHE_MARK], exc_info)

        return self.wsgi_app(environ, strip)

    def _fill(self, key: tuple, environ: dict, start_response: Callable) -> Any:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Any:
            names = {k.lower() for k, _ in headers}
            if status.startswith("200") and CACHE_MARK.lower() in names and "set-cookie" not in names:
                captured["status"], captured["headers"] = status, headers
                return lambda data: None  # marked views return their body; nothing writes
            # Anything else (static files, errors, unmarked pages) streams through untouched.
            return start_response(status, [(k, v) for k, v in headers if k != CACHE_MARK], exc_info)

        result = self.wsgi_app(environ, capture)
        if not captured:
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = captured["headers"]
        names = {k.lower(): v for k, v in headers}
        gzipped = None
        if len(body) >= MIN_GZIP_BYTES and names.get("content-type", "").startswith(COMPRESSIBLE):
            gzipped = gzip.compress(body, compresslevel=6, mtime=0)
        etag = names.get("etag") or '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        kept = tuple((k, v) for k, v in headers if k.lower() not in _NEVER_STORED | {"etag"})
        entry = _Entry(time.monotonic() + int(names[CACHE_MARK.lower()]), 200, kept, body, gzipped, etag)
        page_cache.put(key, entry)
        return self._answer(entry, environ, start_response)

    @staticmethod
    def _answer(entry: _Entry, environ: dict, start_response: Callable) -> list[bytes]:
        vary = ["Accept-Encoding"] if entry.gzipped is not None else []
        if entry.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            headers = [(k, v) for k, v in entry.headers if k.lower() in ("cache-control", "vary")]
            start_response("304 Not Modified", [*headers, ("ETag", entry.etag)])
            return []
        wants_gzip = entry.gzipped is not None and "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
        body = entry.gzipped if wants_gzip else entry.body
        headers = [(k, v) for k, v in entry.headers if k.lower() != "vary"]
        vary_values = [v for k, v in entry.headers if k.lower() == "vary"] + vary
        if vary_values:
            headers.append(("Vary", ", ".join(vary_values)))
        headers += [("ETag", entry.etag), ("Content-Length", str(len(body)))]
        if wants_gzip:
            headers.append(("Content-Encoding", "gzip"))
        start_response("200 OK", headers)
        return [body]


# What the public sees is cleared from the cache when a change to it is committed here
# (a draft is a service_version and is not public: publishing it changes the service row;
# a survey response or follow-up plan changes /ikm and the home page's IKM badge; a line's booking
# set-up shows or hides the "Reservasi" links of the menu and the service pages).
_PUBLIC_TABLES = {"service", "unit", "survey_response", "survey_follow_up", "booking_setup"}


@event.listens_for(Session, "after_flush")
def _note_public_change(db_session: Session, flush_context: Any) -> None:
    for obj in (*db_session.new, *db_session.dirty, *db_session.deleted):
        if getattr(obj, "__tablename__", None) in _PUBLIC_TABLES:
            db_session.info["public_changed"] = True
            return


@event.listens_for(Session, "after_commit")
def _clear_after_public_change(db_session: Session) -> None:
    if db_session.info.pop("public_changed", False):
        page_cache.clear()
