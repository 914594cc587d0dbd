"""``flask --app webapp demo load``."""

from __future__ import annotations

import click

from webapp.demo import bp
from webapp.demo.loader import load_demo
from webapp.standards.components import StandardError


@bp.cli.command("load")
def load_command() -> None:
    """Load or refresh the demo offices and service standards from data/."""
    try:
        report = load_demo()
    except StandardError as exc:
        raise click.ClickException(f"Data demo tidak dimuat: {exc}") from exc
    click.echo(
        f"Instansi: {len(report.units_created)} baru, {len(report.units_updated)} diperbarui. "
        f"Layanan: {len(report.services_created)} baru, {len(report.services_updated)} diperbarui, "
        f"{len(report.services_unchanged)} tetap."
    )
