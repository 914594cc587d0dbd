"""What the survey asks: the nine elements (unsur) of PermenPANRB 14/2017 with their four answers, and who
answers (sex, age, education, occupation), with the words a respondent reads when an answer is not accepted.

The Indonesian text here is the official one (stored answers, reports, exports); every text is marked
``N_`` so that the English form shows a translation beside it (translations/en).
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.core.i18n import N_


@dataclass(frozen=True)
class Element:
    """One element (unsur) of the survey: its code, name, question and the four answers for scores 1..4."""

    code: str
    name: str
    question: str
    answers: tuple[str, str, str, str]


ELEMENTS: tuple[Element, ...] = (
    Element("U1", N_("Persyaratan"),
            N_("Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?"),
            (N_("Tidak sesuai"), N_("Kurang sesuai"), N_("Sesuai"), N_("Sangat sesuai"))),
    Element("U2", N_("Sistem, mekanisme, dan prosedur"),
            N_("Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?"),
            (N_("Tidak mudah"), N_("Kurang mudah"), N_("Mudah"), N_("Sangat mudah"))),
    Element("U3", N_("Waktu penyelesaian"),
            N_("Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?"),
            (N_("Tidak cepat"), N_("Kurang cepat"), N_("Cepat"), N_("Sangat cepat"))),
    Element("U4", N_("Biaya/tarif"), N_("Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?"),
            (N_("Sangat mahal"), N_("Cukup mahal"), N_("Murah"), N_("Gratis"))),
    Element("U5", N_("Produk spesifikasi jenis pelayanan"),
            N_("Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
               "dalam standar pelayanan dengan hasil yang diberikan?"),
            (N_("Tidak sesuai"), N_("Kurang sesuai"), N_("Sesuai"), N_("Sangat sesuai"))),
    Element("U6", N_("Kompetensi pelaksana"),
            N_("Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?"),
            (N_("Tidak kompeten"), N_("Kurang kompeten"), N_("Kompeten"), N_("Sangat kompeten"))),
    Element("U7", N_("Perilaku pelaksana"),
            N_("Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?"),
            (N_("Tidak sopan dan ramah"), N_("Kurang sopan dan ramah"), N_("Sopan dan ramah"),
             N_("Sangat sopan dan ramah"))),
    Element("U8", N_("Penanganan pengaduan, saran, dan masukan"),
            N_("Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?"),
            (N_("Tidak ada"), N_("Ada tetapi tidak berfungsi"), N_("Berfungsi kurang maksimal"),
             N_("Dikelola dengan baik"))),
    Element("U9", N_("Sarana dan prasarana"), N_("Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?"),
            (N_("Buruk"), N_("Cukup"), N_("Baik"), N_("Sangat baik"))),
)  # fmt: skip


ELEMENTS_BY_CODE = {e.code: e for e in ELEMENTS}


# The regulation's sample form asks about facilities (U9) before complaints handling (U8);
# answers are stored by code, so the order of the form is free.
FORM_ORDER = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U9", "U8")


SEXES = {"L": N_("Laki-laki"), "P": N_("Perempuan")}


EDUCATIONS = {
    "sd": N_("SD ke bawah"),
    "smp": N_("SMP/sederajat"),
    "sma": N_("SMA/sederajat"),
    "diploma": N_("D1/D2/D3/D4"),
    "s1": N_("S1"),
    "s2": N_("S2 ke atas"),
}


OCCUPATIONS = {
    "pns": N_("PNS"),
    "tni": N_("TNI"),
    "polri": N_("POLRI"),
    "swasta": N_("Pegawai swasta"),
    "wirausaha": N_("Wirausaha"),
    "pelajar": N_("Pelajar/mahasiswa"),
    "lainnya": N_("Lainnya"),
}


AGE_MIN, AGE_MAX = 15, 100


AGE_GROUPS = ((15, 19, "15–19"), (20, 29, "20–29"), (30, 39, "30–39"), (40, 49, "40–49"), (50, 59, "50–59"),
              (60, AGE_MAX, N_("60 ke atas")))  # fmt: skip


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
