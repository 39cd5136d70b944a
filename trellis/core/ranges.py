"""A stored file answered with HTTP range requests (RFC 9110 §14), so a browser's video player
can seek.

- `Accept-Ranges: bytes` always, and the file's validators: a strong `ETag` and `Last-Modified`
  (given by the caller: the files served so are never rewritten in place).
- One satisfiable range: 206 with `Content-Range`. Several: 206 `multipart/byteranges`, one
  part per range (overlapping or adjacent ranges coalesced, in the file's order; §14.6, §15.3.7);
  when they coalesce into one, a plain 206. More than MAX_RANGES ranges: the header is ignored
  (200, the whole file; §14.2 lets a server ignore it).
- No satisfiable range: 416 with `Content-Range: bytes */size`.
- No Range header, a malformed one, or a Range with an `If-Range` that does not match the
  file's current validator (§13.1.5: an entity tag compared strongly, or a date equal to
  `Last-Modified`): 200 with the whole file.

The bytes are streamed from the open file in chunks, never read whole into memory."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterator
from typing import IO, Any

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe

CHUNK = 64 * 1024
MAX_RANGES = 16
_SPEC = re.compile(r"^(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    pass


def _one(spec: str, size: int) -> tuple[int, int] | None:
    """(first, last) of one range-spec inside the file; None when it asks for nothing inside
    it. ValueError when it is malformed."""
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(spec)
    first, last = match.groups()
    if first == "" and last == "":
        raise ValueError(spec)
    if first == "":  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return None
        return max(0, size - length), size - 1
    start = int(first)
    if last != "" and int(last) < start:
        raise ValueError(spec)  # syntactically invalid
    if start >= size:
        return None
    end = int(last) if last != "" else size - 1
    return start, min(end, size - 1)


def parse_ranges(header: str, size: int) -> list[tuple[int, int]] | None:
    """The (first, last) byte positions, inclusive, that a `bytes=` Range asks for, coalesced
    (overlapping or adjacent ranges become one) and in the file's order; None when the header
    is absent, malformed or asks for more than MAX_RANGES ranges (the whole file is answered);
    Unsatisfiable when no range falls inside the file."""
    if not header:
        return None
    unit, _, specs = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or not specs.strip():
        return None
    parts = [p.strip() for p in specs.split(",") if p.strip()]
    if not parts or len(parts) > MAX_RANGES:
        return None
    try:
        found = [r for r in (_one(p.replace(" ", ""), size) for p in parts) if r is not None]
    except ValueError:
        return None
    if not found:
        raise Unsatisfiable
    found.sort()
    merged = [found[0]]
    for start, end in found[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end + 1:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range a header asks for (None when absent, malformed or several)."""
    ranges = parse_ranges(header, size)
    return ranges[0] if ranges and len(ranges) == 1 else None


def if_range_matches(header: str, *, etag: str, last_modified: datetime.datetime | None) -> bool:
    """Whether an If-Range validator names the file as it is now: an entity tag equal to the
    strong `etag` (a weak tag never matches), or an HTTP date equal to `last_modified` (to the
    second)."""
    header = header.strip()
    if not header:
        return True
    if header.startswith('"') or header.startswith("W/"):
        return not header.startswith("W/") and header == etag
    when = parse_http_date_safe(header)
    if when is None or last_modified is None:
        return False
    return when == int(last_modified.timestamp())


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


def _part_head(boundary: str, content_type: str, start: int, end: int, size: int) -> bytes:
    return (
        f"\r\n--{boundary}\r\nContent-Type: {content_type}\r\n"
        f"Content-Range: bytes {start}-{end}/{size}\r\n\r\n"
    ).encode("ascii")


def _multipart(
    opener: Any, ranges: list[tuple[int, int]], boundary: str, content_type: str, size: int
) -> Iterator[bytes]:
    handle = opener()
    try:
        for start, end in ranges:
            yield _part_head(boundary, content_type, start, end, size)
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                data = handle.read(min(CHUNK, left))
                if not data:
                    break
                left -= len(data)
                yield data
        yield f"\r\n--{boundary}--\r\n".encode("ascii")
    finally:
        handle.close()


def multipart_length(
    ranges: list[tuple[int, int]], boundary: str, content_type: str, size: int
) -> int:
    body = sum(len(_part_head(boundary, content_type, s, e, size)) + e - s + 1 for s, e in ranges)
    return body + len(f"\r\n--{boundary}--\r\n")


def ranged_file_response(
    request: HttpRequest,
    *,
    opener: Any,
    size: int,
    content_type: str,
    filename: str = "",
    etag: str = "",
    last_modified: datetime.datetime | None = None,
) -> HttpResponseBase:
    """`opener()` opens the file for reading in binary (called only when bytes are sent).
    `etag` (a strong entity tag, quoted) and `last_modified` are the file's validators, sent
    with every answer and compared with If-Range."""
    header = request.headers.get("Range", "")
    if header and not if_range_matches(
        request.headers.get("If-Range", ""), etag=etag, last_modified=last_modified
    ):
        header = ""  # the client's copy is not this file: send it whole
    try:
        wanted = parse_ranges(header, size)
    except Unsatisfiable:
        response: HttpResponseBase = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        if wanted is None:
            if request.method == "HEAD":
                response = HttpResponse(content_type=content_type)
            else:
                response = FileResponse(opener(), content_type=content_type)
            response["Content-Length"] = str(size)
        elif len(wanted) == 1:
            start, end = wanted[0]
            length = end - start + 1
            response = StreamingHttpResponse(
                iter(()) if request.method == "HEAD" else _chunks(opener(), start, length),
                status=206,
                content_type=content_type,
            )
            response["Content-Length"] = str(length)
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
        else:
            boundary = uuid.uuid4().hex
            response = StreamingHttpResponse(
                iter(())
                if request.method == "HEAD"
                else _multipart(opener, wanted, boundary, content_type, size),
                status=206,
                content_type=f"multipart/byteranges; boundary={boundary}",
            )
            response["Content-Length"] = str(multipart_length(wanted, boundary, content_type, size))
    response["Accept-Ranges"] = "bytes"
    if etag:
        response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if filename:
        response["Content-Disposition"] = content_disposition_header(False, filename) or ""
    return response
