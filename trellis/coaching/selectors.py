"""Reads of coaching sessions, next steps and protocols, always from what the user may see.

Two gates, kept apart (docs/decisions.md, "coaching notes are non-evaluative"):

- a session's **record** (date, length, mode, focus, protocol, next steps) is read with
  `coaching.view`: the coachee's coaches, supervisor and evaluator, the system's administrators,
  the coachee, and the session's own coach;
- its **notes and comments** (`NotesAccess`) only by the session's coach and coachee, the
  coachee's coaches (`coaching.notes`), and, once the coachee shared the session, the coachee's
  supervisor and evaluator (`coaching.shared`). Administrators and district leaders never.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from trellis.assignments.selectors import assignment_covering, caseload_of, supervisor_schools
from trellis.authz.policies import allows, authorize, has_grant_for, scope_for
from trellis.authz.roles import Action, Relationship
from trellis.coaching.models import (
    DEFAULT_LEADERSHIP_GOAL,
    DEFAULT_UNSEEN_WEEKS,
    ClassroomVisit,
    CoachingSession,
    CoachingSettings,
    NeedFlag,
    NextStep,
    Protocol,
    RuleField,
    RuleOperator,
    SchoolNeedProfile,
    SessionComment,
    SupportSettings,
    SupportTier,
    TierRule,
)
from trellis.coaching.scopes import sessions_q
from trellis.core.numbers import hours_from_minutes, tenths
from trellis.core.refusals import Refused
from trellis.frameworks.models import Framework, FrameworkItem, FrameworkVersion
from trellis.frameworks.selectors import (
    WITH_PARENTS,
    framework_order,
    framework_order_key,
    is_competency_framework,
)
from trellis.people.models import Person, Position
from trellis.people.selectors import person_get
from trellis.ratings.selectors import latest_progress_ratings, rating_frameworks

# Assignments whose supporter logs sessions with the assignee: the caseload.
CASELOAD_KINDS: list[str] = [Relationship.COACHING, Relationship.SUPERVISION]


# -- Notes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotesAccess:
    """Whose notes this viewer reads, computed once per request (two scope look-ups)."""

    person_id: int | None
    coached: frozenset[int]
    shared: frozenset[int]

    def reads(self, session: CoachingSession) -> bool:
        if self.person_id and self.person_id in (session.coach_id, session.coachee_id):
            return True
        if session.coachee_id in self.coached:
            return True
        return session.shared_at is not None and session.coachee_id in self.shared


def notes_access(user: Any) -> NotesAccess:
    return NotesAccess(
        person_id=getattr(user, "person_id", None),
        coached=scope_for(user, Action.COACHING_NOTES).related_person_ids,
        shared=scope_for(user, Action.COACHING_SHARED).related_person_ids,
    )


def notes_visible(user: Any, session: CoachingSession) -> bool:
    return notes_access(user).reads(session)


# -- Sessions ------------------------------------------------------------------------------------


def visible_sessions(user: Any) -> QuerySet[CoachingSession]:
    """Sessions whose record the user may read: the `coaching.view` scope, and the sessions
    they led themselves (kept after the assignment ends)."""
    q = sessions_q(scope_for(user, Action.COACHING_VIEW))
    if getattr(user, "person_id", None):
        q |= Q(coach_id=user.person_id)
    return CoachingSession.objects.filter(q)


def _with_record(sessions: QuerySet[CoachingSession]) -> QuerySet[CoachingSession]:
    return sessions.select_related("coach", "coachee", "protocol").prefetch_related(
        Prefetch("focus", queryset=FrameworkItem.objects.order_by(*framework_order())),
        Prefetch("next_steps", queryset=NextStep.objects.select_related("owner").order_by("pk")),
    )


def session_list(
    user: Any,
    *,
    query: str = "",
    coachee_id: int | None = None,
    mode: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[CoachingSession]:
    sessions = visible_sessions(user)
    for word in query.split()[:4]:
        sessions = sessions.filter(
            Q(coachee__given_name__icontains=word)
            | Q(coachee__family_name__icontains=word)
            | Q(coachee__preferred_name__icontains=word)
            | Q(coach__given_name__icontains=word)
            | Q(coach__family_name__icontains=word)
            | Q(protocol__name__icontains=word)
        )
    if coachee_id:
        sessions = sessions.filter(coachee_id=coachee_id)
    if mode:
        sessions = sessions.filter(mode=mode)
    if date_from:
        sessions = sessions.filter(held_on__gte=date_from)
    if date_to:
        sessions = sessions.filter(held_on__lte=date_to)
    return _with_record(sessions).order_by("-held_on", "-pk")


def coachee_choices(user: Any) -> QuerySet[Person]:
    """The people whose sessions the user sees (the list's coachee filter)."""
    return Person.objects.filter(pk__in=visible_sessions(user).values("coachee_id")).order_by(
        "family_name", "given_name", "pk"
    )


def session_get(user: Any, pk: int) -> CoachingSession:
    """A session whose record the user may read: 404 when the user may not see the coachee at
    all, 403 when they see the coachee but not their sessions."""
    session = _with_record(CoachingSession.objects.filter(pk=pk)).first()
    if session is None:
        raise Http404
    person_id = getattr(user, "person_id", None)
    if person_id and person_id in (session.coach_id, session.coachee_id):
        return session
    authorize(user, Action.COACHING_VIEW, session)
    return session


def session_comments(session: CoachingSession) -> QuerySet[SessionComment]:
    return session.comments.select_related("author").order_by("created_at", "pk")


def carried_over(session: CoachingSession) -> list[NextStep]:
    """Next steps of the coachee's earlier sessions that were still open on this session's day
    (open now, or done on or after it): they carry over until done."""
    return list(
        NextStep.objects.filter(
            session__coachee_id=session.coachee_id, session__held_on__lt=session.held_on
        )
        .filter(Q(done_on__isnull=True) | Q(done_on__gte=session.held_on))
        .select_related("owner", "session")
        .order_by("due_on", "pk")
    )


def open_next_steps(user: Any, *, coachee_id: int | None = None) -> QuerySet[NextStep]:
    """Open next steps of the sessions the user sees (the API, a coachee's history)."""
    steps = NextStep.objects.filter(
        session__in=visible_sessions(user).values("pk"), done_on__isnull=True
    )
    if coachee_id:
        steps = steps.filter(session__coachee_id=coachee_id)
    return steps.select_related("owner", "session__coachee", "session__coach").order_by(
        "due_on", "pk"
    )


def next_step_list(
    user: Any, *, coachee_id: int | None = None, status: str = "open"
) -> QuerySet[NextStep]:
    steps = NextStep.objects.filter(session__in=visible_sessions(user).values("pk"))
    if coachee_id:
        steps = steps.filter(session__coachee_id=coachee_id)
    if status == "open":
        steps = steps.filter(done_on__isnull=True)
    elif status == "done":
        steps = steps.filter(done_on__isnull=False)
    return steps.select_related("owner", "session__coachee", "session__coach").order_by(
        "due_on", "pk"
    )


def next_step_get(user: Any, pk: int) -> NextStep:
    step = (
        NextStep.objects.select_related("session__coachee", "session__coach", "owner")
        .filter(pk=pk)
        .first()
    )
    if step is None:
        raise Http404
    session_get(user, step.session_id)
    return step


def may_edit(user: Any, session: CoachingSession) -> bool:
    """Only the session's own coach edits or deletes it."""
    return bool(getattr(user, "person_id", None)) and user.person_id == session.coach_id


def is_participant(user: Any, session: CoachingSession) -> bool:
    person_id = getattr(user, "person_id", None)
    return bool(person_id) and person_id in (session.coach_id, session.coachee_id)


def may_mark_done(user: Any, step: NextStep) -> bool:
    """A next step is marked done (or reopened) by its owner or by the session's coach, who
    keeps the record; not by another participant (docs/decisions.md, 2026-11-30 coach4)."""
    person_id = getattr(user, "person_id", None)
    return bool(person_id) and person_id in (step.owner_id, step.session.coach_id)


def coachee_get(user: Any, pk: int) -> Person:
    """A person whose coaching history the user may open: themselves, someone whose sessions
    they see, or someone they led sessions with (after the assignment ended). 404 for people
    they cannot see, 403 for those they see but not their sessions."""
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Http404
    if getattr(user, "person_id", None) == person.pk:
        return person
    if allows(user, Action.COACHING_VIEW, person):
        return person
    if visible_sessions(user).filter(coachee_id=person.pk).exists():
        return person
    authorize(user, Action.COACHING_VIEW, person)
    return person


# -- Logging a session ---------------------------------------------------------------------------


def caseload(user: Any) -> list[Person]:
    """The people the user may log a session with today: their coaching and supervision
    assignees (one query)."""
    seen: dict[int, Person] = {}
    for assignment in caseload_of(getattr(user, "person_id", None), CASELOAD_KINDS):
        seen.setdefault(assignment.assignee_id, assignment.assignee)
    return list(seen.values())


def evaluative_roles(coach: Person, coachee: Person) -> list[str]:
    """The coach's supervision or evaluation of the coachee in force today (one query): the
    session form then says plainly what the notes are, and are not, for them."""
    return sorted(
        {
            a.kind
            for a in caseload_of(
                coach.pk, [Relationship.SUPERVISION, Relationship.EVALUATION]
            ).filter(assignee_id=coachee.pk)
        }
    )


def caseload_assignment(coach: Person, coachee: Person, day: datetime.date) -> Any:
    return assignment_covering(coach.pk, coachee.pk, CASELOAD_KINDS, day)


def _newest_versions(frameworks: list[Framework]) -> list[FrameworkVersion]:
    versions = []
    for framework in frameworks:
        version = (
            framework.versions.filter(status=FrameworkVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )
        if version is not None:
            versions.append(version)
    return versions


def focus_versions(user: Any, coachee: Person) -> list[FrameworkVersion]:
    """The newest published version of each competency framework (`COMPETENCY_KINDS`) the
    coachee's system uses for people in their position (`rating_frameworks`), never the
    framework the system designates for classroom visits' look-fors: that one is for visits
    (docs/decisions.md, 2026-11-30)."""
    classroom = classroom_framework(coachee.system_id)
    return _newest_versions(
        [
            f
            for f in rating_frameworks(user, coachee)
            if is_competency_framework(f) and (classroom is None or f.pk != classroom.pk)
        ]
    )


def focus_choices(user: Any, coachee: Person) -> list[FrameworkItem]:
    """The competencies a session may focus on: those with a rubric in the frameworks the
    coachee's system uses for them."""
    versions = focus_versions(user, coachee)
    if not versions:
        return []
    return list(
        FrameworkItem.objects.filter(version__in=versions, descriptors__isnull=False)
        .distinct()
        .select_related("version__framework")
        .order_by("version__framework__title", "version_id", *framework_order())
    )


def protocol_choices(system_id: int, *, keep: int | None = None) -> QuerySet[Protocol]:
    """The protocols a session of this system may follow: the built-ins and the system's own
    in use, and `keep` (the one an existing session follows, even if retired since)."""
    in_use = Q(is_active=True) | Q(pk=keep) if keep else Q(is_active=True)
    return (
        Protocol.objects.filter(Q(system__isnull=True) | Q(system_id=system_id))
        .filter(in_use)
        .order_by("name", "pk")
    )


# -- Protocols -----------------------------------------------------------------------------------


def _systems_of(user: Any) -> set[int]:
    systems = set(scope_for(user).reached_system_ids)
    person = getattr(user, "person", None)
    if person is not None:
        systems.add(person.system_id)
    return systems


def protocol_list(user: Any, *, query: str = "") -> QuerySet[Protocol]:
    """Built-in protocols and those of the user's systems."""
    if user.is_superuser:
        protocols = Protocol.objects.all()
    else:
        protocols = Protocol.objects.filter(
            Q(system__isnull=True) | Q(system_id__in=_systems_of(user))
        )
    for word in query.split()[:4]:
        protocols = protocols.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return protocols.select_related("system").order_by("system_id", "name", "pk")


def protocol_get(user: Any, pk: int) -> Protocol:
    protocol = Protocol.objects.select_related("system").filter(pk=pk).first()
    if protocol is None or not protocol_list(user).filter(pk=pk).exists():
        raise Http404
    return protocol


def protocol_systems(user: Any) -> list[Any]:
    """The systems whose library the user keeps (system-wide `coaching.protocols` grants)."""
    from trellis.orgs.models import System

    scope = scope_for(user, Action.COACHING_CONFIGURE)
    if scope.everything:
        return list(System.objects.order_by("name"))
    return list(System.objects.filter(pk__in=scope.system_ids).order_by("name"))


def may_edit_protocol(user: Any, protocol: Protocol) -> bool:
    return not protocol.is_builtin and allows(user, Action.COACHING_CONFIGURE, protocol)


# -- Settings and the caseload panel -------------------------------------------------------------


def unseen_weeks(system_ids: set[int]) -> dict[int, int]:
    found = dict(
        CoachingSettings.objects.filter(system_id__in=system_ids).values_list(
            "system_id", "unseen_weeks"
        )
    )
    return {pk: found.get(pk, DEFAULT_UNSEEN_WEEKS) for pk in system_ids}


def settings_for(system: Any) -> CoachingSettings:
    found = CoachingSettings.objects.filter(system=system).first()
    return found or CoachingSettings(system=system, unseen_weeks=DEFAULT_UNSEEN_WEEKS)


# The caseload panel's "latest ratings on focus competencies" cover the focus of a person's
# last three sessions (about six weeks at the usual fortnightly rhythm): the competencies being
# worked on, not only the last session's (docs/decisions.md, 2026-11-30 coaching fixes).
RECENT_FOCUS_SESSIONS = 3


@dataclass
class CaseloadRow:
    person: Person
    kinds: list[str]
    last_session: datetime.date | None = None
    open_steps: int = 0
    focus: list[tuple[FrameworkItem, Any]] = field(default_factory=list)
    unseen_weeks: int = DEFAULT_UNSEEN_WEEKS
    today: datetime.date | None = None

    @property
    def weeks_since(self) -> int | None:
        if self.last_session is None or self.today is None:
            return None
        return (self.today - self.last_session).days // 7

    @property
    def not_seen(self) -> bool:
        """No session in the system's N weeks (or never)."""
        if self.last_session is None or self.today is None:
            return True
        return (self.today - self.last_session).days >= 7 * self.unseen_weeks


def caseload_rows(user: Any) -> list[CaseloadRow]:
    """The viewer's caseload (coaching and supervision assignments in force) with, per person,
    the last session, the open next steps, the latest progress ratings on their recent focus
    competencies (those of their last RECENT_FOCUS_SESSIONS sessions, so a focus set two
    sessions ago still shows while it is worked on), and whether they have not been seen in
    the system's N weeks. Eight queries whatever the size of the caseload."""
    today = timezone.localdate()
    rows: dict[int, CaseloadRow] = {}
    for assignment in caseload_of(getattr(user, "person_id", None), CASELOAD_KINDS, today):
        row = rows.setdefault(
            assignment.assignee_id, CaseloadRow(person=assignment.assignee, kinds=[], today=today)
        )
        row.kinds.append(assignment.get_kind_display())
    if not rows:
        return []
    ids = list(rows)
    sessions = CoachingSession.objects.filter(coachee_id__in=ids)
    for coachee_id, last in (
        sessions.values("coachee_id")
        .annotate(last=Max("held_on"))
        .values_list("coachee_id", "last")
    ):
        rows[coachee_id].last_session = last
    for coachee_id, count in (
        NextStep.objects.filter(session__coachee_id__in=ids, done_on__isnull=True)
        .values("session__coachee_id")
        .annotate(n=Count("pk"))
        .values_list("session__coachee_id", "n")
    ):
        rows[coachee_id].open_steps = count
    # The focus of each person's RECENT_FOCUS_SESSIONS latest sessions (ties broken by the
    # newest record), ranked in the database: one query whatever the history's length.
    recent = (
        sessions.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("coachee_id")],
                order_by=[F("held_on").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=RECENT_FOCUS_SESSIONS)
        .values_list("pk", "coachee_id")
    )
    coachee_of = dict(recent)
    focus_by_coachee: dict[int, dict[str, FrameworkItem]] = {}
    classroom = classroom_framework_ids({row.person.system_id for row in rows.values()})
    for link in (
        CoachingSession.focus.through.objects.filter(coachingsession_id__in=list(coachee_of))
        .select_related(f"frameworkitem__{WITH_PARENTS}", "frameworkitem__version")
        .order_by("-coachingsession__held_on", "-coachingsession_id")
    ):
        item = link.frameworkitem
        if item.version.framework_id in classroom:
            continue  # a classroom look-for is not a focus competency
        # One competency once (by CASE identifier, across framework versions): the newest
        # session's item stands for it.
        found = focus_by_coachee.setdefault(coachee_of[link.coachingsession_id], {})
        found.setdefault(item.case_identifier or f"pk:{item.pk}", item)
    readable = scope_for(user, Action.RATINGS_PROGRESS).related_person_ids
    identifiers = {
        item.case_identifier for found in focus_by_coachee.values() for item in found.values()
    }
    ratings = latest_progress_ratings([pk for pk in ids if pk in readable], identifiers)
    weeks = unseen_weeks({row.person.system_id for row in rows.values()})
    for coachee_id, row in rows.items():
        row.unseen_weeks = weeks[row.person.system_id]
        items = sorted(focus_by_coachee.get(coachee_id, {}).values(), key=framework_order_key)
        row.focus = [(item, ratings.get((coachee_id, item.case_identifier))) for item in items]
    return list(rows.values())


def log_target(user: Any, pk: int) -> Person:
    """The person a session is being logged with: 404 when the user cannot see them, 403 when
    they see them but the person is not on their caseload today."""
    person = person_get(user, pk)
    try:
        authorize(user, Action.COACHING_LOG, person)
    except PermissionDenied:
        raise Refused(
            f"{person.full_name} is not on your caseload today, so you cannot log a session "
            "(or add a video) with them: only with the people assigned to you as their coach "
            "or supervisor (Assignments). If they should be, ask whoever manages assignments."
        ) from None
    return person


def own_summary(user: Any) -> dict[str, Any] | None:
    """The coachee's own sessions in figures (two queries), or None without any."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return None
    found = CoachingSession.objects.filter(coachee_id=person_id).aggregate(
        count=Count("pk"), last=Max("held_on")
    )
    if not found["count"]:
        return None
    open_steps = NextStep.objects.filter(
        session__coachee_id=person_id, done_on__isnull=True
    ).count()
    return {"person_id": person_id, "open_steps": open_steps, **found}


# -- Video of practice ---------------------------------------------------------------------------
#
# A video is private to the coaching relationship, like the notes (`NotesAccess`): its coach and
# coachee, the coachee's coaches, and, when the video belongs to a session the coachee shared,
# their supervisor and evaluator. Administrators, district leaders and everyone else never.


def video_max_mb(system_id: int) -> int:
    """The largest upload the system accepts (its setting, else TRELLIS_VIDEO_MAX_MB)."""
    from django.conf import settings

    from trellis.coaching.models import VideoSettings

    found = VideoSettings.objects.filter(system_id=system_id).values_list("max_mb", flat=True)
    return next(iter(found), settings.TRELLIS_VIDEO_MAX_MB)


def video_readable(access: NotesAccess, video: Any) -> bool:
    if access.person_id and access.person_id in (video.coach_id, video.coachee_id):
        return True
    if video.coachee_id in access.coached:
        return True
    session = video.session
    return (
        session is not None and session.shared_at is not None and video.coachee_id in access.shared
    )


def visible_videos(user: Any) -> QuerySet[Any]:
    """The videos the user may watch (the same rule as `video_readable`, as a query)."""
    from trellis.coaching.models import PracticeVideo

    access = notes_access(user)
    q = Q(coachee_id__in=access.coached) | Q(
        coachee_id__in=access.shared, session__shared_at__isnull=False
    )
    if access.person_id:
        q |= Q(coach_id=access.person_id) | Q(coachee_id=access.person_id)
    return PracticeVideo.objects.filter(q)


def video_list(
    user: Any,
    *,
    query: str = "",
    coachee_id: int | None = None,
    session_id: int | None = None,
    kind: str = "",
) -> QuerySet[Any]:
    videos = visible_videos(user)
    for word in query.split()[:4]:
        videos = videos.filter(
            Q(title__icontains=word)
            | Q(coachee__given_name__icontains=word)
            | Q(coachee__family_name__icontains=word)
            | Q(coach__given_name__icontains=word)
            | Q(coach__family_name__icontains=word)
        )
    if coachee_id:
        videos = videos.filter(coachee_id=coachee_id)
    if session_id:
        videos = videos.filter(session_id=session_id)
    if kind == "file":
        videos = videos.exclude(file="")
    elif kind == "link":
        videos = videos.exclude(link="")
    return (
        videos.select_related("coach", "coachee", "session", "added_by")
        .annotate(comment_count=Count("comments"))
        .order_by("-created_at", "-pk")
    )


def video_coachee_choices(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=visible_videos(user).values("coachee_id")).order_by(
        "family_name", "given_name", "pk"
    )


def video_get(user: Any, pk: int) -> Any:
    """A video the user may watch: 404 when it does not exist or the user may not even see the
    coachee's sessions (another system, a coach of someone else), 403 when they see the
    coachee's sessions but not this video (a supervisor, an evaluator or an administrator,
    unless the coachee shared the video's session with the first two)."""
    from trellis.coaching.models import PracticeVideo

    video = (
        PracticeVideo.objects.select_related("coach", "coachee", "session", "added_by")
        .filter(pk=pk)
        .first()
    )
    if video is None:
        raise Http404
    if video_readable(notes_access(user), video):
        return video
    authorize(user, Action.COACHING_VIEW, video.coachee)
    raise PermissionDenied


def video_comments(video: Any) -> QuerySet[Any]:
    from trellis.coaching.models import VideoComment

    return (
        VideoComment.objects.filter(video=video)
        .select_related("author")
        .prefetch_related(
            Prefetch("competencies", queryset=FrameworkItem.objects.order_by(*framework_order()))
        )
        .order_by("at_seconds", "pk")
    )


def video_may_comment(user: Any, video: Any) -> bool:
    """The coach and the coachee of the video comment on it."""
    person_id = getattr(user, "person_id", None)
    return bool(person_id) and person_id in (video.coach_id, video.coachee_id)


def video_may_delete(user: Any, video: Any) -> bool:
    """Whoever added the video, or its coach, removes it."""
    person_id = getattr(user, "person_id", None)
    return bool(person_id) and person_id in (video.added_by_id, video.coach_id)


def video_competency_choices(user: Any, video: Any) -> list[FrameworkItem]:
    """Competencies a comment may be tagged with: the framework used for the coachee, and the
    focus of the video's session."""
    items = focus_choices(user, video.coachee)
    if video.session_id:
        items += [item for item in video.session.focus.all() if item not in items]
    return items


def video_target(user: Any, *, session_id: int | None, coachee_id: int | None) -> dict[str, Any]:
    """Whom a new video is for: a session the user took part in (coach or coachee), or
    someone on the user's caseload today (the coach). 404 outside scope, 403 in scope but not
    a participant or not on the caseload."""
    if session_id:
        session = session_get(user, session_id)
        if not is_participant(user, session):
            raise PermissionDenied
        return {"session": session, "coach": session.coach, "coachee": session.coachee}
    if coachee_id:
        coachee = log_target(user, coachee_id)
        return {"session": None, "coach": user.person, "coachee": coachee}
    raise Http404


# -- Classroom visits and instructional-leadership time (coach-visits) ---------------------------

# Instructional-leadership time of a principal in a week (Monday to Sunday, the system's local
# dates): the minutes of the classroom visits they logged that week plus the minutes of the
# coaching sessions they led (as the session's coach, any mode) that week. Stated on the page
# and in docs/decisions.md.
LEADER_KINDS = ("principal", "assistant_principal")
LEADERSHIP_WEEKS = 8


def visible_visits(user: Any) -> QuerySet[ClassroomVisit]:
    scope = scope_for(user, Action.VISITS_VIEW)
    if scope.is_empty:
        return ClassroomVisit.objects.none()
    return ClassroomVisit.objects.filter(scope.q(ClassroomVisit))


def visit_list(
    user: Any,
    *,
    query: str = "",
    principal_id: int | None = None,
    school_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[ClassroomVisit]:
    visits = visible_visits(user)
    for word in query.split()[:4]:
        visits = visits.filter(
            Q(teacher__given_name__icontains=word)
            | Q(teacher__family_name__icontains=word)
            | Q(principal__given_name__icontains=word)
            | Q(principal__family_name__icontains=word)
            | Q(feedback__icontains=word)
        )
    if principal_id:
        visits = visits.filter(principal_id=principal_id)
    if school_id:
        visits = visits.filter(school_id=school_id)
    if date_from:
        visits = visits.filter(visited_at__date__gte=date_from)
    if date_to:
        visits = visits.filter(visited_at__date__lte=date_to)
    return (
        visits.select_related("principal", "teacher", "school")
        .prefetch_related(
            Prefetch("look_fors", queryset=FrameworkItem.objects.order_by(*framework_order()))
        )
        .order_by("-visited_at", "-pk")
    )


def visit_get(user: Any, pk: int) -> ClassroomVisit:
    visit = ClassroomVisit.objects.select_related("principal", "teacher", "school").filter(pk=pk)
    found = visit.first()
    if found is None:
        raise Http404
    authorize(user, Action.VISITS_VIEW, found)
    return found


def visit_principals(user: Any) -> QuerySet[Person]:
    """The people whose visits the user sees (the list's filter)."""
    return Person.objects.filter(pk__in=visible_visits(user).values("principal_id")).order_by(
        "family_name", "given_name", "pk"
    )


# A classroom visit is to someone who teaches: a teacher or a teacher leader (not an assistant
# principal, a coach or other staff, who hold no classroom).
TEACHING_KINDS = ("teacher", "teacher_leader")


def visit_teachers(user: Any) -> QuerySet[Person]:
    """Whom the user may visit today: people holding a teaching position (TEACHING_KINDS) today
    at a school where the user logs visits (their own record aside)."""
    scope = scope_for(user, Action.VISITS_LOG)
    if scope.is_empty or not getattr(user, "person_id", None):
        return Person.objects.none()
    today = timezone.localdate()
    return (
        Person.objects.filter(
            Q(positions__school_id__in=scope.school_ids | scope.network_school_ids)
            | Q(positions__system_id__in=scope.system_ids, positions__school__isnull=False),
            Q(positions__ends_on__isnull=True) | Q(positions__ends_on__gte=today),
            positions__starts_on__lte=today,
            positions__kind__in=TEACHING_KINDS,
        )
        .exclude(pk=user.person_id)
        .distinct()
        .order_by("family_name", "given_name", "pk")
    )


def visit_school(user: Any, teacher: Person, day: datetime.date) -> Any:
    """The school of the visit: the first school (by id) where the teacher holds a teaching
    position on the day among the schools where the user logs visits; None when there is
    none."""
    from trellis.people.models import Position

    scope = scope_for(user, Action.VISITS_LOG) if user is not None else None
    positions = Position.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        person=teacher,
        school__isnull=False,
        starts_on__lte=day,
        kind__in=TEACHING_KINDS,
    )
    if scope is not None and not scope.everything:
        positions = positions.filter(
            Q(school_id__in=scope.school_ids | scope.network_school_ids)
            | Q(system_id__in=scope.system_ids)
        )
    position = positions.select_related("school").order_by("school_id").first()
    return position.school if position else None


# Without a designated framework, the default for look-fors: a standard of classroom practice
# before the system's other frameworks, and those before the teacher-leader competencies.
CLASSROOM_KINDS = (
    Framework.Kind.STANDARDS,
    Framework.Kind.OTHER,
    Framework.Kind.TEACHER_LEADERSHIP,
)


def classroom_framework(system_id: int) -> Framework | None:
    """The framework the system designates for classroom practice (support set-up), if any."""
    found = (
        SupportSettings.objects.filter(system_id=system_id)
        .select_related("classroom_framework")
        .first()
    )
    return found.classroom_framework if found else None


def classroom_framework_ids(system_ids: Any) -> set[int]:
    """The frameworks these systems designate for classroom visits' look-fors (one query): not
    a coachee's focus, so progress monitoring leaves them out."""
    return set(
        SupportSettings.objects.filter(
            system_id__in=system_ids, classroom_framework__isnull=False
        ).values_list("classroom_framework_id", flat=True)
    )


def classroom_framework_choices(system_id: int) -> list[Framework]:
    """The frameworks a system may designate for classroom practice: its own and the built-in
    templates that rate people and have a published rubric, standards first."""
    rank: dict[str, int] = {str(kind): n for n, kind in enumerate(CLASSROOM_KINDS)}
    found = (
        Framework.objects.filter(
            Q(system__isnull=True) | Q(system_id=system_id),
            subject_kind="person",
            versions__status=FrameworkVersion.Status.PUBLISHED,
            versions__levels__isnull=False,
        )
        .distinct()
        .order_by("title", "pk")
    )
    return sorted(found, key=lambda f: (rank.get(f.kind, len(rank)), f.title, f.pk))


@dataclass
class LookFors:
    # The frameworks offered (newest published versions), the one in use, and its items.
    versions: list[FrameworkVersion]
    version: FrameworkVersion | None
    items: list[FrameworkItem]
    # True when the system designates the framework (the principal does not choose).
    designated: bool


def look_fors(user: Any, teacher: Person, *, version_id: int | None = None) -> LookFors:
    """A classroom visit's look-fors: the competencies and indicators (with a rubric) of the
    framework the teacher's system designates for classroom practice; without one, of the
    framework the principal chooses among those the system uses for the teacher (`version_id`;
    by default the first of CLASSROOM_KINDS' order: a standard of classroom practice, another
    framework, then the teacher-leader competencies)."""
    designated = classroom_framework(teacher.system_id)
    versions: list[FrameworkVersion] = []
    if designated is not None:
        found = (
            designated.versions.filter(
                status=FrameworkVersion.Status.PUBLISHED, levels__isnull=False
            )
            .select_related("framework")
            .order_by("-number")
            .first()
        )
        if found is not None:
            versions = [found]
    if not versions:
        designated = None
        rank: dict[str, int] = {str(kind): n for n, kind in enumerate(CLASSROOM_KINDS)}
        versions = sorted(
            _newest_versions(rating_frameworks(user, teacher)),
            key=lambda v: (rank.get(v.framework.kind, len(rank)), v.framework.title, v.pk),
        )
    version = next((v for v in versions if v.pk == version_id), versions[0] if versions else None)
    items: list[FrameworkItem] = []
    if version is not None:
        items = list(
            FrameworkItem.objects.filter(version=version, descriptors__isnull=False)
            .distinct()
            .select_related("version__framework")
            .order_by(*framework_order())
        )
    return LookFors(
        versions=versions, version=version, items=items, designated=designated is not None
    )


def look_for_allowed(user: Any, teacher: Person) -> list[FrameworkItem]:
    """Every look-for a visit to this teacher may name: the designated framework's, else those
    of every framework the principal may choose."""
    offered = look_fors(user, teacher)
    if offered.designated:
        return offered.items
    return list(
        FrameworkItem.objects.filter(version__in=offered.versions, descriptors__isnull=False)
        .distinct()
        .order_by("version_id", *framework_order())
    )


def leadership_goal(system_ids: set[int]) -> dict[int, int]:
    goals = dict(
        SupportSettings.objects.filter(system_id__in=system_ids).values_list(
            "system_id", "leadership_goal_minutes"
        )
    )
    return {pk: goals.get(pk, DEFAULT_LEADERSHIP_GOAL) for pk in system_ids}


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the day's week."""
    return day - datetime.timedelta(days=day.weekday())


def leadership_people(user: Any) -> QuerySet[Person]:
    """Whose instructional-leadership time the user reads: themselves (a principal: only their
    own, never a colleague's), the principals on their supervision caseload, and for a grant
    that oversees it (`coaching.leadership_oversee`: district roles) the principals and
    assistant principals holding a position at the places it reaches today."""
    readers = scope_for(user, Action.VISITS_VIEW)
    if readers.is_empty:
        return Person.objects.none()
    today = timezone.localdate()
    related = readers.related_person_ids
    q = Q(pk__in=related) if related else Q(pk__in=[])
    if getattr(user, "person_id", None) and has_grant_for(user, Action.VISITS_LOG):
        q |= Q(pk=user.person_id)  # a principal's own time, whatever their positions say
    scope = scope_for(user, Action.LEADERSHIP_OVERSEE)
    current = Position.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        starts_on__lte=today,
        kind__in=LEADER_KINDS,
    )
    if scope.everything:
        q |= Q(pk__in=current.values("person_id"))
    else:
        places = Q(school_id__in=scope.school_ids | scope.network_school_ids) | Q(
            system_id__in=scope.system_ids
        )
        if scope.school_ids or scope.network_school_ids or scope.system_ids:
            q |= Q(pk__in=current.filter(places).values("person_id"))
    return Person.objects.filter(q).order_by("family_name", "given_name", "pk")


