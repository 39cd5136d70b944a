"""Reads of the surveys app for pages and the API, each from what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.authz.policies import allows, authorize, has_grant_for, scope_for
from trellis.authz.roles import Action
from trellis.core.suppression import small, threshold
from trellis.learning import selectors as learning_selectors
from trellis.learning.models import Community, Registration
from trellis.orgs.models import School, System
from trellis.people.models import Person, Position
from trellis.programs.models import Participant, Placement, Program
from trellis.surveys.builtin import CONDITIONS_DIMENSIONS
from trellis.surveys.impact import (
    PEOPLE_LEVELS,
    PersonRow,
    Scope,
    impact_report,
    impact_schools,
    knowledge_people,
    knowledge_withheld,
    practice_people,
    year_bounds,
)
from trellis.surveys.models import (
    Administration,
    AlumniAnswer,
    ConsensusRating,
    Instrument,
    Item,
    Measures,
    Participation,
    Response,
    Scale,
    Submission,
    Window,
    school_year_label,
)

# Respondents who submitted (drafts saved to finish later count nowhere).
SUBMITTED = Count("submissions", filter=Q(submissions__submitted_at__isnull=False))


def visible_instruments(user: Any) -> QuerySet[Instrument]:
    scope = scope_for(user, Action.SURVEYS_VIEW)
    return Instrument.objects.filter(scope.q(Instrument)).select_related("system")


def instrument_list(user: Any, *, query: str = "") -> QuerySet[Instrument]:
    qs = visible_instruments(user).annotate(item_count=Count("items"))
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(code__icontains=query))
    return qs.order_by("system_id", "title", "pk")


def instrument_get(user: Any, pk: int) -> Instrument:
    instrument = Instrument.objects.select_related("system").filter(pk=pk).first()
    if instrument is None:
        raise Http404
    authorize(user, Action.SURVEYS_VIEW, instrument)
    return instrument


def visible_administrations(user: Any) -> QuerySet[Administration]:
    scope = scope_for(user, Action.SURVEYS_VIEW)
    return (
        Administration.objects.filter(scope.q(Administration))
        .select_related("instrument", "system", "program", "school", "session")
        .annotate(respondents=SUBMITTED)
        .order_by("-school_year", "instrument__title", "window", "pk")
    )


def _programs_reached(scope: Any) -> set[int]:
    from trellis.programs.models import Cohort

    cohorts = Cohort.objects.filter(pk__in=scope.cohort_ids).values_list("program_id", flat=True)
    return set(scope.program_ids) | set(cohorts)


def administration_reached(user: Any, pk: int) -> bool:
    """Whether any grant of the user, whatever its role, reaches the administration's
    population: a program's participants (a grant on the program or one of its cohorts, or on
    its system), one school's staff (a grant on the school, its network or its system), a
    system's staff (any grant in that system). Outside it the administration's pages answer 404
    whatever the user's roles, before any 403 (scope before role)."""
    administration = Administration.objects.filter(pk=pk).first()
    if administration is None:
        return False
    scope = scope_for(user)
    if scope.everything:
        return True
    if administration.system_id in scope.system_ids:
        return True
    if administration.program_id is not None:
        return administration.program_id in _programs_reached(scope)
    if administration.school_id is not None:
        schools = scope.school_ids | scope.network_school_ids | scope.related_school_ids
        return administration.school_id in schools
    return administration.system_id in scope.reached_system_ids


def instrument_reached(user: Any, pk: int) -> bool:
    """Whether any grant of the user, whatever its role, reaches the instrument (its system's,
    or any grant for a built-in one): outside it, 404 before any 403."""
    return Instrument.objects.filter(scope_for(user).q(Instrument), pk=pk).exists()


def impact_reached(user: Any, system_code: str, program_id: int | None) -> bool:
    """Whether any grant of the user, whatever its role, reaches the system whose report is
    asked for (or the program asked for, where it serves that system): outside it the report
    answers 404 before any 403. No system named: nothing to be outside of."""
    if not system_code:
        return True
    system = System.objects.filter(code=system_code).first()
    if system is None:
        return False
    scope = scope_for(user)
    if scope.everything or system.pk in scope.system_ids | scope.reached_system_ids:
        return True
    if program_id is None:
        return False
    return (
        program_id in _programs_reached(scope)
        and Program.objects.filter(pk=program_id)
        .filter(Q(owner_system=system) | Q(systems=system))
        .exists()
    )


