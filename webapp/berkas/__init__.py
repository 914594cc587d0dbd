"""Berkas: permit applications traced step by step (the electronic kartu kendali), the
applicant's tracking page, notices, and the verification of issued documents.

Public URLs: /izin/lacak (lookup), /izin/lacak/<code> (tracking), /verifikasi/<code>.
Staff pages live under /admin/berkas; ``flask berkas pengingat`` runs daily from cron.
"""

from flask import Blueprint

bp = Blueprint("berkas", __name__, cli_group="berkas")

from webapp.berkas import commands, document_routes, public, routes, signing_commands, step_routes  # noqa: E402,F401