def leadership_minutes(
    person_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[tuple[int, datetime.date], int]:
    """(person, Monday) → instructional-leadership minutes, for the weeks from `start`'s to
    `end`'s (two queries)."""
    from django.db.models import Sum
    from django.db.models.functions import TruncDate

    out: dict[tuple[int, datetime.date], int] = {}
    if not person_ids:
        return out
    visits = (
        ClassroomVisit.objects.annotate(day=TruncDate("visited_at"))
        .filter(principal_id__in=person_ids, day__gte=start, day__lte=end)
        .values("principal_id", "day")
        .annotate(total=Sum("minutes"))
        .order_by()
    )
    for row in visits:
        key = (row["principal_id"], week_of(row["day"]))
        out[key] = out.get(key, 0) + int(row["total"])
    sessions = (
        CoachingSession.objects.filter(
            coach_id__in=person_ids, held_on__gte=start, held_on__lte=end
        )
        .values("coach_id", "held_on")
        .annotate(total=Sum("minutes"))
        .order_by()
    )
    for led in sessions:
        key = (led["coach_id"], week_of(led["held_on"]))
        out[key] = out.get(key, 0) + int(led["total"])
    return out


@dataclass
class LeadershipRow:
    person: Person
    goal: int
    minutes: list[int]  # per week, oldest first
    complete: int = 0  # how many of the weeks (the first ones) ended before today

    @property
    def counted(self) -> list[int]:
        """The complete weeks' minutes: a week not over yet counts in no figure."""
        return self.minutes[: self.complete]

    @property
    def average(self) -> int:
        return round(sum(self.counted) / len(self.counted)) if self.counted else 0

    @property
    def weeks_at_goal(self) -> int:
        return sum(1 for m in self.counted if m >= self.goal)

    @property
    def weeks(self) -> list[tuple[int, bool]]:
        """(minutes, complete) per week, oldest first."""
        return [(m, k < self.complete) for k, m in enumerate(self.minutes)]


def weeks_complete(mondays: list[datetime.date], today: datetime.date) -> int:
    """How many of the weeks (Mondays, oldest first) ended (their Sunday) before today."""
    return sum(1 for m in mondays if m + datetime.timedelta(days=6) < today)


def leadership_rows(
    user: Any, *, end: datetime.date, weeks: int = LEADERSHIP_WEEKS, query: str = ""
) -> tuple[list[datetime.date], list[LeadershipRow]]:
    """The last `weeks` weeks up to `end`'s week, and one row per person the user reads (four
    queries whatever the number of people). Only the weeks that ended before today count in
    a row's average and weeks at goal; the current week is shown, in progress."""
    last = week_of(end)
    mondays = [last - datetime.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    complete = weeks_complete(mondays, timezone.localdate())
    people_qs = leadership_people(user)
    for word in query.split()[:4]:
        people_qs = people_qs.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    people = list(people_qs)
    goals = leadership_goal({p.system_id for p in people})
    minutes = leadership_minutes(
        [p.pk for p in people], mondays[0], last + datetime.timedelta(days=6)
    )
    rows = [
        LeadershipRow(
            person=p,
            goal=goals[p.system_id],
            minutes=[minutes.get((p.pk, monday), 0) for monday in mondays],
            complete=complete,
        )
        for p in people
    ]
    return mondays, rows


def support_systems(user: Any, action: str) -> list[Any]:
    """The systems where the user holds `action` by a system grant (settings and set-up)."""
    from trellis.orgs.models import System

    scope = scope_for(user, action)
    if scope.everything:
        return list(System.objects.order_by("name"))
    return list(System.objects.filter(pk__in=scope.system_ids).order_by("name"))


# -- Differentiated support: need profiles, tiers, planned versus delivered dosage ---------------
#
# Planned dosage of a school for a month = the hours per month of the support tier in force at
# the school that month (its tier history, SchoolTierPeriod), each tier for the share of the
# month's days it was in force (`planned_hours`).
# Delivered dosage of a school for a month = the sum of the lengths of the coaching sessions held
# that month (by the session's date) whose coachee held a position at that school on the
# session's date, whoever the coach (assigned or not). A session whose coachee held positions at
# two schools that day counts at both; one whose coachee held none at a school counts at none.


# -- A need profile's figures from the data ----------------------------------------------------
#
# The attendance rate and the conditions score come from the attendance roll-ups and the
# conditions survey, through the providers those apps register (trellis.core.providers; coaching
# imports neither app). A figure is entered by hand only for a school the data has none for.

NEED_PROVIDERS = {
    "attendance_rate": "school_attendance_rates",
    "conditions_score": "school_conditions_scores",
}
NEED_SOURCES = {
    "attendance_rate": "the attendance roll-ups",
    "conditions_score": "the school conditions survey",
}


@dataclass(frozen=True)
class DataFigure:
    value: Decimal
    as_of: datetime.date | None
    basis: str


def need_data(school_ids: list[int]) -> dict[str, dict[int, DataFigure]]:
    """Figure → school → what the data says now (a figure whose app offers no provider, or a
    school it has no figure for, is absent)."""
    from trellis.core.providers import provider

    out: dict[str, dict[int, DataFigure]] = {}
    for figure, name in NEED_PROVIDERS.items():
        read = provider(name)
        found = read(school_ids=school_ids) if read is not None and school_ids else {}
        out[figure] = {
            pk: DataFigure(Decimal(str(f["value"])), f.get("as_of"), str(f.get("basis", "")))
            for pk, f in found.items()
        }
    return out


def profile_values(profile: SchoolNeedProfile | None, flag_ids: set[int]) -> dict[str, Any]:
    if profile is None:
        return {
            "performance_band": None,
            "attendance_rate": None,
            "conditions_score": None,
            "flags": set(),
        }
    return {
        "performance_band": profile.performance_band,
        "attendance_rate": profile.attendance_rate,
        "conditions_score": profile.conditions_score,
        "flags": flag_ids,
    }


def rule_matches(rule: TierRule, values: dict[str, Any]) -> bool:
    """Whether the rule holds for a profile's values; a field the profile lacks never matches."""
    if rule.field == RuleField.FLAG:
        return rule.flag_id is not None and rule.flag_id in values["flags"]
    if rule.field == RuleField.FLAG_COUNT:
        actual: Any = len(values["flags"])
    else:
        actual = values.get(rule.field)
    if rule.operator == RuleOperator.HAS:
        return actual is not None
    if actual is None or rule.value is None:
        return False
    actual = Decimal(actual)
    return {
        RuleOperator.LT: actual < rule.value,
        RuleOperator.LTE: actual <= rule.value,
        RuleOperator.EQ: actual == rule.value,
        RuleOperator.GTE: actual >= rule.value,
        RuleOperator.GT: actual > rule.value,
    }.get(RuleOperator(rule.operator), False)


def tier_of(
    values: dict[str, Any], rules: list[TierRule], default: SupportTier | None
) -> tuple[SupportTier | None, TierRule | None]:
    """The first rule (by position) that matches wins; else the default tier."""
    for rule in rules:
        if rule_matches(rule, values):
            return rule.tier, rule
    return default, None


@dataclass
class SchoolSupport:
    school: Any
    profile: SchoolNeedProfile | None
    flags: list[NeedFlag]
    tier: SupportTier | None
    rule: TierRule | None

    @property
    def planned_per_month(self) -> Decimal:
        return self.tier.hours_per_month if self.tier else Decimal(0)


def dosage_schools(user: Any, on: datetime.date | None = None) -> QuerySet[Any]:
    """The schools whose dosage the user reads: those their scope reaches (their grants and, for
    a supervisor, their caseload's schools today), and (holding the dosage action at all) their
    own schools as a supervisor on the day (today by default; assignments'
    `supervisor_schools`), so that a supervisor reads their whole row of a past period."""
    from trellis.orgs.models import School
    from trellis.orgs.selectors import visible_schools

    reach = visible_schools(user, Action.DOSAGE_VIEW)
    person_id = getattr(user, "person_id", None)
    if person_id and has_grant_for(user, Action.DOSAGE_VIEW):
        day = on or timezone.localdate()
        own = supervisor_schools(day, supervisor_ids=[person_id]).get(person_id, set())
        if own:
            reach = School.objects.filter(Q(pk__in=reach.values("pk")) | Q(pk__in=sorted(own)))
    return reach.select_related("network", "system")


def school_supports(schools: list[Any]) -> dict[int, SchoolSupport]:
    """Each school's profile, flags and tier (four queries whatever the number of schools)."""
    system_ids = {s.system_id for s in schools}
    profiles = {
        p.school_id: p
        for p in SchoolNeedProfile.objects.filter(school__in=schools).prefetch_related(
            Prefetch("flags", queryset=NeedFlag.objects.order_by("name"))
        )
    }
    rules: dict[int, list[TierRule]] = {}
    for each in TierRule.objects.filter(system_id__in=system_ids).select_related("tier", "flag"):
        rules.setdefault(each.system_id, []).append(each)
    defaults = {
        t.system_id: t
        for t in SupportTier.objects.filter(system_id__in=system_ids, is_default=True)
    }
    out = {}
    for school in schools:
        profile = profiles.get(school.pk)
        flags = list(profile.flags.all()) if profile else []
        values = profile_values(profile, {f.pk for f in flags})
        tier, rule = tier_of(
            values, rules.get(school.system_id, []), defaults.get(school.system_id)
        )
        out[school.pk] = SchoolSupport(school, profile, flags, tier, rule)
    return out


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from `first`'s to `last`'s."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def delivered_minutes(
    school_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[int, int]:
    """School → minutes of the sessions held from `start` to `end` whose coachee held a position
    at the school on the session's date (one query; each session once per school)."""
    rows = (
        CoachingSession.objects.filter(
            Q(coachee__positions__school_id__in=school_ids)
            & Q(coachee__positions__starts_on__lte=F("held_on"))
            & (
                Q(coachee__positions__ends_on__isnull=True)
                | Q(coachee__positions__ends_on__gte=F("held_on"))
            ),
            held_on__gte=start,
            held_on__lte=end,
        )
        .values_list("pk", "coachee__positions__school_id", "minutes")
        .distinct()
        .order_by()
    )
    out: dict[int, int] = {}
    for _pk, school_id, minutes in rows:
        out[school_id] = out.get(school_id, 0) + minutes
    return out


def planned_hours(
    school_ids: list[int], first: datetime.date, last: datetime.date
) -> tuple[dict[int, Decimal], dict[int, dict[int, str]]]:
    """School → planned hours over the days from `first` to `last` (whole months), from the
    tier periods in force then: each month counts each period's hours a month times the share
    of the month's days it was in force (a school tiered up on the 16th of a 30-day month
    plans half a month at each tier); days with no period plan nothing, nor days after `last`
    (a report that stops at today plans the current month up to today). Also school → the tiers
    in force over the range (tier id → name, oldest first). One query."""
    from trellis.coaching.models import SchoolTierPeriod

    planned: dict[int, Decimal] = {}
    tiers: dict[int, dict[int, str]] = {}
    if not school_ids:
        return planned, tiers
    months = months_between(first, last)
    for period in SchoolTierPeriod.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first),
        school_id__in=school_ids,
        starts_on__lte=last,
    ).order_by("school_id", "starts_on"):
        for month in months:
            end = month_end(month)
            since = max(period.starts_on, month)
            until = min(period.ends_on or end, end, last)  # a period stops at its last day
            if since > until:
                continue
            share = Decimal((until - since).days + 1) / Decimal((end - month).days + 1)
            planned[period.school_id] = (
                planned.get(period.school_id, Decimal(0)) + period.hours_per_month * share
            )
        tiers.setdefault(period.school_id, {})[period.tier_id or 0] = period.tier_name
    return planned, tiers


