"""An uploaded framework file kept between its preview and the user's confirmation.

The file is written under MEDIA_ROOT/framework-imports with a random name; the confirmation
form carries a signed token naming it, the system and the upload's choices, so the server keeps
no session state and a token cannot be forged. The import pipeline may take this over later.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing

SALT = "trellis.frameworks.upload"
MAX_AGE = 24 * 3600  # a preview left open for a day must be checked again


@dataclass(frozen=True)
class StagedUpload:
    data: bytes
    filename: str
    system_id: int
    kind: str
    subject_kind: str
    title: str


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "framework-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage(
    data: bytes, *, filename: str, system_id: int, kind: str, subject_kind: str, title: str = ""
) -> str:
    """Keep the file; the token names it for the confirmation."""
    folder = _folder()
    # Files whose preview was never confirmed are removed after MAX_AGE.
    cutoff = time.time() - MAX_AGE
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    name = f"{uuid.uuid4().hex}.upload"
    (folder / name).write_bytes(data)
    return signing.dumps(
        {
            "name": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "filename": filename[:255],
            "system": system_id,
            "kind": kind,
            "subject_kind": subject_kind,
            "title": title[:500],
        },
        salt=SALT,
    )


def _payload(token: str) -> dict[str, object] | None:
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


def staged(token: str) -> StagedUpload | None:
    """The staged upload, or None when the token is forged, expired or its file is gone or
    changed."""
    payload = _payload(token)
    if payload is None:
        return None
    path = _folder() / str(payload["name"])
    if not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != payload["sha256"]:
        return None
    return StagedUpload(
        data=data,
        filename=str(payload["filename"]),
        system_id=int(str(payload["system"])),
        kind=str(payload["kind"]),
        subject_kind=str(payload["subject_kind"]),
        title=str(payload["title"]),
    )


def discard(token: str) -> None:
    payload = _payload(token)
    if payload is not None:
        (_folder() / str(payload["name"])).unlink(missing_ok=True)
