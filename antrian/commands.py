"""``flask antrian hapus-kontak``: the daily job that erases the phone numbers visitors left on their tickets."""

from __future__ import annotations

from datetime import datetime

import click

from antrian import bp
from antrian.notify import erase_contacts
from webapp.core.cli import now_option


@bp.cli.command("hapus-kontak")
@now_option("2026-12-01T00:05+07:00")
def erase_contacts_command(sekarang: datetime | None) -> None:
    """Hapus nomor HP pengunjung dari tiket antrian yang harinya sudah lewat (jalankan setiap hari)."""
    erased = erase_contacts(sekarang)  # one unit of work: committed when it returns
    click.echo(f"Nomor HP dihapus dari {erased.tickets} tiket; {erased.messages} pesan antrian disamarkan.")
