"""Role-matrix Cases of the videos of practice (added to tests/matrix.py's CASES).

Who is who (tests/coaching/world.py, video_world.py): `coach` (Cami) uploaded the video of
Paula's practice to their session, and linked one of Cora's; `principal` is Paula, the coachee;
`supervisor` (Sam) and `evaluator` (Eve) see Paula's sessions but not the video (the session is
not shared): 403; `admin` neither (403); `coach_other` (Oscar) is a coach of someone else (404);
`supervisor_south` does not reach Paula (404); `admin_b` is another system (404)."""

from __future__ import annotations

from typing import Any

from tests.coaching.video_world import add_captions
from tests.conftest import World
from tests.matrix import Case

TITLE = "Grade 3 data meeting"


def video(w: World, tail: str = "") -> str:
    return f"/coaching/videos/{w.coaching['video']}/{tail}"


def new_for_session(w: World) -> str:
    return f"/coaching/videos/new/?session={w.coaching['session']}"


def new_for_coachee(w: World) -> str:
    return f"/coaching/videos/new/?coachee={w.principal_person.pk}"


def link_data(w: World) -> dict[str, Any]:
    return {"title": "Morning meeting", "link": "https://video.example.org/watch/morning"}


def captions_data(w: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.coaching.video_world import CAPTIONS

    return {"captions": SimpleUploadedFile("meeting.vtt", CAPTIONS, "text/vtt")}


def upload_data(w: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.coaching.video_world import FIXTURE

    return {
        "title": "Hallway walkthrough",
        "file": SimpleUploadedFile("walk.webm", FIXTURE.read_bytes(), "video/webm"),
    }


VIDEO_CASES: list[Case] = [
    Case(
        "coaching_videos",
        lambda w: "/coaching/videos/",
        right="coach",
        wrong="analyst",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: TITLE,
        exports=("csv", "xlsx"),
    ),
    Case(
        "coaching_videos",
        lambda w: "/coaching/videos/",
        right="principal",
        wrong="analyst",
        outsider="coach_other",
        outsider_status=200,
        hidden_from_outsider=lambda w: TITLE,
        exports=("csv", "xlsx"),
        label="right role, wrong relationship",
    ),
    Case(
        "coaching_videos",
        lambda w: "/coaching/videos/",
        right="coach",
        wrong="analyst",
        outsider="supervisor",
        outsider_status=200,
        hidden_from_outsider=lambda w: TITLE,
        exports=("csv", "xlsx"),
        label="supervisor, session not shared",
    ),
    Case(
        "coaching_video_new",
        new_for_session,
        right="coach",
        wrong="supervisor",  # sees the session, did not take part in it
        outsider="admin_b",
        method="POST",
        data=upload_data,
        right_status=302,
        get_status=200,
        unrelated="coach_other",
        label="upload to a session",
    ),
    Case(
        "coaching_video_new",
        new_for_session,
        right="principal",
        wrong="evaluator",
        outsider="supervisor_south",
        method="POST",
        data=link_data,
        right_status=302,
        get_status=200,
        unrelated="coach_other",
        label="the coachee links one",
    ),
    Case(
        "coaching_video_new",
        new_for_coachee,
        right="coach",
        wrong="leader",  # sees Paula, not on a caseload
        outsider="admin_b",
        method="POST",
        data=link_data,
        right_status=302,
        get_status=200,
        unrelated="coach_other",
        label="for someone on the caseload",
    ),
    Case(
        "coaching_video",
        lambda w: video(w),
        right="coach",
        wrong="supervisor",
        outsider="admin_b",
        unrelated="coach_other",
    ),
    Case(
        "coaching_video",
        lambda w: video(w),
        right="principal",
        wrong="evaluator",
        outsider="supervisor_south",
        label="coachee and evaluator",
    ),
    Case(
        "coaching_video",
        lambda w: video(w),
        right="coach",
        wrong="admin",
        outsider="admin_b",
        label="administrator",
    ),
    Case(
        "coaching_video_file",
        lambda w: video(w, "file/"),
        right="coach",
        wrong="supervisor",
        outsider="admin_b",
        unrelated="coach_other",
    ),
    Case(
        "coaching_video_file",
        lambda w: video(w, "file/"),
        right="principal",
        wrong="admin",
        outsider="supervisor_south",
        label="coachee and administrator",
    ),
    Case(
        "coaching_video_file",
        lambda w: video(w, "file/"),
        right="coach",
        wrong="evaluator",
        outsider="admin_b",
        label="evaluator",
    ),
    Case(
        "coaching_video_comment",
        lambda w: video(w, "comments/"),
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"at": "0:04", "text": "The questions get sharper here."},
        right_status=302,
        get_status=302,
        unrelated="coach_other",
    ),
    Case(
        "coaching_video_delete",
        lambda w: f"/coaching/videos/{w.coaching['link_video']}/delete/",
        right="coach",
        wrong="leader",  # sees Cora, not her coaching
        outsider="admin_b",
        method="POST",
        right_status=302,
        get_status=200,
        unrelated="coach_other",
    ),
    Case(
        "coaching_video_delete",
        lambda w: video(w, "delete/"),
        right="coach",
        wrong="principal",  # the coachee did not add it: the coach's record
        outsider="admin_b",
        method="POST",
        right_status=302,
        get_status=200,
        unrelated="coach_other",
        label="the coachee does not remove the coach's video",
    ),
    Case(
        "coaching_video_settings",
        lambda w: "/coaching/videos/settings/",
        right="coaching_lead",
        wrong="coach",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system": w.system.pk, "max_mb": 250},
        right_status=302,
        get_status=200,
        # Their POST naming Riverbend is their form again with its errors: 400 since eval7 (it
        # was 200; a form shown again with errors answers 400). Their GET shows their own form.
        outsider_status=400,
        outsider_get_status=200,
        hidden_from_outsider=lambda w: w.system.name,
    ),
    # The API.
    Case(
        "api:list_practice_videos",
        lambda w: "/api/v1/coaching/videos",
        right="coach",
        wrong="analyst",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: TITLE,
        api=True,
    ),
    Case(
        "api:list_practice_videos",
        lambda w: "/api/v1/coaching/videos",
        right="principal",
        wrong="analyst",
        outsider="supervisor",
        outsider_status=200,
        hidden_from_outsider=lambda w: TITLE,
        api=True,
        label="supervisor, session not shared",
    ),
    Case(
        "api:list_video_comments",
        lambda w: f"/api/v1/coaching/videos/{w.coaching['video']}/comments",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        unrelated="coach_other",
        api=True,
    ),
    Case(
        "api:list_video_comments",
        lambda w: f"/api/v1/coaching/videos/{w.coaching['video']}/comments",
        right="coach",
        wrong="admin",
        outsider="supervisor_south",
        api=True,
        label="administrator",
    ),
    Case(
        "api:add_video_comment",
        lambda w: f"/api/v1/coaching/videos/{w.coaching['video']}/comments",
        right="coach",
        wrong="evaluator",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"at_seconds": 5, "text": "Notice the wait time."},
        right_status=201,
        get_status=200,
        unrelated="coach_other",
        api=True,
    ),
    # Captions (the coaching fixes of issue 10): attached by the video's coach or coachee,
    # read by whoever may watch the video, through the same check.
    Case(
        "coaching_video_captions",
        lambda w: video(w, "captions/"),
        right="principal",
        wrong="supervisor",  # sees Paula's sessions, not this video (not shared)
        outsider="admin_b",
        method="POST",
        data=captions_data,
        right_status=302,
        get_status=302,
        unrelated="coach_other",
    ),
    Case(
        "coaching_video_captions",
        lambda w: video(w, "captions/"),
        right="coach",
        wrong="admin",
        outsider="supervisor_south",
        method="POST",
        data=captions_data,
        right_status=302,
        get_status=302,
        label="coach and administrator",
    ),
    Case(
        "coaching_video_captions_file",
        lambda w: video(w, "captions.vtt"),
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        unrelated="coach_other",
        setup=add_captions,
    ),
    Case(
        "coaching_video_captions_file",
        lambda w: video(w, "captions.vtt"),
        right="coach",
        wrong="evaluator",
        outsider="supervisor_south",
        setup=add_captions,
        label="evaluator",
    ),
    Case(
        "coaching_video_transcript",
        lambda w: video(w, "transcript/"),
        right="coach",
        wrong="admin",
        outsider="admin_b",
        unrelated="coach_other",
        setup=add_captions,
    ),
    Case(
        "coaching_video_transcript",
        lambda w: video(w, "transcript/"),
        right="principal",
        wrong="supervisor",
        outsider="supervisor_south",
        setup=add_captions,
        label="coachee and supervisor",
    ),
]
