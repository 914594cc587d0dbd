"""The staff list of berkas: every filter in SQL, no row lost past 2,000, a page with a pager,
counts and exports over every matching row."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import insert

from tests.test_berkas import applicant
from webapp.berkas.listing import EVERY, PAGE_SIZE, ListFilter, counts, filtered, page_of, rows
from webapp.berkas.models import DIKEMBALIKAN, DIPROSES, SIAP, Berkas, BerkasStep
from webapp.berkas.service import register
from webapp.core.db import utcnow
from webapp.core.extensions import db

MANY = 2500


def _bulk_berkas(service, officer, count: int, at_head_office: set[int]) -> list[int]:
    """Insert ``count`` files in process with Core bulk inserts; those numbered in ``at_head_office`` wait at
    the Kepala Dinas's step, the others at the Front Office. Returns their ids in order of registration."""
    start = utcnow() - timedelta(hours=1)
    files = [
        {"unit_id": service.unit_id, "service_id": service.id, "year": 2026, "sequence": n,
         "number": f"2026-{n:05d}", "tracking_code": f"kode-massal-{n}", "status": DIPROSES,
         "applicant_name": f"Pemohon {n}", "applicant_id_kind": "nik", "applicant_id_number": "1471015507900003",
         "applicant_phone": "6281277778899", "checklist": [], "registered_at": start + timedelta(seconds=n),
         "registered_by_id": officer.id, "current_position": 1 if n in at_head_office else 0,
         "arrived_at": start + timedelta(seconds=n)}
        for n in range(1, count + 1)
    ]  # fmt: skip
    ids = list(db.session.scalars(insert(Berkas).returning(Berkas.id, sort_by_parameter_order=True), files))
    steps = [
        {"berkas_id": berkas_id, "position": position, "name": name, "executor": executor, "role": None,
         "public_label": name, "spent_minutes": 0, "visits": 0}
        for berkas_id in ids
        for position, (name, executor) in enumerate([("Pemeriksaan", "Front Office"), ("Tanda tangan", "Kepala Dinas")])
    ]  # fmt: skip
    db.session.execute(insert(BerkasStep), steps)
    db.session.commit()
    return ids


def test_a_match_past_the_first_2000_files_is_on_the_page_and_in_both_exports(client, login, make_service,
                                                                             make_user):
    service = make_service()
    _bulk_berkas(service, make_user(role="petugas_loket"), MANY, at_head_office={MANY})
    login("admin")

    page = client.get(url_for("berkas.index", langkah="kepala")).get_data(as_text=True)
    assert "2026-02500" in page and "1 berkas." in page
    assert "2026-00001" not in page

    lines = client.get(url_for("berkas.index", langkah="KEPALA", format="csv")).get_data(as_text=True).splitlines()
    assert [row[0] for row in csv.reader(lines[1:])] == ["2026-02500"]
    sheet = load_workbook(io.BytesIO(client.get(url_for("berkas.index", langkah="kepala", format="xlsx")).data)).active
    numbers = [cell.value for cell in sheet["A"]]
    assert "2026-02500" in numbers and "2026-00001" not in numbers

    # Unfiltered, every file counts; the page says it shows a part, the download holds them all.
    everything = client.get(url_for("berkas.index")).get_data(as_text=True)
    pages = -(-MANY // PAGE_SIZE)
    assert f"2.500 berkas; ditampilkan 1–{PAGE_SIZE} (halaman 1 dari {pages})" in everything
    assert "Unduhan memuat semuanya" in everything
    assert ">Front Office: 2499<" in everything and ">Kepala Dinas: 1<" in everything
    assert url_for("berkas.index", halaman=2) in everything and "2026-02500" not in everything
    last = client.get(url_for("berkas.index", halaman=pages)).get_data(as_text=True)
    assert "2026-02500" in last and f"halaman {pages} dari {pages}" in last
    exported = client.get(url_for("berkas.index", format="csv")).get_data(as_text=True).splitlines()
    assert len(exported) == MANY + 1
    workbook = load_workbook(io.BytesIO(client.get(url_for("berkas.index", format="xlsx")).data)).active
    assert sum(1 for cell in workbook["A"] if str(cell.value or "").startswith("2026-")) == MANY


def test_every_filter_is_a_condition_of_the_query(make_service, make_unit, make_user):
    service = make_service()
    holder, admin = make_user(role="petugas_loket"), make_user(role="admin")
    waiting = register(service, applicant(), [True, True], holder)
    returned = register(service, applicant(), [True, False], holder)
    other_service = make_service(unit=service.unit, slug="lain", title="Layanan Lain")
    other = register(other_service, applicant(), [True, True], admin)
    elsewhere = register(make_service(slug="jauh"), applicant(), [True, True], holder)
    db.session.commit()

    def numbers(user=admin, **wanted) -> set[str]:
        return {row.berkas.number for row in rows(filtered(user, ListFilter(**wanted)))}

    assert numbers() == {waiting.number, other.number, elsewhere.number}  # open files: not the returned one
    assert numbers(status=DIKEMBALIKAN) == {returned.number}
    assert numbers(status=EVERY) == {waiting.number, returned.number, other.number, elsewhere.number}
    assert numbers(status=SIAP) == set()
    assert numbers(service_id=other_service.id) == {other.number}
    assert numbers(holder_id=holder.id) == {waiting.number, elsewhere.number}
    assert numbers(executor="front office") == {waiting.number, other.number, elsewhere.number}
    assert numbers(executor="Kepala", status=EVERY) == set()  # the step a file is at, not any of its steps
    assert numbers(executor="%") == set() and numbers(number="_") == set()  # typed text, not a LIKE pattern
    assert numbers(number=waiting.number) == {waiting.number}
    assert numbers(make_user(role="petugas_loket", unit=service.unit), status=EVERY) == {
        waiting.number, returned.number, other.number}  # fmt: skip


def test_counts_cover_every_row_and_pages_stay_in_range(make_service, make_user):
    service, officer = make_service(), make_user(role="petugas_loket")
    for _ in range(3):
        register(service, applicant(), [True, True], officer)
    db.session.commit()
    found = rows(filtered(make_user(role="admin"), ListFilter()))
    figures = counts(found)
    assert figures.by_step == {"Front Office": 3} and figures.by_holder == {officer.display_name: 3}
    first = page_of(found, 1, per_page=2)
    assert [r.berkas.id for r in first.items] == [r.berkas.id for r in found[:2]]
    assert (first.first, first.last, first.pages, first.has_next, first.has_prev) == (1, 2, 2, True, False)
    beyond = page_of(found, 9, per_page=2)
    assert (beyond.page, beyond.first, beyond.last, beyond.has_next) == (2, 3, 3, False)
    assert page_of([], None).first == 0 and page_of([], None).pages == 1
