"""Decision letters: the placeholders a template may use and how one is filled in (for the
letter sent and for a letter shown again)."""

from __future__ import annotations

import re

from trellis.selection.models import Application, LetterTemplate

PLACEHOLDERS = ("name", "program", "cohort", "reason")


def render_letter(
    template: LetterTemplate, application: Application, reason: str
) -> tuple[str, str]:
    cohort = application.cycle.cohort
    values = {
        "name": application.applicant.full_name,
        "program": str(cohort.program),
        "cohort": cohort.name,
        "reason": reason,
    }

    def fill(text: str) -> str:
        return re.sub(r"\{(name|program|cohort|reason)\}", lambda m: values[m.group(1)], text)

    return fill(template.subject), fill(template.body)
