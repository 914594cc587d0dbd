"""The staff login form."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """User name and password; no "remember me": counter PCs are shared."""

    username = StringField(
        "Nama pengguna",
        validators=[DataRequired("Masukkan nama pengguna."), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Kata sandi",
        validators=[DataRequired("Masukkan kata sandi."), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
