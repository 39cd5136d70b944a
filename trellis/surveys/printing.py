"""The impact report as a document: the printable HTML (the command's `--format html`) and the
PDF made from that same HTML by WeasyPrint (`--format pdf`, the page's "Download PDF"). The
charts are the page's inline SVG, which WeasyPrint draws as vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from trellis.surveys.charts import figures
from trellis.surveys.impact import definitions
from trellis.surveys.tables import tables


def report_html(report: dict[str, Any]) -> str:
    return render_to_string(
        "surveys/impact_print.html",
        {
            "report": report,
            "tables": tables(report),
            "figures": figures(report),
            "definitions": definitions(page=True),
        },
    )


def report_pdf(report: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading Pango takes a moment

    css = CSS(filename=str(Path(__file__).resolve().parent.parent / "static/css/impact_print.css"))
    pdf = HTML(string=report_html(report)).write_pdf(stylesheets=[css])
    assert pdf is not None
    return bytes(pdf)


def pdf_filename(report: dict[str, Any]) -> str:
    # A program's report is named apart from its system's (the walk got the same file twice).
    program = f"-program-{report['program_id']}" if report.get("program_id") else ""
    return f"impact-{report['system']}{program}-{report['year']}.pdf"
