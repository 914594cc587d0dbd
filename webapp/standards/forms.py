"""Forms of the public catalogue."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.validators import Length, Optional


class SearchForm(FlaskForm):
    """The catalogue search; a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Cari layanan"),
        validators=[Optional(), Length(max=100, message=_l("Kata kunci paling panjang 100 huruf."))],
        render_kw={"placeholder": _l("Contoh: genset, NIB"), "autocomplete": "off"},
    )
