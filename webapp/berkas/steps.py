"""A service's route: the steps a berkas goes through, each with its executor and mutu baku.

Where the admin configured a route for the service (``RouteStep`` rows), that route is
used. Otherwise the route is derived from the service's SOP (seed 004: Front Office, Back
Office, the JF analysts, Sekretaris, Kepala Dinas, each step with its time), and a service
without an SOP gets a simple four-step route without per-step times. The last step is
always the hand-over to the applicant: a file that reaches it is ready to collect.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from webapp.audit.models import Actor, record
from webapp.berkas.models import RouteStep
from webapp.core.db import transactional
from webapp.core.extensions import db
from webapp.core.policy import KEPALA_DINAS, PETUGAS_LOKET, SEKRETARIS
from webapp.standards.models import Service

APPLICANT = "Pemohon"
FRONT_OFFICE = "Front Office"
ROLE_OF_EXECUTOR = {FRONT_OFFICE: PETUGAS_LOKET, "Sekretaris": SEKRETARIS, "Kepala Dinas": KEPALA_DINAS}


@dataclass
class StepSpec:
    """A route step before it is copied onto a berkas."""

    name: str
    executor: str
    role: str | None
    public_label: str
    minutes: int | None = None
    days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The step as a plain dict (forms, BerkasStep)."""
        return asdict(self)


def _public_label(activity: str, executor: str, last: bool) -> str:
    """What the applicant reads for a step: plain words, never an officer's name."""
    text = activity.casefold()
    if last:
        return "Dokumen selesai dan siap diambil di loket penyerahan"
    if "memeriksa" in text or "periksa" in text:
        return "Pemeriksaan kelengkapan berkas di loket penerimaan"
    if "paraf" in text or "memaraf" in text:  # "memaraf" is how the SOP writes it
        return f"Pemeriksaan dan paraf oleh {executor}"
    if "tangan" in text:  # "tanda tangan", "menandatangani"
        return f"Penandatanganan oleh {executor}"
    if "nomor" in text:
        return "Pemberian nomor dokumen"
    if "cetak" in text:
        return "Penyiapan dokumen"
    return f"Diproses oleh {executor}"


def _short_name(activity: str) -> str:
    """A step name from the SOP's activity sentence: its first sentence, kept short."""
    first = activity.split(". ")[0].strip().rstrip(".")
    return first if len(first) <= 120 else first[:117].rstrip() + "..."


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


def route_from_sop(sop: dict[str, Any]) -> list[StepSpec]:
    """Derive a route from an SOP: one step per activity, consecutive ones of one executor merged.

    The applicant is not an executor; the step where the applicant receives the product
    becomes the hand-over step at the front office.
    """
    steps: list[StepSpec] = []
    with_applicant: list[bool] = []  # whether each kept step involved the applicant
    sop_steps = sop.get("steps") or []
    for index, raw in enumerate(sop_steps):
        last = index == len(sop_steps) - 1
        officers = [a for a in raw.get("actors") or [] if a != APPLICANT]
        executor = officers[0] if officers else FRONT_OFFICE
        activity = " ".join(raw.get("activity") or []) or executor
        if last and APPLICANT in (raw.get("actors") or []):
            name = "Penyerahan dokumen kepada pemohon"
        else:
            name = _short_name((raw.get("activity") or [executor])[-1])
        spec = StepSpec(
            name=name,
            executor=executor,
            role=ROLE_OF_EXECUTOR.get(executor),
            public_label=_public_label(activity, executor, last),
            minutes=raw.get("minutes"),
            days=raw.get("days"),
        )
        previous = steps[-1] if steps else None
        if previous and not last and previous.executor == spec.executor:
            previous.minutes = _add(previous.minutes, spec.minutes)
            previous.days = _add(previous.days, spec.days)
            if with_applicant[-1]:  # "the applicant hands in the file" names the officer's step poorly
                previous.name, previous.public_label = spec.name, spec.public_label
                with_applicant[-1] = APPLICANT in (raw.get("actors") or [])
            continue
        steps.append(spec)
        with_applicant.append(APPLICANT in (raw.get("actors") or []))
    return steps


