"""Small server-side SVG charts: the same markup on web pages and in PDFs (WeasyPrint draws SVG),
no JavaScript. Each chart has a <title> and an aria-label, and its numbers are also given as a
table next to it by the templates that use it."""

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape  # nosec B406 # escapes our output; no XML is parsed

from django.utils.safestring import SafeString, mark_safe

FONT = "'Noto Sans SC', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
ACTUAL, TARGET, GRID, TEXT = "#0d6efd", "#adb5bd", "#dee2e6", "#495057"


@dataclass
class Bar:
    label: str
    actual: Decimal | None
    target: Decimal | None


def _number(value) -> float:
    return float(value or 0)


def _short(value: float) -> str:
    """12,345,678 → "1235万"; small numbers as they are (Chinese readers count in 万)."""
    if abs(value) >= 10000:
        return f"{value / 10000:.0f}万" if abs(value) >= 100000 else f"{value / 10000:.1f}万"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def bar_chart(title: str, bars: list[Bar], *, width: int = 640, bar_height: int = 18) -> SafeString:
    """Horizontal bars of actual against a target tick, one row per label (member or KPI)."""
    label_width, right = 120, 70
    plot = width - label_width - right
    top = 28
    height = top + len(bars) * (bar_height + 10) + 10
    scale = max([_number(b.actual) for b in bars] + [_number(b.target) for b in bars] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" font-family="{FONT}" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="13" font-weight="600" fill="{TEXT}">{escape(title)}</text>',
    ]
    for i, bar in enumerate(bars):
        y = top + i * (bar_height + 10)
        actual_w = plot * _number(bar.actual) / scale
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 5}" text-anchor="end" fill="{TEXT}">'
            f"{escape(bar.label[:12])}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" fill="{GRID}" opacity=".35"/>'
        )
        parts.append(f'<rect x="{label_width}" y="{y}" width="{actual_w:.1f}" height="{bar_height}" fill="{ACTUAL}"/>')
        if bar.target:
            x = label_width + plot * _number(bar.target) / scale
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 3}" y2="{y + bar_height + 3}" '
                f'stroke="{TEXT}" stroke-width="2"/>'
            )
        value = _short(_number(bar.actual)) if bar.actual is not None else "—"
        parts.append(f'<text x="{label_width + plot + 6}" y="{y + bar_height - 5}" fill="{TEXT}">{value}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 # nosec B308, B703 # every text is escaped above


def line_chart(title: str, labels: list[str], actual: list, target: list | None = None, *, width=640, height=180):
    """Weekly trend: actual as a line with points, target as a dashed line."""
    left, right, top, bottom = 50, 10, 28, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [_number(v) for v in actual] + [_number(v) for v in (target or [])]
    scale = max(values + [1])
    step = plot_w / max(len(labels) - 1, 1)

    def points(series):
        return " ".join(
            f"{left + i * step:.1f},{top + plot_h - plot_h * _number(v) / scale:.1f}"
            for i, v in enumerate(series)
            if v is not None
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" font-family="{FONT}" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="13" font-weight="600" fill="{TEXT}">{escape(title)}</text>',
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{GRID}"/>',
        f'<text x="{left - 6}" y="{top + 8}" text-anchor="end" fill="{TEXT}">{_short(scale)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" fill="{TEXT}">0</text>',
    ]
    if target and any(t is not None for t in target):
        parts.append(f'<polyline points="{points(target)}" fill="none" stroke="{TARGET}" stroke-dasharray="5 4"/>')
    parts.append(f'<polyline points="{points(actual)}" fill="none" stroke="{ACTUAL}" stroke-width="2"/>')
    for i, label in enumerate(labels):
        x = left + i * step
        if actual[i] is not None:
            y = top + plot_h - plot_h * _number(actual[i]) / scale
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{ACTUAL}"/>')
        if len(labels) <= 14 or i % 2 == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="{TEXT}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 # nosec B308, B703 # every text is escaped above


def sparkline(label: str, values: list, *, width: int = 90, height: int = 22) -> SafeString:
    """A tiny trend line for a table cell; the label says what it shows to screen readers."""
    known = [_number(v) for v in values if v is not None]
    if len(known) < 2:
        return mark_safe("")  # nosec B308, B703 # an empty string
    top, low = max(known), min(known)
    span = (top - low) or 1
    step = (width - 4) / max(len(values) - 1, 1)
    points = " ".join(
        f"{2 + i * step:.1f},{height - 3 - (height - 6) * (_number(v) - low) / span:.1f}"
        for i, v in enumerate(values)
        if v is not None
    )
    return mark_safe(  # noqa: S308 # nosec B308, B703 # the label is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label, {chr(34): "&quot;"})}"><title>{escape(label)}</title>'
        f'<polyline points="{points}" fill="none" stroke="{ACTUAL}" stroke-width="1.5"/></svg>'
    )
