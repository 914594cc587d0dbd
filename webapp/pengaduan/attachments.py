"""Complaint attachments: recognised by their first bytes, size-capped, kept outside static/.

A file is accepted as what its content is (JPEG, PNG, WebP or PDF), never as what its
name says; it is stored under a random name with the extension of its real type, and
served to staff only, as a download.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

from webapp.core.db import transactional
from webapp.pengaduan.models import Complaint, ComplaintAttachment

logger = logging.getLogger("loket.pengaduan")

TYPES: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def sniff(head: bytes) -> str | None:
    """The content type the first bytes of a file show, among the accepted ones; None otherwise."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


@dataclass
class Upload:
    """A checked file, held in memory until the complaint exists."""

    original_name: str
    content_type: str
    data: bytes


def check_upload(filename: str, data: bytes) -> Upload | str:
    """The upload when acceptable, else the reason in Indonesian."""
    limit = current_app.config["PENGADUAN_ATTACHMENT_MAX_BYTES"]
    name = Path(filename or "lampiran").name[:200]
    if not data:
        return f"{name} kosong."
    if len(data) > limit:
        return f"{name} lebih besar dari {limit // (1024 * 1024)} MB."
    content_type = sniff(data[:16])
    if content_type is None:
        return f"{name} bukan gambar JPEG, PNG, WebP atau PDF."
    if content_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except Image.DecompressionBombError:
            # A small file that would unpack to gigabytes (30000×30000 pixels): refused before it is decoded.
            return f"{name} terlalu besar sebagai gambar (terlalu banyak piksel); kirim foto berukuran biasa."
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return f"{name} rusak atau bukan gambar yang utuh."
    return Upload(original_name=name, content_type=content_type, data=data)


def upload_dir() -> Path:
    """Where attachments live (PENGADUAN_UPLOAD_DIR, by default instance/pengaduan-lampiran)."""
    configured = current_app.config.get("PENGADUAN_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "pengaduan-lampiran"


@transactional
def store(complaint: Complaint, uploads: list[Upload]) -> list[str]:
    """Write the files and add their rows, one unit of work; return the names that could not be saved.

    Runs after the complaint is committed (``intake.save_new_complaint``): a full disk or a
    missing folder loses an attachment (and says so in the history), never the complaint.
    """
    from webapp.pengaduan.service import add_event

    failed: list[str] = []
    folder = upload_dir()
    for upload in uploads:
        stored_name = f"{secrets.token_hex(16)}.{TYPES[upload.content_type]}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / stored_name).write_bytes(upload.data)
        except OSError as error:
            logger.error("attachment of %s not saved: %s", complaint.number, error)
            failed.append(upload.original_name)
            continue
        complaint.attachments.append(
            ComplaintAttachment(original_name=upload.original_name, stored_name=stored_name,
                                content_type=upload.content_type, size=len(upload.data),
                                sha256=hashlib.sha256(upload.data).hexdigest())
        )
    if failed:
        add_event(complaint, "lampiran", actor="Sistem",
                  internal_text=f"Lampiran gagal disimpan: {', '.join(failed)}. Minta pengadu mengirim ulang.")
    return failed


def path_of(attachment: ComplaintAttachment) -> Path:
    """The file of an attachment on disk."""
    return upload_dir() / attachment.stored_name
