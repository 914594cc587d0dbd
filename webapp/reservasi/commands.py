"""The daily and periodic jobs of reservasi (cron lines in the README, "Reservasi untuk kantor"):
``flask reservasi ingatkan`` (every 10 minutes), ``flask reservasi tidak-datang`` and ``flask reservasi hapus-data``
(every night)."""

from __future__ import annotations

from datetime import datetime

import click

from webapp.core.cli import now_option
from webapp.reservasi import bp
from webapp.reservasi.service import erase_personal_data, mark_no_shows, send_reminders


@bp.cli.command("ingatkan")
@now_option("2026-12-01T15:00+07:00")
def remind_command(sekarang: datetime | None) -> None:
    """Kirim pengingat reservasi yang sudah waktunya: sore sehari sebelumnya dan satu jam sebelum slot."""
    queued = send_reminders(sekarang)  # one unit of work: committed when it returns
    click.echo(f"{queued} pengingat reservasi masuk outbox.")


@bp.cli.command("tidak-datang")
@now_option("2026-12-02T00:05+07:00")
def no_show_command(sekarang: datetime | None) -> None:
    """Tandai reservasi yang harinya sudah lewat tanpa check-in sebagai "tidak datang" (setiap malam)."""
    click.echo(f"{mark_no_shows(sekarang)} reservasi ditandai tidak datang.")


@bp.cli.command("hapus-data")
@now_option("2026-12-02T00:10+07:00")
@click.option("--hari", type=click.IntRange(1, 3650), default=None,
              help="Hapus data pribadi reservasi setelah sekian hari (bawaan: RESERVASI_ERASE_DAYS, 90).")
def erase_command(sekarang: datetime | None, hari: int | None) -> None:
    """Hapus nama, nomor HP, email dan NIK reservasi 90 hari setelah harinya (UU 27/2022); jumlahnya tetap."""
    click.echo(f"Data pribadi dihapus dari {erase_personal_data(sekarang, hari)} reservasi.")
