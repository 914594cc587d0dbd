"""PDF documents from HTML templates with WeasyPrint: nothing is fetched from the network."""

from __future__ import annotations

from flask import Response
from weasyprint import HTML


def _no_fetch(url: str, *args, **kwargs):
    """Documents carry their styles inline; citizen text is escaped, but never let a URL be fetched."""
    raise ValueError(f"fetching {url[:40]} is not allowed in documents")


def pdf_bytes(html: str) -> bytes:
    """The PDF of an HTML document."""
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def render_pdf(html: str, filename: str, inline: bool = False) -> Response:
    """A PDF response, downloaded by default (the site's CSP keeps plugins, the PDF viewer among them, out)."""
    disposition = "inline" if inline else "attachment"
    response = Response(pdf_bytes(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
