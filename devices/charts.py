"""The readiness chart: one bar per school, split by reason, drawn on the server as plain SVG.

No script, no external assets: a title and description for screen readers, every number also in text, and
colours that are never the only way to tell the reasons apart (each bar has its numbers written under it).
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from devices.models import Readiness
from devices.selectors import REASON_ORDER, ReadinessReport, percent_of

COLOURS = {
    Readiness.READY: "#1e7a3c",
    Readiness.NO_EMAIL: "#b3261e",
    Readiness.SHARED_EMAIL: "#7b3fa0",
    Readiness.OUTSIDE_DOMAINS: "#c86e00",
    Readiness.NO_SETUP: "#8a94a3",
}
# Short words for the legend and the counts under each bar (the tables use the full labels).
SHORT = {
    Readiness.READY: "ready",
    Readiness.NO_EMAIL: "no email",
    Readiness.SHARED_EMAIL: "shared email",
    Readiness.OUTSIDE_DOMAINS: "email outside the domains",
    Readiness.NO_SETUP: "school not set up",
}
WIDTH, LEFT, BAR_WIDTH, ROW, BAR_HEIGHT = 720, 8, 704, 58, 18


def _label(reason: str) -> str:
    return SHORT[reason]


def readiness_chart_svg(report: ReadinessReport) -> SafeString:
    """A horizontal stacked bar per school: ready, then each reason, with the counts written out."""
    rows = report.schools
    legend_y = 20
    height = legend_y + 22 + ROW * max(len(rows), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="readiness-chart" role="img" width="100%" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="readiness-chart-title readiness-chart-desc">',
        '<title id="readiness-chart-title">Device sign-in readiness by school</title>',
        f'<desc id="readiness-chart-desc">{escape(_description(report))}</desc>',
    ]
    x = LEFT
    for reason in REASON_ORDER:
        parts.append(
            f'<rect x="{x}" y="{legend_y - 11}" width="12" height="12" fill="{COLOURS[reason]}" aria-hidden="true"/>'
            f'<text x="{x + 16}" y="{legend_y}" font-size="12" fill="#1d2733">'
            f"{escape(SHORT[reason].capitalize())}</text>"
        )
        x += 16 + 7 * len(SHORT[reason]) + 22
    y = legend_y + 22
    for row in rows:
        name = escape(row.school.name)
        parts.append(f'<g class="school" data-school="{row.school.pk}">')
        parts.append(f'<text x="{LEFT}" y="{y + 12}" font-size="13" font-weight="600" fill="#1d2733">{name}</text>')
        bar_y = y + 17
        total = row.total
        if not total:
            parts.append(
                f'<rect x="{LEFT}" y="{bar_y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" fill="#f2f5fa" '
                f'stroke="#d8dee6"/><text x="{LEFT + 6}" y="{bar_y + 13}" font-size="12" fill="#5b6776">'
                "no students</text>"
            )
        else:
            x = float(LEFT)
            for reason in REASON_ORDER:
                n = row.counts.get(reason, 0)
                if not n:
                    continue
                w = BAR_WIDTH * n / total
                parts.append(
                    f'<rect x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{BAR_HEIGHT}" fill="{COLOURS[reason]}">'
                    f"<title>{name}: {n} {escape(_label(reason))}</title></rect>"
                )
                x += w
        summary = _school_summary(row.counts, total)
        parts.append(
            f'<text class="counts" x="{LEFT}" y="{bar_y + BAR_HEIGHT + 15}" font-size="12" fill="#1d2733">'
            f"{escape(summary)}</text></g>"
        )
        y += ROW
    if not rows:
        parts.append(f'<text x="{LEFT}" y="{y + 14}" font-size="13" fill="#5b6776">No active schools yet.</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def _school_summary(counts: dict[str, int], total: int) -> str:
    if not total:
        return "no students"
    ready = counts.get(Readiness.READY, 0)
    pieces = [f"{ready} of {total} ready ({percent_of(ready, total)}%)"]
    pieces += [f"{counts[r]} {_label(r)}" for r in REASON_ORDER[1:] if counts.get(r)]
    return " · ".join(pieces)


def _description(report: ReadinessReport) -> str:
    lines = [f"{row.school.name}: {_school_summary(row.counts, row.total)}." for row in report.schools]
    return " ".join(lines) or "No active schools yet."
