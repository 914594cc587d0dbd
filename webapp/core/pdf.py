"""The one PDF renderer: WeasyPrint draws HTML templates, and never fetches a URL.

Documents carry their styles inline and their pictures (QR codes, a logo) as ``data:``
URLs; anything else a template or citizen text might name (http, file) is refused, so a
PDF can neither leak a request to the network nor read a file of the server.

Every PDF is answered the same way: ``private, no-store`` (minutes, reports and issued
documents are not for shared caches) and downloaded as an attachment by default. The site's
CSP keeps plugins out (``object-src 'none'``) and Chromium's PDF viewer is one, so a PDF
shown "inline" may open as an empty page; a download opens in the device's own viewer.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Response
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

PAPER_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "paper.css"


@cache
def _paper_css_text() -> str:
    return PAPER_CSS.read_text(encoding="utf-8")


def paper_css() -> Markup:
    """The paper layout's stylesheet (static/css/paper.css), to inline in a WeasyPrint document.

    WeasyPrint fetches nothing, so the documents carry the same file Chromium's printable pages link.
    """
    return Markup(_paper_css_text())  # noqa: S704 - our own static file, not user input


def pdf_bytes(html: str) -> bytes:
    """The PDF of an HTML document; only ``data:`` URLs are read."""
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF download, kept by no cache."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def render_pdf(html: str, filename: str) -> Response:
    """The PDF of an HTML document as a download."""
    return pdf_response(pdf_bytes(html), filename)