def may(user: Any, action: str, obj: Any) -> bool:
    return allows(user, action, obj)


def administration_get(user: Any, pk: int, action: str = Action.SURVEYS_VIEW) -> Administration:
    administration = (
        Administration.objects.select_related(
            "instrument", "system", "program", "school", "session"
        )
        .annotate(respondents=SUBMITTED)
        .filter(pk=pk)
        .first()
    )
    if administration is None:
        raise Http404
    authorize(user, action, administration)
    return administration


def impact_systems(user: Any) -> QuerySet[System]:
    """The systems whose impact report the user may open (a program's staff: the systems their
    programs serve)."""
    scope = scope_for(user, Action.IMPACT_VIEW)
    if scope.everything:
        return System.objects.order_by("name")
    served = Program.systems.through.objects.filter(program__in=impact_programs(user))
    return System.objects.filter(
        Q(pk__in=scope.system_ids) | Q(pk__in=served.values("system_id"))
    ).order_by("name")


def impact_programs(user: Any) -> QuerySet[Program]:
    scope = scope_for(user, Action.IMPACT_VIEW)
    return Program.objects.filter(scope.q(Program)).order_by("name")


def impact_program_choices(user: Any, system: System) -> QuerySet[Program]:
    """The programs serving the system whose report the user may open."""
    serving = Program.objects.filter(Q(owner_system=system) | Q(systems=system)).distinct()
    if allows(user, Action.IMPACT_VIEW, system):
        return serving.order_by("name")
    return serving.filter(pk__in=impact_programs(user).values("pk")).order_by("name")


def school_year_of(day: datetime.date) -> int:
    """The school year a day falls in, named by the year it ends (1 July to 30 June)."""
    return day.year + 1 if day.month >= 7 else day.year


def session_survey_refusal(session: Any, today: datetime.date) -> str:
    """Why a PD session's attendees can no longer be given a satisfaction survey ("" when
    they can): its school year is over (a form opens within it), or every satisfaction
    instrument has been given (each once)."""
    day = timezone.localtime(session.starts_at).date()
    if today > datetime.date(school_year_of(day), 6, 30):
        return (
            "This session's school year has ended: its attendees can no longer be given a "
            "survey (a form opens within the school year it counts in)."
        )
    given = Administration.objects.filter(session=session).values("instrument_id")
    if not session_survey_instruments(session).exclude(pk__in=given).exists():
        return "Every satisfaction instrument has been given to this session."
    return ""


def impact_years(system: System, today: datetime.date | None = None) -> list[int]:
    """The school years with data the report shows, newest first: those of the system's
    administrations (conditions, knowledge, beliefs, satisfaction), and those its programs'
    cohorts with participants from the system overlap, up to today's school year (reach,
    alumni, use of new practice and student outcomes follow the year's active participants)."""
    years = set(Administration.objects.filter(system=system).values_list("school_year", flat=True))
    current = school_year_of(today or timezone.localdate())
    spans = (
        Participant.objects.filter(person__system=system)
        .values_list("cohort__starts_on", "cohort__ends_on")
        .distinct()
    )
    for starts_on, ends_on in spans:
        first, last = school_year_of(starts_on), min(school_year_of(ends_on), current)
        years.update(range(first, last + 1))
    return sorted(years, reverse=True)


def impact_default_year(system: System, years: list[int]) -> int | None:
    """The year the report opens on: the newest with a figure to compare, i.e. one measure
    (conditions, beliefs, knowledge) answered by at least the suppression threshold at both the
    beginning and the end of the year, or satisfaction answered by at least the threshold; else
    the newest with a survey or assessment answered by at least the threshold (a web form just
    opened, with a first answer or two, does not move it); else the newest with any data. A
    beginning-of-year import (a new year's pre scores) or a year under way stays one choice
    away in the selector."""
    answered = list(
        Administration.objects.filter(system=system)
        .annotate(respondents=SUBMITTED)
        .filter(respondents__gte=threshold())
        .values_list("school_year", "instrument__measures", "window")
        .distinct()
    )
    windows: dict[tuple[int, str], set[str]] = {}
    for year, measures, window in answered:
        windows.setdefault((year, measures), set()).add(window)
    compared = [
        year
        for (year, measures), seen in windows.items()
        if measures == Measures.SATISFACTION
        or (measures != Measures.OTHER and {Window.BOY, Window.EOY} <= seen)
    ]
    if compared:
        return max(compared)
    if answered:
        return max(year for year, _m, _w in answered)
    return years[0] if years else None


def impact_target(
    user: Any, system_code: str, program_id: int | None
) -> tuple[System, Program | None]:
    """The system (and program) of a report the user may open: 404 outside every grant, 403 in
    scope but without the impact report."""
    system = System.objects.filter(code=system_code).first()
    if system is None:
        raise Http404
    if program_id is None:
        authorize(user, Action.IMPACT_VIEW, system)
        return system, None
    program = (
        Program.objects.filter(pk=program_id)
        .filter(Q(owner_system=system) | Q(systems=system))
        .distinct()
        .first()
    )
    if program is None:
        raise Http404
    if allows(user, Action.IMPACT_VIEW, system):
        return system, program
    authorize(user, Action.IMPACT_VIEW, program)
    return system, program


def impact_default_program(user: Any, system_code: str) -> int | None:
    """For a viewer who may open only programs' reports of the system (a partner's staff), the
    first of those programs, so that the page opens on a report they may read; else None."""
    system = System.objects.filter(code=system_code).first()
    if system is None or allows(user, Action.IMPACT_VIEW, system):
        return None
    return impact_program_choices(user, system).values_list("pk", flat=True).first()


def impact_get(user: Any, *, system_code: str, year: int, program_id: int | None) -> dict[str, Any]:
    system, program = impact_target(user, system_code, program_id)
    return impact_report(system=system, year=year, program=program)


def impact_drill(
    user: Any, *, system_code: str, year: int, program_id: int | None, level: str
) -> tuple[System, Program | None, list[str], list[Any]]:
    system, program = impact_target(user, system_code, program_id)
    columns, rows = impact_schools(system=system, year=year, program=program, level=level)
    return system, program, columns, rows


def impact_knowledge_withheld(system: System, program: Program | None, year: int) -> list[str]:
    """The knowledge subjects withheld for fewer than the threshold (after `impact_drill` has
    scoped the system and program to the viewer)."""
    return knowledge_withheld(system=system, year=year, program=program)


def impact_people(
    user: Any, *, system_code: str, year: int, program_id: int | None, level: str
) -> tuple[System, Program | None, list[PersonRow], list[str]]:
    """The people behind a level's figures that the viewer may see one by one (404 outside the
    report's scope, 403 without the drill-down to people)."""
    system, program = impact_target(user, system_code, program_id)
    if level not in PEOPLE_LEVELS:
        raise Http404
    visible = scope_for(user, Action.IMPACT_PEOPLE).people_q()
    scope = Scope(system, year, program)
    if level == "practice":
        # A person's progress-rating levels: listed only where the viewer may also read that
        # person's progress ratings (a district leader, who may not, sees no one).
        visible &= scope_for(user, Action.RATINGS_PROGRESS).people_q()
        rows, withheld = practice_people(scope, visible)
    else:
        rows, withheld = knowledge_people(scope, visible)
    return system, program, rows, withheld


