"""``flask dokumen``: the electronic signature from the command line.

- ``sertifikat-uji --unit SLUG`` makes a test certificate (self-signed CA and signer), marked as a
  test in its name, and prints the settings that make the unit sign with it;
- ``tandatangani FILE.pdf --unit SLUG --out SIGNED.pdf`` signs any PDF with the unit's signer
  (letters made elsewhere too);
- ``periksa FILE.pdf`` checks a PDF as the public page does.
"""

from __future__ import annotations

import secrets
from datetime import UTC
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.berkas import bp
from webapp.berkas.pdf_check import SAH, check_upload
from webapp.core.formatting import tanggal
from webapp.core.localtime import local_today
from webapp.core.signing import (
    TEST_MARK,
    SigningError,
    Stamp,
    make_test_certificate,
    sign_for_unit,
    unit_key,
)
from webapp.core.units import Unit

dokumen = AppGroup("dokumen", help="Tanda tangan elektronik dokumen (PAdES).")
bp.record_once(lambda state: state.app.cli.add_command(dokumen))


def _unit(slug: str) -> Unit:
    unit = Unit.by_slug(slug)
    if unit is None:
        raise click.ClickException(f"Unit {slug} tidak dikenal.")
    return unit


@dokumen.command("sertifikat-uji")
@click.option("--unit", "slug", required=True, help="Slug unit, mis. dpmptsp-kampar.")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Tempat menyimpan berkas (bawaan: instance/tanda-tangan/<unit>).")
@click.option("--hari", "days", type=click.IntRange(min=-3650, max=3650), default=365,
              help="Masa berlaku dalam hari (negatif: sertifikat yang sudah kedaluwarsa, untuk uji).")
def test_certificate_command(slug: str, folder: Path | None, days: int) -> None:
    """Buat sertifikat UJI COBA (bukan sertifikat resmi) untuk pengembangan dan demo."""
    unit = _unit(slug)
    folder = folder or Path(current_app.instance_path) / "tanda-tangan" / slug
    password = secrets.token_urlsafe(18)
    if days >= 0:
        made = make_test_certificate(unit.name, folder, password, days=days)
    else:
        from datetime import datetime, timedelta

        start = datetime.now(UTC) + timedelta(days=days - 1)
        made = make_test_certificate(unit.name, folder, password, days=1, not_before=start)
    key = unit_key(slug)
    click.echo(f"Sertifikat {TEST_MARK} dibuat untuk {unit.name}.")
    click.echo(f"  {made.p12_path}")
    click.echo(f"  {made.root_path} (akar, untuk daftar kepercayaan)")
    click.echo("Pasang dengan variabel lingkungan berikut (kata sandi tidak disimpan di tempat lain):")
    click.echo(f"  SIGNING_P12_{key}={made.p12_path}")
    click.echo(f"  SIGNING_P12_PASSWORD_{key}={password}")
    click.echo(f"  SIGNING_TRUST_{key}={made.root_path}")


@dokumen.command("tandatangani")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", "slug", required=True, help="Slug unit yang menandatangani.")
@click.option("--out", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas PDF hasil.")
@click.option("--nama", default="", help="Nama penanda tangan (bawaan: nama unit).")
@click.option("--nip", default="", help="NIP penanda tangan.")
@click.option("--alasan", default="Dokumen resmi instansi", help="Alasan penandatanganan.")
def sign_command(source: Path, slug: str, target: Path, nama: str, nip: str, alasan: str) -> None:
    """Tandatangani sebuah PDF dengan penanda tangan unit."""
    unit = _unit(slug)
    data = source.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise click.ClickException(f"{source} bukan PDF.")
    stamp = Stamp(signatory=nama or unit.name, nip=nip, date_text=tanggal(local_today(unit)), reason=alasan,
                  location=unit.city or "")
    try:
        signed, done = sign_for_unit(data, unit, stamp)
    except SigningError as exc:
        raise click.ClickException(str(exc)) from exc
    if not done:
        raise click.ClickException(f"Unit {slug} belum memiliki sertifikat tanda tangan elektronik "
                                   f"(SIGNING_P12_{unit_key(slug)} atau SIGNING_SERVICE_URL_{unit_key(slug)}).")
    target.write_bytes(signed)
    click.echo(f"Ditandatangani: {target}")


@dokumen.command("periksa")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(source: Path) -> None:
    """Periksa tanda tangan elektronik sebuah PDF, seperti halaman verifikasi."""
    result = check_upload(source.read_bytes())
    click.echo(result.headline)
    for finding in result.findings:
        click.echo(f"  [{'v' if finding.ok else 'x'}] {finding.topic}: {finding.text}")
    if result.outcome != SAH:
        raise SystemExit(1)
