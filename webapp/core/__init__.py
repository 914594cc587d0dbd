"""The core every feature stands on; it imports no feature.

- ``extensions``: the unbound Flask extensions (``db``, ``limiter``, ``socketio`` ...).
- ``db``: ``utcnow``, ``UtcDateTime``, ``JsonType``, ``begin_write`` and ``next_value`` (the one atomic counter).
- ``units``: ``Unit``, the office every feature's rows belong to.
- ``localtime``: the one local-time API (a unit's own time zone, else the ``TIMEZONE`` setting).
- ``policy``: who may do what, and within which unit (roles, guards, query scoping).
- ``forms``: form helpers and validators; ``phone``: the one phone-number normaliser.
- ``pdf``, ``tables``, ``qr``, ``api``: the one PDF renderer, XLSX/CSV writer, QR response and API error shape.
- ``formatting``, ``htmx``, ``page_cache``: presentation shared by every template and view.

See docs/architecture.md for the layers and the rules this package keeps.
"""
