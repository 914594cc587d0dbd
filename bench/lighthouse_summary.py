"""Summarise Lighthouse JSON reports: scores per page and what keeps a category under target.

Usage: ``.venv/bin/python bench/lighthouse_summary.py bench/results/lighthouse-*.json``
(bench/lighthouse.sh calls it on the reports it just wrote).

For each report it prints the four category scores against the targets (performance
0.95, accessibility 1.0, best-practices 0.95, seo 0.9). For every category under target
it lists the audits that score below 1, with their id, title, value and the elements or
resources involved (selector, HTML snippet, axe's explanation, URL, savings), so that
the templates and CSS can be fixed without opening the report viewer. With ``LH_ALL=1``
in the environment it lists the non-perfect audits of every category, also those on target.
Exit status: 0 when every page meets every target, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 0.95, "seo": 0.9}
SCORED = {"binary", "numeric", "metricSavings"}
MAX_ITEMS = 12
MAX_TEXT = 400
SKIPPED_KEYS = {"subItems", "entity", "relatedNode", "debugData"}


def short(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(value: Any) -> str:
    """One readable string for a value of a Lighthouse details table (node, URL, location, number)."""
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "node":
            parts = [value.get("selector", ""), value.get("snippet", ""), value.get("explanation", "")]
            return " | ".join(part for part in parts if part)
        if kind == "source-location":
            return f"{value.get('url')}:{value.get('line')}:{value.get('column')}"
        if "value" in value:
            return describe(value["value"])
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 10 else f"{value:.3g}"
    return str(value)


def chain_lines(chains: dict[str, Any], path: list[str]) -> list[str]:
    """Each critical request chain of a network tree as ``a → b → c (end ms, bytes)``."""
    lines = []
    for node in chains.values():
        here = [*path, node["url"]]
        if node.get("children"):
            lines += chain_lines(node["children"], here)
        else:
            lines.append(f"{' → '.join(here)} (done at {node.get('navStartToEndTime')} ms, "
                         f"{node.get('transferSize')} B)")
    return lines


def item_lines(details: dict[str, Any] | None) -> list[str]:
    """The rows of an audit's details (tables, opportunities, nested lists, checklists), as text."""
    if not details:
        return []
    kind = details.get("type")
    if kind == "list":
        return [line for sub in details.get("items", []) for line in item_lines(sub)]
    if kind == "list-section":
        lines = item_lines(details.get("value"))
        return [f"{details['title']}: {line}" for line in lines] if details.get("title") else lines
    if kind == "text":
        return [str(details.get("value", ""))]
    if kind == "network-tree":
        return chain_lines(details.get("chains", {}), [])
    if kind == "checklist":
        return [f"{key}: {'ok' if val.get('value') else 'MISSING'} ({val.get('label', '')})"
                for key, val in details.get("items", {}).items()]
    if kind not in {"table", "opportunity"}:
        return []
    lines = []
    for item in details.get("items", []):
        if isinstance(item.get("node"), dict):
            lines.append(describe(item["node"]))
            continue
        fields = [f"{key}={describe(val)}" for key, val in item.items()
                  if key not in SKIPPED_KEYS and val not in (None, "", 0)]
        lines.append(", ".join(fields))
    return lines


def weak_audits(report: dict[str, Any], category: str) -> list[dict[str, Any]]:
    """The scored audits of ``category`` whose score is below 1 (or that errored)."""
    weak = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        mode = audit.get("scoreDisplayMode")
        if mode == "error" or (mode in SCORED and audit.get("score") is not None and audit["score"] < 1):
            weak.append({**audit, "weight": ref.get("weight", 0), "group": ref.get("group", "")})
    return sorted(weak, key=lambda audit: (-audit["weight"], audit.get("score") or 0))


def print_audit(audit: dict[str, Any]) -> None:
    """Print one weak audit: id, score, weight, title, value, explanation and the elements involved."""
    score = "error" if audit.get("score") is None else f"{audit['score']:.2f}"
    value = f" — {audit['displayValue']}" if audit.get("displayValue") else ""
    print(f"    [{score}] {audit['id']} (weight {audit['weight']}, {audit['group'] or 'no group'}): "
          f"{audit['title']}{value}")
    for note in (audit.get("explanation"), audit.get("errorMessage")):
        if note:
            print(f"        note: {short(note)}")
    lines = item_lines(audit.get("details"))
    for line in lines[:MAX_ITEMS]:
        print(f"        - {short(line)}")
    if len(lines) > MAX_ITEMS:
        print(f"        … and {len(lines) - MAX_ITEMS} more")


def summarise(path: Path, show_all: bool) -> bool:
    """Print the summary of one report; True when all four categories meet their targets."""
    report = json.loads(path.read_text())
    print(f"\n== {report['finalDisplayedUrl']}  ({path.name})")
    for warning in report.get("runWarnings", []):
        print(f"  run warning: {short(warning)}")
    passed = True
    for category, target in TARGETS.items():
        score = report["categories"][category]["score"]
        ok = score is not None and score >= target
        passed &= ok
        shown = "n/a" if score is None else f"{score:.2f}"
        print(f"  {category:<15} {shown:>5}  target {target:.2f}  {'ok' if ok else 'UNDER TARGET'}")
        if not ok or show_all:
            for audit in weak_audits(report, category):
                print_audit(audit)
    return passed


def main(argv: list[str]) -> int:
    """Summarise every report named on the command line, then print a score table."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    show_all = os.environ.get("LH_ALL", "") not in ("", "0")
    results = {}
    for name in argv:
        path = Path(name)
        results[path] = summarise(path, show_all)
    print(f"\n{'page':<45}" + "".join(f"{c[:14]:>15}" for c in TARGETS))
    for path in results:
        report = json.loads(path.read_text())
        scores = [report["categories"][c]["score"] for c in TARGETS]
        print(f"{short('/' + report['finalDisplayedUrl'].split('/', 3)[-1], 44):<45}"
              + "".join(f"{'n/a' if s is None else f'{s:.2f}':>15}" for s in scores))
    print("\n" + ("All pages meet the targets." if all(results.values()) else "Some categories are under target."))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
