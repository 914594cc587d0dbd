"""`flask demo load`: every seed service, faithful to the published documents, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.models import Service

SEED_SERVICES = {
    "pengaduan-tidak-langsung-lingkup-dinas",
    "pengaduan-berkadar-pengawasan",
    "pengaduan-langsung-lingkup-dinas",
    "pengaduan-secara-langsung",
    "pengaduan-secara-tidak-langsung",
    "izin-instalasi-genset",
    "rekomendasi-pelatih-anak-putus-sekolah",
    "oss-umk-orang-perseorangan",
    "izin-kerja-tenaga-sanitarian",
}


def _texts(block: dict | None) -> list[str]:
    return [item["text"] for item in (block or {}).get("items", [])]


def test_demo_load_creates_then_refreshes_without_duplicates(runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Instansi: 2 baru" in first.output
    assert "Layanan: 9 baru" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "Layanan: 0 baru, 0 diperbarui, 9 tetap." in second.output
    assert db.session.scalar(select(func.count()).select_from(Service)) == 9
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 2
    assert set(db.session.scalars(select(Service.slug))) == SEED_SERVICES


def test_demo_load_keeps_an_edit_made_elsewhere_only_until_refresh(runner, demo):
    genset = Service.by_slug("izin-instalasi-genset")
    genset.title = "Diubah"
    db.session.commit()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    db.session.expire_all()
    assert Service.by_slug("izin-instalasi-genset").title == "Izin Instalasi Genset"


def test_two_units_kampar_and_pekanbaru(demo):
    kampar = Unit.by_slug("dpmptsp-kampar")
    pekanbaru = Unit.by_slug("dpmptsp-pekanbaru")
    assert kampar.name == "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Kampar"
    assert pekanbaru.name == "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Pekanbaru"
    assert {s.slug for s in pekanbaru.services} == {"izin-kerja-tenaga-sanitarian"}
    assert kampar.address is None  # no document prints it


def test_complaint_standards_of_seed_000(demo):
    for slug in [s for s in SEED_SERVICES if s.startswith("pengaduan-")]:
        service = Service.by_slug(slug)
        assert service.category == "pengaduan"
        assert service.duration_days == 14
        assert service.fee_amount == 0
        assert _texts(service.block("persyaratan"))[:2] == ["Mencantumkan Identitas diri", "Mengisi Formulir Pengaduan"]
        assert len(_texts(service.block("sarana"))) == 27
        assert len(_texts(service.block("pengaduan"))) == 7  # seed 000 #2 numbers them 8..14
        assert service.staff_count == 5
        assert service.decree["signer_name"] == "HAMBALI, SE, MH"


def test_genset_of_seed_001(demo):
    genset = Service.by_slug("izin-instalasi-genset")
    assert genset.duration_days == 5
    assert genset.block("jangka_waktu")["paragraphs"] == ["5 (lima) hari kerja"]
    assert genset.fee_amount == 0
    assert genset.block("biaya")["paragraphs"] == ["Rp. 0 (Nol Rupiah)"]
    requirements = _texts(genset.block("persyaratan"))
    assert len(requirements) == 7
    assert requirements[0] == "Surat Permohonan Bermaterai"
    assert requirements[-1] == "Pas Photo berwarna ukuran 3 x 4 (4 lembar)"
    assert len(_texts(genset.block("prosedur"))) == 7  # the cell continues on the next row
    assert len(_texts(genset.block("dasar_hukum"))) == 9
    assert genset.block("produk")["paragraphs"] == ["Surat Izin Instalasi Genset"]
    emails = [c["value"] for c in genset.complaint_channels if c["kind"] == "email"]
    assert emails == ["dpmptsp@kamparkab.go.id"]  # the printed "dpmpstsp" slip is fixed
    assert genset.decree["date"] == "2022-02-25"


def test_rekomendasi_of_seed_002_keeps_all_requirements_despite_numbering_slip(demo):
    service = Service.by_slug("rekomendasi-pelatih-anak-putus-sekolah")
    requirements = _texts(service.block("persyaratan"))
    assert len(requirements) == 6  # printed 1, 2, 3, 4, 5, 13
    assert requirements[-1] == "Rekomendasi Dinas Sosial Kabupaten Kampar"
    flow = service.block("prosedur")["flow"]
    assert flow[0]["label"] == "PEMOHON"
    assert flow[1]["branch"]["when"].lower() == "tidak lengkap"
    assert service.category == "nonperizinan"


def test_oss_umk_of_seed_003_with_guides_and_ocr_fixed(demo):
    service = Service.by_slug("oss-umk-orang-perseorangan")
    legal = _texts(service.block("dasar_hukum"))
    assert any("Peraturan Pemerintah Nomor 5 Tahun 2021" in t for t in legal)
    assert not any("S5" in t for t in legal)
    assert service.duration_days is None
    assert service.block("jangka_waktu")["paragraphs"] == ["Ditentukan oleh Sistem OSS"]
    assert [len(g["steps"]) for g in service.guides] == [11, 16]
    assert len(_texts(service.block("persyaratan"))) == 5


def test_sanitarian_of_seed_004_sop_and_missing_components(demo):
    service = Service.by_slug("izin-kerja-tenaga-sanitarian")
    for code in ("persyaratan", "prosedur", "jangka_waktu", "biaya", "produk"):
        assert service.block(code) is None, code
    assert service.block("pengaduan")["partial"] is True
    assert service.staff_count == 5
    sop = service.sop
    assert len(sop["steps"]) == 9
    assert sop["total_days"] == 2
    assert sop["total_text"] == "2 hari kerja"
    assert [s["duration_text"] for s in sop["steps"]] == [
        "3 menit", "35 menit", "3 menit", "5 menit", "10 menit", "10 menit", "1 hari", "3 menit", "1 menit",
    ]  # fmt: skip
    assert sop["steps"][6]["actors"] == ["Kepala Dinas"]


def test_a_demo_load_is_one_unit_of_work_all_or_nothing(tmp_path):
    import shutil

    import pytest

    from tests.unit_of_work import counting_commits, stored
    from webapp.demo.loader import DATA_DIR, load_demo
    from webapp.standards.components import StandardError
    from webapp.standards.models import ServiceVersion

    broken = tmp_path / "data"
    shutil.copytree(DATA_DIR, broken)
    # The last standard in order is unreadable: every unit and standard before it is rolled back.
    last = sorted((broken / "standards").glob("*.json"))[-1]
    last.write_text("{", encoding="utf-8")
    with counting_commits() as commits, pytest.raises(StandardError, match=last.name):
        load_demo(broken)
    assert commits == []
    assert (stored(Unit), stored(Service), stored(ServiceVersion)) == (0, 0, 0)
    with counting_commits() as commits:
        load_demo()
    assert commits == [1]  # every version published on the way joins the one unit of work
    assert stored(Service) == len(SEED_SERVICES)
