"""Reads of professional learning. Every read starts from what the viewer may see: the sessions
their `learning.manage` scope reaches, the sessions whose audience they belong to, and the ones
they registered for or facilitate; communities in their manage scope, and those they facilitate
or belong to. Outside that, 404; in it but not allowed to act, 403."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.http import Http404
from django.utils import timezone

from trellis.authz.policies import allows, has_grant_for, scope_for
from trellis.authz.roles import Action
from trellis.core.numbers import tenths
from trellis.learning.models import (
    Community,
    Cycle,
    Meeting,
    PDSession,
    Registration,
    ReportedStudents,
)
from trellis.learning.scopes import communities_q, sessions_q
from trellis.people.models import Person, Position
from trellis.programs.models import Participant

# The check-in code works from this long before the start until this long after the end.
CHECKIN_MARGIN = datetime.timedelta(minutes=30)
NOTHING = Q(pk__in=[])


def _person_id(user: Any) -> int | None:
    return getattr(user, "person_id", None) if getattr(user, "is_authenticated", False) else None


def audience_q(person_id: int, system_id: int, on: datetime.date | None = None) -> Q:
    """Sessions whose audience the person belongs to: their system's system-wide sessions, the
    sessions of the schools where they hold a position that day, and those of the programs they
    take part in (active)."""
    on = on or timezone.localdate()
    schools = (
        Position.objects.filter(person_id=person_id, school__isnull=False, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .values("school_id")
    )
    programs = Participant.objects.filter(
        person_id=person_id, status=Participant.Status.ACTIVE
    ).values("cohort__program_id")
    return (
        Q(system_id=system_id, school__isnull=True, program__isnull=True)
        | Q(school_id__in=schools)
        | Q(program_id__in=programs)
    )


def _own_person(user: Any) -> Person | None:
    person_id = _person_id(user)
    if person_id is None:
        return None
    person: Person | None = user.person
    return person


def visible_sessions_q(user: Any) -> Q:
    scope = scope_for(user, Action.LEARNING_MANAGE)
    if scope.everything:
        return Q()
    q = sessions_q(scope) if not scope.is_empty else NOTHING
    person = _own_person(user)
    if person is not None:
        q |= audience_q(person.pk, person.system_id)
        q |= Q(pk__in=Registration.objects.filter(person_id=person.pk).values("session_id"))
        q |= Q(
            pk__in=PDSession.facilitators.through.objects.filter(person_id=person.pk).values(
                "pdsession_id"
            )
        )
    return q


def _with_counts(sessions: QuerySet[PDSession]) -> QuerySet[PDSession]:
    return sessions.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        waitlisted=Count("registrations", filter=Q(registrations__status="waitlisted")),
        attended=Count("registrations", filter=Q(registrations__attended_at__isnull=False)),
    )


def session_list(
    user: Any,
    *,
    query: str = "",
    when: str = "",
    competency_id: int | None = None,
    school_id: int | None = None,
    program_id: int | None = None,
    mine: str = "",
) -> QuerySet[PDSession]:
    now = timezone.now()
    sessions = PDSession.objects.filter(visible_sessions_q(user)).order_by("-starts_at", "-pk")
    if mine:
        # The viewer's own: registered (a seat or the waiting list) or attended.
        own = Registration.objects.filter(person_id=_person_id(user) or 0)
        if mine == "attended":
            own = own.filter(attended_at__isnull=False)
        sessions = sessions.filter(pk__in=own.values("session_id"))
    if query:
        sessions = sessions.filter(
            Q(title__icontains=query) | Q(description__icontains=query) | Q(place__icontains=query)
        )
    if when == "upcoming":
        sessions = sessions.filter(ends_at__gte=now).order_by("starts_at", "pk")
    elif when == "past":
        sessions = sessions.filter(ends_at__lt=now)
    if competency_id:
        sessions = sessions.filter(
            pk__in=PDSession.competencies.through.objects.filter(
                frameworkitem_id=competency_id
            ).values("pdsession_id")
        )
    if school_id:
        sessions = sessions.filter(school_id=school_id)
    if program_id:
        sessions = sessions.filter(program_id=program_id)
    return _with_counts(
        sessions.select_related("school", "program").prefetch_related(
            "competencies", Prefetch("facilitators", queryset=Person.objects.order_by("pk"))
        )
    )


def session_get(user: Any, pk: int) -> PDSession:
    session = (
        _with_counts(PDSession.objects.filter(visible_sessions_q(user)))
        .select_related("school", "program", "system")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    return session


def may_manage(user: Any, session: PDSession) -> bool:
    return allows(user, Action.LEARNING_MANAGE, session)


def is_facilitator(user: Any, session: PDSession) -> bool:
    person_id = _person_id(user)
    if not person_id:
        return False
    return session.facilitators.filter(pk=person_id).exists()


def may_take_attendance(user: Any, session: PDSession) -> bool:
    return may_manage(user, session) or is_facilitator(user, session)


def session_to_manage(user: Any, pk: int) -> PDSession:
    """A session the user may edit: 404 when they may not see it, 403 when they may not edit."""
    session = session_get(user, pk)
    if not may_manage(user, session):
        raise PermissionDenied
    return session


def session_for_attendance(user: Any, pk: int) -> PDSession:
    session = session_get(user, pk)
    if not may_take_attendance(user, session):
        raise PermissionDenied
    return session


def in_audience(person: Any, session: PDSession) -> bool:
    if person is None or person.system_id != session.system_id:
        return False
    on = timezone.localtime(session.starts_at).date()
    return (
        PDSession.objects.filter(pk=session.pk)
        .filter(audience_q(person.pk, person.system_id, on=min(on, timezone.localdate())))
        .exists()
    )


def with_waiting_place(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """`waiting_place` on each registration: 1 for the first person on its session's waiting
    list, 2 for the next... (the order seats are given in, `services._promote`); None for a
    registration not on the waiting list. One subquery, so a list of them costs one query."""
    ahead = (
        Registration.objects.filter(
            session_id=OuterRef("session_id"), status=Registration.Status.WAITLISTED
        )
        .filter(
            Q(registered_at__lt=OuterRef("registered_at"))
            | Q(registered_at=OuterRef("registered_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return registrations.annotate(
        waiting_place=Case(
            When(status=Registration.Status.WAITLISTED, then=Subquery(ahead)),
            default=None,
            output_field=IntegerField(),
        )
    )


def registration_of(person_id: int | None, session: PDSession) -> Registration | None:
    if not person_id:
        return None
    return (
        with_waiting_place(Registration.objects.filter(session=session, person_id=person_id))
        .order_by("pk")
        .first()
    )


def roster(session: PDSession) -> list[Registration]:
    return list(
        Registration.objects.filter(session=session)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("person")
        .order_by("status", "registered_at", "pk")
    )


def session_registrations(user: Any, session: PDSession) -> QuerySet[Registration]:
    """All of a session's registrations for those who take its attendance, else one's own."""
    registrations = Registration.objects.filter(session=session).select_related("session", "person")
    if not may_take_attendance(user, session):
        registrations = registrations.filter(person_id=_person_id(user) or 0)
    return registrations.order_by("registered_at", "pk")


def checkin_open(session: PDSession, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return session.starts_at - CHECKIN_MARGIN <= now <= session.ends_at + CHECKIN_MARGIN


def my_registrations(user: Any) -> QuerySet[Registration]:
    person_id = _person_id(user)
    if not person_id:
        return Registration.objects.none()
    return (
        Registration.objects.filter(person_id=person_id)
        .select_related("session", "session__school", "session__program", "person")
        .order_by("-session__starts_at", "-pk")
    )


def manager_choices(user: Any) -> dict[str, Any]:
    """Where the user may put a session: their manage scope's systems, schools and programs."""
    from trellis.orgs.models import School, System
    from trellis.programs.models import Program

    scope = scope_for(user, Action.LEARNING_MANAGE)
    if scope.everything:
        return {
            "systems": System.objects.order_by("name"),
            "schools": School.objects.order_by("name"),
            "programs": Program.objects.order_by("name"),
            "whole_systems": True,
        }
    system_ids = set(scope.system_ids)
    schools = School.objects.filter(
        Q(system_id__in=system_ids) | Q(pk__in=scope.school_ids | scope.network_school_ids)
    )
    programs = Program.objects.filter(
        Q(pk__in=scope.program_ids) | Q(owner_system_id__in=system_ids) | Q(systems__in=system_ids)
    ).distinct()
    reach = system_ids | set(schools.values_list("system_id", flat=True))
    reach |= set(
        Program.systems.through.objects.filter(program_id__in=scope.program_ids).values_list(
            "system_id", flat=True
        )
    )
    return {
        "systems": System.objects.filter(pk__in=reach).order_by("name"),
        "schools": schools.order_by("name"),
        "programs": programs.order_by("name"),
        # Whether a session may serve a whole system (all its staff): only with a system grant;
        # a principal's sessions serve their school, a program manager's their program.
        "whole_systems": bool(system_ids),
    }


