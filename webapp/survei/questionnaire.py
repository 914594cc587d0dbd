"""What the survey asks: the nine elements (unsur) of PermenPANRB 14/2017 with their four answers, and who
answers (sex, age, education, occupation), with the words a respondent reads when an answer is not accepted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Element:
    """One element (unsur) of the survey: its code, name, question and the four answers for scores 1..4."""

    code: str
    name: str
    question: str
    answers: tuple[str, str, str, str]


ELEMENTS: tuple[Element, ...] = (
    Element("U1", "Persyaratan",
            "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Element("U2", "Sistem, mekanisme, dan prosedur",
            "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
            ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    Element("U3", "Waktu penyelesaian",
            "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
            ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    Element("U4", "Biaya/tarif", "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
            ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    Element("U5", "Produk spesifikasi jenis pelayanan",
            "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
            "dalam standar pelayanan dengan hasil yang diberikan?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Element("U6", "Kompetensi pelaksana",
            "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
            ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    Element("U7", "Perilaku pelaksana",
            "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
            ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah")),
    Element("U8", "Penanganan pengaduan, saran, dan masukan",
            "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
            ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik")),
    Element("U9", "Sarana dan prasarana", "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
            ("Buruk", "Cukup", "Baik", "Sangat baik")),
)  # fmt: skip


ELEMENTS_BY_CODE = {e.code: e for e in ELEMENTS}


# The regulation's sample form asks about facilities (U9) before complaints handling (U8);
# answers are stored by code, so the order of the form is free.
FORM_ORDER = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U9", "U8")


SEXES = {"L": "Laki-laki", "P": "Perempuan"}


EDUCATIONS = {
    "sd": "SD ke bawah",
    "smp": "SMP/sederajat",
    "sma": "SMA/sederajat",
    "diploma": "D1/D2/D3/D4",
    "s1": "S1",
    "s2": "S2 ke atas",
}


OCCUPATIONS = {
    "pns": "PNS",
    "tni": "TNI",
    "polri": "POLRI",
    "swasta": "Pegawai swasta",
    "wirausaha": "Wirausaha",
    "pelajar": "Pelajar/mahasiswa",
    "lainnya": "Lainnya",
}


AGE_MIN, AGE_MAX = 15, 100


AGE_GROUPS = ((15, 19, "15–19"), (20, 29, "20–29"), (30, 39, "30–39"), (40, 49, "40–49"), (50, 59, "50–59"),
              (60, AGE_MAX, "60 ke atas"))  # fmt: skip


SUGGESTION_MAX = 2000


# Said by the form beside the field, by the API, and by the service that checks again before storing.
SEX_INVALID = "Jenis kelamin harus L atau P."
AGE_INVALID = f"Umur harus antara {AGE_MIN} dan {AGE_MAX} tahun."
EDUCATION_INVALID = "Pendidikan tidak dikenal."
OCCUPATION_INVALID = "Pekerjaan tidak dikenal."
SERVICE_INVALID = "Layanan tidak dikenal."


def score_invalid(code: str) -> str:
    """What is said of an element's answer that is not 1 to 4."""
    return f"Nilai {code} harus 1, 2, 3 atau 4."


def age_group(age: int) -> str:
    """The reporting age group of an age."""
    for low, high, label in AGE_GROUPS:
        if low <= age <= high:
            return label
    return AGE_GROUPS[-1][2]
