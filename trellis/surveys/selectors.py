"""Reads of the surveys app for pages and the API, each from what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from trellis.authz.policies import allows, authorize, scope_for
from trellis.authz.roles import Action
from trellis.orgs.models import System
from trellis.programs.models import Program
from trellis.surveys.impact import impact_report, impact_schools
from trellis.surveys.models import Administration, Instrument


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
        .select_related("instrument", "system", "program", "school")
        .annotate(respondents=Count("submissions"))
        .order_by("-school_year", "instrument__title", "window", "pk")
    )


def administration_get(user: Any, pk: int) -> Administration:
    administration = (
        Administration.objects.select_related("instrument", "system", "program", "school")
        .annotate(respondents=Count("submissions"))
        .filter(pk=pk)
        .first()
    )
    if administration is None:
        raise Http404
    authorize(user, Action.SURVEYS_VIEW, administration)
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


def impact_years(system: System) -> list[int]:
    return sorted(
        set(Administration.objects.filter(system=system).values_list("school_year", flat=True)),
        reverse=True,
    )


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


def impact_get(user: Any, *, system_code: str, year: int, program_id: int | None) -> dict[str, Any]:
    system, program = impact_target(user, system_code, program_id)
    return impact_report(system=system, year=year, program=program)


def impact_drill(
    user: Any, *, system_code: str, year: int, program_id: int | None, level: str
) -> tuple[System, Program | None, list[str], list[Any]]:
    system, program = impact_target(user, system_code, program_id)
    columns, rows = impact_schools(system=system, year=year, program=program, level=level)
    return system, program, columns, rows
