"""The JSON API matches its OpenAPI file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import current_app, url_for
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

OPENAPI = json.loads((Path(__file__).parents[1] / "webapp" / "api" / "openapi.json").read_text())


def _validator(name: str) -> Draft202012Validator:
    """A JSON Schema validator for components/schemas/<name>, resolving $refs inside the OpenAPI file."""
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", **OPENAPI}
    registry = Registry().with_resource("openapi.json", Resource.from_contents(document))
    schema = {"$ref": f"openapi.json#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=registry)


def _assert_valid(name: str, instance: object) -> None:
    errors = sorted(_validator(name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_openapi_is_served_and_names_every_route(client):
    response = client.get(url_for("api.openapi"))
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    routes = {r.rule.removeprefix("/api/v1") for r in current_app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    documented = {p.replace("{", "<").replace("}", ">") for p in spec["paths"]}
    documented = {p.replace("<counter_id>", "<int:counter_id>") for p in documented}
    assert documented == routes
    for name in spec["components"]["schemas"]:
        Draft202012Validator.check_schema(spec["components"]["schemas"][name])


def test_list_matches_schema(client, demo):
    response = client.get(url_for("api.services"))
    assert response.status_code == 200
    body = response.get_json()
    assert len(body) == 9
    for item in body:
        _assert_valid("ServiceSummary", item)
    genset = next(i for i in body if i["slug"] == "izin-instalasi-genset")
    assert genset["name"] == "Izin Instalasi Genset"
    assert genset["unit"] == {
        "slug": "dpmptsp-kampar",
        "name": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Kampar",
    }
    assert genset["url"] == "http://localhost/layanan/izin-instalasi-genset"
    assert genset["qr"] == "http://localhost/layanan/izin-instalasi-genset/qr.svg"


@pytest.mark.parametrize(
    "slug",
    [
        "izin-instalasi-genset",
        "izin-kerja-tenaga-sanitarian",
        "oss-umk-orang-perseorangan",
        "rekomendasi-pelatih-anak-putus-sekolah",
        "pengaduan-secara-langsung",
    ],
)
def test_one_standard_matches_schema(client, demo, slug):
    response = client.get(url_for("api.service", slug=slug))
    assert response.status_code == 200
    body = response.get_json()
    _assert_valid("Service", body)
    assert body["slug"] == slug
    assert len(body["components"]) == 14


def test_typed_values_are_in_the_blocks(client, demo):
    body = client.get(url_for("api.service", slug="izin-instalasi-genset")).get_json()
    assert body["components"]["jangka_waktu"]["days"] == 5
    assert body["components"]["biaya"]["amount"] == 0
    assert body["components"]["jumlah_pelaksana"]["count"] == 5
    sanitarian = client.get(url_for("api.service", slug="izin-kerja-tenaga-sanitarian")).get_json()
    assert sanitarian["components"]["persyaratan"] is None
    assert sanitarian["sop"]["total_days"] == 2


def test_unknown_slug_is_a_json_404(client):
    response = client.get(url_for("api.service", slug="tidak-ada"))
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    _assert_valid("Error", response.get_json())
    assert response.get_json()["error"]["status"] == 404


def test_unknown_api_path_is_json_too(client):
    response = client.get("/api/v1/tidak-ada")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