def hours(minutes: int) -> Decimal:
    """Minutes as hours to one decimal: the one rounding of Trellis (half up)."""
    return hours_from_minutes(minutes)


@dataclass
class DosageRow:
    label: str
    schools: int
    planned: Decimal  # hours over the period
    delivered: Decimal  # hours over the period
    tier: str = ""
    network: str = ""
    key: str = ""

    @property
    def gap(self) -> Decimal:
        return self.delivered - self.planned

    @property
    def percent(self) -> int | None:
        if not self.planned:
            return None
        return round(100 * self.delivered / self.planned)

    @property
    def under(self) -> bool:
        return self.delivered < self.planned


class DosageRows(list[DosageRow]):
    """The report's rows; their total (each school once: the same figures per school, per
    supervisor and per network); how many supervisors' rows were withheld because their
    caseload reaches schools whose dosage the viewer does not read; and how many schools count
    in more than one row (a school two supervisors share), when the rows add up to more than
    the total."""

    withheld: int = 0
    shared: int = 0
    total: DosageRow  # set by dosage_report


DOSAGE_GROUPS = ("school", "supervisor", "network")
NO_SUPERVISOR = "(no supervisor)"
SUPERVISOR_NOT_SHOWN = "(supervisor not shown)"
DOSAGE_TOTAL = "Total (each school once)"


