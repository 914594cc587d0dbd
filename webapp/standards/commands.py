"""``flask --app webapp standards import FILE --unit UNIT_SLUG``."""

from __future__ import annotations

from pathlib import Path

import click

from webapp.core.units import Unit
from webapp.standards import bp
from webapp.standards.components import COMPONENTS_BY_CODE, StandardError
from webapp.standards.importer import ImportRefusedError, import_document, publish_imported


@bp.cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", "unit_slug", required=True, help="Slug instansi pemilik layanan.")
@click.option("--title", default=None, help="Judul layanan, bila dokumen tidak memuatnya.")
@click.option("--publish", is_flag=True, help="Langsung terbitkan hasil impor.")
def import_command(file: Path, unit_slug: str, title: str | None, publish: bool) -> None:
    """Import a published standard document; creates or updates services as drafts."""
    unit = Unit.by_slug(unit_slug)
    if unit is None:
        raise click.ClickException(f"Instansi {unit_slug!r} tidak ada.")
    try:
        # The CLI acts as no account: the drafts and the audit log say "sistem".
        result = import_document(unit, file.read_bytes(), title=title, filename=file.name, actor=None)
    except (ImportRefusedError, StandardError) as exc:
        raise click.ClickException(f"{file.name} ditolak, tidak ada yang berubah: {exc}") from exc
    if publish:
        try:
            publish_imported(result, f"Impor {file.name}", actor=None)
        except StandardError as exc:
            raise click.ClickException(
                f"{file.name} tersimpan sebagai draf, tetapi belum dapat diterbitkan: {exc}"
            ) from exc
    for standard, service in result.created + result.updated:
        state = "baru" if (standard, service) in result.created else "diperbarui"
        click.echo(f"{service.title} [{service.slug}] ({state}, baris {standard.line})")
        for code, line in standard.component_lines.items():
            click.echo(f"  ditemukan  {COMPONENTS_BY_CODE[code].label} (baris {line})")
        for code in standard.missing:
            click.echo(f"  tidak ada  {COMPONENTS_BY_CODE[code].label}")
        if standard.sop:
            click.echo(f"  SOP        {len(standard.sop['steps'])} langkah")
        for problem in standard.problems:
            click.echo(f"  baris {problem.line}: {problem.message}")
    click.echo("Diterbitkan." if publish else "Tersimpan sebagai draf; terbitkan dari halaman admin.")
