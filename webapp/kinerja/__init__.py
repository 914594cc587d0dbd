"""Kinerja: the office's performance on one screen (``/admin/kinerja``) and in public (``/kinerja``).

It reads the features it reports on and is read by none: queue (``antrian``), bookings (``reservasi``),
complaints (``pengaduan``), permits (``berkas``) and the survey (``survei``). One module per figure family
(``queue``, ``complaints``, ``permits``, ``ikm``) counts in SQL; ``common`` holds time, percentiles and the
"< 5" rule; ``service`` puts them together and caches the public figures; ``charts`` draws SVG geometry;
``exports`` writes the workbook. Views: ``staff`` (the dashboard, XLSX, PDF) and ``routes`` (the public page).
"""

from flask import Blueprint

bp = Blueprint("kinerja", __name__)

from webapp.kinerja import routes, staff  # noqa: E402,F401
