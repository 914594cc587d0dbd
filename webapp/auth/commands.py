"""``flask --app webapp users ...``: create accounts, issue and revoke API tokens."""

from __future__ import annotations

import re

import click
from sqlalchemy import select

from webapp.auth import bp
from webapp.auth.models import ApiToken, User
from webapp.auth.service import issue_api_token, revoke_api_token, set_up_account
from webapp.core.extensions import db
from webapp.core.policy import ROLES
from webapp.core.units import Unit

MIN_PASSWORD_LENGTH = 10


def _user_or_fail(username: str) -> User:
    user = User.by_username(username)
    if user is None:
        raise click.ClickException(f"Pengguna {username!r} tidak ada.")
    return user


@bp.cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="Peran pengguna.")
@click.option("--password", help="Kata sandi; bila tidak diberikan, ditanyakan.")
@click.option("--name", default="", help="Nama lengkap untuk ditampilkan.")
@click.option("--unit", "unit_slug", help="Batasi akun ke satu instansi (slug).")
def create_user(username: str, role: str, password: str | None, name: str, unit_slug: str | None) -> None:
    """Create a staff account, or reset the password and role of an existing one.

    An existing account keeps its unit unless --unit is given, and stays inactive if it was.
    """
    if password is None:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", username):
        raise click.ClickException("Nama pengguna hanya boleh huruf, angka, titik, garis bawah dan tanda hubung.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"Kata sandi paling sedikit {MIN_PASSWORD_LENGTH} karakter.")
    unit = None
    if unit_slug:
        unit = Unit.by_slug(unit_slug)
        if unit is None:
            raise click.ClickException(f"Instansi {unit_slug!r} tidak ada.")
    # The CLI acts as no account: the audit log says "sistem".
    user, created = set_up_account(username, role=role, password=password, name=name,
                                   unit_id=unit.id if unit is not None else None, actor=None)
    click.echo(f"Pengguna {user.username} {'dibuat' if created else 'diperbarui'} dengan peran {role}.")


@bp.cli.command("token")
@click.argument("username")
@click.option("--label", default="", help="Untuk apa token ini, misalnya 'kios lobi'.")
def create_token(username: str, label: str) -> None:
    """Print a new bearer token for the JSON API (shown once; only its hash is kept)."""
    user = _user_or_fail(username)
    token, plain = issue_api_token(user, label, actor=None)
    click.echo(plain)
    click.echo(
        f"Token #{token.id} untuk {user.username}. Simpan sekarang: token tidak dapat ditampilkan lagi.", err=True
    )


@bp.cli.command("tokens")
@click.argument("username")
def list_tokens(username: str) -> None:
    """List a user's tokens (id, label, last four characters, state)."""
    user = _user_or_fail(username)
    for token in user.tokens:
        state = f"dicabut {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "aktif"
        click.echo(f"#{token.id}\t…{token.hint}\t{token.label or '-'}\t{state}")


@bp.cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke an API token by its id."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"Token #{token_id} tidak ada.")
    revoke_api_token(token, actor=None)
    click.echo(f"Token #{token_id} dicabut.")


@bp.cli.command("list")
def list_users() -> None:
    """List staff accounts."""
    for user in db.session.scalars(select(User).order_by(User.username)):
        unit = user.unit.slug if user.unit else "semua instansi"
        click.echo(f"{user.username}\t{user.role}\t{unit}\t{'aktif' if user.active else 'nonaktif'}")