def dosage_report(
    user: Any,
    *,
    start: datetime.date,
    end: datetime.date,
    group: str = "school",
    query: str = "",
    network_id: int | None = None,
    tier_id: int | None = None,
    today: datetime.date | None = None,
) -> DosageRows:
    """Planned versus delivered dosage over the months from `start`'s to `end`'s (whole months,
    never past today: a period that reaches into the future stops at `today`), per school, per
    supervisor (a supervisor's schools on the last day of the period: their caseload's
    principals' and assistant principals' schools and their supervisor grants' schools,
    assignments' `supervisor_schools`; the schools no supervisor has make the row "(no
    supervisor)") or per network. Each school's figures are rounded once, to the tenth of an
    hour; a row and the total add up its schools' figures, so the three groupings agree. A fixed
    number of queries."""
    first, last = dosage_period(start, end, today=today)
    report = DosageRows()
    if last < first:
        report.total = DosageRow(
            label=DOSAGE_TOTAL, schools=0, planned=Decimal(0), delivered=Decimal(0)
        )
        return report
    schools_qs = dosage_schools(user, on=last)
    if network_id:
        schools_qs = schools_qs.filter(network_id=network_id)
    schools = list(schools_qs.order_by("name", "pk"))
    planned_by, tiers_by = planned_hours([s.pk for s in schools], first, last)
    if tier_id:
        schools = [s for s in schools if tier_id in tiers_by.get(s.pk, {})]
    delivered_by = delivered_minutes([s.pk for s in schools], first, last)
    # Each school's figures, rounded once (the one rounding, half up).
    planned = {s.pk: tenths(planned_by.get(s.pk, Decimal(0))) for s in schools}
    delivered = {s.pk: hours(delivered_by.get(s.pk, 0)) for s in schools}

    def row(label: str, ids: list[int] | set[int], **extra: Any) -> DosageRow:
        return DosageRow(
            label=label,
            schools=len(ids),
            planned=sum((planned[i] for i in ids), Decimal("0.0")),
            delivered=sum((delivered[i] for i in ids), Decimal("0.0")),
            **extra,
        )

    words = [w.lower() for w in query.split()[:4]]

    def wanted(label: str) -> bool:
        return all(w in label.lower() for w in words)

    counted: dict[int, int] = {}  # school → the number of rows that count it

    def add(label: str, ids: list[int] | set[int], **extra: Any) -> None:
        report.append(row(label, ids, **extra))
        for i in ids:
            counted[i] = counted.get(i, 0) + 1

    if group == "network":
        by_network: dict[str, list[int]] = {}
        for s in schools:
            by_network.setdefault(s.network.name if s.network else "(no network)", []).append(s.pk)
        for name, ids in sorted(by_network.items()):
            if wanted(name):
                add(name, ids, key=name)
    elif group == "supervisor":
        # A supervisor's row covers their schools (their caseload's and their grants': the one
        # rule, docs/decisions.md), whoever looks: it is shown only to a viewer who reads the
        # dosage of every one of them. The schools of no supervisor make a row of their own, and
        # those whose only supervisors are not shown another, so that the rows cover every
        # school of the other groupings.
        in_reach = {s.pk for s in schools}
        readable = (
            in_reach
            if not (network_id or tier_id)
            else set(dosage_schools(user, on=last).values_list("pk", flat=True))
        )
        theirs = supervisor_schools(last, system_ids={s.system_id for s in schools})
        supervised: set[int] = set()
        in_shown_rows: set[int] = set()
        for sup in Person.objects.filter(
            pk__in=sorted(pk for pk, whole in theirs.items() if whole & in_reach)
        ).order_by("family_name", "given_name", "pk"):
            whole = theirs[sup.pk]
            supervised |= whole & in_reach
            if whole <= readable:
                in_shown_rows |= whole & in_reach
                if wanted(sup.full_name):
                    add(sup.full_name, sorted(whole & in_reach), key=str(sup.pk))
            else:
                report.withheld += 1
        order = [s.pk for s in schools]
        nobody = [i for i in order if i not in supervised]
        if nobody and wanted(NO_SUPERVISOR):
            add(NO_SUPERVISOR, nobody, key="none")
        not_shown = [i for i in order if i in supervised and i not in in_shown_rows]
        if not_shown and wanted(SUPERVISOR_NOT_SHOWN):
            add(SUPERVISOR_NOT_SHOWN, not_shown, key="not-shown")
    else:
        for s in schools:
            if wanted(s.name):
                add(
                    s.name,
                    [s.pk],
                    tier=" → ".join(tiers_by.get(s.pk, {}).values()) or "(no tier)",
                    network=s.network.name if s.network else "",
                    key=str(s.pk),
                )
    report.shared = sum(1 for n in counted.values() if n > 1)
    report.total = row(DOSAGE_TOTAL, set(counted))
    return report


