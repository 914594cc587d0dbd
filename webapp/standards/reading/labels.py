"""Place a component label, as offices actually write it, among the 14 components.

Offices number, bold, abbreviate and misspell their labels ("5. Biaya tariff",
"Pengawas Internal", "Waktu pelayanan", "Sarpras"); OCR adds slips ("Persyaratn"). The
matcher folds a label to plain tokens, looks it up in a small table of synonyms, then in
keywords (the first that matches wins), then repairs each unknown token against the words
of the keywords with a similarity threshold and tries the keywords again, and last
compares the whole label with the synonyms. A label it cannot place gives None: the reader
reports it with its row, never drops it silently.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

# Similarity (0-100) a repaired token or a whole label needs: high enough that "saran" is
# not "sarana" and "komponen" not "kompetensi", low enough for one or two slipped letters.
TOKEN_THRESHOLD = 80
LABEL_THRESHOLD = 86

_TAGS = re.compile(r"<[^>]+>")
_NUMBERING = re.compile(r"^\s*(?:\(?(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})\s*[.)]|\d{1,2}\s+)\s*")
_NOT_WORD = re.compile(r"[^0-9a-z]+")

# Whole labels (folded) that keywords alone would misplace or miss.
SYNONYMS: dict[str, str] = {
    "syarat": "persyaratan",
    "syarat syarat": "persyaratan",
    "ketentuan pengajuan": "persyaratan",
    "alur": "prosedur",
    "alur pelayanan": "prosedur",
    "tata cara": "prosedur",
    "tata cara pelayanan": "prosedur",
    "sop": "prosedur",
    "lama proses": "jangka_waktu",
    "lama penyelesaian": "jangka_waktu",
    "durasi": "jangka_waktu",
    "retribusi": "biaya",
    "ongkos": "biaya",
    "hasil pelayanan": "produk",
    "keluaran": "produk",
    "output": "produk",
    "sarpras": "sarana",
    "landasan hukum": "dasar_hukum",
    "regulasi": "dasar_hukum",
    "peraturan": "dasar_hukum",
    "kualifikasi pelaksana": "kompetensi",
    "keahlian pelaksana": "kompetensi",
    "jumlah petugas": "jumlah_pelaksana",
    "jumlah personil": "jumlah_pelaksana",
    "jumlah sdm": "jumlah_pelaksana",
    "maklumat pelayanan": "jaminan_pelayanan",
    "kepastian pelayanan": "jaminan_pelayanan",
    "penilaian kinerja": "evaluasi",
}

# Keywords (folded words, matched at word starts), in order: the first found wins. Specific
# before general: "jaminan keamanan" before "jaminan", "pengaduan" before "saran"/"sarana".
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("dasar hukum", "dasar_hukum"),
    ("landasan hukum", "dasar_hukum"),
    ("persyaratan", "persyaratan"),
    ("prosedur", "prosedur"),
    ("mekanisme", "prosedur"),
    ("jangka waktu", "jangka_waktu"),
    ("biaya", "biaya"),
    ("tarif", "biaya"),
    ("retribusi", "biaya"),
    ("produk", "produk"),
    ("pengaduan", "pengaduan"),
    ("keluhan", "pengaduan"),
    ("sarana", "sarana"),
    ("prasarana", "sarana"),
    ("fasilitas", "sarana"),
    ("kompetensi", "kompetensi"),
    ("pengawas", "pengawasan"),
    ("jumlah pelaksana", "jumlah_pelaksana"),
    ("jumlah petugas", "jumlah_pelaksana"),
    ("jumlah personil", "jumlah_pelaksana"),
    ("jumlah pegawai", "jumlah_pelaksana"),
    ("keamanan", "jaminan_keamanan"),
    ("keselamatan", "jaminan_keamanan"),
    ("jaminan", "jaminan_pelayanan"),
    ("evaluasi", "evaluasi"),
    ("waktu", "jangka_waktu"),
    ("syarat", "persyaratan"),
)

# Words a label may hold that are no component's keyword but must not be "repaired" into one.
_PLAIN_WORDS = {
    "saran", "masukan", "pelayanan", "layanan", "pelaksana", "pelaksanaan", "standar", "komponen",
    "uraian", "internal", "penanganan", "pengelolaan", "penyelesaian", "kinerja", "hukum", "sistem",
    "kepastian", "dalam", "bentuk", "dilaksanakan", "sesuai", "memberikan", "terkait", "proses",
    "penyampaian", "organisasi", "delivery", "manufacturing", "service", "keterangan", "lampiran",
}  # fmt: skip

_VOCABULARY = sorted({word for keyword, _ in KEYWORDS for word in keyword.split()} | _PLAIN_WORDS)

# Rows that head a group or the table: never a component, never a title.
_GROUP = re.compile(
    r"service\s*delivery|manufactur|jenis pelayanan|penyampaian pelayanan|pengelolaan pelayanan|"
    r"komponen standar pelayanan|proses penyampaian|internal organisasi",
    re.IGNORECASE,
)
_HEADINGS = {"no", "nomor", "komponen", "uraian", "keterangan", "komponen uraian", "no komponen uraian"}


def fold(label: str) -> str:
    """The label as plain lower-case words: no markup, numbering or punctuation."""
    text = _TAGS.sub(" ", label).replace("**", " ")
    text = _NUMBERING.sub("", text, count=1)
    text = text.casefold().replace("/", " ").replace("-", " ")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def is_group_header(text: str) -> bool:
    """Whether a row or paragraph names a group of components ("A. … Service Delivery")."""
    return bool(_GROUP.search(_TAGS.sub(" ", text)))


def is_heading(text: str) -> bool:
    """Whether a cell is a table heading ("NO", "KOMPONEN", "URAIAN")."""
    return fold(text) in _HEADINGS or fold(text.replace(".", "")) in _HEADINGS


def _by_keyword(folded: str) -> str | None:
    padded = f" {folded}"
    for keyword, code in KEYWORDS:
        if f" {keyword}" in padded:
            return code
    return None


def _repaired(folded: str) -> str:
    """Each unknown word of 4 letters or more replaced by the keyword word it nearly is."""
    words = []
    for word in folded.split():
        if len(word) >= 4 and word not in _VOCABULARY:
            found = process.extractOne(word, _VOCABULARY, scorer=fuzz.ratio, score_cutoff=TOKEN_THRESHOLD)
            if found:
                word = found[0]
        words.append(word)
    return " ".join(words)


def component_for(label: str) -> str | None:
    """The code of the component ``label`` names, or None when it names none (or a group)."""
    folded = fold(label)
    if not folded or folded in _HEADINGS or is_group_header(label):
        return None
    if folded in SYNONYMS:
        return SYNONYMS[folded]
    code = _by_keyword(folded)
    if code:
        return code
    repaired = _repaired(folded)
    if repaired in SYNONYMS:
        return SYNONYMS[repaired]
    code = _by_keyword(repaired)
    if code:
        return code
    found = process.extractOne(repaired, list(SYNONYMS), scorer=fuzz.ratio, score_cutoff=LABEL_THRESHOLD)
    return SYNONYMS[found[0]] if found else None
