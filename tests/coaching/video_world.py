"""The videos of practice every test world holds (role matrix, URL walker, query counts).

Cami (coach) uploaded a video of Paula's practice to their session (the tiny WebM in
fixtures/, 6 seconds); Paula commented on it at 0:03, tagged to the session's focus; Cami linked
a video of Cora's practice (kept elsewhere)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conftest import World

FIXTURE = Path(__file__).parent / "fixtures" / "practice.webm"
PAULA_VIDEO_COMMENT = "Here the pacing picks up: the exit ticket lands."
CAPTIONS = (
    b"WEBVTT\n\n1\n00:00.000 --> 00:02.000\nGood morning, everyone.\n\n"
    b"2\n00:02.500 --> 00:05.500 align:start\nLet's look at <i>Tuesday's</i> exit tickets.\n"
)
CAPTION_WORDS = "Let's look at Tuesday's exit tickets."


def add_captions(world: World) -> None:
    """Captions on the world's uploaded video (the Cases of the captions file and transcript)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trellis.coaching.models import PracticeVideo
    from trellis.coaching.services import video_captions_add

    video = PracticeVideo.objects.get(pk=world.coaching["video"])
    video_captions_add(
        actor=None, video=video, upload=SimpleUploadedFile("meeting.vtt", CAPTIONS, "text/vtt")
    )


def add_videos(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.coaching.world import focus_item
    from trellis.coaching.models import CoachingSession
    from trellis.coaching.services import video_comment_add, video_link, video_upload

    session = CoachingSession.objects.get(pk=world.coaching["session"])
    coach = session.coach
    video = video_upload(
        actor=None,
        coach=coach,
        coachee=session.coachee,
        session=session,
        title="Grade 3 data meeting",
        upload=SimpleUploadedFile("meeting.webm", FIXTURE.read_bytes()),
    )
    comment = video_comment_add(
        actor=None,
        author=session.coachee,
        video=video,
        at_seconds=3,
        text=PAULA_VIDEO_COMMENT,
        competencies=[focus_item(world)],
    )
    link = video_link(
        actor=None,
        coach=coach,
        coachee=world.colleague,
        session=None,
        title="Cora's questioning routine",
        link="https://video.example.org/watch/cora-routine",
    )
    world.coaching.update({"video": video.pk, "video_comment": comment.pk, "link_video": link.pk})


def grow_videos(world: World, scale: int, tag: str) -> None:
    """Videos in proportion (for the query counts): `scale` more linked videos of Paula's
    practice, each with a comment, and `scale` more comments on the world's uploaded video, by
    coach and coachee, tagged to the focus."""
    from tests.coaching.world import focus_item
    from trellis.coaching.models import CoachingSession, PracticeVideo
    from trellis.coaching.services import video_comment_add, video_link

    session = CoachingSession.objects.get(pk=world.coaching["session"])
    item = focus_item(world)
    uploaded = PracticeVideo.objects.get(pk=world.coaching["video"])
    for n in range(scale):
        video = video_link(
            actor=None,
            coach=session.coach,
            coachee=session.coachee,
            session=session,
            title=f"{tag} video {n}",
            link=f"https://video.example.org/{tag}/{n}",
        )
        for target in (video, uploaded):
            video_comment_add(
                actor=None,
                author=session.coach if n % 2 else session.coachee,
                video=target,
                at_seconds=n % 7,  # within the uploaded video's six seconds
                text=f"{tag} comment {n}",
                competencies=[item],
            )
