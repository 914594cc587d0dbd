"""QR codes that point at public pages, generated once per URL and kept in memory.

A QR image depends only on the URL it encodes, so its ETag is derived from the URL
and a 304 can be answered without drawing anything.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from flask import Response
from qrcode.constants import ERROR_CORRECT_M

# Bump when the drawing changes (size, border, colours), so caches refetch.
_DRAWING_VERSION = "1"


def qr_etag(url: str, fmt: str) -> str:
    """The ETag of the QR image of ``url`` in ``fmt`` ("svg" or "png")."""
    return hashlib.sha256(f"{_DRAWING_VERSION}|{fmt}|{url}".encode()).hexdigest()[:32]


def _make(url: str, **kwargs: object) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, **kwargs)  # type: ignore[arg-type]
    code.add_data(url)
    code.make(fit=True)
    return code


@lru_cache(maxsize=2048)
def qr_svg(url: str) -> bytes:
    """An SVG QR code of ``url``: one path, scales to any print size."""
    image = _make(url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10).make_image()
    return image.to_string(encoding="unicode").encode()


@lru_cache(maxsize=2048)
def qr_png(url: str) -> bytes:
    """A PNG QR code of ``url``, large enough to print on a counter sign."""
    image = _make(url, box_size=10).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def private_qr_response(url: str, max_age: int = 86400) -> Response:
    """The SVG QR of a private URL (a ticket, a tracking page, a one-time link).

    Kept by the visitor's browser only (``private``), never by a shared cache, and
    revalidated with its ETag.
    """
    response = Response(qr_svg(url), mimetype="image/svg+xml")
    response.set_etag(qr_etag(url, "svg"))
    response.cache_control.private = True
    response.cache_control.max_age = max_age
    return response
