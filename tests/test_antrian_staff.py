"""Queue setup by the admin, and the statistics with their CSV and XLSX exports."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import select

from antrian.issuing import issue_ticket
from antrian.models import Counter, QueueService
from antrian.service import call_next, finish, skip
from antrian.stats import percentile
from tests.conftest import csrf_from
from tests.test_antrian_rules import MONDAY_9
from webapp.core.extensions import db
from webapp.core.formatting import tanggal_singkat
from webapp.core.localtime import local_today


def _setup_data(token: str, **extra: str) -> dict:
    data = {
        "csrf_token": token,
        "services-0-code": "A", "services-0-name": "Pendaftaran", "services-0-opens_at": "08:00",
        "services-0-closes_at": "15:00", "services-0-active": "y",
        "services-1-code": "C", "services-1-name": "Konsultasi", "services-1-opens_at": "08:00",
        "services-1-closes_at": "12:00", "services-1-daily_cap": "40", "services-1-active": "y",
        "counters-0-number": "1", "counters-0-name": "Loket 1", "counters-0-services": "A, C", "counters-0-active": "y",
        "running_text": "Hari ini layanan buka sampai pukul 15.00.",
    }  # fmt: skip
    data.update(extra)
    return data


def test_admin_sets_up_services_counters_and_running_text(client, login, make_queue):
    q = make_queue()
    issue_ticket(q["B"])  # B has a ticket: removed from the form, it is deactivated, not deleted
    login("admin")
    url = url_for("antrian.setup", slug=q["unit"].slug)
    response = client.post(url, data=_setup_data(csrf_from(client, url)))
    assert response.status_code == 302
    services = {s.code: s for s in db.session.scalars(select(QueueService).where(QueueService.unit_id == q["unit"].id))}
    assert set(services) == {"A", "B", "C"}
    assert services["B"].active is False
    assert services["C"].daily_cap == 40
    counters = db.session.scalars(select(Counter).where(Counter.unit_id == q["unit"].id)).all()
    assert [(c.number, [s.code for s in c.queue_services]) for c in counters] == [(1, ["A", "C"])]
    display = client.get(url_for("antrian.display", instansi=q["unit"].slug)).get_data(as_text=True)
    assert "Hari ini layanan buka sampai pukul 15.00." in display


def test_setup_errors_keep_what_was_typed(client, login, make_queue):
    q = make_queue()
    login("admin")
    url = url_for("antrian.setup", slug=q["unit"].slug)
    response = client.post(
        url, data=_setup_data(csrf_from(client, url), **{"counters-0-services": "A, Z", "services-1-code": "a"})
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Huruf tidak dikenal: Z" in html
    assert "Satu huruf besar" in html
    assert 'value="Konsultasi"' in html


def test_percentile_nearest_rank():
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([float(i) for i in range(1, 11)], 0.9) == 9.0
    assert percentile([float(i) for i in range(1, 21)], 0.9) == 18.0


def test_statistics_figures_and_exports(client, login, make_queue):
    q = make_queue()
    t = MONDAY_9
    issued = [issue_ticket(q["A"], now=t + timedelta(minutes=i)) for i in range(3)]
    first = call_next(q["loket1"], now=t + timedelta(minutes=10))  # waited 10 minutes
    finish(q["loket1"], first.id, now=t + timedelta(minutes=16))  # served 6 minutes
    second = call_next(q["loket1"], now=t + timedelta(minutes=21))  # waited 20 minutes
    skip(q["loket1"], second.id)
    login("kepala_dinas")
    day = local_today(q["unit"], t).isoformat()
    url = url_for("antrian.statistics", slug=q["unit"].slug, dari=day, sampai=day)
    html = client.get(url).get_data(as_text=True)
    assert "15,0 menit" in html  # mean wait (10 + 20) / 2, written the Indonesian way
    assert "6,0 menit" in html
    label = f"{tanggal_singkat(local_today(q['unit'], t))} · A Pendaftaran"
    assert label in html and "s.d." in html and "15.0" not in html
    csv_text = client.get(
        url_for("antrian.statistics", slug=q["unit"].slug, dari=day, sampai=day, format="csv")
    ).get_data(as_text=True)
    assert f"{label},3,1,1,15.0,20.0,6.0,6.0,0" in csv_text  # figures stay numbers; the label is text
    assert "Loket 1,2,1,1,15.0,20.0,6.0,6.0,0" in csv_text
    xlsx = client.get(url_for("antrian.statistics", slug=q["unit"].slug, dari=day, sampai=day, format="xlsx"))
    book = load_workbook(io.BytesIO(xlsx.data))
    rows = list(book["Per hari dan layanan"].iter_rows(min_row=3, values_only=True))
    assert rows == [(label, 3, 1, 1, 15.0, 20.0, 6.0, 6.0, 0)]
    assert issued
