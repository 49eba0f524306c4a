"""Inline SVG charts of the service report, drawn on the server (no library, no CDN).

Pure functions of plain numbers, in the style of :mod:`web.charts`: every piece of text
is escaped, so the result is safe to mark safe.
"""

from __future__ import annotations

from html import escape


def bar_chart_svg(items: list[tuple[str, float]], *, title: str, unit: str = "",
                  width: int = 760, height: int = 200, max_value: float | None = None,
                  css: str = "bars-synced") -> str:
    """Vertical bars, one per ``(label, value)``, left to right."""
    left, right, top, bottom = 44, 10, 16, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max_value if max_value is not None else max([1.0] + [v for _, v in items])
    peak = peak or 1.0
    ident = "chart-" + "".join(c for c in title.lower() if c.isalnum())[:24]
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}">{escape(title)}</title>',
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{escape(_fmt(peak))}{escape(unit)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    if items:
        slot = plot_w / len(items)
        bar = max(1.0, min(40.0, slot * 0.6))
        label_every = max(1, len(items) // 10)
        for i, (label, value) in enumerate(items):
            x = left + i * slot + slot / 2
            h = plot_h * max(0.0, min(value, peak)) / peak
            parts.append(
                f'<rect class="{css}" x="{x - bar / 2:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}"><title>{escape(label)}: '
                f'{escape(_fmt(value))}{escape(unit)}</title></rect>')
            if i % label_every == 0:
                parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                             f"{escape(label)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