def may_create_sessions(user: Any) -> bool:
    return has_grant_for(user, Action.LEARNING_MANAGE)


def arrived_at(registration: Registration) -> datetime.datetime | None:
    """When the attendee arrived, where the data records it: a check-in by code after the start
    and before the end (a facilitator's tick records presence, not the time of arrival; so does
    a check-in in the half hour after the end, which the code allows for someone who forgot to
    check in: counted from the check-in, they would have been present for no time at all)."""
    session = registration.session
    at = registration.attended_at
    by_code = registration.checked_in_via == Registration.Via.CODE
    return at if at is not None and by_code and session.starts_at < at < session.ends_at else None


def attended_hours(registration: Registration) -> Decimal:
    """The time a certificate states: from the start, or from a later arrival recorded by the
    check-in code, to the end of the session; hours to one decimal, Trellis's one rounding
    (half up: 15 minutes is 0.3 hours), 0 for no one present."""
    if registration.attended_at is None:
        return Decimal("0.0")
    session = registration.session
    start = arrived_at(registration) or session.starts_at
    seconds = max((session.ends_at - start).total_seconds(), 0.0)
    return tenths(Decimal(repr(seconds)) / Decimal(3600))


def certificate_ready(registration: Registration, now: datetime.datetime | None = None) -> bool:
    """A certificate reflects attendance recorded: it is issued once the session has ended, to
    a person marked present (by code or by the facilitator's list) for some time of it."""
    now = now or timezone.now()
    return (
        registration.attended_at is not None
        and registration.session.ends_at <= now
        and attended_hours(registration) > 0
    )


