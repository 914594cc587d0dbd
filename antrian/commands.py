"""``flask antrian hapus-kontak``: the daily job that erases the phone numbers visitors left on their tickets."""

from __future__ import annotations

from datetime import datetime

import click

from antrian import bp
from antrian.notify import erase_contacts
from webapp.core.db import as_utc


@bp.cli.command("hapus-kontak")
@click.option("--sekarang", default=None, metavar="WAKTU",
              help="Jalankan seolah-olah pada waktu ini (ISO 8601, mis. 2026-12-01T00:05+07:00); untuk uji.")
def erase_contacts_command(sekarang: str | None) -> None:
    """Hapus nomor HP pengunjung dari tiket antrian yang harinya sudah lewat (jalankan setiap hari)."""
    now = None
    if sekarang:
        try:
            now = datetime.fromisoformat(sekarang)
        except ValueError as exc:
            raise click.BadParameter("Tulis waktu dalam bentuk ISO 8601.", param_hint="--sekarang") from exc
        now = as_utc(now)  # typed without an offset: taken as UTC
    erased = erase_contacts(now)  # one unit of work: committed when it returns
    click.echo(f"Nomor HP dihapus dari {erased.tickets} tiket; {erased.messages} pesan antrian disamarkan.")
