"""``flask berkas pengingat``: the daily job that reminds applicants of products not collected."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app

from webapp.berkas import bp
from webapp.berkas.reminders import send_reminders
from webapp.core.db import as_utc
from webapp.outbox.service import deliver_due


@bp.cli.command("pengingat")
@click.option("--sekarang", default=None, metavar="WAKTU",
              help="Jalankan seolah-olah pada waktu ini (ISO 8601, mis. 2026-12-24T08:00+07:00); untuk uji.")
def reminders_command(sekarang: str | None) -> None:
    """Kirim pengingat dan tandai surat pemberitahuan untuk dokumen yang sebulan belum diambil."""
    now = None
    if sekarang:
        try:
            now = datetime.fromisoformat(sekarang)
        except ValueError as exc:
            raise click.BadParameter("Tulis waktu dalam bentuk ISO 8601.", param_hint="--sekarang") from exc
        now = as_utc(now)  # typed without an offset: taken as UTC
    reminded = send_reminders(now)  # one unit of work: committed when it returns
    if reminded and current_app.config["OUTBOX_SEND_AFTER_REQUEST"]:
        deliver_due()  # a batch job may wait; a background thread would die with the command
    click.echo(f"Pengingat dikirim: {len(reminded)} berkas.")
    for berkas in reminded:
        click.echo(f"  {berkas.number} ({berkas.unit.short_name}): surat pemberitahuan perlu dicetak")