def certificate_get(user: Any, pk: int) -> Registration:
    """An attended registration's certificate, once the session has ended: for the attendee
    and those who manage the session (404 otherwise, for a registration not attended, and
    before the end)."""
    registration = (
        Registration.objects.select_related("session", "session__system", "person")
        .filter(pk=pk, attended_at__isnull=False)
        .first()
    )
    if registration is None or not certificate_ready(registration):
        raise Http404
    if registration.person_id == _person_id(user):
        return registration
    if may_manage(user, registration.session):
        return registration
    raise Http404


# -- learning communities ---------------------------------------------------------------------


def visible_communities_q(user: Any) -> Q:
    scope = scope_for(user, Action.LEARNING_MANAGE)
    if scope.everything:
        return Q()
    q = communities_q(scope) if not scope.is_empty else NOTHING
    person_id = _person_id(user)
    if person_id:
        q |= Q(facilitator_id=person_id)
        q |= Q(
            pk__in=Community.members.through.objects.filter(person_id=person_id).values(
                "community_id"
            )
        )
    return q


def community_list(
    user: Any, *, query: str = "", kind: str = "", school_id: int | None = None
) -> QuerySet[Community]:
    communities = Community.objects.filter(visible_communities_q(user))
    if query:
        communities = communities.filter(Q(name__icontains=query) | Q(description__icontains=query))
    if kind:
        communities = communities.filter(kind=kind)
    if school_id:
        communities = communities.filter(school_id=school_id)
    return (
        communities.select_related("school", "facilitator")
        .order_by("name", "pk")
        .annotate(
            member_count=Count("members", distinct=True),
            meeting_count=Count("meetings", distinct=True),
        )
    )


