"""``flask outbox kirim``: deliver due messages once, or keep doing it (``--terus``)."""

from __future__ import annotations

import time

import click
from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.outbox import bp
from webapp.outbox.models import STATUSES, OutboxMessage
from webapp.outbox.service import deliver_due


@bp.cli.command("kirim")
@click.option("--terus", is_flag=True, help="Terus berjalan, memeriksa setiap --jeda detik.")
@click.option("--jeda", default=30, show_default=True, help="Detik antara dua putaran (dengan --terus).")
def send_command(terus: bool, jeda: int) -> None:
    """Kirim pesan outbox yang sudah waktunya (email, SMS, WhatsApp)."""
    while True:
        report = deliver_due()
        click.echo(f"terkirim {report.sent}, dicoba lagi nanti {report.retrying}, gagal {report.failed}, "
                   f"tidak dikirim (belum ada pengirim) {report.unsent}")
        if not terus:
            return
        time.sleep(jeda)


@bp.cli.command("status")
def status_command() -> None:
    """Tampilkan jumlah pesan outbox per status."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    counts = dict(rows.all())
    for status, label in STATUSES.items():
        click.echo(f"{label}: {counts.get(status, 0)}")
