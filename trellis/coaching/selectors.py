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
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.assignments.selectors import assignment_covering, caseload_of
from trellis.authz.policies import allows, authorize, scope_for
from trellis.authz.roles import Action, Relationship
from trellis.coaching.models import (
    DEFAULT_UNSEEN_WEEKS,
    CoachingSession,
    CoachingSettings,
    NextStep,
    Protocol,
    SessionComment,
)
from trellis.coaching.scopes import sessions_q
from trellis.frameworks.models import FrameworkItem, FrameworkVersion
from trellis.people.models import Person
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
        Prefetch("focus", queryset=FrameworkItem.objects.order_by("position", "pk")),
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
    step = NextStep.objects.select_related("session__coachee", "owner").filter(pk=pk).first()
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


def caseload_assignment(coach: Person, coachee: Person, day: datetime.date) -> Any:
    return assignment_covering(coach.pk, coachee.pk, CASELOAD_KINDS, day)


def focus_versions(user: Any, coachee: Person) -> list[FrameworkVersion]:
    """The newest published version of each framework the coachee's system uses for them."""
    versions = []
    for framework in rating_frameworks(user, coachee):
        version = (
            framework.versions.filter(status=FrameworkVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )
        if version is not None:
            versions.append(version)
    return versions


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
        .order_by("version__framework__title", "position", "pk")
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
    the last session, the open next steps, the latest progress ratings on the focus
    competencies of their last session, and whether they have not been seen in the system's N
    weeks. Seven queries whatever the size of the caseload."""
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
    # The focus of each person's latest session (ties broken by the newest record).
    latest: dict[int, int] = {}
    for session_id, coachee_id in sessions.order_by("coachee_id", "-held_on", "-pk").values_list(
        "pk", "coachee_id"
    ):
        latest.setdefault(coachee_id, session_id)
    focus_by_session: dict[int, list[FrameworkItem]] = {}
    for link in CoachingSession.focus.through.objects.filter(
        coachingsession_id__in=latest.values()
    ).select_related("frameworkitem"):
        focus_by_session.setdefault(link.coachingsession_id, []).append(link.frameworkitem)
    readable = scope_for(user, Action.RATINGS_PROGRESS).related_person_ids
    identifiers = {item.case_identifier for items in focus_by_session.values() for item in items}
    ratings = latest_progress_ratings([pk for pk in ids if pk in readable], identifiers)
    weeks = unseen_weeks({row.person.system_id for row in rows.values()})
    for coachee_id, row in rows.items():
        row.unseen_weeks = weeks[row.person.system_id]
        items = sorted(
            focus_by_session.get(latest.get(coachee_id, 0), []), key=lambda i: (i.position, i.pk)
        )
        row.focus = [(item, ratings.get((coachee_id, item.case_identifier))) for item in items]
    return list(rows.values())


def log_target(user: Any, pk: int) -> Person:
    """The person a session is being logged with: 404 when the user cannot see them, 403 when
    they see them but the person is not on their caseload today."""
    person = person_get(user, pk)
    authorize(user, Action.COACHING_LOG, person)
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
            Prefetch("competencies", queryset=FrameworkItem.objects.order_by("position", "pk"))
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
