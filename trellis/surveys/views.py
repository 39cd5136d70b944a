"""Pages of the surveys app: instruments, administrations, the impact report and its drill-down.
Thin: parse, call a selector, render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from trellis.authz.decorators import permission, scoped_permission
from trellis.authz.policies import has_grant_for
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.forms import add_service_errors, form_status
from trellis.core.listing import ExportSpec, form_page, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.core.suppression import threshold
from trellis.learning import selectors as learning_selectors
from trellis.surveys import selectors, services
from trellis.surveys.builtin import CONDITIONS_DIMENSIONS
from trellis.surveys.charts import figures
from trellis.surveys.forms import (
    AlumniAnswerForm,
    AnswersForm,
    ConsensusForm,
    GiveForm,
    SessionSurveyForm,
    WindowForm,
)
from trellis.surveys.impact import LEVELS, PEOPLE_LEVELS, definitions
from trellis.surveys.models import Measures, Scale, Window, school_year_label
from trellis.surveys.printing import pdf_filename, report_pdf
from trellis.surveys.tables import tables


def _respondents(n: int) -> str:
    return f"fewer than {threshold()}" if 0 < n < threshold() else f"{n:,}"


# Scope before role (trellis.authz.decorators.scoped_permission): whoever's roles allow the
# page's action nowhere gets 404 for an object no grant of theirs reaches, 403 for one in reach.


def _sees_instrument(request: HttpRequest, *args: Any, pk: int, **kwargs: Any) -> bool:
    return selectors.instrument_reached(request.user, pk)


def _sees_administration(request: HttpRequest, *args: Any, pk: int, **kwargs: Any) -> bool:
    return selectors.administration_reached(request.user, pk)


def _sees_report(request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
    return selectors.impact_reached(
        request.user,
        get_text(request.GET, "system", max_length=60),
        get_int(request.GET, "program"),
    )


INSTRUMENT_EXPORT = ExportSpec(
    filename="instruments",
    headers=["Instrument", "Code", "Measures", "Owner", "Items"],
    row=lambda i: [
        i.title,
        i.code,
        i.get_measures_display(),
        i.system.name if i.system else "Built in",
        i.item_count,
    ],
)
ADMINISTRATION_EXPORT = ExportSpec(
    filename="administrations",
    headers=[
        "Instrument",
        "System",
        "Population",
        "Window",
        "School year",
        "Anonymous",
        "Respondents",
    ],
    row=lambda a: [
        a.instrument.title,
        a.system.name,
        a.population_label if a.session_id or a.program or a.school else "Staff",
        a.get_window_display(),
        school_year_label(a.school_year),
        "yes" if a.anonymous else "no",
        _respondents(a.respondents),
    ],
)


@permission(Action.SURVEYS_VIEW)
def instrument_list(request: HttpRequest) -> HttpResponseBase:
    query = get_text(request.GET, "q")
    return render_list(
        request,
        template="surveys/instrument_list.html",
        queryset=selectors.instrument_list(request.user, query=query),
        export=INSTRUMENT_EXPORT,
        context={
            "query": query,
            "can_import": has_grant_for(request.user, Action.SURVEYS_MANAGE),
        },
    )


@scoped_permission(Action.SURVEYS_VIEW, _sees_instrument)
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    instrument = selectors.instrument_get(request.user, pk)
    items = list(instrument.items.all())
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"instrument-{instrument.code}",
            headers=["code", "text", "scale", "subscale", "reverse"],
            rows=([i.code, i.text, i.scale, i.subscale, int(i.reverse)] for i in items),
        )
    return render(
        request,
        "surveys/instrument_detail.html",
        {
            "instrument": instrument,
            "items": items,
            "can_give": selectors.may_give(request.user, instrument),
        },
    )


@permission(Action.SURVEYS_VIEW)
def administration_list(request: HttpRequest) -> HttpResponseBase:
    return render_list(
        request,
        template="surveys/administration_list.html",
        queryset=selectors.visible_administrations(request.user),
        export=ADMINISTRATION_EXPORT,
        context={
            # Whoever manages a system's surveys records its alumni survey's answers.
            "alumni_systems": selectors.alumni_systems(request.user),
            # The instruments the user may give ("Give this instrument" on each one's page).
            "to_give": selectors.instruments_to_give(request.user),
        },
    )


@scoped_permission(Action.SURVEYS_VIEW, _sees_administration)
def administration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    administration = selectors.administration_get(request.user, pk)
    return render(
        request,
        "surveys/administration_detail.html",
        {
            "administration": administration,
            "respondents": _respondents(administration.respondents),  # type: ignore[attr-defined]
            "year_label": school_year_label(administration.school_year),
            # An identified knowledge assessment's per-person scores reach the people
            # drill-down of the impact report (never the answers themselves).
            "scores_shown": not administration.anonymous
            and administration.instrument.measures == Measures.KNOWLEDGE,
            "can_manage": has_grant_for(request.user, Action.SURVEYS_MANAGE)
            and selectors.may(request.user, Action.SURVEYS_MANAGE, administration),
            "open_texts": selectors.open_text_answers(request.user, administration),
            "open_text_items": administration.instrument.items.filter(scale=Scale.TEXT).count(),
            "threshold": threshold(),
        },
    )


def _report_params(request: HttpRequest) -> tuple[str, int | None, int | None]:
    year = get_int(request.GET, "year")
    if year is not None and not 1990 <= year <= 2100:
        raise BadRequest("The 'year' parameter is the year a school year ends, e.g. 2018.")
    return get_text(request.GET, "system", max_length=60), year, get_int(request.GET, "program")


def _people_levels(user: Any) -> tuple[str, ...]:
    """The levels whose people the page links to: the practice level's (progress ratings) only
    for viewers who may read progress ratings (its list would be empty for the others)."""
    return tuple(
        level
        for level in PEOPLE_LEVELS
        if level != "practice" or has_grant_for(user, Action.RATINGS_PROGRESS)
    )


@scoped_permission(Action.IMPACT_VIEW, _sees_report)
def impact_page(request: HttpRequest) -> HttpResponse:
    systems = list(selectors.impact_systems(request.user))
    code, year, program_id = _report_params(request)
    context: dict[str, Any] = {"systems": systems, "report": None}
    if not code and len(systems) == 1:
        code = systems[0].code
    if code and program_id is None:
        program_id = selectors.impact_default_program(request.user, code)
    if code:
        system, program = selectors.impact_target(request.user, code, program_id)
        years = selectors.impact_years(system)
        year = year or selectors.impact_default_year(system, years)
        if year and year not in years:
            # A year asked for by the address (a bookmark, a shared link) is the report shown:
            # the selector lists it too, so that it names the year the figures are for.
            years = sorted([*years, year], reverse=True)
        context.update(
            system=system,
            program=program,
            years=years,
            # One form of a school year everywhere (the heading, the picker, the JSON).
            year_choices=[(y, school_year_label(y)) for y in years],
            year=year,
            programs=list(selectors.impact_program_choices(request.user, system)),
        )
        if year:
            context["report"] = selectors.impact_get(
                request.user, system_code=code, year=year, program_id=program_id
            )
            base = f"{reverse('impact_schools')}?system={system.code}&year={year}"
            context["drill"] = base + (f"&program={program.pk}" if program else "")
            context["year_label"] = school_year_label(year)
            context["tables"] = tables(context["report"])
            context["figures"] = figures(context["report"])
            context["definitions"] = definitions(page=True)
            if get_choice(request.GET, "format", ("pdf",)):
                response = HttpResponse(
                    report_pdf(context["report"]), content_type="application/pdf"
                )
                filename = pdf_filename(context["report"])
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
            context["pdf"] = (
                context["drill"].replace(reverse("impact_schools"), reverse("impact_report"), 1)
                + "&format=pdf"
            )
            if has_grant_for(request.user, Action.IMPACT_PEOPLE):
                context["people_drill"] = context["drill"].replace(
                    reverse("impact_schools"), reverse("impact_people"), 1
                )
                context["people_levels"] = _people_levels(request.user)
    return render(request, "surveys/impact_report.html", context)


@scoped_permission(Action.IMPACT_VIEW, _sees_report)
def impact_drill_page(request: HttpRequest) -> HttpResponseBase:
    code, year, program_id = _report_params(request)
    level = get_choice(request.GET, "level", LEVELS) or "conditions"
    if not code or year is None:
        raise BadRequest("Give the 'system' and 'year' parameters.")
    system, program, columns, rows = selectors.impact_drill(
        request.user, system_code=code, year=year, program_id=program_id, level=level
    )
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"impact-{level}-{system.code}-{year}",
            headers=["School", *columns],
            rows=([r.school.name, *r.cells] for r in rows),
        )
    back = f"{reverse('impact_report')}?system={system.code}&year={year}" + (
        f"&program={program.pk}" if program else ""
    )
    return render(
        request,
        "surveys/impact_schools.html",
        {
            "system": system,
            "program": program,
            "year": year,
            "year_label": school_year_label(year),
            "level": level,
            "columns": columns,
            "rows": rows,
            "back": back,
            "querystring_nopage": request.GET.urlencode(),
            "threshold": threshold(),
            "withheld": (
                selectors.impact_knowledge_withheld(system, program, year)
                if level == "knowledge"
                else []
            ),
            "people": (
                back.replace(reverse("impact_report"), reverse("impact_people"), 1)
                + f"&level={level}"
                if level in _people_levels(request.user)
                and has_grant_for(request.user, Action.IMPACT_PEOPLE)
                else ""
            ),
        },
    )


# Per level of the people drill-down: what a row's subject is (singular, plural) and the
# headings of its two values.
PEOPLE_KINDS = {
    "knowledge": ("subject", "subjects", "Pre", "Post"),
    "practice": ("competency", "competencies", "First level", "Last level"),
}


@scoped_permission(Action.IMPACT_PEOPLE, _sees_report)
def impact_people_page(request: HttpRequest) -> HttpResponseBase:
    code, year, program_id = _report_params(request)
    # Only the levels whose people may be listed (identified knowledge assessments, progress
    # ratings); any other level (conditions, beliefs, satisfaction: anonymous surveys) has no
    # one behind it: 404.
    level = get_text(request.GET, "level", max_length=30) or "knowledge"
    if not code or year is None:
        raise BadRequest("Give the 'system' and 'year' parameters.")
    system, program, rows, withheld = selectors.impact_people(
        request.user, system_code=code, year=year, program_id=program_id, level=level
    )
    query = get_text(request.GET, "q")
    subject = get_text(request.GET, "subject", max_length=100)
    subjects = sorted({r.subject for r in rows})
    if query:
        rows = [r for r in rows if query.lower() in f"{r.name} {r.school}".lower()]
    if subject:
        rows = [r for r in rows if r.subject == subject]
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"impact-people-{level}-{system.code}-{year}",
            headers=[
                "Person",
                "School",
                PEOPLE_KINDS[level][0].capitalize(),
                *PEOPLE_KINDS[level][2:],
                "Change",
            ],
            rows=(PEOPLE_EXPORT.row(r) for r in rows),
        )
    back = f"{reverse('impact_report')}?system={system.code}&year={year}" + (
        f"&program={program.pk}" if program else ""
    )
    return render_list(
        request,
        template="surveys/impact_people.html",
        queryset=rows,  # type: ignore[arg-type]  # a list paginates like a queryset
        export=PEOPLE_EXPORT,
        context={
            "system": system,
            "program": program,
            "year": year,
            "year_label": school_year_label(year),
            "level": level,
            "kind": PEOPLE_KINDS[level][0],
            "kind_plural": PEOPLE_KINDS[level][1],
            "columns": PEOPLE_KINDS[level][2:],
            "withheld": withheld,
            "subjects": subjects,
            "subject": subject,
            "query": query,
            "back": back,
            "schools_link": back.replace(reverse("impact_report"), reverse("impact_schools"), 1)
            + f"&level={level}",
        },
    )


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


PEOPLE_EXPORT = ExportSpec(
    filename="impact-people",
    headers=["Person", "School", "Subject", "Pre", "Post", "Change"],
    row=lambda r: [
        r.name,
        r.school,
        r.subject,
        _score(r.pre),
        _score(r.post),
        "—" if r.change is None else f"{r.change:+.1f}",
    ],
)


@scoped_permission(Action.SURVEYS_MANAGE, _sees_administration)
def administration_window(request: HttpRequest, pk: int) -> HttpResponseBase:
    administration = selectors.administration_get(request.user, pk, Action.SURVEYS_MANAGE)
    initial = {"opens_on": administration.opens_on, "closes_on": administration.closes_on}
    return form_page(
        request,
        form=WindowForm(request.POST or None, initial=initial),
        save=lambda data: services.administration_window_set(
            actor=request.user, administration=administration, **data
        ),
        success_url=reverse("administration_detail", args=[administration.pk]),
        heading=f"When the web form of “{administration}” takes answers",
        back_label=str(administration),
    )


def _window_of(day: datetime.date) -> str:
    """The window a session's day suggests: July to November the beginning of the year,
    December to February the middle, March to June the end (the form's first choice only)."""
    if day.month >= 7 and day.month <= 11:
        return Window.BOY
    return Window.MOY if day.month in (12, 1, 2) else Window.EOY


@scoped_permission(Action.SURVEYS_MANAGE, _sees_instrument)
def administration_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Give an instrument to a population (the system's staff, a program's participants, a
    school's staff) for a window of this school year, with the days its web form takes answers:
    whoever manages that population's surveys (a program manager: their program's)."""
    instrument = selectors.instrument_get(request.user, pk)
    choices = selectors.give_choices(request.user, instrument)
    if not choices.systems:
        raise PermissionDenied
    today = timezone.localdate()
    year = selectors.school_year_of(today)
    last = datetime.date(year, 6, 30)
    initial = {
        "system": choices.systems[0] if len(choices.systems) == 1 else None,
        "population": "staff"
        if choices.staff and instrument.measures == Measures.CONDITIONS
        else "program",
        "window": _window_of(today),
        "school_year": year,
        "anonymous": instrument.measures != Measures.KNOWLEDGE,
        "opens_on": today,
        "closes_on": min(today + datetime.timedelta(days=14), last),
    }
    form = GiveForm(request.POST or None, initial=initial, choices=choices)
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            administration = services.administration_create(
                actor=request.user, instrument=instrument, **form.cleaned_data
            )
        except services.AlreadyGiven as error:
            existing = error.administration
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"“{instrument.title}” is given to {administration.population_label}: "
                "they find it on their home page while its web form is open.",
            )
            return redirect("administration_detail", pk=administration.pk)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Give “{instrument.title}”",
            "intro_template": "surveys/give_intro.html",
            "existing": existing,
            "back_url": reverse("instrument_detail", args=[instrument.pk]),
            "back_label": instrument.title,
            "submit_label": "Give the instrument",
        },
        status=form_status(form),
    )


@permission(Action.SIGNED_IN)
def session_survey_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Give a satisfaction survey to a PD session's attendees, from the session's page: whoever
    manages the session (404 for a session the user cannot see, 403 for one they may not
    edit)."""
    session = learning_selectors.session_to_manage(request.user, pk)
    refusal = selectors.session_survey_refusal(session, timezone.localdate())
    if refusal:
        # Nothing the form could give: back to the session, saying why (nothing was entered).
        messages.error(request, refusal)
        return redirect("learning_session", pk=session.pk)
    day = timezone.localtime(session.starts_at).date()
    last = datetime.date(selectors.school_year_of(day), 6, 30)
    instruments = selectors.session_survey_instruments(session)
    # Open from the session's day, or from today for a past session of this school year (it
    # opened closed, and asked nobody, in the walk of stop 24), for two weeks within the year
    # (a session of a year ended was sent back above).
    opens = max(day, timezone.localdate())
    initial = {
        "instrument": instruments.filter(system__isnull=True).first(),
        "window": _window_of(day),
        "anonymous": True,
        "opens_on": opens,
        "closes_on": min(opens + datetime.timedelta(days=14), last),
    }
    form = SessionSurveyForm(request.POST or None, initial=initial, instruments=instruments)
    back = reverse("learning_session", args=[session.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.session_survey_create(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "The satisfaction survey is given: attendees find it on their home page."
            )
            return redirect(back)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Satisfaction survey for “{session.title}”",
            "back_url": back,
            "back_label": session.title,
            "submit_label": "Give the survey",
        },
        status=form_status(form),
    )


@permission(Action.SIGNED_IN)
def session_survey_window(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Move the days a PD session's survey takes web answers, from the session's page: whoever
    manages the session (as for giving it)."""
    administration = selectors.session_survey_to_manage(request.user, pk)
    session = administration.session
    assert session is not None  # session_survey_to_manage finds a session's surveys only
    initial = {"opens_on": administration.opens_on, "closes_on": administration.closes_on}
    form = WindowForm(request.POST or None, initial=initial)
    back = reverse("learning_session", args=[session.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.session_survey_window_set(
                actor=request.user, administration=administration, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The survey's days are changed.")
            return redirect(back)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": (
                f"When “{administration.instrument.title}” asks the attendees of “{session.title}”"
            ),
            "back_url": back,
            "back_label": session.title,
            "submit_label": "Save the days",
        },
        status=form_status(form),
    )


@permission(Action.SIGNED_IN)
def consensus_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A school leadership team records its consensus rating of the school's conditions (each
    dimension 1-4) for the beginning or the end of a school year, and sees those it recorded;
    a window already rated comes back filled in (`?year=&window=`) and is rated again."""
    team = selectors.consensus_team(request.user, pk)
    year = get_int(request.GET, "year") or selectors.school_year_of(timezone.localdate())
    window = get_choice(request.GET, "window", ("boy", "eoy")) or "boy"
    saved = selectors.consensus_values(team.school_id, year, window)  # type: ignore[arg-type]
    initial: dict[str, Any] = {"year": year, "window": window}
    for position, dimension in enumerate(CONDITIONS_DIMENSIONS):
        initial[f"dimension_{position}"] = saved.get(dimension)
    form = ConsensusForm(request.POST or None, initial=initial, dimensions=CONDITIONS_DIMENSIONS)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consensus_record(
                actor=request.user,
                team=team,
                year=data["year"],
                window=data["window"],
                ratings=form.ratings(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The team's consensus rating is recorded.")
            return redirect(reverse("conditions_consensus", args=[team.pk]))
    return render(
        request,
        "surveys/consensus.html",
        {
            "team": team,
            "form": form,
            "dimensions": CONDITIONS_DIMENSIONS,
            "rows": selectors.consensus_rows(team.school_id),  # type: ignore[arg-type]
        },
        status=form_status(form),
    )


def _sees_system(request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
    return selectors.impact_reached(
        request.user, get_text(request.GET, "system", max_length=60), None
    )


@permission(Action.SIGNED_IN)
def consensus_remove_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Remove a window's consensus rating (`?year=&window=`), after a confirmation: the team,
    as for recording it; 404 for a window the team has not rated."""
    team = selectors.consensus_team(request.user, pk)
    params = request.POST if request.method == "POST" else request.GET
    year = get_int(params, "year")
    window = get_choice(params, "window", ("boy", "eoy"))
    if (
        team.school_id is None
        or year is None
        or window is None
        or not selectors.consensus_values(team.school_id, year, window)
    ):
        raise Http404
    back = reverse("conditions_consensus", args=[team.pk])
    label = f"{Window(window).label.lower()} {school_year_label(year)}"
    if request.method == "POST":
        services.consensus_remove(actor=request.user, team=team, year=year, window=window)
        messages.success(request, f"The consensus rating of the {label} is removed.")
        return redirect(back)
    return render(
        request,
        "confirm.html",
        {
            "heading": f"Remove the consensus rating of the {label}?",
            "lines": [
                f"The team's ratings of {team.school}'s conditions for the {label} are removed: "
                "the impact report scores the school for that window from its conditions "
                "survey's answers, if any. The audit log keeps the ratings removed."
            ],
            "button": "Remove the rating",
            "danger": True,
            "action": request.path,
            "hidden": [("year", year), ("window", window)],
            "back_url": back,
            "back_label": "Consensus rating of school conditions",
        },
    )


@scoped_permission(Action.SURVEYS_MANAGE, _sees_system)
def alumni_answers(request: HttpRequest) -> HttpResponseBase:
    """The alumni survey's answers ("Are you currently working in education?") of a system's
    alumni: the latest recorded, and the form to record one (whoever manages the system's
    surveys)."""
    system = selectors.alumni_system(request.user, get_text(request.GET, "system", max_length=60))
    form = AlumniAnswerForm(
        request.POST or None,
        initial={"answered_on": timezone.localdate()},
        alumni=selectors.alumni_of(system),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.alumni_answer_record(actor=request.user, system=system, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The answer is recorded.")
            return redirect(f"{reverse('alumni_answers')}?system={system.code}")
    return render(
        request,
        "surveys/alumni_answers.html",
        {"system": system, "form": form, "answers": selectors.alumni_answers(system)[:50]},
        status=form_status(form),
    )


@permission(Action.SIGNED_IN)
def respond(request: HttpRequest, pk: int) -> HttpResponseBase:
    today = timezone.localdate()
    administration = selectors.administration_to_answer(request.user, pk, today)
    items = list(administration.instrument.items.all())
    saved, submitted = selectors.saved_answers(administration, request.user)
    # Once submitted, changes are submitted too: a draft over a submitted answer would leave
    # it counted with questions unanswered. An anonymous administration's answers, once
    # submitted, are nobody's: they cannot be changed (a second submission is refused).
    submit = request.method == "POST" and ("submit" in request.POST or submitted)
    form = None
    if request.method == "POST" and administration.anonymous and submitted:
        messages.error(request, services.ANSWERED_ANONYMOUSLY)
        return redirect("survey_respond", pk=administration.pk)
    if request.method == "POST":
        form = AnswersForm(request.POST, items=items, submit=submit)
        if form.is_valid():
            try:
                services.web_answers_save(
                    actor=request.user,
                    administration=administration,
                    school=selectors.respondent_school(request.user.person, today),  # type: ignore[union-attr]
                    answers=form.answers(),
                    submit=submit,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _saved_message(administration, submit))
                return redirect("survey_respond", pk=administration.pk)
    elif not (administration.anonymous and submitted):
        form = AnswersForm(
            initial={f"item_{item_id}": value for item_id, value in saved.items()}, items=items
        )
    return render(
        request,
        "surveys/respond.html",
        {
            "administration": administration,
            "form": form,
            "submitted": submitted,
            "has_draft": bool(saved) and not submitted,
            # Who sees what of an identified administration's answers: an identified knowledge
            # assessment's per-person scores reach the impact report's people drill-down.
            "scores_shown": not administration.anonymous
            and administration.instrument.measures == Measures.KNOWLEDGE,
            "threshold": threshold(),
        },
    )


def _saved_message(administration: Any, submit: bool) -> str:
    if not submit:
        return "Your answers are saved. Come back to this page to finish them."
    if administration.anonymous:
        return "Thank you: your answers are submitted, without your name."
    closes = administration.closes_on
    return (
        "Thank you: your answers are submitted. You may change them until the form closes on "
        f"{closes:%b} {closes.day}, {closes.year}."
    )
