"""What the feature commands share: the ``--sekarang`` option that runs a daily job as if at another moment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from webapp.core.db import as_utc


class Moment(click.ParamType):
    """An ISO 8601 moment typed on the command line, as an aware UTC datetime (no offset: taken as UTC)."""

    name = "waktu"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        """Read ``value``; a clear message in Indonesian when it is not ISO 8601."""
        if isinstance(value, datetime):
            return as_utc(value)
        try:
            return as_utc(datetime.fromisoformat(value))
        except (TypeError, ValueError):
            self.fail("Tulis waktu dalam bentuk ISO 8601.", param, ctx)


def now_option(example: str) -> Callable:
    """``--sekarang WAKTU``: run the job as if at that moment (tests, catching up); ``example`` shows the form."""
    return click.option("--sekarang", type=Moment(), default=None, metavar="WAKTU",
                        help=f"Jalankan seolah-olah pada waktu ini (ISO 8601, mis. {example}); untuk uji.")
