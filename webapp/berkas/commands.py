"""``flask berkas pengingat``: the daily job that reminds applicants of products not collected."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app

from webapp.berkas import bp
from webapp.berkas.reminders import send_reminders
from webapp.core.cli import now_option
from webapp.outbox.service import deliver_due


@bp.cli.command("pengingat")
@now_option("2026-12-24T08:00+07:00")
def reminders_command(sekarang: datetime | None) -> None:
    """Kirim pengingat dan tandai surat pemberitahuan untuk dokumen yang sebulan belum diambil."""
    reminded = send_reminders(sekarang)  # one unit of work: committed when it returns
    if reminded and current_app.config["OUTBOX_SEND_AFTER_REQUEST"]:
        deliver_due()  # a batch job may wait; a background thread would die with the command
    click.echo(f"Pengingat dikirim: {len(reminded)} berkas.")
    for berkas in reminded:
        click.echo(f"  {berkas.number} ({berkas.unit.short_name}): surat pemberitahuan perlu dicetak")