def simple_route() -> list[StepSpec]:
    """The route of a service with neither a configured route nor an SOP; no invented times."""
    return [
        StepSpec("Pemeriksaan kelengkapan berkas", FRONT_OFFICE, PETUGAS_LOKET,
                 "Pemeriksaan kelengkapan berkas di loket penerimaan"),
        StepSpec("Verifikasi dan pemrosesan", "Back Office", None, "Verifikasi dan pemrosesan permohonan"),
        StepSpec("Penandatanganan", "Kepala Dinas", KEPALA_DINAS, "Penandatanganan oleh Kepala Dinas"),
        StepSpec("Penyerahan dokumen kepada pemohon", FRONT_OFFICE, PETUGAS_LOKET,
                 "Dokumen selesai dan siap diambil di loket penyerahan"),
    ]  # fmt: skip


def default_route(service: Service) -> list[StepSpec]:
    """The route a service follows when none is configured: its SOP's, or the simple one."""
    if service.sop and service.sop.get("steps"):
        derived = route_from_sop(service.sop)
        if len(derived) >= 2:
            return derived
    return simple_route()


def configured_route(service: Service) -> list[StepSpec]:
    """The admin's route for ``service``; empty when none is configured."""
    rows = db.session.scalars(
        select(RouteStep).where(RouteStep.service_id == service.id).order_by(RouteStep.position)
    ).all()
    return [StepSpec(r.name, r.executor, r.role, r.public_label, r.minutes, r.days) for r in rows]


def route_for(service: Service) -> list[StepSpec]:
    """The route a new berkas of ``service`` follows."""
    return configured_route(service) or default_route(service)


def route_source(service: Service) -> str:
    """Where the route comes from, for staff pages: "atur", "sop" or "sederhana"."""
    if configured_route(service):
        return "atur"
    if service.sop and service.sop.get("steps") and len(route_from_sop(service.sop)) >= 2:
        return "sop"
    return "sederhana"


@transactional
def save_route(service: Service, steps: list[StepSpec], *, actor: Actor | None) -> None:
    """Replace the service's configured route (an empty list goes back to the default), with its audit line.

    One unit of work. Files already registered keep the route they were given.
    """
    for row in db.session.scalars(select(RouteStep).where(RouteStep.service_id == service.id)):
        db.session.delete(row)
    db.session.flush()
    for position, spec in enumerate(steps):
        db.session.add(RouteStep(service_id=service.id, position=position, **spec.as_dict()))
    if steps:
        record("update", "alur_berkas", service.id, f"Mengubah alur berkas {service.title}",
               [{"path": "langkah", "old": None, "new": [s.name for s in steps]}], service.unit_id,
               actor=actor)  # fmt: skip
    else:
        record("update", "alur_berkas", service.id, f"Alur berkas {service.title} kembali ke bawaan", [],
               service.unit_id, actor=actor)  # fmt: skip


def jangka_waktu(service: Service) -> int | None:
    """The standard's jangka waktu in working days: the typed column, else the SOP's total."""
    if service.duration_days is not None:
        return service.duration_days
    if service.sop and service.sop.get("total_days") is not None:
        return int(service.sop["total_days"])
    return None


def requirements(service: Service) -> list[str]:
    """The checklist of a service: its published persyaratan, else the SOP's first kelengkapan."""
    block = (service.components or {}).get("persyaratan")
    if block and block.get("items"):
        return [item["text"] for item in block["items"]]
    if block and block.get("paragraphs"):
        return list(block["paragraphs"])
    if service.sop and service.sop.get("steps"):
        kelengkapan = service.sop["steps"][0].get("kelengkapan") or ""
        parts = [p.strip() for p in kelengkapan.split(",") if p.strip()]
        return [p[:1].upper() + p[1:] for p in parts]
    return []