def community_get(user: Any, pk: int) -> Community:
    community = (
        Community.objects.filter(visible_communities_q(user))
        .select_related("school", "facilitator", "system")
        .filter(pk=pk)
        .first()
    )
    if community is None:
        raise Http404
    return community


def may_edit_community(user: Any, community: Community) -> bool:
    person_id = _person_id(user)
    if person_id and community.facilitator_id == person_id:
        return True
    return allows(user, Action.LEARNING_MANAGE, community)


def community_to_edit(user: Any, pk: int) -> Community:
    community = community_get(user, pk)
    if not may_edit_community(user, community):
        raise PermissionDenied
    return community


def meeting_get(user: Any, community: Community, pk: int) -> Meeting:
    meeting = Meeting.objects.filter(community=community, pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def community_meetings(community: Community) -> list[Meeting]:
    return list(
        Meeting.objects.filter(community=community)
        .select_related("cycle")
        .prefetch_related(Prefetch("attendees", queryset=Person.objects.order_by("pk")))
    )


def community_cycles(community: Community) -> list[Cycle]:
    return list(Cycle.objects.filter(community=community))


# The search box of a people picker suggests at most this many people.
PICKER_SUGGESTIONS = 20


def people_to_choose(
    user: Any, system_id: int, *, school_id: int | None = None, chosen: Any = ()
) -> QuerySet[Person]:
    """The people this user may choose as a session's facilitators or a community's facilitator
    and members: the system's active people they may see (the whole system for its
    administrators and talent office, a school's staff for its principal), themselves, the
    current staff of the community's or session's school (a teacher leader who leads a PLC
    adds colleagues), and whoever is chosen already (kept, even if no longer active). Each
    person once, never a list of everyone for someone who sees only a school."""
    from trellis.people.selectors import current_positions, visible_people

    mine = Q(pk__in=visible_people(user).values("pk"))
    person_id = _person_id(user)
    if person_id:
        mine |= Q(pk=person_id)
    if school_id:
        mine |= Q(pk__in=current_positions().filter(school_id=school_id).values("person_id"))
    q = mine & Q(is_active=True)
    ids = [int(getattr(p, "pk", p)) for p in chosen]
    if ids:
        q |= Q(pk__in=ids)
    return Person.objects.filter(q, system_id=system_id).order_by("family_name", "given_name", "pk")


def picker_people(
    user: Any,
    system_id: int,
    *,
    community: Community | None = None,
    session: PDSession | None = None,
) -> QuerySet[Person]:
    """The one rule of a people picker: whom this user may choose on the form of `community`
    or `session` (a new one when both are None). The form's fields accept exactly these, and
    the search box (`learning_people`, given the same community or session) suggests only
    among them: `people_to_choose` with the object's school and the people chosen on it."""
    chosen: list[Person] = []
    school_id = None
    if community is not None:
        school_id = community.school_id
        chosen = list(community.members.all())
        if community.facilitator is not None:
            chosen.append(community.facilitator)
    elif session is not None:
        school_id = session.school_id
        chosen = list(session.facilitators.all())
    return people_to_choose(user, system_id, school_id=school_id, chosen=chosen)


def may_pick_people(user: Any) -> bool:
    """Whether the user fills in a form with a people picker: they offer sessions, or they
    facilitate a community (and edit it)."""
    person_id = _person_id(user)
    if may_create_sessions(user):
        return True
    return bool(person_id) and Community.objects.filter(facilitator_id=person_id).exists()


def picker_systems(user: Any) -> set[int]:
    """The systems whose people the user's pickers search: where they may offer sessions or
    create communities, and the systems of the communities they facilitate."""
    ids = set(manager_choices(user)["systems"].values_list("pk", flat=True))
    person_id = _person_id(user)
    if person_id:
        ids |= set(
            Community.objects.filter(facilitator_id=person_id).values_list("system_id", flat=True)
        )
    return ids


def person_label(person: Person) -> str:
    """A person as a picker names them: namesakes are told apart by their e-mail address (or
    employee number)."""
    key = person.email or person.identifier
    return f"{person.full_name} <{key}>" if key else str(person.full_name)


def people_suggestions(people: QuerySet[Person], text: str) -> list[Person]:
    """Up to PICKER_SUGGESTIONS of `people` matching every word typed (name, e-mail, employee
    number)."""
    from trellis.people.selectors import person_search_q

    words = text.split()[:4]
    if not words or len(text.strip()) < 2:
        return []
    q = Q()
    for word in words:
        q &= person_search_q(word.strip("<>"))
    return list(people.filter(q)[:PICKER_SUGGESTIONS])


def person_from_reference(people: QuerySet[Person], reference: str) -> tuple[Person | None, str]:
    """The one person of `people` a picker's search box names: a suggestion ("Name <e-mail>"),
    an e-mail address, an employee number, or a full name that only one of them has. Returns
    (person, "") or (None, why not)."""
    text = reference.strip()
    if "<" in text and text.endswith(">"):
        text = text[text.rindex("<") + 1 : -1].strip()
    if not text:
        return None, "Type a name, an e-mail address or an employee number."
    found = people.filter(Q(email__iexact=text) | Q(identifier=text)).first()
    if found is not None:
        return found, ""
    words = text.split()
    q = Q()
    for word in words[:4]:
        q &= (
            Q(given_name__iexact=word)
            | Q(family_name__iexact=word)
            | Q(preferred_name__iexact=word)
        )
    named = list(people.filter(q)[:2]) if len(words) >= 2 else []
    if len(named) == 1:
        return named[0], ""
    if named:
        return None, f"More than one person is called {text!r}: choose from the suggestions."
    # What the suggestions would offer for the text typed: one person is that person.
    suggested = people_suggestions(people, text)[:2]
    if len(suggested) == 1:
        return suggested[0], ""
    if suggested:
        return None, f"More than one person matches {text!r}: choose from the suggestions."
    return None, f"No one you may choose matches {text!r}."


# -- a participant's record (programs' participant page, through a core panel) -------------


@dataclass(frozen=True)
class LearningRecord:
    attended: list[Registration]
    communities: list[Community]


def learning_record(person_id: int) -> LearningRecord:
    attended = list(
        Registration.objects.filter(person_id=person_id, attended_at__isnull=False)
        .select_related("session")
        .order_by("-session__starts_at")
    )
    communities = list(
        Community.objects.filter(
            Q(facilitator_id=person_id)
            | Q(
                pk__in=Community.members.through.objects.filter(person_id=person_id).values(
                    "community_id"
                )
            )
        ).select_related("school")
    )
    return LearningRecord(attended=attended, communities=communities)


def in_framework_order(items: Any) -> list[Any]:
    """Competencies in their framework's order (domain, then the competency's place in it:
    1.1, 1.2, … 2.1), as the rubric lists them: the order of `frameworks.selectors.rubric_grid`
    (the frameworks' own tree walk), frameworks by title."""
    from trellis.frameworks.selectors import rubric_grid

    items = list(items)
    rank: dict[int, tuple[str, int, int]] = {}
    versions = {item.version_id: item.version for item in items}
    for version_id, version in versions.items():
        _levels, rows = rubric_grid(version)
        title = version.framework.title
        for index, row in enumerate(rows):
            rank[row["item"].pk] = (title, version_id, index)
    return sorted(items, key=lambda item: (rank.get(item.pk, ("", 0, 0)), item.pk))


def competency_choices(system_id: int) -> QuerySet[Any]:
    """Competencies a session may align to: those with a rubric in the system's published
    frameworks, in the frameworks' order (`in_framework_order`)."""
    from django.db.models import Case, IntegerField, When

    from trellis.frameworks.models import FrameworkItem

    items = (
        FrameworkItem.objects.filter(
            version__framework__system_id=system_id,
            version__status="published",
            descriptors__isnull=False,
        )
        .distinct()
        .select_related("version__framework")
    )
    ordered = [item.pk for item in in_framework_order(items)]
    if not ordered:
        return items.order_by("pk")
    return items.order_by(
        Case(
            *(When(pk=pk, then=index) for index, pk in enumerate(ordered)),
            output_field=IntegerField(),
        ),
        "pk",
    )


def competency_label(item: Any) -> str:
    code = f"{item.human_coding_scheme} " if item.human_coding_scheme else ""
    return code + (item.abbreviated_statement or item.full_statement)[:80]


def competency_labels(items: Any) -> dict[int, str]:
    """Labels of competencies listed together (a form's choices, a filter's options): each
    with its framework's title when they come from more than one framework, whose codes and
    names may be alike ("1.1 Instructional leadership" twice would read as one choice), and
    with the version when two versions of one framework are listed."""
    items = list(items)
    versions = {item.version_id: item.version for item in items}
    if len(versions) < 2:
        return {item.pk: competency_label(item) for item in items}
    frameworks: dict[int, int] = {}
    for version in versions.values():
        frameworks[version.framework_id] = frameworks.get(version.framework_id, 0) + 1
    labels = {}
    for item in items:
        version = item.version
        source = version.framework.title
        if frameworks[version.framework_id] > 1:
            source += f" (version {version.number})"
        labels[item.pk] = f"{competency_label(item)} \u2014 {source}"
    return labels


def filter_choices(user: Any) -> dict[str, Any]:
    """The list pages' filter options: the schools, programs and competencies of the sessions
    (and communities) the viewer sees."""
    from trellis.frameworks.models import FrameworkItem
    from trellis.orgs.models import School
    from trellis.programs.models import Program

    sessions = PDSession.objects.filter(visible_sessions_q(user))
    communities = Community.objects.filter(visible_communities_q(user))
    competencies = in_framework_order(
        FrameworkItem.objects.filter(
            pk__in=PDSession.competencies.through.objects.filter(
                pdsession_id__in=sessions.values("pk")
            ).values("frameworkitem_id")
        ).select_related("version__framework")
    )
    labels = competency_labels(competencies)
    return {
        "schools": list(
            School.objects.filter(
                Q(pk__in=sessions.values("school_id")) | Q(pk__in=communities.values("school_id"))
            ).order_by("name")
        ),
        "programs": list(
            Program.objects.filter(pk__in=sessions.values("program_id")).order_by("name")
        ),
        "competencies": [(item.pk, labels[item.pk]) for item in competencies],
    }


def reported_students(community: Community, school_year: int) -> list[tuple[Any, int | None]]:
    """The team's members, each with the number of students reported for them in the school
    year (None: none reported)."""
    members = list(community.members.order_by("family_name", "given_name", "pk"))
    counts = dict(
        ReportedStudents.objects.filter(person__in=members, school_year=school_year).values_list(
            "person_id", "students"
        )
    )
    return [(m, counts.get(m.pk)) for m in members]
