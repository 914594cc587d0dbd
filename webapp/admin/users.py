"""Staff accounts in the back office: list, create, change role and unit, deactivate, tokens."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from webapp.admin import bp
from webapp.admin.forms import ConfirmForm, UserForm
from webapp.auth.models import ApiToken, User
from webapp.auth.service import (
    AccountDetails,
    AccountError,
    create_account,
    issue_api_token,
    revoke_api_token,
    update_account,
)
from webapp.core.extensions import db
from webapp.core.forms import choices, flatten_errors
from webapp.core.policy import ROLES, guard, is_global, require, scoped
from webapp.core.units import Unit

ALL_UNITS = 0


def _user_or_403(user_id: int) -> User:
    user = db.session.get(User, user_id) or abort(404)
    require(current_user, "user.manage", user)
    return user


def _form(user: User | None = None) -> UserForm:
    defaults = (
        {"username": user.username, "name": user.name, "role": user.role, "unit": user.unit_id or ALL_UNITS,
         "active": user.active}
        if user
        else {"unit": current_user.unit_id or ALL_UNITS, "active": True}
    )  # fmt: skip
    form = UserForm(data=defaults)
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    if is_global(current_user):
        form.unit.choices = choices([(ALL_UNITS, "Semua instansi"), *((u.id, u.short_name) for u in units)])
    else:  # an account limited to a unit creates accounts of that unit only
        form.unit.choices = choices((u.id, u.short_name) for u in units if u.id == current_user.unit_id)
    return form


def _details(form: UserForm) -> AccountDetails:
    """What the form sets on the account."""
    return AccountDetails(name=form.name.data or "", role=form.role.data, unit_id=form.unit.data or None,
                          active=form.active.data, password=form.password.data or "")


def _show(error: AccountError, form: UserForm) -> None:
    """The refusal beside the field it names, else in the summary."""
    field = getattr(form, error.field, None) if error.field else None
    (field.errors if field is not None else form.form_errors).append(str(error))


@bp.route("/pengguna")
@guard("user.manage")
def users() -> str:
    """Every staff account this admin manages."""
    statement = scoped(current_user, select(User).options(selectinload(User.unit), selectinload(User.tokens))
                       .order_by(User.username), User.unit_id, unitless=False)
    return render_template("admin/users.html", users=db.session.scalars(statement).all(), roles=ROLES)


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@guard("user.manage")
def new_user() -> Response | str | tuple[str, int]:
    """Create a staff account."""
    form = _form()
    if form.validate_on_submit():
        try:
            user = create_account(form.username.data, _details(form), actor=current_user)
        except AccountError as error:
            _show(error, form)
        else:
            flash(f"Akun {user.username} dibuat.", "success")
            return redirect(url_for("admin.users"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/user_edit.html", form=form, user=None, errors=flatten_errors(form)), status


@bp.route("/pengguna/<int:user_id>/ubah", methods=["GET", "POST"])
@guard("user.manage")
def edit_user(user_id: int) -> Response | str | tuple[str, int]:
    """Change an account's name, role, unit, state or password; see and revoke its tokens."""
    user = _user_or_403(user_id)
    form = _form(user)
    form.username.render_kw = {**(form.username.render_kw or {}), "readonly": True}
    if form.validate_on_submit():
        form.username.data = user.username  # the name is the login: it does not change here
        try:
            update_account(user, _details(form), actor=current_user)
        except AccountError as error:
            _show(error, form)
        else:
            flash(f"Akun {user.username} disimpan.", "success")
            return redirect(url_for("admin.users"))
    status = 422 if form.is_submitted() else 200
    context = {"form": form, "user": user, "errors": flatten_errors(form), "confirm": ConfirmForm()}
    return render_template("admin/user_edit.html", **context), status


@bp.route("/pengguna/<int:user_id>/token", methods=["POST"])
@guard("user.issue_token")
def issue_token(user_id: int) -> str:
    """Issue an API token and show it once."""
    user = db.session.get(User, user_id) or abort(404)
    require(current_user, "user.issue_token", user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token, plain = issue_api_token(user, "dibuat di halaman admin", actor=current_user)
    return render_template("admin/token_issued.html", user=user, token=token, plain=plain)


@bp.route("/pengguna/<int:user_id>/token/<int:token_id>/cabut", methods=["POST"])
@guard("user.manage")
def revoke_token(user_id: int, token_id: int) -> Response:
    """Revoke one of an account's API tokens."""
    user = _user_or_403(user_id)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if revoke_api_token(token, actor=current_user):
        flash(f"Token #{token.id} dicabut.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
