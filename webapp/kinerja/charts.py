"""Charts drawn on the server as SVG geometry, for the templates (``templates/kinerja/_charts.html``).

Why server-side SVG and not a chart library: the pages must open on a phone on 3G and in an office whose
internet is poor (no CDN, nothing to download), print and turn into a PDF (WeasyPrint draws SVG but runs no
script), and pass the CSP (no inline styles or scripts). /ikm already draws its bars this way. The figures
are always in a table beside the chart as well, for screen readers and for anyone who wants the numbers;
the charts are ``aria-hidden``. Colours: one dark teal for bars (contrast 9.2:1 on white), the p90 line
black and dashed with square markers, and the heatmap one hue getting darker, with its number written in
each cell (text against its shade 4.6:1 or more): everything reads in grayscale and on paper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from webapp.kinerja.queue import WEEKDAYS, QueuePeriod

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 40, 10, 24


def _nice_max(value: float) -> float:
    """A round top for an axis at or above ``value`` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if value <= m * magnitude)


@dataclass
class SeriesChart:
    """Daily tickets as bars (left axis) and the day's wait p90 as a dashed line (right axis)."""

    width: int
    height: int
    bars: list[dict[str, float]]
    line: str
    markers: list[tuple[float, float]]
    tickets_top: float
    wait_top: float
    labels: list[tuple[float, str]]
    plot: dict[str, float]


def series_chart(figures: QueuePeriod) -> SeriesChart | None:
    """The geometry of the daily series; None without days."""
    points = figures.series
    if not points:
        return None
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    tickets_top = _nice_max(max(p.tickets for p in points))
    wait_top = _nice_max(max((p.p90 or 0) for p in points))
    step = inner_w / len(points)
    bars, line, markers, labels = [], [], [], []
    for i, point in enumerate(points):
        h = inner_h * point.tickets / tickets_top
        x = LEFT + i * step
        bars.append({"x": round(x + step * 0.1, 2), "y": round(TOP + inner_h - h, 2),
                     "w": round(max(step * 0.8, 0.5), 2), "h": round(h, 2)})
        if point.p90 is not None:
            cx, cy = round(x + step / 2, 2), round(TOP + inner_h - inner_h * point.p90 / wait_top, 2)
            line.append(f"{cx},{cy}")
            markers.append((cx, cy))
        if len(points) <= 12 or i % max(len(points) // 8, 1) == 0:
            labels.append((round(x + step / 2, 2), point.day.strftime("%d/%m")))
    return SeriesChart(WIDTH, HEIGHT, bars, " ".join(line), markers if len(points) <= 62 else [],
                       tickets_top, wait_top, labels,
                       {"left": LEFT, "top": TOP, "right": WIDTH - RIGHT, "bottom": HEIGHT - BOTTOM})


# Light to dark, one hue (teal): lightness falls in even steps, so grayscale keeps the order.
SHADES = ("#eef6f7", "#c9e3e7", "#9ccbd3", "#5fa9b6", "#2b7f8f", "#0b4f5c")


def heatmap(figures: QueuePeriod) -> dict[str, Any] | None:
    """Cells of mean wait by weekday (rows) and hour (columns), with their shade and a readable text colour."""
    if not figures.heatmap:
        return None
    hours, days = figures.hours, figures.weekdays
    top = figures.busiest_wait
    cell_w, cell_h, left, head = 44, 26, 64, 20
    cells = []
    for r, day in enumerate(days):
        for c, hour in enumerate(hours):
            count, mean = figures.heatmap.get((day, hour), (0, None))
            level = 0 if not mean else min(len(SHADES) - 1, 1 + int((mean / top) * (len(SHADES) - 2) + 0.5))
            cells.append({"x": left + c * cell_w, "y": head + r * cell_h, "w": cell_w - 2, "h": cell_h - 2,
                          "fill": SHADES[level], "text": "#ffffff" if level >= 4 else "#111111",
                          "label": "" if mean is None else f"{mean:.0f}", "count": count})
    return {"width": left + len(hours) * cell_w, "height": head + len(days) * cell_h, "cells": cells,
            "rows": [(head + r * cell_h + cell_h / 2, WEEKDAYS[d - 1][:3]) for r, d in enumerate(days)],
            "cols": [(left + c * cell_w + cell_w / 2, f"{h:02d}") for c, h in enumerate(hours)],
            "shades": SHADES}
