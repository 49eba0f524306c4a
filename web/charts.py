"""Inline SVG chart of a workflow's runs, drawn on the server (no JavaScript library).

Pure function of plain numbers so it can be tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RunPoint:
    label: str  # shown under the bar (e.g. "11-25 14:05")
    synced: int  # records synced (rows added/updated + records created/updated)
    errors: int


def runs_chart_svg(points: list[RunPoint], *, width: int = 760, height: int = 220) -> str:
    """Grouped bars: records synced and errors per run, oldest left.

    Returns an ``<svg>`` string with a ``<title>``/``<desc>`` for screen readers; every
    piece of text in it is escaped, so the result is safe to mark safe.
    """
    left, right, top, bottom = 44, 10, 16, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1] + [max(p.synced, p.errors) for p in points])
    title = escape(_("Records synced and errors per run"))
    desc = escape(_("%(runs)s runs; highest value %(peak)s. Blue bars: records synced. Red "
                    "bars: errors.") % {"runs": len(points), "peak": peak})
    synced, errors = escape(_("synced")), escape(_("errors"))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{title}</title>',
        f'<desc id="chart-desc">{desc}</desc>',
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    if points:
        slot = plot_w / len(points)
        bar = max(1.0, min(18.0, slot * 0.38))
        label_every = max(1, len(points) // 8)
        for i, p in enumerate(points):
            x = left + i * slot + slot / 2
            for value, css, dx in ((p.synced, "bars-synced", -bar), (p.errors, "bars-errors", 0)):
                h = plot_h * value / peak
                parts.append(
                    f'<rect class="{css}" x="{x + dx:.1f}" y="{top + plot_h - h:.1f}" '
                    f'width="{bar:.1f}" height="{h:.1f}"><title>{escape(p.label)}: '
                    f'{value} {synced if css == "bars-synced" else errors}</title></rect>'
                )
            if i % label_every == 0:
                parts.append(
                    f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                    f"{escape(p.label)}</text>"
                )
    parts.append(
        f'<text class="legend-synced" x="{left}" y="{height - 6}">■ {synced}</text>'
        f'<text class="legend-errors" x="{left + 100}" y="{height - 6}">■ {errors}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
