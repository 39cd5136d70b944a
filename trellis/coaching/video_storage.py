"""Where uploaded videos of practice are kept: `TRELLIS_VIDEO_ROOT` (default MEDIA_ROOT/videos;
nothing serves MEDIA_ROOT, and it is outside STATIC_ROOT), with no base URL, so no file has a
public address (`url()` raises). The authorized view streams them
(trellis/coaching/video_views.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def video_root() -> Path:
    root = getattr(settings, "TRELLIS_VIDEO_ROOT", None)
    return Path(root) if root else Path(settings.MEDIA_ROOT) / "videos"


class PrivateVideoStorage(FileSystemStorage):
    """Read from the settings at each use, so a changed setting (a test's folder) applies."""

    @property
    def base_location(self) -> Path:
        return video_root()

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: Any) -> str:
        raise ValueError("A video has no URL: it is served by an authorized view.")


video_storage = PrivateVideoStorage()