def in_population(administration: Administration, person: Any, day: datetime.date) -> bool:
    """Whether the person is among those the administration asks."""
    if person is None or person.system_id != administration.system_id:
        return False
    if administration.session_id is not None:
        # A PD session's satisfaction survey asks those who attended it, nobody else.
        return Registration.objects.filter(
            session_id=administration.session_id, person=person, attended_at__isnull=False
        ).exists()
    if administration.program_id is not None:
        start, end = year_bounds(administration.school_year)
        return Participant.objects.filter(
            person=person,
            cohort__program_id=administration.program_id,
            cohort__starts_on__lte=end,
            cohort__ends_on__gte=start,
        ).exists()
    if administration.school_id is not None:
        return (
            Position.objects.filter(
                person=person, school_id=administration.school_id, starts_on__lte=day
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
            .exists()
        )
    return True


def respondent_school(person: Any, day: datetime.date) -> School | None:
    position = (
        Position.objects.filter(person=person, school__isnull=False, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("school")
        .order_by("-starts_on", "pk")
        .first()
    )
    return position.school if position else None


def administration_to_answer(user: Any, pk: int, day: datetime.date) -> Administration:
    """An administration whose web form the user may answer today: asked of them and open.
    Anything else is a 404 (whether a survey exists is not told to those it does not ask)."""
    administration = (
        Administration.objects.select_related("instrument", "system", "session")
        .filter(pk=pk)
        .first()
    )
    person = getattr(user, "person", None)
    if administration is None or not in_population(administration, person, day):
        raise Http404
    if not administration.open_on(day):
        raise Http404
    return administration


def saved_answers(administration: Administration, user: Any) -> tuple[dict[int, str], bool]:
    """The respondent's saved answers by item id (to resume), and whether they submitted. An
    anonymous administration's submitted answers are nobody's: the person only has a
    Participation (answered), and their answers cannot be read back."""
    submitted = False
    if administration.anonymous:
        submitted = Participation.objects.filter(
            administration=administration, person_id=user.person_id
        ).exists()
        if submitted:
            return {}, True
    submission = Submission.objects.filter(
        administration=administration, person_id=user.person_id
    ).first()
    if submission is None:
        return {}, submitted
    values = {
        r.item_id: (r.text if r.value is None else str(r.value.normalize()))
        for r in submission.responses.all()
    }
    return values, submission.submitted_at is not None


def administrations_to_answer(user: Any, day: datetime.date) -> list[tuple[Administration, str]]:
    """The administrations whose web form asks the user and is open today, each with where the
    user stands: "not started", "saved" (a draft to finish) or "submitted" (the home page's
    "Surveys to answer": the form's address is otherwise known only to those who manage it)."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    open_ones = (
        Administration.objects.filter(
            system_id=person.system_id, opens_on__lte=day, closes_on__gte=day
        )
        .select_related("instrument", "session")
        .order_by("closes_on", "pk")
    )
    out = []
    for administration in open_ones:
        if not in_population(administration, person, day):
            continue
        _saved, submitted = saved_answers(administration, user)
        if submitted:
            status = "submitted"
        elif _saved or _has_draft(administration, user):
            status = "saved"
        else:
            status = "not started"
        out.append((administration, status))
    return out


def _has_draft(administration: Administration, user: Any) -> bool:
    return Submission.objects.filter(
        administration=administration, person_id=user.person_id
    ).exists()


@dataclass(frozen=True)
class OpenTextAnswers:
    """An open-text item's answers as a results page shows them: none when fewer than the
    threshold answered (`withheld`), since a handful of sentences can be told apart by who
    writes that way."""

    item: Item
    count: int
    answers: list[str]

    @property
    def withheld(self) -> bool:
        return small(self.count)


def open_text_answers(user: Any, administration: Administration) -> list[OpenTextAnswers]:
    """The submitted answers to each open-text item, for those who may read the
    administration's answers (`surveys.responses`; anyone else: an empty list). No respondent,
    school or day comes with them, and they are in alphabetical order: the order of the rows
    follows the order the answers came in, which an access log could match with people."""
    if not allows(user, Action.SURVEYS_RESPONSES, administration):
        return []
    items = list(administration.instrument.items.filter(scale=Scale.TEXT))
    if not items:
        return []
    texts: dict[int, list[str]] = {item.pk: [] for item in items}
    rows = (
        Response.objects.filter(
            submission__administration=administration,
            submission__submitted_at__isnull=False,
            item__in=items,
        )
        .exclude(text="")
        .values_list("item_id", "text")
    )
    for item_id, text in rows:
        if text.strip():
            texts[item_id].append(text.strip())
    out = []
    for item in items:
        answers = texts[item.pk]
        shown = [] if small(len(answers)) else sorted(answers, key=lambda t: (t.casefold(), t))
        out.append(OpenTextAnswers(item=item, count=len(answers), answers=shown))
    return out


def session_surveys(session: Any) -> list[Administration]:
    """The satisfaction surveys given to a PD session's attendees, each with its number of
    respondents (submitted) and the favourable share of its answers (`session_satisfaction`)."""
    return list(
        Administration.objects.filter(session=session)
        .select_related("instrument")
        .annotate(respondents=SUBMITTED)
        .order_by("pk")
    )


def session_survey_to_manage(user: Any, pk: int) -> Administration:
    """A PD session's survey whose days the user may move: as the session's own pages, 404
    when they may not see the session, 403 when they may not manage it."""
    from trellis.learning.selectors import session_to_manage

    administration = (
        Administration.objects.select_related("instrument").filter(pk=pk, session__isnull=False)
    ).first()
    if administration is None or administration.session_id is None:
        raise Http404
    administration.session = session_to_manage(user, administration.session_id)
    return administration


def session_survey_instruments(session: Any) -> QuerySet[Instrument]:
    """The satisfaction instruments a session's attendees may be given: the built-in ones and
    the session's system's own."""
    return Instrument.objects.filter(
        Q(system__isnull=True) | Q(system_id=session.system_id),
        measures=Measures.SATISFACTION,
    ).order_by("title", "pk")


def on_leadership_team(user: Any, team: Community) -> bool:
    """Whether the user is the facilitator or a member of the school leadership team (the
    people who reach its consensus rating of the school's conditions; docs/decisions.md,
    2026-12-01)."""
    person_id = getattr(user, "person_id", None)
    if not person_id or team.kind != Community.Kind.LEADERSHIP:
        return False
    return team.facilitator_id == person_id or team.members.filter(pk=person_id).exists()


def consensus_team(user: Any, pk: int) -> Community:
    """The leadership team whose consensus ratings the user records: 404 for a community they
    cannot see (or one that is no school leadership team), 403 for one they are not on."""
    team = learning_selectors.community_get(user, pk)
    if team.kind != Community.Kind.LEADERSHIP:
        raise Http404
    if not on_leadership_team(user, team):
        raise PermissionDenied
    return team


@dataclass
class ConsensusRow:
    year: int
    window: str
    values: list[int | None]
    updated: datetime.datetime

    @property
    def label(self) -> str:
        return f"{Window(self.window).label}, {school_year_label(self.year)}"


def consensus_rows(school_id: int) -> list[ConsensusRow]:
    """A school's consensus ratings, one row per school year and window (latest first), with
    the values in the order of CONDITIONS_DIMENSIONS."""
    found: dict[tuple[int, str], dict[str, Any]] = {}
    for r in ConsensusRating.objects.filter(school_id=school_id).order_by("pk"):
        entry = found.setdefault((r.school_year, r.window), {"updated": r.updated_at})
        entry[r.dimension] = r.value
        entry["updated"] = max(entry["updated"], r.updated_at)
    return [
        ConsensusRow(year, window, [entry.get(d) for d in CONDITIONS_DIMENSIONS], entry["updated"])
        for (year, window), entry in sorted(found.items(), key=lambda kv: (-kv[0][0], kv[0][1]))
    ]


def consensus_values(school_id: int, year: int, window: str) -> dict[str, int]:
    return dict(
        ConsensusRating.objects.filter(
            school_id=school_id, school_year=year, window=window
        ).values_list("dimension", "value")
    )


def alumni_of(system: System) -> QuerySet[Person]:
    """The system's alumni: people of the system placed after a program (a placement), as the
    impact report's alumni retention counts them."""
    placed = Placement.objects.filter(participant__person__system=system)
    return Person.objects.filter(pk__in=placed.values("participant__person_id")).order_by(
        "family_name", "given_name", "pk"
    )


def alumni_systems(user: Any) -> list[System]:
    """The systems whose alumni answers the user records (the links to the alumni page): by
    the permission, whatever node their grant sits on."""
    scope = scope_for(user, Action.SURVEYS_MANAGE)
    systems = System.objects.order_by("name")
    if not scope.everything:
        systems = systems.filter(pk__in=scope.reached_system_ids)
    return [s for s in systems if allows(user, Action.SURVEYS_MANAGE, s)]


def alumni_system(user: Any, code: str) -> System:
    """The system whose alumni answers the user records: 404 outside their reach, 403 where
    they may not manage its surveys. Without a code, the one system they record for (the walk
    typed the page's address and got "no page at this address")."""
    if not code:
        mine = alumni_systems(user)
        if len(mine) == 1:
            return mine[0]
    system = System.objects.filter(code=code).first() if code else None
    if system is None:
        raise Http404
    authorize(user, Action.SURVEYS_MANAGE, system)
    return system


def alumni_answers(system: System) -> QuerySet[AlumniAnswer]:
    return AlumniAnswer.objects.filter(system=system).select_related("person")


@dataclass
class GiveChoices:
    """What the "Give this instrument" page offers: the systems, programs and schools whose
    population the user may give the instrument to (a system's own instrument: in that system
    only)."""

    systems: list[System]
    programs: list[Program]
    schools: list[School]
    # Whether a system's staff may be given it (a system grant; a program manager's is not).
    staff: bool


def _give_systems(scope: Any) -> QuerySet[System]:
    """The systems some population of which the scope's grants manage the surveys of: a system
    grant gives to any of the system's populations; a program grant (a program manager's) to
    its program's participants only, in the systems the program serves (surveys.scopes)."""
    systems = System.objects.order_by("name", "pk")
    if scope.everything:
        return systems
    mine = Program.objects.filter(pk__in=scope.program_ids)
    return systems.filter(
        Q(pk__in=scope.system_ids)
        | Q(pk__in=mine.values("owner_system_id"))
        | Q(served_programs__in=mine)
    ).distinct()


def give_choices(user: Any, instrument: Instrument) -> GiveChoices:
    scope = scope_for(user, Action.SURVEYS_MANAGE)
    systems = _give_systems(scope)
    programs = Program.objects.order_by("name", "pk")
    schools = School.objects.select_related("system").order_by("name", "pk")
    if not scope.everything:
        programs = programs.filter(
            Q(pk__in=scope.program_ids)
            | Q(owner_system_id__in=scope.system_ids)
            | Q(systems__in=scope.system_ids)
        )
        schools = schools.filter(system_id__in=scope.system_ids)
    if instrument.system_id is not None:
        systems = systems.filter(pk=instrument.system_id)
        programs = programs.filter(
            Q(owner_system_id=instrument.system_id) | Q(systems=instrument.system_id)
        )
        schools = schools.filter(system_id=instrument.system_id)
    found = list(systems)
    staff = scope.everything or bool(set(scope.system_ids) & {s.pk for s in found})
    return GiveChoices(found, list(programs.distinct()), list(schools), staff)


def administration_same(
    *, instrument: Any, system: Any, window: str, year: int, program: Any, school: Any
) -> Administration | None:
    """The administration of that instrument, system, window, school year and population
    (a program's participants, a school's staff or the system's staff; never a PD session's
    survey): the one a response file and the web form both fill."""
    return (
        Administration.objects.filter(
            instrument=instrument,
            system=system,
            window=window,
            school_year=year,
            program=program,
            school=school,
            session__isnull=True,
        )
        .order_by("pk")
        .first()
    )


def may_give(user: Any, instrument: Instrument) -> bool:
    """Whether the instrument's page links to "Give this instrument": some population the
    user manages may be given it."""
    return bool(instruments_to_give(user, [instrument]))


def instruments_to_give(user: Any, instruments: list[Instrument] | None = None) -> list[Instrument]:
    """Of these instruments (by default those the user manages surveys with), the ones the user
    may give: a built-in one wherever they manage some population, a system's own where they
    manage one of that system's (the Administrations list links to each one's page)."""
    if not has_grant_for(user, Action.SURVEYS_MANAGE):
        return []
    scope = scope_for(user, Action.SURVEYS_MANAGE)
    if instruments is None:
        instruments = list(Instrument.objects.filter(scope.q(Instrument)).order_by("title", "pk"))
    systems = {s.pk for s in _give_systems(scope)}
    return [i for i in instruments if systems and i.system_id in (None, *systems)]
