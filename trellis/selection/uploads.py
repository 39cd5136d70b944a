"""What an application's uploads may be: their kinds, the file types each accepts and the size
limit, checked by name and by the file's first bytes (a renamed file is refused)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True)
class UploadKind:
    label: str
    # ending → (content type, a check of the first bytes)
    endings: dict[str, str]
    setting: str
    default_mb: int

    @property
    def max_bytes(self) -> int:
        return int(getattr(settings, self.setting, self.default_mb * 1024 * 1024))

    @property
    def limit_label(self) -> str:
        return megabytes(self.max_bytes)

    @property
    def types_label(self) -> str:
        return ", ".join(sorted(self.endings))


KINDS: dict[str, UploadKind] = {
    "document": UploadKind(
        label="Document (PDF or Word)",
        endings={
            ".pdf": "application/pdf",
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        },
        setting="TRELLIS_SELECTION_DOCUMENT_MAX_BYTES",
        default_mb=10,
    ),
    "video": UploadKind(
        label="Video (MP4 or QuickTime)",
        endings={".mp4": "video/mp4", ".mov": "video/quicktime"},
        setting="TRELLIS_SELECTION_VIDEO_MAX_BYTES",
        default_mb=200,
    ),
}


def megabytes(size: int) -> str:
    """A size as people read it: whole megabytes from 10 MB, one decimal below, kilobytes
    under 1 MB (a limit of 1,024 bytes is “1 KB”, not “0.0 MB”)."""
    if size < 1024 * 1024:
        value = size / 1024
        return f"{value:.0f} KB" if value >= 10 or value == int(value) else f"{value:.1f} KB"
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


def _looks_like(ending: str, head: bytes) -> bool:
    if ending == ".pdf":
        return head.startswith(b"%PDF-")
    if ending == ".docx":
        return head.startswith(b"PK\x03\x04")  # a zip package, as every .docx is
    # MP4 and QuickTime files start with a box whose type is at bytes 4-8.
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")


def check_upload(label: str, kind_name: str, upload: UploadedFile) -> str:
    """The upload's content type, or a ValidationError that says what is accepted."""
    kind = KINDS[kind_name]
    name = upload.name or ""
    ending = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ending not in kind.endings:
        raise ValidationError(
            f"{label}: “{name}” is not accepted; upload a {kind.types_label} file."
        )
    size = int(upload.size or 0)
    if size > kind.max_bytes:
        # The limit is what is stated; the file's own size only where it reads differently
        # (a file a few bytes over 10 MB is not “10 MB; the limit is 10 MB”).
        over = f" (it is {megabytes(size)})" if size >= kind.max_bytes * 1.05 else ""
        raise ValidationError(
            f"{label}: “{name}” is larger than the limit of {kind.limit_label}{over}; "
            f"upload a {kind.types_label} file of at most {kind.limit_label}."
        )
    if size == 0:
        raise ValidationError(f"{label}: “{name}” is empty.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _looks_like(ending, head):
        raise ValidationError(
            f"{label}: “{name}” is not a {ending} file inside; upload a {kind.types_label} file."
        )
    return kind.endings[ending]
