"""The component matcher on labels as offices write them: variants, numbering, markup, typos, OCR slips."""

from __future__ import annotations

import pytest

from webapp.standards.components import COMPONENTS_BY_CODE
from webapp.standards.reading.labels import component_for, is_group_header

# (label as found in a published standard, component). Seen in the seeds and in standards of
# other offices (DPMPTSP, Disdukcapil, Dinas Sosial, puskesmas), plus slips of typing and OCR.
VARIANTS: list[tuple[str, str]] = [
    ("Persyaratan", "persyaratan"),
    ("Persyaratan Pelayanan", "persyaratan"),
    ("2. Persyaratan", "persyaratan"),
    ("<b>Persyaratan Administrasi</b>", "persyaratan"),
    ("Syarat-syarat", "persyaratan"),
    ("Persyaratn", "persyaratan"),
    ("Sistem, mekanisme dan prosedur", "prosedur"),
    ("Sistem, Mekanisme dan Prosedur;", "prosedur"),
    ("Prosedur Pelayanan", "prosedur"),
    ("Alur Pelayanan", "prosedur"),
    ("Mekanisme", "prosedur"),
    ("Sistem, mekanisme dan prosedr", "prosedur"),
    ("Jangka waktu penyelesaian", "jangka_waktu"),
    ("Jangka Waktu Pelayanan", "jangka_waktu"),
    ("Waktu pelayanan", "jangka_waktu"),
    ("Waktu Penyelesaian", "jangka_waktu"),
    ("Jangka waktu penyelesalan", "jangka_waktu"),
    ("Biaya/Tarif", "biaya"),
    ("Biaya tarif", "biaya"),
    ("tariff", "biaya"),
    ("5) Biaya / Tarif", "biaya"),
    ("Retribusi", "biaya"),
    ("Biava/Tarif", "biaya"),
    ("Produk pelayanan", "produk"),
    ("Produk Layanan", "produk"),
    ("Hasil Pelayanan", "produk"),
    ("Produk", "produk"),
    ("Penanganan Pengaduan, Saran dan Masukan", "pengaduan"),
    ("Penanganan pengaduan, saran, dan masukan", "pengaduan"),
    ("Pengelolaan pengaduan", "pengaduan"),
    ("Pengaduan", "pengaduan"),
    ("Penanganan Keluhan", "pengaduan"),
    ("Penanganan Pengadaun, Saran dan Masukan", "pengaduan"),
    ("Dasar Hukum", "dasar_hukum"),
    ("1. Dasar hukum", "dasar_hukum"),
    ("**Dasar Hukum**", "dasar_hukum"),
    ("Landasan Hukum", "dasar_hukum"),
    ("Dasar Hukm", "dasar_hukum"),
    ("Sarana dan Prasarana dan/atau fasilitas", "sarana"),
    ("Sarana, prasarana, dan/atau fasilitas;", "sarana"),
    ("Sarana dan Prasarana", "sarana"),
    ("Fasilitas", "sarana"),
    ("Sarpras", "sarana"),
    ("Kompetensi Pelaksana", "kompetensi"),
    ("Kompetensi pelaksana pelayanan", "kompetensi"),
    ("Kualifikasi Pelaksana", "kompetensi"),
    ("Kompetensl Pelaksana", "kompetensi"),
    ("Pengawasan Internal", "pengawasan"),
    ("Pengawas Internal", "pengawasan"),
    ("Pengawasan intern", "pengawasan"),
    ("Pengawasan lnternal", "pengawasan"),
    ("Jumlah Pelaksana", "jumlah_pelaksana"),
    ("Jumlah Petugas", "jumlah_pelaksana"),
    ("Jumlah personil", "jumlah_pelaksana"),
    ("Jumlah Pelaksanan", "jumlah_pelaksana"),
    ("Jaminan Pelayanan", "jaminan_pelayanan"),
    ("Jaminan pelayanan yang memberikan kepastian pelayanan dilaksanakan sesuai dengan standar pelayanan",
     "jaminan_pelayanan"),
    ("Maklumat Pelayanan", "jaminan_pelayanan"),
    ("Jaminan Pelayanann", "jaminan_pelayanan"),
    ("Jaminan Keamanan dan Keselamatan Pelayanan", "jaminan_keamanan"),
    ("Jaminan keamanan dan keselamatan pelayanan dalam bentuk komitmen untuk memberikan rasa aman",
     "jaminan_keamanan"),
    ("Keamanan dan Keselamatan", "jaminan_keamanan"),
    ("Jaminan Keamanan dan Keselamatn Pelayanan", "jaminan_keamanan"),
    ("Evaluasi Kinerja Pelaksana", "evaluasi"),
    ("Evaluasi kinerja pelaksanaan", "evaluasi"),
    ("Evaluasi Kinerja", "evaluasi"),
    ("Penilaian Kinerja", "evaluasi"),
    ("Evalusi Kinerja Pelaksana", "evaluasi"),
]  # fmt: skip

NOT_COMPONENTS = [
    "A. Komponen Standar Pelayanan yang terkait dengan proses penyampaian pelayanan (Service Delivery)",
    "B. Komponen Standar Pelayanan yang terkait dengan proses pengelolaan pelayanan di internal organisasi"
    " (Manufacturing)",
    "<b>JENIS PELAYANAN MANUFACTURING</b>",
    "JENIS PELAYANAN SERVICE DELIVERY",
    "Uraian",
    "Komponen",
    "KOMPONEN",
    "NO.",
    "",
    "Warna Gedung",
    "Keterangan",
    "Lampiran",
]


def test_the_table_holds_at_least_forty_variants_of_all_fourteen_components():
    assert len(VARIANTS) >= 40
    assert {code for _, code in VARIANTS} == set(COMPONENTS_BY_CODE)
    assert len({label for label, _ in VARIANTS}) == len(VARIANTS)


@pytest.mark.parametrize(("label", "code"), VARIANTS, ids=[label[:40] for label, _ in VARIANTS])
def test_a_label_variant_is_placed(label, code):
    assert component_for(label) == code


@pytest.mark.parametrize("label", NOT_COMPONENTS)
def test_group_headers_and_table_headings_are_no_component(label):
    assert component_for(label) is None


def test_group_headers_are_recognised():
    assert is_group_header(NOT_COMPONENTS[0])
    assert is_group_header(NOT_COMPONENTS[1])
    assert not is_group_header("Pengelolaan pengaduan")
    assert not is_group_header("1. STANDAR PELAYANAN SURAT KETERANGAN PINDAH KELUAR")
