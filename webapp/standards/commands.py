"""``flask --app webapp standards import PATH... --unit UNIT_SLUG [--publish]``: files, folders and zips."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from webapp.core.units import Unit
from webapp.standards import bp
from webapp.standards.batch import BatchRefusedError, FileReport, Totals, import_one, path_sources
from webapp.standards.components import COMPONENTS_BY_CODE


def _echo_report(report: FileReport) -> None:
    """One file's part of the report: refused, or each standard with its components and warnings."""
    if report.result is None:
        click.echo(f"{report.name}: ditolak, tidak ada yang berubah: {report.refused}")
        return
    click.echo(f"{report.name}:")
    for problem in report.result.problems:
        if not any(problem in o.standard.problems for o in report.result.outcomes):
            click.echo(f"  baris {problem.line}: {problem.message}")
    for outcome in report.result.outcomes:
        standard, service = outcome.standard, outcome.service
        click.echo(f"  {service.title} [{service.slug}] ({outcome.label}; {outcome.note}; baris {standard.line})")
        if outcome.state == "unchanged":
            continue
        for code, line in standard.component_lines.items():
            click.echo(f"    ditemukan  {COMPONENTS_BY_CODE[code].label} (baris {line})")
        for code in standard.missing:
            click.echo(f"    tidak ada  {COMPONENTS_BY_CODE[code].label}")
        if standard.sop:
            click.echo(f"    SOP        {len(standard.sop['steps'])} langkah")
        for problem in standard.problems:
            click.echo(f"    baris {problem.line}: {problem.message}")


@bp.cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--unit", "unit_slug", required=True, help="Slug instansi pemilik layanan.")
@click.option("--title", default=None, help="Judul layanan, bila dokumen tidak memuatnya.")
@click.option("--publish", is_flag=True, help="Terbitkan yang lengkap 14 komponen; yang lain tetap draf.")
def import_command(paths: tuple[Path, ...], unit_slug: str, title: str | None, publish: bool) -> None:
    """Import standard documents: files, folders or .zip archives; each file on its own, all or nothing.

    Exits with status 1 when a file was refused (the others are imported all the same).
    """
    unit = Unit.by_slug(unit_slug)
    if unit is None:
        raise click.ClickException(f"Instansi {unit_slug!r} tidak ada.")
    try:
        sources = path_sources(paths)
    except BatchRefusedError as exc:
        raise click.ClickException(f"Tidak ada yang diimpor: {exc}") from exc
    reports: list[FileReport] = []
    totals = Totals()
    # The CLI acts as no account: the drafts and the audit log say "sistem".
    with click.progressbar(sources, label="Mengimpor", item_show_func=lambda s: s.name if s else None,
                           file=sys.stderr) as bar:  # fmt: skip
        for source in bar:
            report = import_one(unit, source, title=title, publish=publish, actor=None)
            reports.append(report)
            totals.add(report)
    for report in reports:
        _echo_report(report)
    click.echo(totals.summary())
    if not publish:
        click.echo("Tersimpan sebagai draf atau menunggu tinjauan; terbitkan dari halaman admin.")
    if totals.refused:
        raise SystemExit(1)
