"""The impact report's JSON as tables for the page and the printable HTML (one per level)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Row:
    label: str
    value: str
    reason: str = ""


@dataclass
class Table:
    level: str
    title: str
    rows: list[Row] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    grid: list[list[str]] = field(default_factory=list)
    drill: bool = True


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}{suffix}" if suffix == "%" else f"{value:.2f}"
    return f"{value:,}"


def _row(section: dict[str, Any], key: str, label: str, suffix: str = "") -> Row:
    return Row(label, _fmt(section.get(key), suffix), str(section.get(f"{key}_reason", "")))


def _cell(section: dict[str, Any], key: str, suffix: str = "") -> str:
    value = section.get(key)
    if value is None:
        return str(section.get(f"{key}_reason") or "—")
    return _fmt(value, suffix)


def tables(report: dict[str, Any]) -> list[Table]:
    c, b, s, r, a = (
        report[k] for k in ("conditions", "beliefs", "satisfaction", "reach", "alumni")
    )
    out = [
        Table(
            "conditions",
            "School conditions",
            [
                _row(c, "at_target_boy_pct", "Schools at target, beginning of year", "%"),
                _row(c, "at_target_eoy_pct", "Schools at target, end of year", "%"),
                _row(c, "improved_pct", "Schools that improved (rated at both points)", "%"),
                _row(c, "schools_rated_both", "Schools rated at both points"),
                *(
                    Row(
                        f"Schools rated by their leadership team's consensus, {when}",
                        _fmt(c.get(key)),
                        ", ".join(c.get(f"{key}_names", [])),
                    )
                    for key, when in (
                        ("schools_by_consensus_boy", "beginning of year"),
                        ("schools_by_consensus_eoy", "end of year"),
                    )
                    if c.get(key)
                ),
            ],
        )
    ]
    knowledge = Table(
        "knowledge",
        "Teacher knowledge (pre and post)",
        columns=["Subject", "n", "Improved", "Mean change", "95% CI", "Effect size (d_z)"],
    )
    for subject, g in report["knowledge"].items():
        ci = (
            f"{g['ci95_low']:.2f} to {g['ci95_high']:.2f}"
            if g.get("ci95_low") is not None
            else str(g.get("ci95_low_reason", "—"))
        )
        knowledge.grid.append(
            [
                g.get("name") or subject,
                _cell(g, "n"),
                _cell(g, "pct_improved", "%"),
                _cell(g, "mean_change"),
                ci,
                _cell(g, "effect_size"),
            ]
        )
    out.append(knowledge)
    out.append(
        Table(
            "beliefs",
            "Problematic beliefs",
            [
                _row(b, "pct_schools_decreased", "Schools where agreement fell", "%"),
                _row(b, "schools_measured_both", "Schools measured at both points"),
            ],
        )
    )
    # The items' figures are the satisfaction chart's data table (each item by its wording),
    # shown beside the chart: not a second table of the same figures.
    out.append(
        Table(
            "satisfaction",
            "Satisfaction with professional learning",
            [
                _row(s, "pct_favorable", "Favourable answers, all items", "%"),
                *(
                    _row(entry, "pct_favorable", f"Favourable answers, {name}", "%")
                    for name, entry in (s.get("by_program") or {}).items()
                ),
                *(
                    _row(
                        entry,
                        "pct_favorable",
                        f"Favourable answers, session “{entry['session']}” ({entry['date']})",
                        "%",
                    )
                    for entry in s.get("by_session") or []
                ),
            ],
        )
    )
    out.append(
        Table(
            "reach",
            "Reach",
            [
                _row(r, "schools", "Schools"),
                _row(r, "systems", "Systems"),
                _row(r, "teacher_leaders", "Teacher leaders"),
                _row(r, "teachers", "Teachers"),
                _row(
                    r,
                    "students",
                    f"Students ({r['students_label']})" if r.get("students_label") else "Students",
                ),
            ],
        )
    )
    out.append(
        Table(
            "alumni",
            "Alumni",
            [
                _row(a, "known", "Alumni whose status is known"),
                _row(a, "retention_pct", "Retained in an education position", "%"),
            ],
            drill=False,
        )
    )
    p = report.get("practice")
    if p is not None:
        practice = Table(
            "practice",
            "Use of new practice (progress ratings)",
            [
                _row(p, "people_rated_twice", "People rated twice on a competency"),
                _row(p, "pct_improved", "People whose level rose", "%"),
                _row(p, "mean_change", "Mean change (levels)"),
            ],
            columns=["Competency", "n", "Mean change (levels)"],
        )
        practice.grid = [
            [name, _cell(e, "n"), _cell(e, "mean_change")] for name, e in p["competencies"].items()
        ]
        out.append(practice)
    o = report.get("outcomes")
    if o is not None:
        prev, this = o["previous_year"], o["this_year"]
        out.append(
            Table(
                "outcomes",
                "Student outcomes: attendance in the schools served",
                [
                    _row(prev, "absence_rate_pct", "Absence rate, previous year", "%"),
                    _row(this, "absence_rate_pct", "Absence rate, this year", "%"),
                    _row(o, "absence_rate_change_pts", "Change in absence rate (points)"),
                    _row(prev, "chronic_absence_pct", "Chronic absence, previous year", "%"),
                    _row(this, "chronic_absence_pct", "Chronic absence, this year", "%"),
                    _row(o, "chronic_absence_change_pts", "Change in chronic absence (points)"),
                ],
            )
        )
    return out
