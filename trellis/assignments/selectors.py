"""Reads of assignments and caseloads, always starting from what the user may see."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.assignments.models import DEFAULT_TARGETS, Assignment, CaseloadTarget
from trellis.assignments.scopes import active_q, caseload_school_rows
from trellis.authz.policies import authorize, scope_for
from trellis.authz.roles import Action, Relationship
from trellis.people.models import Person, PositionKind
from trellis.people.selectors import current_positions, visible_people

STATUSES = ["current", "future", "ended", "all"]

# Who should have a supporter of each kind: the caseload page lists those without one.
POPULATION: dict[str, list[str]] = {Relationship.SUPERVISION: [PositionKind.PRINCIPAL]}


def visible_assignments(user: Any, action: str = Action.ASSIGNMENTS_VIEW) -> QuerySet[Assignment]:
    """Assignments whose assignee the user may see with `action` (one query, with a subquery).
    A system grant reaches every person of the system, and an assignment's system is its
    assignee's (assignment_create keeps both people in it): those are found by the assignment's
    own system column, without testing each assignee (item 29)."""
    scope = scope_for(user, action)
    if scope.everything:
        return Assignment.objects.all()
    q = Q(system_id__in=scope.system_ids)
    rest = dataclasses.replace(scope, system_ids=frozenset())
    if not rest.is_empty:
        q |= Q(assignee__in=Person.objects.filter(rest.people_q()).values("pk"))
    return Assignment.objects.filter(q)


def assignment_list(
    user: Any,
    *,
    query: str = "",
    kind: str = "",
    status: str = "current",
    supporter_id: int | None = None,
) -> QuerySet[Assignment]:
    assignments = visible_assignments(user).select_related("supporter", "assignee")
    for word in query.split()[:4]:
        assignments = assignments.filter(
            Q(supporter__given_name__icontains=word)
            | Q(supporter__family_name__icontains=word)
            | Q(supporter__preferred_name__icontains=word)
            | Q(assignee__given_name__icontains=word)
            | Q(assignee__family_name__icontains=word)
            | Q(assignee__preferred_name__icontains=word)
        )
    if kind:
        assignments = assignments.filter(kind=kind)
    if supporter_id:
        assignments = assignments.filter(supporter_id=supporter_id)
    today = timezone.localdate()
    if status == "current":
        assignments = assignments.filter(active_q(today))
    elif status == "future":
        assignments = assignments.filter(starts_on__gt=today)
    elif status == "ended":
        assignments = assignments.filter(ends_on__lt=today)
    return assignments.order_by(
        "kind", "supporter__family_name", "supporter__given_name", "assignee__family_name", "pk"
    )


def assignment_page(
    assignments: QuerySet[Assignment], number: int, *, per_page: int = 50
) -> tuple[list[Assignment], bool]:
    """Page `number` of `assignment_list`'s rows in its order, and whether another follows.

    Sorting every assignment in scope by two people's names grew with the district (item 29):
    instead the database counts the assignments per kind and supporter (sorted by the
    supporter's name: a few hundred groups where the rows are thousands), the page's window is
    found in those counts, and only the groups it falls in are read and sorted in full."""
    counts = {
        (kind, supporter_id): n
        for kind, supporter_id, n in assignments.order_by()
        .values_list("kind", "supporter_id")
        .annotate(n=Count("pk"))
    }
    # The supporters in the database's own name order (its collation, as the list sorts).
    supporters = list(
        Person.objects.filter(pk__in={supporter_id for _kind, supporter_id in counts})
        .order_by("family_name", "given_name", "pk")
        .values_list("pk", "family_name", "given_name")
    )
    # Supporters of one kind with the same name sort together by assignee: one band.
    bands: list[tuple[tuple[str, str, str], list[int], int]] = []
    for kind in sorted({kind for kind, _supporter_id in counts}):
        for supporter_id, family, given in supporters:
            n = counts.get((kind, supporter_id))
            if not n:
                continue
            if bands and bands[-1][0] == (kind, family, given):
                key, ids, total = bands[-1]
                bands[-1] = (key, [*ids, supporter_id], total + n)
            else:
                bands.append(((kind, family, given), [supporter_id], n))
    start, stop = (number - 1) * per_page, number * per_page + 1
    within: list[tuple[str, list[int]]] = []
    skip, seen = 0, 0
    for (kind, _family, _given), band_ids, n in bands:
        if seen + n > start and seen < stop:
            if not within:
                skip = start - seen
            within.append((kind, band_ids))
        seen += n
    if not within:
        return [], False
    rows = list(
        assignments.filter(
            reduce(or_, (Q(kind=kind, supporter_id__in=ids) for kind, ids in within))
        )[skip : skip + per_page + 1]
    )
    return rows[:per_page], len(rows) > per_page


def assignment_get(user: Any, pk: int, action: str = Action.ASSIGNMENTS_VIEW) -> Assignment:
    assignment = (
        Assignment.objects.select_related("supporter", "assignee", "assignee__system")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    authorize(user, action, assignment)
    return assignment


def never_in_force(assignment: Assignment) -> bool:
    """Whether ending this assignment now removes it: it was not in force before today, so it
    has no yesterday to end on (assignments_end)."""
    return assignment.starts_on >= timezone.localdate()


# "Tomas Teller <tomas.teller@example.org>": what the form's suggestions put in the field.
_ANGLED = re.compile(r"<([^<>]+)>\s*$")
SUGGESTIONS = 20


def person_reference(person: Person) -> str:
    """How the form names a person: their name and the address (or number) that finds them."""
    key = person.email or getattr(person, "sign_in_email", None) or person.identifier
    return f"{person.full_name} <{key}>" if key else person.full_name


def _name_q(words: list[str], *, exact: bool) -> Q:
    lookup = "iexact" if exact else "icontains"
    q = Q()
    for word in words:
        q &= (
            Q(**{f"given_name__{lookup}": word})
            | Q(**{f"family_name__{lookup}": word})
            | Q(**{f"preferred_name__{lookup}": word})
        )
    return q


def find_person(
    people: QuerySet[Person], reference: str, *, nobody: str = "No one"
) -> tuple[Person | None, str]:
    """The one person of `people` a reference names: an e-mail (their record's or their
    sign-in's), an employee number, a roster ID, or a full name ("Name <e-mail>" as suggested
    by the form counts as its e-mail). Returns (person, "") or (None, why not)."""
    reference = reference.strip()
    angled = _ANGLED.search(reference)
    key = angled.group(1).strip() if angled else reference
    if not key:
        return None, "Type a name, an e-mail address or an employee number."
    people = people.filter(is_active=True).order_by("pk")
    found = (
        people.filter(email__iexact=key).first()
        or people.filter(account__email__iexact=key).first()
        or people.filter(identifier=key).first()
        or people.filter(sourced_id=key).first()
    )
    if found is not None:
        return found, ""
    words = key.split()[:4]
    if angled or "@" in key or not words:
        return None, f"{nobody} has the reference {key!r}."
    named = list(people.filter(_name_q(words, exact=True))[:2])
    if len(named) == 1:
        return named[0], ""
    if named:
        return None, (
            f"More than one person is called {key!r}: choose one from the suggestions, or type "
            "their e-mail address."
        )
    return None, f"{nobody} has the reference or name {key!r}."


def person_suggestions(people: QuerySet[Person], text: str) -> list[Person]:
    """Up to SUGGESTIONS active people of `people` whose name or e-mail (on their record or
    their sign-in) contains each word typed (the form's search box)."""
    words = text.split()[:4]
    if not words or len(text) < 2:
        return []
    q = Q()
    for word in words:
        q &= (
            _name_q([word], exact=False)
            | Q(email__icontains=word)
            | Q(account__email__icontains=word)
            | Q(identifier__iexact=word)
        )
    return list(
        people.filter(q, is_active=True)
        .annotate(sign_in_email=F("account__email"))
        .order_by("family_name", "given_name", "pk")[:SUGGESTIONS]
    )


def supporter_candidates(user: Any) -> QuerySet[Person]:
    """Whom the form suggests as supporters: the people the user may see (and themselves)."""
    q = Q(pk__in=visible_people(user).values("pk"))
    if getattr(user, "person_id", None):
        q |= Q(pk=user.person_id)
    return Person.objects.filter(q)


def person_by_reference(system: Any, reference: str) -> tuple[Person | None, str]:
    """A supporter of the system by e-mail, sign-in e-mail, employee number, roster ID or
    name (for the form)."""
    return find_person(
        Person.objects.filter(system_id=system.pk), reference, nobody=f"No one in {system}"
    )


def people_outside_system(system_id: int, person_ids: set[int]) -> bool:
    return Person.objects.filter(pk__in=person_ids).exclude(system_id=system_id).exists()


@dataclass
class Caseload:
    supporter: Person
    assignments: list[Assignment] = field(default_factory=list)
    target: int | None = None

    @property
    def over_target(self) -> bool:
        return self.target is not None and len(self.assignments) > self.target


def targets_for(system_ids: set[int]) -> dict[tuple[int, str], int]:
    return {
        (row.system_id, row.kind): row.target
        for row in CaseloadTarget.objects.filter(system_id__in=system_ids)
    }


def target_of(targets: dict[tuple[int, str], int], system_id: int, kind: str) -> int | None:
    return targets.get((system_id, kind), DEFAULT_TARGETS.get(kind))


def caseloads(user: Any, *, kind: str, query: str = "") -> list[Caseload]:
    """Each supporter's active assignees of this kind that the user may see, with the target
    (two queries whatever the number of supporters)."""
    active = (
        visible_assignments(user)
        .filter(active_q(timezone.localdate()), kind=kind)
        .select_related("supporter", "assignee")
        .order_by("supporter__family_name", "supporter__given_name", "supporter_id")
    )
    for word in query.split()[:4]:
        active = active.filter(
            Q(supporter__given_name__icontains=word)
            | Q(supporter__family_name__icontains=word)
            | Q(supporter__preferred_name__icontains=word)
        )
    by_supporter: dict[int, Caseload] = {}
    for assignment in active:
        load = by_supporter.setdefault(
            assignment.supporter_id, Caseload(supporter=assignment.supporter)
        )
        load.assignments.append(assignment)
    targets = targets_for({load.supporter.system_id for load in by_supporter.values()})
    for load in by_supporter.values():
        load.assignments.sort(key=lambda a: (a.assignee.family_name, a.assignee.given_name))
        load.target = target_of(targets, load.supporter.system_id, kind)
    return list(by_supporter.values())


def unassigned(user: Any, *, kind: str) -> QuerySet[Person]:
    """People the user may see who hold a position that calls for a supporter of this kind
    (principals for supervision) and have none today."""
    kinds = POPULATION.get(kind)
    if not kinds:
        return Person.objects.none()
    today = timezone.localdate()
    return (
        visible_people(user, Action.ASSIGNMENTS_VIEW)
        .filter(
            Exists(current_positions().filter(person_id=OuterRef("pk"), kind__in=kinds)),
            is_active=True,
        )
        .exclude(
            Exists(
                Assignment.objects.filter(active_q(today), kind=kind, assignee_id=OuterRef("pk"))
            )
        )
        .order_by("family_name", "given_name", "pk")
    )


def supporters_of(person_ids: Any, kinds: list[str], day: Any = None) -> QuerySet[Assignment]:
    """Assignments of these kinds in force on the day (today by default) whose assignee is one of
    `person_ids` (ids or a values subquery), for a page that already decided the viewer may see
    those people (a cohort's coaches and mentors). One query."""
    return (
        Assignment.objects.filter(active_q(day or timezone.localdate()), kind__in=kinds)
        .filter(assignee_id__in=person_ids)
        .select_related("supporter", "assignee")
        .order_by("assignee__family_name", "assignee__given_name", "kind", "pk")
    )


def caseload_of(person_id: int | None, kinds: list[str], day: Any = None) -> QuerySet[Assignment]:
    """The person's own caseload: their assignments of these kinds in force on the day (today by
    default), with the assignee, by assignee's name. One query."""
    if not person_id:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(active_q(day or timezone.localdate()), kind__in=kinds)
        .filter(supporter_id=person_id)
        .select_related("assignee")
        .order_by("assignee__family_name", "assignee__given_name", "assignee_id", "kind", "pk")
    )


def assignment_covering(
    supporter_id: int, assignee_id: int, kinds: list[str], day: Any
) -> Assignment | None:
    """The supporter's assignment of one of these kinds to the assignee in force on the day."""
    return (
        Assignment.objects.filter(active_q(day), kind__in=kinds)
        .filter(supporter_id=supporter_id, assignee_id=assignee_id)
        .order_by("kind", "pk")
        .first()
    )


# -- A supervisor's schools: one rule for every page (docs/decisions.md, 2026-11-30) -------------


def supervisor_schools(
    day: Any, *, supervisor_ids: Collection[int] | None = None, system_ids: Collection[int] = ()
) -> dict[int, set[int]]:
    """A supervisor's schools on `day`, the one rule every page follows: the schools where the
    principals and assistant principals on their supervision caseload hold a position that day,
    plus every school their principal-supervisor grants in force that day reach (a network
    grant: its schools; a school grant: the school; a system grant: the system's). Person id →
    school ids, for these supervisors or (`supervisor_ids` None) every supervisor of
    `system_ids` (by a caseload there or a supervisor grant there). Three queries at most.

    A viewer's own pages read the same set through their scope (`visible_schools(user,
    action)`: their grants and `Scope.related_school_ids`, which this app's relationship loader
    fills from `caseload_school_rows`)."""
    from trellis.accounts.models import User
    from trellis.authz.models import Grant
    from trellis.authz.roles import Role
    from trellis.orgs.models import School

    out: dict[int, set[int]] = {}
    for sup, school, _system, _network in caseload_school_rows(
        day, supervisor_ids=supervisor_ids, system_ids=system_ids
    ):
        out.setdefault(sup, set()).add(school)
    grants = Grant.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        starts_on__lte=day,
        role=Role.SUPERVISOR,
        # Places only (a grant on a program, cohort or partner reaches no school).
        program__isnull=True,
        cohort__isnull=True,
        partner__isnull=True,
        user__in=User.objects.filter(is_active=True, person__isnull=False).values("pk"),
    )
    if supervisor_ids is None:
        grants = grants.filter(system_id__in=list(system_ids))
    else:
        grants = grants.filter(user__person__in=list(supervisor_ids))
    nodes = list(
        grants.values_list("user__person_id", "system_id", "network_id", "school_id").order_by()
    )
    # Whole systems and networks in one query of their schools.
    whole = {system for _p, system, network, school in nodes if not (network or school)}
    networks = {network for _p, _s, network, school in nodes if network and not school}
    of_system: dict[int, set[int]] = {}
    of_network: dict[int, set[int]] = {}
    if whole or networks:
        for pk, system_id, network_id in (
            School.objects.filter(Q(system_id__in=whole) | Q(network_id__in=networks))
            .order_by()
            .values_list("pk", "system_id", "network_id")
        ):
            of_system.setdefault(system_id, set()).add(pk)
            if network_id:
                of_network.setdefault(network_id, set()).add(pk)
    for person_id, system_id, network_id, school_id in nodes:
        schools = out.setdefault(person_id, set())
        if school_id:
            schools.add(school_id)
        elif network_id:
            schools |= of_network.get(network_id, set())
        else:
            schools |= of_system.get(system_id, set())
    return out
