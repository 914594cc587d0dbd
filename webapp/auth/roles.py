"""Staff roles and the decorator that guards staff pages by role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

ADMIN = "admin"
PETUGAS_LOKET = "petugas_loket"
TIM_PENGADUAN = "tim_pengaduan"
SEKRETARIS = "sekretaris"
KEPALA_DINAS = "kepala_dinas"

ROLES: dict[str, str] = {
    ADMIN: "Admin",
    PETUGAS_LOKET: "Petugas loket",
    TIM_PENGADUAN: "Tim pengaduan",
    SEKRETARIS: "Sekretaris",
    KEPALA_DINAS: "Kepala dinas",
}
STAFF = tuple(ROLES)


def role_required(*roles: str) -> Callable:
    """Let in a logged-in user holding one of ``roles``; others get the login page or 403.

    The roles a view admits are kept on it (``view.allowed_roles``) so that the access
    matrix can be listed and tested.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {unknown}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator
