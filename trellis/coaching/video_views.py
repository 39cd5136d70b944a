"""Pages of videos of practice: the list, adding one (upload or link), watching it with its
time-stamped comments, the file itself (authorized, with HTTP ranges), removing it, and the
system's upload limit. Thin: parse, call one selector or service, render. Outside scope 404; in
scope, not allowed 403 (`selectors.video_get`)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.coaching import selectors, services
from trellis.coaching.access import coaching_page
from trellis.coaching.models import PracticeVideo
from trellis.coaching.video_forms import (
    CaptionsForm,
    VideoCommentForm,
    VideoForm,
    VideoSettingsForm,
)
from trellis.coaching.video_storage import video_storage
from trellis.core.forms import add_service_errors, form_status
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.core.postonly import post_only
from trellis.core.ranges import ranged_file_response

KINDS = [("file", "Uploaded"), ("link", "Linked")]


def _export() -> ExportSpec:
    def row(v: PracticeVideo) -> list[Any]:
        return [
            v.created_at.date(),
            v.title,
            v.coachee.full_name,
            v.coach.full_name,
            v.session.held_on if v.session else "",
            "link" if v.link else "upload",
            v.link or v.content_type,
            v.size if not v.link else "",
            v.comment_count,  # type: ignore[attr-defined]
        ]

    return ExportSpec(
        filename="practice-videos",
        headers=[
            "Added",
            "Title",
            "Coachee",
            "Coach",
            "Session",
            "Kind",
            "Link or type",
            "Bytes",
            "Comments",
        ],
        row=row,
    )


@coaching_page
def video_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "coachee_id": get_int(params, "coachee"),
        "session_id": get_int(params, "session"),
        "kind": get_choice(params, "kind", [k for k, _ in KINDS]),
    }
    return render_list(
        request,
        template="coaching/video_list.html",
        queryset=selectors.video_list(request.user, **filters),
        export=_export(),
        per_page=25,
        context={
            "filters": filters,
            "kinds": KINDS,
            "coachees": selectors.video_coachee_choices(request.user),
        },
    )


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@coaching_page
def video_new(request: HttpRequest) -> HttpResponseBase:
    """Add a video to a session the user took part in (`?session=`) or, for a coach, for
    someone on their caseload (`?coachee=`)."""
    target = selectors.video_target(
        request.user,
        session_id=get_int(request.GET, "session"),
        coachee_id=get_int(request.GET, "coachee"),
    )
    coachee = target["coachee"]
    limit_mb = selectors.video_max_mb(coachee.system_id)
    too_large = request.method == "POST" and _content_length(request) > (limit_mb + 1) * 1024**2
    refused = ""
    if too_large:
        # Refused before the body is read: the message states the limit and the upload's size.
        form = VideoForm(limit_mb=limit_mb)
        refused = (
            f"The upload is {_content_length(request) / 1024**2:,.1f} MB; the limit is "
            f"{limit_mb:,} MB. Trim the video or link it instead."
        )
    else:
        form = VideoForm(request.POST or None, request.FILES or None, limit_mb=limit_mb)
    if request.method == "POST" and not too_large and form.is_valid():
        data = form.cleaned_data
        try:
            if data["file"]:
                video = services.video_upload(
                    actor=request.user, title=data["title"], upload=data["file"], **target
                )
            else:
                video = services.video_link(
                    actor=request.user, title=data["title"], link=data["link"], **target
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Video added: {video.title}.")
            return redirect("coaching_video", pk=video.pk)
    session = target["session"]
    back_url = (
        reverse("coaching_session", args=[session.pk])
        if session
        else reverse("coaching_coachee", args=[coachee.pk])
    )
    return render(
        request,
        "coaching/video_form.html",
        {
            "form": form,
            "coachee": coachee,
            "session": session,
            "limit_mb": limit_mb,
            "back_url": back_url,
            "refused": refused,
        },
        status=413 if too_large else form_status(form),
    )


def _detail(
    request: HttpRequest,
    video: PracticeVideo,
    *,
    form: VideoCommentForm | None,
    start: int | None = None,
    status: int = 200,
    captions_form: CaptionsForm | None = None,
) -> HttpResponse:
    may_caption = bool(video.file) and selectors.video_may_comment(request.user, video)
    return render(
        request,
        "coaching/video_detail.html",
        {
            "video": video,
            "comments": list(selectors.video_comments(video)),
            "form": form,
            "start": start if start and start > 0 else None,
            "may_delete": selectors.video_may_delete(request.user, video),
            "captions_form": (captions_form or CaptionsForm()) if may_caption else None,
        },
        status=status,
    )


@coaching_page
def video_detail(request: HttpRequest, pk: int) -> HttpResponse:
    video = selectors.video_get(request.user, pk)
    form = (
        VideoCommentForm(choices=selectors.video_competency_choices(request.user, video))
        if selectors.video_may_comment(request.user, video)
        else None
    )
    return _detail(request, video, form=form, start=get_int(request.GET, "t"))


@coaching_page
def video_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The uploaded file, to those who may watch it only, answering HTTP range requests."""
    video = selectors.video_get(request.user, pk)
    name = video.file.name if video.file else ""
    if not name or not video_storage.exists(name):
        raise Http404  # a linked video, or a file lost from the storage
    response = ranged_file_response(
        request,
        opener=lambda: video_storage.open(name, "rb"),
        size=video.size,
        content_type=video.content_type,
        filename=f"video-{video.pk}{name[name.rfind('.') :]}",
        # A stored file is never rewritten (a new upload is a new video under a new name), so
        # its name and size identify its bytes: a strong validator for If-Range.
        etag=f'"v{video.pk}-{video.size}-{hashlib.sha256(name.encode()).hexdigest()[:16]}"',
        last_modified=video.created_at,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@coaching_page
@post_only("coaching_video")
def video_captions(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The video's coach or coachee attaches captions (WebVTT) to an uploaded video."""
    video = selectors.video_get(request.user, pk)
    if not selectors.video_may_comment(request.user, video):
        raise PermissionDenied
    form = CaptionsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.video_captions_add(
                actor=request.user, video=video, upload=form.cleaned_data["captions"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            if video.link:  # a linked video's page has no captions form: say it above
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Captions added: the player shows them, and the transcript reads them."
            )
            return redirect(reverse("coaching_video", args=[video.pk]) + "#captions-h")
    comment_form = VideoCommentForm(choices=selectors.video_competency_choices(request.user, video))
    return _detail(request, video, form=comment_form, captions_form=form, status=400)


def _captions_text(video: PracticeVideo) -> bytes:
    name = video.captions.name if video.captions else ""
    if not name or not video_storage.exists(name):
        raise Http404  # no captions, or a file lost from the storage
    with video_storage.open(name, "rb") as handle:
        return bytes(handle.read())


@coaching_page
def video_captions_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The captions, to those who may watch the video only (the player's <track>)."""
    video = selectors.video_get(request.user, pk)
    response = HttpResponse(_captions_text(video), content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@coaching_page
def video_transcript(request: HttpRequest, pk: int) -> HttpResponse:
    """The captions as text: each cue with its moment, which opens the video there."""
    from trellis.coaching.models import seconds_label
    from trellis.coaching.video_meta import CaptionsError, parse_webvtt

    video = selectors.video_get(request.user, pk)
    try:
        cues = parse_webvtt(_captions_text(video))
    except CaptionsError:
        raise Http404 from None
    return render(
        request,
        "coaching/video_transcript.html",
        {
            "video": video,
            "cues": [
                (cue.start_seconds, seconds_label(cue.start_seconds), cue.text) for cue in cues
            ],
        },
    )


@coaching_page
@post_only("coaching_video")
def video_comment(request: HttpRequest, pk: int) -> HttpResponseBase:
    video = selectors.video_get(request.user, pk)
    if not selectors.video_may_comment(request.user, video):
        raise PermissionDenied
    choices = selectors.video_competency_choices(request.user, video)
    form = VideoCommentForm(request.POST, choices=choices)
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = services.video_comment_add(
                actor=request.user,
                video=video,
                at_seconds=data["at"],
                text=data["text"],
                competencies=list(data["competencies"]),
                player_duration=data.get("duration"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Comment added at {comment.at_label}.")
            return redirect(reverse("coaching_video", args=[video.pk]) + "#comments-h")
    return _detail(request, video, form=form, status=400)


@coaching_page
def video_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    video = selectors.video_get(request.user, pk)
    if not selectors.video_may_delete(request.user, video):
        raise PermissionDenied
    if request.method == "POST":
        coachee_id = video.coachee_id
        services.video_delete(actor=request.user, video=video)
        messages.success(request, "Video removed.")
        return redirect(reverse("coaching_videos") + f"?coachee={coachee_id}")
    return render(
        request,
        "confirm.html",
        {
            "heading": "Remove this video?",
            "lines": [
                f"“{video.title}”, its comments and its file are removed. The audit log keeps "
                "that it was removed.",
            ],
            "button": "Remove the video",
            "danger": True,
            "action": request.path,
            "back_url": reverse("coaching_video", args=[video.pk]),
            "back_label": "Video",
        },
    )


@permission(Action.COACHING_CONFIGURE)
def video_settings(request: HttpRequest) -> HttpResponseBase:
    systems = selectors.protocol_systems(request.user)
    if not systems:
        raise PermissionDenied
    current = [(s, selectors.video_max_mb(s.pk)) for s in systems]
    form = VideoSettingsForm(
        request.POST or None,
        systems=systems,
        initial={"max_mb": current[0][1]} if len(systems) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.video_settings_save(
                actor=request.user, system=data["system"], max_mb=data["max_mb"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Video limit saved.")
            return redirect("coaching_video_settings")
    return render(
        request,
        "coaching/video_settings.html",
        {"form": form, "current": current},
        status=form_status(form),
    )
