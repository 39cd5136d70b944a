"""What Trellis reads inside a video of practice and its captions, without any library:

- the **length** of an uploaded video from its container's header: an ISO base-media file's
  `moov/mvhd` box (MP4, M4V, MOV: timescale and duration, wherever `moov` sits among the top-level
  boxes) or a WebM file's `Segment/Info/Duration` (scaled by its `TimecodeScale`). A file whose
  header says nothing (a WebM recorded live has no Duration) gives None: the player reports the
  length instead (the comment form's hidden field).
- **WebVTT captions**: the `WEBVTT` signature, UTF-8, and the cues (start, end, text), which the
  transcript page lists (W3C WebVTT §4: a cue is an optional identifier line, a timing line
  `start --> end [settings]`, and its text up to a blank line; NOTE, STYLE and REGION blocks
  are skipped).
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from typing import IO

# -- Length ----------------------------------------------------------------------------------------

_MAX_BOXES = 10_000


def _iso_duration(handle: IO[bytes], size: int) -> float | None:
    """Seconds from `moov/mvhd`: walk the top-level boxes (seeking past `mdat`), then moov's."""
    position = 0
    for _ in range(_MAX_BOXES):
        if position + 8 > size:
            return None
        handle.seek(position)
        head = handle.read(16)
        if len(head) < 8:
            return None
        box_size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if box_size == 1:
            if len(head) < 16:
                return None
            box_size = struct.unpack(">Q", head[8:16])[0]
            header = 16
        elif box_size == 0:
            box_size = size - position
        if box_size < header:
            return None
        if kind == b"moov":
            return _mvhd(handle, position + header, position + box_size)
        position += box_size
    return None


def _mvhd(handle: IO[bytes], start: int, end: int) -> float | None:
    position = start
    for _ in range(_MAX_BOXES):
        if position + 8 > end:
            return None
        handle.seek(position)
        box_size, kind = struct.unpack(">I4s", handle.read(8))
        if box_size < 8:
            return None
        if kind == b"mvhd":
            body = handle.read(min(box_size - 8, 32))
            if not body:
                return None
            if body[0] == 1:  # version 1: 64-bit times
                if len(body) < 32:
                    return None
                timescale, duration = struct.unpack(">IQ", body[20:32])
            else:
                if len(body) < 20:
                    return None
                timescale, duration = struct.unpack(">II", body[12:20])
            if not timescale or duration in (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
                return None
            return duration / timescale
        position += box_size
    return None


def _vint(data: bytes, at: int, *, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length integer at `at`: (value, length)."""
    if at >= len(data):
        return None
    first = data[at]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or at + length > len(data):
        return None
    value = first if keep_marker else first & (mask - 1)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    return value, length


_SEGMENT, _INFO, _SCALE, _DURATION = 0x18538067, 0x1549A966, 0x2AD7B1, 0x4489
_UNKNOWN = {(1 << (7 * n)) - 1 for n in range(1, 9)}


def _webm_duration(head: bytes) -> float | None:
    """Seconds from Segment/Info/Duration times TimecodeScale (default 1 ms), in the file's first
    bytes (Info precedes the clusters)."""
    at = 0
    # The EBML header, then the Segment.
    for wanted in (None, _SEGMENT):
        element = _vint(head, at, keep_marker=True)
        if element is None:
            return None
        size = _vint(head, at + element[1], keep_marker=False)
        if size is None:
            return None
        at += element[1] + size[1]
        if wanted is None:
            at += size[0]
        elif element[0] != _SEGMENT:
            return None
    # Inside the Segment: find Info (skip SeekHead, Void...).
    for _ in range(64):
        element = _vint(head, at, keep_marker=True)
        size = _vint(head, at + element[1], keep_marker=False) if element else None
        if element is None or size is None:
            return None
        body = at + element[1] + size[1]
        if element[0] == _INFO:
            return _info_duration(head[body : body + size[0]])
        if size[0] in _UNKNOWN:
            return None
        at = body + size[0]
    return None


def _info_duration(info: bytes) -> float | None:
    at, scale, duration = 0, 1_000_000, None
    while at < len(info):
        element = _vint(info, at, keep_marker=True)
        size = _vint(info, at + element[1], keep_marker=False) if element else None
        if element is None or size is None:
            return None
        body = info[at + element[1] + size[1] : at + element[1] + size[1] + size[0]]
        if element[0] == _SCALE and body:
            scale = int.from_bytes(body, "big")
        elif element[0] == _DURATION and len(body) in (4, 8):
            duration = struct.unpack(">f" if len(body) == 4 else ">d", body)[0]
        at += element[1] + size[1] + size[0]
    if duration is None or not math.isfinite(duration) or duration <= 0:
        return None
    return duration * scale / 1e9


def video_duration(handle: IO[bytes], size: int, content_type: str) -> int | None:
    """The video's length in whole seconds, rounded up; None when its header does not say."""
    try:
        if content_type == "video/webm":
            handle.seek(0)
            seconds = _webm_duration(handle.read(64 * 1024))
        else:
            seconds = _iso_duration(handle, size)
    except (struct.error, ValueError, OSError):
        seconds = None
    finally:
        handle.seek(0)
    if seconds is None or not 0 < seconds <= 86400:
        return None
    return math.ceil(seconds - 1e-6)


# -- WebVTT ----------------------------------------------------------------------------------------

MAX_CAPTIONS_BYTES = 512 * 1024
_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t].*)?$")
_TAG = re.compile(r"<[^>]*>")


class CaptionsError(ValueError):
    pass


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str

    @property
    def start_seconds(self) -> int:
        return int(self.start)


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse_webvtt(raw: bytes) -> list[Cue]:
    """The cues of a WebVTT file; CaptionsError (with the reason, for the uploader) when it is
    not one: too large, not UTF-8, no `WEBVTT` signature, a malformed timing line, no cue."""
    if len(raw) > MAX_CAPTIONS_BYTES:
        raise CaptionsError(
            f"The captions file is {len(raw) / 1024:,.0f} KB; the limit is "
            f"{MAX_CAPTIONS_BYTES // 1024:,} KB."
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CaptionsError("The captions file is not UTF-8 text (WebVTT is UTF-8).") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = lines[0]
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise CaptionsError(
            "The file is not WebVTT: its first line must be WEBVTT (save the captions as .vtt)."
        )
    cues: list[Cue] = []
    blocks = "\n".join(lines[1:]).split("\n\n")
    for number, block in enumerate(blocks, start=1):
        rows = [row for row in block.split("\n") if row.strip()]
        if not rows:
            continue
        if rows[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in rows[0]:
            continue
        timing_at = 0 if "-->" in rows[0] else 1
        if timing_at >= len(rows) or "-->" not in rows[timing_at]:
            if cues or number > 1:
                raise CaptionsError(
                    f"Block {number} of the captions has no timing line (00:00.000 --> 00:02.000)."
                )
            continue  # header metadata lines before the first blank line
        match = _TIMING.match(rows[timing_at].strip())
        if match is None:
            raise CaptionsError(
                f"Block {number} has a malformed timing line: {rows[timing_at].strip()[:60]!r} "
                "(expected 00:00.000 --> 00:02.000)."
            )
        groups = match.groups()
        start, end = _seconds(*groups[:4]), _seconds(*groups[4:])
        if end < start:
            raise CaptionsError(f"Block {number} ends before it starts.")
        words = " ".join(_TAG.sub("", row).strip() for row in rows[timing_at + 1 :]).strip()
        cues.append(Cue(start, end, words))
    if not cues:
        raise CaptionsError("The captions file has no cues (timed lines of text).")
    return cues