# The longest period a dosage report covers, in months: ten years. A period since 1900 was
# counted month by month (the walk saw "over 1523 months") for hours nobody planned then.
DOSAGE_MAX_MONTHS = 120


def dosage_period_refusal(start: datetime.date, end: datetime.date) -> str:
    """Why the months of `start` to `end` are not a period a dosage report covers ("" when they
    are): longer than DOSAGE_MAX_MONTHS."""
    first, last = min(start, end), max(start, end)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= DOSAGE_MAX_MONTHS:
        return ""
    return (
        f"The period from {first:%b %Y} to {last:%b %Y} is {months:,} months long: choose at "
        f"most {DOSAGE_MAX_MONTHS} months (ten years)."
    )


def dosage_period(
    start: datetime.date, end: datetime.date, *, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The days a dosage report covers: from the first day of `start`'s month to the last day of
    `end`'s, stopping at today (no session is delivered, nor any hour planned, in days to come;
    a period wholly in the future is empty: the last day comes before the first)."""
    today = today or timezone.localdate()
    first, last = start.replace(day=1), month_end(end.replace(day=1))
    return first, min(last, today)


def support_tiers(system_ids: set[int]) -> QuerySet[SupportTier]:
    return SupportTier.objects.filter(system_id__in=system_ids)


def tier_rules(system_id: int) -> QuerySet[TierRule]:
    return TierRule.objects.filter(system_id=system_id).select_related("tier", "flag")


def need_flags(system_id: int) -> QuerySet[NeedFlag]:
    return NeedFlag.objects.filter(system_id=system_id)


def support_school_get(user: Any, pk: int, action: str = Action.SUPPORT_CONFIGURE) -> Any:
    """A school whose need profile the user edits (`coaching.support`) or reads (whoever reads
    its dosage, `coaching.dosage`): 404 outside reach, 403 without the action."""
    from trellis.orgs.selectors import school_get

    return school_get(user, pk, action)


def need_profile_readable(user: Any, school_ids: list[Any]) -> set[int]:
    """Of these schools, those whose need profile the user may open (`support_school`'s rule:
    the schools whose dosage they read today). One query."""
    from trellis.orgs.selectors import visible_schools

    wanted = [int(pk) for pk in school_ids if str(pk).isdigit()]
    if not wanted:
        return set()
    return set(
        visible_schools(user, Action.DOSAGE_VIEW).filter(pk__in=wanted).values_list("pk", flat=True)
    )


def support_read_systems(user: Any) -> list[Any]:
    """The systems whose tiers and rules the user reads: those of the schools whose dosage (and
    so need profiles and tiers) they read. Need profiles and tiers are school-level planning
    data, read-only to every reader of the dosage they plan (docs/decisions.md, 2026-11-30)."""
    from trellis.orgs.models import System
    from trellis.orgs.selectors import visible_schools

    return list(
        System.objects.filter(
            pk__in=visible_schools(user, Action.DOSAGE_VIEW).order_by().values("system_id")
        ).order_by("name")
    )


# -- Progress monitoring (coach-visits) ------------------------------------------------------------
#
# A coachee's focus competencies are those their sessions focused on (by CASE identifier, so a
# competency is one series across framework versions); their progress ratings on them come from
# the ratings app. **Moving**: on some focus competency the latest rating is at a higher level
# than the rating before it. **Stuck**: not moving, and at least STUCK_SESSIONS sessions were
# held after the last change of level on any focus competency (after the first rating when no
# level ever changed; all their sessions when they have no rating). Otherwise: too early to tell.

STUCK_SESSIONS = 4
PROGRESS_STATUSES = ("moving", "stuck", "early")


@dataclass
class FocusSeries:
    identifier: str
    label: str
    ratings: list[Any]  # oldest first

    @property
    def latest(self) -> Any:
        return self.ratings[-1] if self.ratings else None

    @property
    def previous(self) -> Any:
        return self.ratings[-2] if len(self.ratings) > 1 else None

    @property
    def moved_up(self) -> bool:
        return bool(self.previous and self.latest.level.position > self.previous.level.position)


@dataclass
class ProgressRow:
    person: Person
    series: list[FocusSeries]
    sessions: int
    sessions_since: int
    last_change: datetime.date | None

    @property
    def status(self) -> str:
        if any(s.moved_up for s in self.series):
            return "moving"
        if self.sessions_since >= STUCK_SESSIONS:
            return "stuck"
        return "early"

    @property
    def status_label(self) -> str:
        return {"moving": "Moving", "stuck": "Stuck", "early": "Too early to tell"}[self.status]


def progress_rows(people: list[Person]) -> list[ProgressRow]:
    """Progress on their focus competencies of these people (two queries)."""
    from trellis.ratings.selectors import progress_ratings

    ids = [p.pk for p in people]
    focus: dict[int, dict[str, str]] = {}
    held: dict[int, dict[int, datetime.date]] = {}
    order: dict[str, tuple[tuple[int, ...], str]] = {}
    # Look-fors of the framework designated for classroom visits are not a focus competency.
    classroom = classroom_framework_ids({p.system_id for p in people})
    for (
        pk,
        coachee_id,
        held_on,
        framework_id,
        identifier,
        code,
        short,
        full,
        grand,
        parent,
        own,
    ) in (
        CoachingSession.objects.filter(coachee_id__in=ids)
        .values_list(
            "pk",
            "coachee_id",
            "held_on",
            "focus__version__framework_id",
            "focus__case_identifier",
            "focus__human_coding_scheme",
            "focus__abbreviated_statement",
            "focus__full_statement",
            "focus__parent__parent__position",
            "focus__parent__position",
            "focus__position",
        )
        .order_by()
    ):
        held.setdefault(coachee_id, {})[pk] = held_on
        if identifier and framework_id not in classroom:
            label = (f"{code} " if code else "") + (short or full or "")[:80]
            focus.setdefault(coachee_id, {}).setdefault(identifier, label)
            # The framework's order (domain, then competency), as framework_order sorts.
            place = tuple(-1 if p is None else p for p in (grand, parent, own))
            order.setdefault(identifier, (place, label))
    identifiers = {i for by in focus.values() for i in by}
    by_series: dict[tuple[int, str], list[Any]] = {}
    for rating in progress_ratings(ids, identifiers):
        subject = rating.subject_person_id or 0
        if rating.item.case_identifier in focus.get(subject, {}):
            key = (subject, rating.item.case_identifier)
            by_series.setdefault(key, []).append(rating)
    rows = []
    for person in people:
        series = [
            FocusSeries(identifier, label, by_series.get((person.pk, identifier), []))
            for identifier, label in sorted(
                focus.get(person.pk, {}).items(), key=lambda x: order[x[0]]
            )
        ]
        changes = [
            later.rated_on
            for s in series
            for earlier, later in zip(s.ratings, s.ratings[1:], strict=False)
            if later.level.position != earlier.level.position
        ]
        firsts = [s.ratings[0].rated_on for s in series if s.ratings]
        since_day = max(changes) if changes else (min(firsts) if firsts else None)
        days = list(held.get(person.pk, {}).values())
        rows.append(
            ProgressRow(
                person=person,
                series=series,
                sessions=len(days),
                sessions_since=sum(1 for d in days if since_day is None or d > since_day),
                last_change=max(changes) if changes else None,
            )
        )
    return rows


def progress_people(user: Any, *, query: str = "") -> QuerySet[Person]:
    """The people on the user's caseload today whose progress ratings they read (their coaching
    and supervision assignees), by name."""
    ids = [p.pk for p in caseload(user)]
    scope = scope_for(user, Action.RATINGS_PROGRESS)
    readable = [pk for pk in ids if pk in scope.related_person_ids]
    people = Person.objects.filter(pk__in=readable)
    for word in query.split()[:4]:
        people = people.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return people.order_by("family_name", "given_name", "pk")


def may_open_history(user: Any, person: Person) -> bool:
    """Whether `coachee_get` would let the user open the person's coaching history."""
    if getattr(user, "person_id", None) == person.pk:
        return True
    if allows(user, Action.COACHING_VIEW, person):
        return True
    return visible_sessions(user).filter(coachee_id=person.pk).exists()
