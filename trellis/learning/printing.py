"""A certificate of attendance as a PDF: WeasyPrint lays out a standalone printable page (the
same wording as the certificate's page, with its own stylesheet), so the attendee can keep or
send the document itself rather than print the page from a browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

CSS_FILE = Path(__file__).resolve().parent.parent / "static/css/certificate_print.css"


def certificate_html(context: dict[str, Any]) -> str:
    return render_to_string("learning/certificate_print.html", context)


def certificate_pdf(context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading Pango takes a moment

    pdf = HTML(string=certificate_html(context)).write_pdf(
        stylesheets=[CSS(filename=str(CSS_FILE))]
    )
    assert pdf is not None
    return bytes(pdf)


def certificate_filename(context: dict[str, Any]) -> str:
    registration = context["registration"]
    day = timezone.localtime(context["session"].starts_at).date().isoformat()
    return f"certificate-{day}-{registration.pk}.pdf"
