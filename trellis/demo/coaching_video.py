"""The demo's videos of practice: a few coachees' latest sessions carry a linked video (kept on
the district's video service: links only, no files) with time-stamped comments by the coach and
the coachee, tagged to the session's focus."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db.models import Q

from trellis.assignments.models import Assignment
from trellis.authz.roles import Relationship
from trellis.coaching.models import CoachingSession
from trellis.coaching.services import video_comment_add, video_link

VIDEOS = 8
TITLES = [
    "Grade {grade} math block: number talk",
    "Grade {grade} reading conferences",
    "Data meeting with the grade {grade} team",
    "Morning walkthrough, grade {grade} hallway",
    "Feedback conversation after a grade {grade} observation",
]
COACH_SAYS = [
    "Notice the wait time here: three seconds before calling on anyone.",
    "This is the moment the exit ticket data comes up. What did you decide next?",
    "Students are explaining to each other without prompting.",
    "Here the feedback names one specific move: good model for the team.",
    "The agenda slips here; which protocol step would bring it back?",
]
COACHEE_SAYS = [
    "I wanted to push on evidence here and let it go. Next time.",
    "This is where I changed the plan after the first group.",
    "Teachers brought their own student work: a first for this team.",
    "I talked too long here; timing it next week.",
]


def video_history(system: Any, *, seed: int, today: datetime.date) -> dict[str, int]:
    rng = random.Random(f"{seed}-coaching-video")
    coached = list(
        Assignment.objects.filter(system=system, kind=Relationship.COACHING, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("pk")
        .values_list("supporter_id", "assignee_id")[:VIDEOS]
    )
    videos = comments = 0
    for supporter_id, assignee_id in coached:
        session = (
            CoachingSession.objects.filter(coach_id=supporter_id, coachee_id=assignee_id)
            .select_related("coach", "coachee")
            .prefetch_related("focus")
            .order_by("-held_on", "-pk")
            .first()
        )
        if session is None:
            continue
        video = video_link(
            actor=None,
            coach=session.coach,
            coachee=session.coachee,
            session=session,
            title=rng.choice(TITLES).format(grade=rng.randint(1, 8)),
            link=f"https://video.riverbend.example/practice/{seed}-{session.pk}",
        )
        videos += 1
        focus = list(session.focus.all())
        moment = rng.randint(20, 90)
        for n in range(rng.randint(2, 4)):
            by_coach = n % 2 == 0
            video_comment_add(
                actor=None,
                author=session.coach if by_coach else session.coachee,
                video=video,
                at_seconds=moment,
                text=rng.choice(COACH_SAYS if by_coach else COACHEE_SAYS),
                competencies=focus[:1] if focus and by_coach else [],
            )
            comments += 1
            moment += rng.randint(30, 240)
    return {"videos of practice": videos, "video comments": comments}
