"""Videos of practice and their time-stamped comments in the API, under the pages' rules: only
those who may watch a video (its coach and coachee, the coachee's coaches, and their supervisor
and evaluator for a session the coachee shared) list it and read its comments; its coach and
coachee comment. Uploaded files are fetched from `file_url`, the authorized page view that
answers HTTP range requests; there is no public address."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from trellis.api.auth import api_permission
from trellis.api.paging import ID, Pages, _MappedQuerySet
from trellis.api.schemas import ErrorOut
from trellis.authz.roles import Action
from trellis.coaching import selectors, services
from trellis.coaching.models import PracticeVideo, VideoComment

router = Router(tags=["coaching"])
PK = Path(..., ge=1, le=2**31 - 1)


class VideoOut(Schema):
    id: int
    title: str
    coach_id: int
    coach: str
    coachee_id: int
    coachee: str
    session_id: int | None
    kind: str
    link: str | None
    file_url: str | None
    content_type: str | None
    size: int | None
    comments: int
    created_at: datetime.datetime


class VideoFilters(Schema):
    q: str = Field("", max_length=200)
    coachee: int | None = ID
    session: int | None = ID

    @field_validator("q")
    @classmethod
    def _no_null_character(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("The 'q' parameter contains a null character.")
        return value


class VideoCommentOut(Schema):
    id: int
    video_id: int
    author_id: int
    author: str
    at_seconds: int
    at: str
    text: str
    competencies: list[int]
    created_at: datetime.datetime


class VideoCommentIn(Schema):
    at_seconds: int = Field(..., ge=0, le=86400)
    text: str = Field(..., min_length=1, max_length=services.MAX_VIDEO_COMMENT)
    competencies: list[int] = Field(default_factory=list, max_length=50)


def _video_out(video: PracticeVideo) -> dict[str, Any]:
    uploaded = not video.link
    return {
        "id": video.pk,
        "title": video.title,
        "coach_id": video.coach_id,
        "coach": video.coach.full_name,
        "coachee_id": video.coachee_id,
        "coachee": video.coachee.full_name,
        "session_id": video.session_id,
        "kind": "file" if uploaded else "link",
        "link": video.link or None,
        "file_url": reverse("coaching_video_file", args=[video.pk]) if uploaded else None,
        "content_type": video.content_type if uploaded else None,
        "size": video.size if uploaded else None,
        "comments": getattr(video, "comment_count", 0),
        "created_at": video.created_at,
    }


def _comment_out(comment: VideoComment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "video_id": comment.video_id,
        "author_id": comment.author_id,
        "author": comment.author.full_name,
        "at_seconds": comment.at_seconds,
        "at": comment.at_label,
        "text": comment.text,
        "competencies": [item.pk for item in comment.competencies.all()],
        "created_at": comment.created_at,
    }


@router.get("/videos", response=list[VideoOut])
@api_permission(Action.COACHING_VIEW)
@paginate(Pages, max_limit=500)
def list_practice_videos(request: HttpRequest, filters: Query[VideoFilters]) -> Any:
    videos = selectors.video_list(
        request.user, query=filters.q, coachee_id=filters.coachee, session_id=filters.session
    )
    return _MappedQuerySet(videos, _video_out)


@router.get(
    "/videos/{video_id}/comments",
    response={200: list[VideoCommentOut], 403: ErrorOut, 404: ErrorOut},
)
@api_permission(Action.COACHING_VIEW)
def list_video_comments(request: HttpRequest, video_id: int = PK) -> Any:
    video = selectors.video_get(request.user, video_id)
    return [_comment_out(c) for c in selectors.video_comments(video)]


@router.post(
    "/videos/{video_id}/comments",
    response={201: VideoCommentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
@api_permission(Action.COACHING_VIEW)
def add_video_comment(request: HttpRequest, payload: VideoCommentIn, video_id: int = PK) -> Any:
    video = selectors.video_get(request.user, video_id)
    if not selectors.video_may_comment(request.user, video):
        raise HttpError(403, "Only the video's coach and coachee comment on it.")
    choices = {item.pk: item for item in selectors.video_competency_choices(request.user, video)}
    wrong = [pk for pk in payload.competencies if pk not in choices]
    if wrong:
        raise HttpError(
            400,
            f"competencies: {wrong} are not competencies of the framework used for this person.",
        )
    try:
        comment = services.video_comment_add(
            actor=request.user,
            video=video,
            at_seconds=payload.at_seconds,
            text=payload.text,
            competencies=[choices[pk] for pk in payload.competencies],
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return Status(201, _comment_out(selectors.video_comments(video).get(pk=comment.pk)))
