"""Standard documents made up for the import tests and the import benchmark, in the seeds' text layouts.

Each layout is one an office could send: the seeds' own (numbers with dots, HTML lists in the
cells), one with bold headers and bare numbers, one file holding two standards, and one that
lacks components. Wording varies with the number given, so every document is its own.
"""

from __future__ import annotations

import io
import zipfile

LABELS = (
    "Dasar hukum",
    "Persyaratan",
    "Sistem, mekanisme dan prosedur",
    "Jangka waktu penyelesaian",
    "Biaya/tarif",
    "Produk pelayanan",
    "Sarana, prasarana, dan/atau fasilitas",
    "Kompetensi pelaksana",
    "Pengawasan internal",
    "Penanganan pengaduan, saran dan masukan",
    "Jumlah pelaksana",
    "Jaminan pelayanan",
    "Jaminan keamanan dan keselamatan pelayanan",
    "Evaluasi kinerja pelaksana",
)
SERVICES = ("Izin Reklame", "Izin Usaha Perikanan", "Surat Keterangan Pindah", "Izin Praktik Bidan",
            "Izin Trayek Angkutan", "Tanda Daftar Gudang", "Izin Lingkungan", "Rekomendasi Menara")  # fmt: skip


def contents(n: int, requirement: str | None = None) -> list[str]:
    """The 14 cells (URAIAN) of standard ``n``; ``requirement`` replaces its first requirement."""
    first = requirement or f"Surat permohonan nomor {n}"
    return [
        f"<ol> 1. Peraturan Daerah Nomor {n} Tahun 2020; 2. Peraturan Bupati Nomor {n + 3} Tahun 2021</ol>",
        f"<ol> 1. {first}; 2. Fotokopi KTP; 3. NIB dari OSS</ol>",
        "<ol> 1. Pemohon mengisi formulir; 2. Petugas memeriksa berkas; 3. Izin diserahkan</ol>",
        f"{3 + n % 5} (hari) hari kerja",
        "Rp. 0 (Nol Rupiah)",
        f"Surat izin nomor {n}",
        "<ol> 1. Ruang tunggu; 2. Loket pelayanan</ol>",
        "<ol> 1. Sarjana; 2. Mampu mengoperasikan komputer</ol>",
        "<ol> 1. Atasan langsung; 2. Inspektorat</ol>",
        "<ol> 1. Kotak pengaduan; 2. E-mail : pengaduan@contoh.go.id</ol>",
        f"{2 + n % 4} (orang) orang",
        "<ol> 1. Pelayanan sesuai standar</ol>",
        "<ol> 1. Data pemohon dijaga kerahasiaannya</ol>",
        "<ol> 1. Survei Kepuasan Masyarakat setiap tahun</ol>",
    ]


def standard_text(title: str, n: int, layout: str = "seed", requirement: str | None = None,
                  skip: int = 0) -> str:  # fmt: skip
    """One standard in a text layout: "seed" (numbers with dots) or "bold" (bold header, bare numbers).

    ``skip``: leave out that many components at the end (an incomplete standard).
    """
    cells = contents(n, requirement)
    rows = list(zip(LABELS, cells, strict=True))[: len(LABELS) - skip]
    if layout == "bold":
        header = "<b>NO</b>\t<b>KOMPONEN</b>\t<b>URAIAN</b>"
        body = [f"{i}\t<b>{label}</b>\t{cell}" for i, (label, cell) in enumerate(rows, 1)]
    else:
        header = "NO.\tKOMPONEN\tURAIAN"
        body = [f"{i}.\t{label}\t{cell}" for i, (label, cell) in enumerate(rows, 1)]
    if skip:  # a row whose label is no component: reported with its line, never dropped silently
        body.append(f"{len(rows) + 1}.\tCatatan tambahan\tLihat lampiran")
    return f"STANDAR PELAYANAN {title.upper()}\n\n{header}\n" + "\n".join(body) + "\n"


def document(title: str, n: int, **options: object) -> bytes:
    """One standard as the bytes of a text file."""
    return standard_text(title, n, **options).encode()  # type: ignore[arg-type]


def two_standards(first: str, second: str, n: int) -> bytes:
    """One file with two standards, one after the other (as a decree's attachment holds them)."""
    return (standard_text(first, n) + "\n-----\n\n" + standard_text(second, n + 1, layout="bold")).encode()


def mixed_files(count: int, prefix: str = "") -> list[tuple[str, bytes]]:
    """``count`` files of several layouts, with different services (names and bytes)."""
    files = []
    for i in range(count):
        title = f"{prefix}{SERVICES[i % len(SERVICES)]} {i + 1}"
        if i % 5 == 3:
            files.append((f"standar-{i + 1:03}.txt", two_standards(title, f"{title} Perpanjangan", i)))
        elif i % 5 == 4:
            files.append((f"standar-{i + 1:03}.txt", document(title, i, skip=2)))
        else:
            files.append((f"standar-{i + 1:03}.txt", document(title, i, layout="bold" if i % 2 else "seed")))
    return files


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    """A zip holding the files under the given names."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()
