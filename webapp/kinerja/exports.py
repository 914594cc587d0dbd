"""The dashboard as a workbook: one sheet per chart, the figures the charts draw (through webapp.core.tables)."""

from __future__ import annotations

from openpyxl import Workbook

from webapp.core.tables import append_table, workbook_bytes
from webapp.kinerja.queue import WEEKDAYS
from webapp.kinerja.service import Dashboard, Today


def _r(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(float(value), places)


def to_xlsx(board: Dashboard, live: Today | None, title: str) -> bytes:
    """Every table of the dashboard, one sheet each; figures stay numbers so a spreadsheet can add them up."""
    book = Workbook()
    current, previous = board.current, board.previous
    summary = book.active
    summary.title = "Ringkasan"

    def both(getter) -> list:
        return [getter(current), getter(previous) if previous else None]

    append_table(summary, ["Ukuran", current.period.label, previous.period.label if previous else "-"], [
        ["Tiket antrian", *both(lambda f: f.queue.tickets)],
        ["Dilayani", *both(lambda f: f.queue.served)],
        ["Tidak hadir", *both(lambda f: f.queue.no_show)],
        ["Tunggu rata-rata (menit)", *both(lambda f: _r(f.queue.mean))],
        ["Tunggu P50 (menit)", *both(lambda f: _r(f.queue.p50))],
        ["Tunggu P90 (menit)", *both(lambda f: _r(f.queue.p90))],
        ["Pengaduan diterima", *both(lambda f: f.complaints.received)],
        ["Pengaduan selesai ≤ 14 hari kerja (%)", *both(lambda f: _r(_pct(f.complaints.on_time_share)))],
        ["Median hari kerja penyelesaian", *both(lambda f: f.complaints.median_days)],
        ["Berkas selesai", *both(lambda f: f.permits.completed)],
        ["Berkas selesai dalam waktu standar (%)", *both(lambda f: _r(_pct(f.permits.on_time_share)))],
        ["IKM", _r(board.ikm.result.ikm_shown, 2), _r(board.ikm.before.ikm_shown, 2) if board.ikm.before else None],
        ["Responden", board.ikm.result.respondents, board.ikm.before.respondents if board.ikm.before else None],
        ["Sampel minimum", board.ikm.result.sample, None],
    ], title=title)
    summary.column_dimensions["A"].width = 42
    if live is not None:
        sheet = book.create_sheet("Hari ini")
        append_table(sheet, ["Antrian", "Diambil", "Menunggu", "Dilayani", "Tidak hadir", "P50 (menit)",
                             "P90 (menit)"],
                     [[f"{x.code} {x.name}", x.issued, x.waiting, x.served, x.no_show, _r(x.p50), _r(x.p90)]
                      for x in live.queue.lines], title=f"Hari ini, {live.queue.day.isoformat()}")
        append_table(sheet, ["Reservasi hari ini", "Sudah hadir"], [[live.bookings.booked, live.bookings.checked_in]])
    sheet = book.create_sheet("Harian")
    append_table(sheet, ["Tanggal", "Tiket", "P90 tunggu (menit)"],
                 [[p.day.isoformat(), p.tickets, _r(p.p90)] for p in current.queue.series])
    sheet = book.create_sheet("Jam dan hari")
    append_table(sheet, ["Hari", "Jam", "Tiket", "Tunggu rata-rata (menit)"],
                 [[WEEKDAYS[d - 1], h, n, _r(m)] for (d, h), (n, m) in sorted(current.queue.heatmap.items())])
    sheet = book.create_sheet("Antrian per layanan")
    append_table(sheet, ["Kode", "Layanan antrian", "Dipanggil", "Tunggu rata-rata (menit)"],
                 [[x.code, x.name, x.called, _r(x.mean)] for x in current.queue.lines])
    sheet = book.create_sheet("Pengaduan")
    rows = [["Saluran", label, n] for label, n in current.complaints.by_channel]
    rows += [["Bobot", label, n] for label, n in current.complaints.by_weight]
    rows += [["Status", label, n] for label, n in current.complaints.by_status]
    append_table(sheet, ["Menurut", "Kelompok", "Jumlah"], rows)
    sheet = book.create_sheet("Berkas")
    append_table(sheet, ["Layanan", "Selesai", "Dengan waktu standar", "Tepat waktu", "Tepat waktu (%)"],
                 [[s.service, s.completed, s.with_standard, s.on_time, _r(_pct(s.on_time_share))]
                  for s in current.permits.services])
    sheet = book.create_sheet("Langkah terlambat")
    append_table(sheet, ["Layanan", "Langkah", "Berkas", "Rata-rata (menit kerja)", "Mutu baku (menit kerja)",
                         "Melebihi mutu baku"],
                 [[s.service, s.step, s.files, _r(s.mean_minutes), s.standard_minutes, s.late]
                  for s in current.permits.slowest])
    sheet = book.create_sheet("IKM")
    append_table(sheet, ["Unsur", "Nama", "NRR", "NRR periode lalu"],
                 [[e.code, e.name, _r(e.nrr, 4), _r(e.before, 4)] for e in board.ikm.elements])
    return workbook_bytes(book)


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100
