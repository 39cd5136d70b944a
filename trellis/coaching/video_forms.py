"""Forms of videos of practice: add a video (upload or link), comment at a moment, the limit."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from trellis.coaching.forms import _item_label, group_by_framework
from trellis.coaching.services import MAX_VIDEO_COMMENT, VIDEO_FORMATS
from trellis.core.forms import StyledFormMixin

_MOMENT = re.compile(r"^(?:(\d+):)?(\d+):([0-5]\d)$")


def parse_moment(value: str) -> int | None:
    """Seconds from "m:ss", "h:mm:ss" or a plain number of seconds; None when unreadable."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    match = _MOMENT.match(value)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


class VideoForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200, help_text="What the video shows, e.g. the lesson.")
    file = forms.FileField(
        label="Upload a video",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".mp4,.m4v,.mov,.webm,video/*"}),
    )
    link = forms.CharField(
        label="…or link a video",
        max_length=1000,
        required=False,
        help_text="Its https:// address, where it is kept (shown as a link).",
    )

    def __init__(self, *args: Any, limit_mb: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{VIDEO_FORMATS}, at most {limit_mb:,} MB."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("file") and data.get("link", "").strip():
            raise forms.ValidationError("Upload a file or give a link, not both.")
        if not data.get("file") and not data.get("link", "").strip() and not self.errors:
            raise forms.ValidationError("Upload a file or give a link.")
        return data


class VideoCommentForm(StyledFormMixin, forms.Form):
    at = forms.CharField(
        label="At (m:ss)",
        max_length=12,
        help_text="The moment of the video, e.g. 1:05.",
    )
    text = forms.CharField(
        label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_VIDEO_COMMENT
    )
    competencies: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Competencies",
        help_text="From the framework the system uses for the coachee.",
    )

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from trellis.frameworks.models import FrameworkItem
        from trellis.frameworks.selectors import framework_order

        self.fields["competencies"].queryset = FrameworkItem.objects.filter(  # type: ignore[attr-defined]
            pk__in=[item.pk for item in choices]
        ).order_by("version__framework__title", "version_id", *framework_order())
        self.fields["competencies"].label_from_instance = _item_label  # type: ignore[attr-defined]
        group_by_framework(self.fields["competencies"])

    # The length the commenter's player reported on loading the video (static/js/video.js),
    # recorded when the file's header did not give it.
    duration = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0)

    def clean_at(self) -> int:
        seconds = parse_moment(self.cleaned_data["at"])
        if seconds is None or seconds > 86400:
            raise forms.ValidationError("Give the moment as m:ss (e.g. 1:05) or in seconds.")
        return seconds


class VideoSettingsForm(StyledFormMixin, forms.Form):
    system: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None)
    max_mb = forms.IntegerField(
        label="Largest video (MB)",
        min_value=1,
        max_value=20480,
        help_text="Uploads larger than this are refused, with the limit stated.",
    )

    def __init__(self, *args: Any, systems: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from trellis.orgs.models import System

        self.fields["system"].queryset = System.objects.filter(  # type: ignore[attr-defined]
            pk__in=[s.pk for s in systems]
        )
        if len(systems) == 1:
            self.fields["system"].initial = systems[0].pk


class CaptionsForm(StyledFormMixin, forms.Form):
    captions = forms.FileField(
        label="Captions (WebVTT)",
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,text/vtt"}),
        help_text="A .vtt file (UTF-8, first line WEBVTT), at most 512 KB: shown in the player "
        "and as a transcript. It replaces any captions before.",
        error_messages={"required": "Choose the captions file (.vtt) first."},
    )
