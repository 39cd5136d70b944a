"""The surveys' import kinds for the one import pipeline: instrument files and response files.

`manage.py import_instrument`, `manage.py import_responses` and Imports → Import a file all
lead here: checked (nothing written), previewed, committed in the pipeline's one transaction
with the run's report and audit event. A file that changes nothing offers no commit.
"""

from __future__ import annotations

from django.urls import reverse

from trellis.authz.roles import Action
from trellis.imports.registry import Context, ImportKind, Option, Result, register
from trellis.surveys import plans
from trellis.surveys.files import read_instrument
from trellis.surveys.models import Measures, Window, school_year_label
from trellis.surveys.services import instrument_import, responses_import


def _instrument_plan(context: Context) -> plans.InstrumentPlan:
    options = context.options
    items = read_instrument(context.path, context.source_name)
    return plans.instrument_plan(
        system=context.system,
        code=str(options.get("code", "")).strip(),
        title=str(options.get("title", "")).strip(),
        measures=str(options.get("measures", "")),
        items=items,
        name=context.source_name,
    )


def _instrument_result(plan: plans.InstrumentPlan, *, committed: bool) -> Result:
    summary = plan.summary()
    changes = [
        {
            "records": plans.ITEMS,
            "change": verb,
            "label": code,
            "fields": plan.what_changed.get(code, []),
        }
        for verb, codes in (
            ("added", plan.added),
            ("changed", plan.changed),
            ("removed", plan.removed),
        )
        for code in codes
    ]
    changed = sum(summary[plans.ITEMS][k] for k in ("added", "changed", "removed"))
    if plan.instrument is None:
        note = f"A new instrument “{plan.title}” ({plan.code}) with {len(plan.items)} items."
    elif changed or plan.title_changed:
        note = (
            f"The instrument “{plan.instrument.title}” ({plan.code}) is brought in line with "
            "the file."
        )
    else:
        note = (
            f"The instrument “{plan.instrument.title}” ({plan.code}) already holds exactly these "
            "items: nothing would change."
        )
    if committed:
        note = note.replace("nothing would change", "nothing changed")
    return Result(summary=summary, notes=[note], changes=changes)


def _check_instrument(context: Context) -> Result:
    context.progress(0.2, f"Reading {context.source_name}")
    return _instrument_result(_instrument_plan(context), committed=False)


def _apply_instrument(context: Context) -> Result:
    plan = _instrument_plan(context)
    instrument = instrument_import(actor=context.actor, plan=plan)
    result = _instrument_result(plan, committed=True)
    result.outcome_url = reverse("instrument_detail", args=[instrument.pk])
    result.outcome_label = instrument.title
    return result


def _responses_plan(context: Context) -> plans.ResponsesPlan:
    options = context.options
    return plans.responses_plan(
        system=context.system,
        path=context.path,
        name=context.source_name,
        instrument_code=str(options.get("instrument", "")).strip(),
        window=str(options.get("window", "")),
        year_text=str(options.get("year", "")).strip(),
        program_ref=str(options.get("program", "")).strip(),
        anonymous=options.get("anonymous") == "1",
    )


def _responses_result(plan: plans.ResponsesPlan) -> Result:
    population = f"the participants of {plan.program.name}" if plan.program else "the staff"
    kind = "anonymous" if plan.anonymous else "identified"
    note = (
        f"{plan.instrument.title}, {Window(plan.window).label.lower()} "
        f"{school_year_label(plan.year)}, {population}, {kind}: "
        f"{len(plan.respondents)} respondents in the file."
    )
    return Result(summary=plan.summary, notes=[note])


def _check_responses(context: Context) -> Result:
    context.progress(0.2, f"Reading {context.source_name}")
    return _responses_result(_responses_plan(context))


def _apply_responses(context: Context) -> Result:
    plan = _responses_plan(context)
    administration = responses_import(actor=context.actor, plan=plan)
    result = _responses_result(plan)
    result.outcome_url = reverse("administration_detail", args=[administration.pk])
    result.outcome_label = str(administration)
    return result


def register_kinds() -> None:
    register(
        ImportKind(
            code="instrument_csv",
            label="Survey or assessment instrument",
            accepts=(".csv",),
            permission=Action.SURVEYS_MANAGE,
            check=_check_instrument,
            apply=_apply_instrument,
            help_text="Columns code, text, scale, subscale, reverse (scale: likert4, likert5, "
            "agree4, correct01, number, text; reverse: 0 or 1). A file for a code already "
            "here brings that instrument's items in line with it.",
            options=(
                Option("code", "Instrument code", required=True),
                Option("title", "Title", required=True),
                Option("measures", "It measures", tuple(Measures.choices), Measures.OTHER),
            ),
            commit_unchanged=False,
        )
    )
    register(
        ImportKind(
            code="responses_csv",
            label="Survey or assessment responses",
            accepts=(".csv",),
            permission=Action.SURVEYS_MANAGE,
            check=_check_responses,
            apply=_apply_responses,
            help_text="Long format: columns respondent, school, item, value (respondent: a "
            "person's sourcedId, or any token when anonymous; school: a school's sourcedId; "
            "item: the item's code). The year is the year the school year ends (2018 = 2017-18).",
            options=(
                Option("instrument", "Instrument code", required=True),
                Option("window", "Window", tuple(Window.choices), Window.BOY),
                Option("year", "School year (the year it ends)", required=True),
                Option("program", "Program (id or name; empty: the system's staff)"),
                Option("anonymous", "Anonymous", (("0", "No: identified"), ("1", "Yes")), "0"),
            ),
            commit_unchanged=False,
        )
    )
