"""The impact report's charts: server-rendered inline SVG (no script), one per level, each drawn
from the report's JSON (so the page, the HTML and the PDF show the same figures as the API).

A chart is horizontal bars, one line per category and one bar per series (e.g. beginning and
end of year); a value may be negative (a change: the bars go left or right of zero) and may
carry a 95% interval (a whisker). A value that is suppressed or missing draws no bar: its
reason is written where the bar would be. Every chart has role="img" with a <title> and a
<desc> naming each value, and the page puts its data table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from trellis.core.suppression import threshold

# Colours with at least 3:1 contrast against white (WCAG 1.4.11) and against each other in
# lightness, so that the two series differ also for readers who do not see colour.
COLOURS = ("#1f5a96", "#b8560b")
NEGATIVE = "#a4262c"
WIDTH, LABEL_W, ROW_H, BAR_H, TOP = 640, 190, 22, 14, 30
# A line's label wraps onto at most LABEL_LINES lines of LABEL_CHARS characters (12px type in
# LABEL_W pixels); a longer one ends in "…" and keeps its full name in a <title> and in the
# data table beside the chart. Values are written right of their bar: the plot leaves room for
# the longest (about VALUE_CHAR pixels a character at 11px).
LABEL_CHARS, LABEL_LINES, VALUE_CHAR = 28, 2, 6.2
PLOT_W = 370


@dataclass
class Value:
    value: float | None
    text: str  # the value as the table shows it, or the reason there is no bar
    low: float | None = None
    high: float | None = None


@dataclass
class Line:
    label: str
    values: list[Value]
    # The line's full name where the label is short (a satisfaction item's code and wording):
    # the description and the data table give it; the bars keep the short label.
    caption: str = ""

    @property
    def full(self) -> str:
        return self.caption or self.label


@dataclass
class Chart:
    key: str
    title: str
    unit: str
    series: list[str]
    lines: list[Line] = field(default_factory=list)
    lowest: float = 0.0
    highest: float = 100.0
    # The level whose drill-down the chart's lines open (None: no drill-down).
    drill: str | None = None
    # For a change (one series): whether a fall is the improvement (agreement with problematic
    # beliefs). Improvements are drawn in blue and the other way in red, and `note` says so.
    lower_is_better: bool = False
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.lines


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "schools":
        return f"{value:.0f}"
    return f"{value:+.2f}"


def _reason(section: dict[str, Any], key: str) -> str:
    return str(section.get(f"{key}_reason") or "no data")


def wrap_label(label: str) -> list[str]:
    """A label as the chart writes it: wrapped at spaces onto at most LABEL_LINES lines of
    LABEL_CHARS characters, the last ending in "…" when the label is longer."""
    lines: list[str] = []
    rest = label.split()
    while rest and len(lines) < LABEL_LINES:
        line = rest.pop(0)
        while rest and len(line) + 1 + len(rest[0]) <= LABEL_CHARS:
            line += " " + rest.pop(0)
        lines.append(line)
    if rest or any(len(line) > LABEL_CHARS for line in lines):
        last = lines[-1] if lines else ""
        lines[-1:] = [last[: LABEL_CHARS - 1].rstrip() + "…"]
        lines = [ln if len(ln) <= LABEL_CHARS else ln[: LABEL_CHARS - 1] + "…" for ln in lines]
    return lines or [""]


def svg(chart: Chart) -> SafeString:
    """The chart as one <svg> element."""
    lo, hi = min(chart.lowest, 0.0), max(chart.highest, 0.0)
    longest = 0
    for line in chart.lines:
        for v in line.values:
            longest = max(longest, len(v.text))
            for x in (v.value, v.low, v.high):
                if x is not None:
                    lo, hi = min(lo, x), max(hi, x)
    span = (hi - lo) or 1.0
    plot = PLOT_W
    # Room right of the plot for the longest value written after its bar (e.g. a mean change
    # with its 95% interval), so that no value runs off the chart.
    width = max(WIDTH, int(LABEL_W + plot + 8 + VALUE_CHAR * longest))

    def x_of(value: float) -> float:
        return LABEL_W + plot * (value - lo) / span

    per_line = max(ROW_H * len(chart.series), 14 * LABEL_LINES) + 8
    note_h = 18 if chart.note else 0
    top = TOP + note_h
    height = top + per_line * len(chart.lines) + 10
    ident = f"chart-{escape(chart.key)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="impact-chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" data-chart="{escape(chart.key)}">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(describe(chart))}</desc>',
    ]
    # Legend.
    for i, name in enumerate(chart.series if len(chart.series) > 1 else []):
        x = LABEL_W + i * 170
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS[i % 2]}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12">{escape(name)}</text>')
    if chart.note:
        # A change chart's key: which way is the improvement, and its colour.
        x = 8
        if chart.unit == "points":  # bars coloured by direction (not counts of schools)
            parts.append(f'<rect x="8" y="6" width="12" height="12" fill="{COLOURS[0]}"/>')
            parts.append(f'<rect x="22" y="6" width="12" height="12" fill="{NEGATIVE}"/>')
            x = 40
        # Under the legend where there is one (two series), else on the legend's line.
        y = 34 if len(chart.series) > 1 else 16
        parts.append(
            f'<text x="{x}" y="{y}" font-size="12" data-note="1">{escape(chart.note)}</text>'
        )
    zero = x_of(0.0)
    bottom = height - 10
    parts.append(
        f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{bottom}" stroke="#555"/>'
    )
    for row, line in enumerate(chart.lines):
        y0 = top + row * per_line
        wrapped = wrap_label(line.label)
        middle = y0 + max(ROW_H * len(chart.series), 14 * len(wrapped)) / 2 + 4
        first = middle - 7 * (len(wrapped) - 1)
        spans = "".join(
            f'<tspan x="{LABEL_W - 6}" y="{first + 14 * k:.1f}">{escape(text)}</tspan>'
            for k, text in enumerate(wrapped)
        )
        parts.append(
            f'<text font-size="12" text-anchor="end"><title>{escape(line.full)}</title>'
            f"{spans}</text>"
        )
        for i, v in enumerate(line.values):
            y = y0 + i * ROW_H
            if v.value is None:
                parts.append(
                    f'<text x="{zero + 4:.1f}" y="{y + BAR_H - 2}" font-size="11" '
                    f'fill="#444" data-missing="1">{escape(v.text)}</text>'
                )
                continue
            left, right = sorted((zero, x_of(v.value)))
            worse = v.value > 0 if chart.lower_is_better else v.value < 0
            colour = NEGATIVE if worse and len(chart.series) == 1 else COLOURS[i % 2]
            parts.append(
                f'<rect x="{left:.1f}" y="{y}" width="{max(right - left, 1.0):.1f}" '
                f'height="{BAR_H}" fill="{colour}" data-value="{v.value}">'
                f"<title>{escape(chart.series[i])}: {escape(v.text)}</title></rect>"
            )
            if v.low is not None and v.high is not None:
                mid = y + BAR_H / 2
                a, b = x_of(v.low), x_of(v.high)
                parts.append(
                    f'<path d="M{a:.1f} {mid - 5:.1f}V{mid + 5:.1f}M{a:.1f} {mid:.1f}H{b:.1f}'
                    f'M{b:.1f} {mid - 5:.1f}V{mid + 5:.1f}" stroke="#111" stroke-width="1.5" '
                    f'fill="none" data-low="{v.low}" data-high="{v.high}"/>'
                )
            end = max(zero, x_of(v.value), x_of(v.high) if v.high is not None else zero)
            parts.append(
                f'<text x="{end + 4:.1f}" y="{y + BAR_H - 2}" font-size="11">'
                f"{escape(v.text)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def describe(chart: Chart) -> str:
    if not chart.lines:
        return f"{chart.title}: no data."
    lines = []
    for line in chart.lines:
        cells = [f"{name} {v.text}" for name, v in zip(chart.series, line.values, strict=True)]
        lines.append(f"{line.full}: " + ", ".join(cells))
    note = f" {chart.note}." if chart.note else ""
    return f"{chart.title}.{note} " + "; ".join(lines) + "."


def _value(section: dict[str, Any], key: str, unit: str) -> Value:
    value = section.get(key)
    if value is None:
        return Value(None, _reason(section, key))
    return Value(float(value), _fmt(float(value), unit))


# Above this many schools a change chart counts schools per band of change instead of drawing
# one bar per school (each school stays in the drill-down's table).
MAX_SCHOOL_BARS = 30
CHANGE_BANDS = (
    ("fell by more than 0.5", lambda c: c < -0.5),
    ("fell by up to 0.5", lambda c: -0.5 <= c < 0),
    ("no change", lambda c: c == 0),
    ("rose by up to 0.5", lambda c: 0 < c <= 0.5),
    ("rose by more than 0.5", lambda c: c > 0.5),
)


def _school_changes(
    key: str, title: str, rows: list[dict[str, Any]], drill: str, *, lower_is_better: bool = False
) -> Chart:
    note = (
        "Blue: a fall, the improvement; red: a rise"
        if lower_is_better
        else "Blue: a rise, the improvement; red: a fall"
    )
    if len(rows) > MAX_SCHOOL_BARS:
        chart = Chart(key, f"{title}: number of schools", "schools", ["Schools"], highest=1.0)
        chart.note = "A fall is the improvement" if lower_is_better else "A rise is the improvement"
        shown = [r["change"] for r in rows if r.get("change") is not None]
        for label, test in CHANGE_BANDS:
            n = sum(1 for c in shown if test(c))
            chart.lines.append(Line(label, [Value(float(n), str(n))]))
        withheld = len(rows) - len(shown)
        if withheld:
            chart.lines.append(
                Line(
                    "not shown",
                    [Value(None, f"{withheld} schools with fewer than {threshold()} respondents")],
                )
            )
        chart.drill = drill
        return chart
    chart = Chart(
        key,
        title,
        "points",
        ["Change"],
        lowest=-1.0,
        highest=1.0,
        drill=drill,
        lower_is_better=lower_is_better,
        note=note,
    )
    for row in rows:
        change = row.get("change")
        text = _fmt(change, "points") if change is not None else str(row.get("change_reason"))
        chart.lines.append(Line(row["school"], [Value(change, text)]))
    return chart


def charts(report: dict[str, Any]) -> list[Chart]:
    """The report's charts, in the order of the levels."""
    out: list[Chart] = []
    c = report["conditions"]
    dist = Chart(
        "conditions-distribution",
        "School conditions scores, beginning vs end of year (number of schools)",
        "schools",
        ["Beginning of year", "End of year"],
        highest=1.0,
        drill="conditions",
    )
    boy, eoy = c.get("distribution_boy"), c.get("distribution_eoy")
    # Neither point has a distribution (a program whose schools took no conditions survey, a
    # year not surveyed): no chart, the level's table says why once. One missing: its cells
    # read "—" and the chart's note gives the reason once, not in every band.
    if boy is not None or eoy is not None:
        missing = [
            f"{name}: {c.get(f'distribution_{w}_reason') or 'no data'}"
            for d, w, name in ((boy, "boy", "Beginning of year"), (eoy, "eoy", "End of year"))
            if d is None
        ]
        dist.note = "; ".join(missing)
        for band in c.get("bands", []):
            dist.lines.append(
                Line(
                    band,
                    [
                        Value(float(d[band]), str(d[band])) if d is not None else Value(None, "—")
                        for d in (boy, eoy)
                    ],
                )
            )
    out.append(dist)
    out.append(
        _school_changes(
            "conditions-change",
            "Change in each school's conditions score (end minus beginning of year)",
            c.get("by_school", []),
            "conditions",
        )
    )
    growth = Chart(
        "knowledge-growth",
        "Knowledge growth by subject: mean change (points) with its 95% confidence interval",
        "points",
        ["Mean change"],
        lowest=-10.0,
        highest=10.0,
        drill="knowledge",
    )
    for subject, g in report["knowledge"].items():
        v = _value(g, "mean_change", "points")
        if v.value is not None:
            v.low, v.high = g.get("ci95_low"), g.get("ci95_high")
            v.text = f"{v.text} (95% CI {g['ci95_low']:.2f} to {g['ci95_high']:.2f})"
        growth.lines.append(Line(str(g.get("name") or subject), [v]))
    out.append(growth)
    out.append(
        _school_changes(
            "beliefs-change",
            "Change in each school's agreement with problematic beliefs (end minus beginning;"
            " a fall is the improvement)",
            report["beliefs"].get("by_school", []),
            "beliefs",
            lower_is_better=True,
        )
    )
    s = report["satisfaction"]
    sat = Chart(
        "satisfaction",
        "Satisfaction: favourable answers (%), all items and per item",
        "%",
        ["Favourable"],
        drill="satisfaction",
    )
    if s.get("answers") or s.get("answers_reason"):
        sat.lines.append(Line("All items", [_value(s, "pct_favorable", "%")]))
        for code, entry in s["items"].items():
            text = entry.get("text") or ""
            sat.lines.append(
                Line(
                    code,
                    [_value(entry, "pct_favorable", "%")],
                    caption=f"{code}: {text}" if text else "",
                )
            )
    out.append(sat)
    practice = report.get("practice")
    if practice and practice.get("competencies"):
        p = Chart(
            "practice",
            "Use of new practice: mean change in progress-rating level per competency",
            "levels",
            ["Mean change"],
            lowest=-1.0,
            highest=1.0,
            drill="practice",
        )
        for name, entry in practice["competencies"].items():
            p.lines.append(Line(name, [_value(entry, "mean_change", "levels")]))
        out.append(p)
    outcomes = report.get("outcomes")
    if outcomes and outcomes.get("previous_year") is not None:
        o = Chart(
            "outcomes",
            "Student attendance in the schools served, previous vs this school year (%)",
            "%",
            ["Previous year", "This year"],
            highest=10.0,
            drill="outcomes",
        )
        for key, label in (
            ("absence_rate_pct", "Absence rate"),
            ("chronic_absence_pct", "Chronic absence"),
        ):
            o.lines.append(
                Line(
                    label,
                    [
                        _value(outcomes["previous_year"], key, "%"),
                        _value(outcomes["this_year"], key, "%"),
                    ],
                )
            )
        out.append(o)
    return [chart for chart in out if not chart.empty]


@dataclass
class Figure:
    """A chart as the templates draw it: its SVG, its data table and its level."""

    chart: Chart
    svg: SafeString
    level: str
    rows: list[list[str]]


def figures(report: dict[str, Any]) -> dict[str, list[Figure]]:
    """The report's charts grouped by level (the section of the page they belong to)."""
    out: dict[str, list[Figure]] = {}
    for chart in charts(report):
        level = chart.key.split("-")[0]
        rows = [[line.full, *(v.text for v in line.values)] for line in chart.lines]
        out.setdefault(level, []).append(Figure(chart, svg(chart), level, rows))
    return out
