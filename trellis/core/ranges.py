"""A stored file answered with HTTP range requests (RFC 9110 §14), so a browser's video player
can seek: `Accept-Ranges: bytes` always; one satisfiable range is a 206 with `Content-Range`;
an unsatisfiable one a 416 with `Content-Range: bytes */size`; no Range header (or a malformed
or multi-range one, which a server may ignore) the whole file with 200. The bytes are streamed
from the open file in chunks, never read whole into memory."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions, inclusive, that one `bytes=` range asks for; None when
    the header is absent, malformed or asks for several ranges (the whole file is answered);
    Unsatisfiable when it asks for nothing inside the file."""
    match = _RANGE.match(header.strip().replace(" ", "")) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    if last != "" and int(last) < start:
        return None  # syntactically invalid: ignored
    if start >= size:
        raise Unsatisfiable
    end = int(last) if last != "" else size - 1
    return start, min(end, size - 1)


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


def ranged_file_response(
    request: HttpRequest, *, opener: Any, size: int, content_type: str, filename: str = ""
) -> HttpResponseBase:
    """`opener()` opens the file for reading in binary (called only when bytes are sent)."""
    try:
        wanted = parse_range(request.headers.get("Range", ""), size)
    except Unsatisfiable:
        response: HttpResponseBase = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        if request.method == "HEAD":
            response = HttpResponse(content_type=content_type)
            response["Content-Length"] = str(size)
        elif wanted is None:
            response = FileResponse(opener(), content_type=content_type)
            response["Content-Length"] = str(size)
        else:
            start, end = wanted
            length = end - start + 1
            response = StreamingHttpResponse(
                _chunks(opener(), start, length), status=206, content_type=content_type
            )
            response["Content-Length"] = str(length)
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    if filename:
        response["Content-Disposition"] = content_disposition_header(False, filename) or ""
    return response
