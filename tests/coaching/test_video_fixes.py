"""Videos of practice, the fixes after the browser walk (issue 10): captions (WebVTT, checked,
served through the same authorized check, a <track> in the player, a transcript, and a notice
when a video has none: WCAG 1.2.2); If-Range and multi-range requests on the file; a comment's
moment held to the video's length (read from the file's header, or reported by the player)."""

from __future__ import annotations

import datetime
import struct
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from django.utils.http import http_date

from tests.coaching.video_world import CAPTION_WORDS, CAPTIONS, FIXTURE, add_captions
from tests.conftest import World
from tests.matrix import row_counts
from tests.test_role_matrix import text_of
from trellis.coaching.models import CoachingSession, PracticeVideo, VideoComment
from trellis.coaching.services import session_share, video_comment_add
from trellis.coaching.video_meta import CaptionsError, parse_webvtt, video_duration
from trellis.core.models import AuditEvent
from trellis.core.ranges import parse_ranges

DATA = FIXTURE.read_bytes()


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def video_url(world: World, tail: str = "") -> str:
    return f"/coaching/videos/{world.coaching['video']}/{tail}"


def the_video(world: World) -> PracticeVideo:
    return PracticeVideo.objects.get(pk=world.coaching["video"])


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def post_captions(world: World, key: str, content: bytes, name: str = "c.vtt") -> Any:
    return world.client(key).post(
        video_url(world, "captions/"), {"captions": SimpleUploadedFile(name, content, "text/vtt")}
    )


# -- Captions ------------------------------------------------------------------------------------


def test_a_video_without_captions_says_so_to_its_uploader(world: World) -> None:
    page = text_of(world.client("coach").get(video_url(world)))
    assert "This video has no captions yet" in page
    assert "WCAG 1.2.2" in page and "Add the captions" in page
    assert "<track" not in page


def test_the_coachee_adds_captions_shown_in_the_player_and_as_a_transcript(world: World) -> None:
    response = post_captions(world, "principal", CAPTIONS)
    assert response.status_code == 302
    video = the_video(world)
    assert video.has_captions and video.captions_added_at is not None
    page = text_of(world.client("coach").get(video_url(world)))
    track = (
        f'<track kind="captions" label="Captions" src="/coaching/videos/{video.pk}/captions.vtt"'
    )
    assert track in page
    assert "has no captions" not in page and "Read the transcript" in page
    served = world.client("coach").get(video_url(world, "captions.vtt"))
    assert served.status_code == 200
    assert served["Content-Type"].startswith("text/vtt")
    assert "private" in served["Cache-Control"]
    assert served.content == CAPTIONS
    transcript = text_of(world.client("principal").get(video_url(world, "transcript/")))
    assert escape(CAPTION_WORDS) in transcript  # the <i> tag is gone
    assert f'href="/coaching/videos/{video.pk}/?t=2#player"' in transcript  # seeks there
    event = AuditEvent.objects.filter(action="coaching.video_captions_add").latest("pk")
    assert event.after == {"captions": True, "bytes": len(CAPTIONS), "cues": 2}
    assert "exit tickets" not in str(event.after)  # the words stay out of the audit trail


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"1\n00:00.000 --> 00:02.000\nHello\n", "its first line must be WEBVTT"),
        ("WEBVTT\n\n00:00.000 --> 00:02.000\nCaf\u00e9\n".encode("latin-1"), "not UTF-8"),
        (b"WEBVTT\n\n00:00 --> 00:02\nHello\n", "malformed timing line"),
        (b"WEBVTT\n", "has no cues"),
        (b"WEBVTT\n\n" + b"00:00.000 --> 00:02.000\n" + b"x" * (600 * 1024), "the limit is 512 KB"),
    ],
)
def test_captions_that_are_not_webvtt_are_refused_with_the_reason(
    world: World, content: bytes, says: str
) -> None:
    before = row_counts()
    response = post_captions(world, "coach", content)
    assert response.status_code == 400
    assert says in text_of(response)
    assert row_counts() == before
    assert not the_video(world).has_captions


def test_captions_are_read_only_by_those_who_watch(world: World) -> None:
    add_captions(world)
    for key in ("supervisor", "evaluator", "admin"):
        assert world.client(key).get(video_url(world, "captions.vtt")).status_code == 403, key
        assert world.client(key).get(video_url(world, "transcript/")).status_code == 403, key
        assert post_captions(world, key, CAPTIONS).status_code == 403, key
    for key in ("coach_other", "admin_b"):
        assert world.client(key).get(video_url(world, "captions.vtt")).status_code == 404, key
    session = CoachingSession.objects.get(pk=world.coaching["session"])
    session_share(actor=world.users["principal"], session=session, shared=True)
    assert world.client("supervisor").get(video_url(world, "captions.vtt")).status_code == 200
    # They watch and read; attaching captions stays with the coach and the coachee.
    assert post_captions(world, "supervisor", CAPTIONS).status_code == 403


def test_a_linked_video_takes_no_captions(world: World) -> None:
    url = f"/coaching/videos/{world.coaching['link_video']}/captions/"
    response = world.client("coach").post(
        url, {"captions": SimpleUploadedFile("c.vtt", CAPTIONS, "text/vtt")}
    )
    assert response.status_code == 400
    assert "captioned where it is kept" in text_of(response)
    page = world.client("coach").get(f"/coaching/videos/{world.coaching['link_video']}/")
    assert "Add the captions" not in text_of(page)


def test_the_webvtt_parser() -> None:
    cues = parse_webvtt(
        b"\xef\xbb\xbfWEBVTT - meeting\nKind: captions\n\nNOTE a note\n\n"
        b"00:01:02.500 --> 00:01:04.000 line:0\n<v Sam>Hello</v>\n\n"
        b"01:00:00.000 --> 01:00:01.000\nLate\n"
    )
    assert [(c.start, c.end, c.text) for c in cues] == [
        (62.5, 64.0, "Hello"),
        (3600.0, 3601.0, "Late"),
    ]
    with pytest.raises(CaptionsError, match="ends before it starts"):
        parse_webvtt(b"WEBVTT\n\n00:05.000 --> 00:01.000\nx\n")


# -- If-Range and several ranges ---------------------------------------------------------------


def test_the_file_sends_its_validators_and_honours_if_range(world: World) -> None:
    client = world.client("coach")
    whole = client.get(video_url(world, "file/"))
    etag, modified = whole["ETag"], whole["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    video = the_video(world)
    assert modified == http_date(video.created_at.timestamp())
    # The validator matches: the range.
    for validator in (etag, modified):
        part = client.get(
            video_url(world, "file/"), headers={"Range": "bytes=0-9", "If-Range": validator}
        )
        assert part.status_code == 206, validator
        assert body(part) == DATA[:10]
    # It does not (another file's tag, a weak tag, another date): the whole file, 200.
    older = http_date((video.created_at - datetime.timedelta(days=1)).timestamp())
    for validator in ('"another"', f"W/{etag}", older, "not a date"):
        full = client.get(
            video_url(world, "file/"), headers={"Range": "bytes=0-9", "If-Range": validator}
        )
        assert full.status_code == 200, validator
        assert full["Content-Length"] == str(len(DATA))
        assert body(full) == DATA


def test_several_ranges_are_answered_as_multipart_byteranges(world: World) -> None:
    size = len(DATA)
    response = world.client("principal").get(
        video_url(world, "file/"), headers={"Range": "bytes=0-9, 100-109"}
    )
    assert response.status_code == 206
    content_type = response["Content-Type"]
    assert content_type.startswith("multipart/byteranges; boundary=")
    boundary = content_type.split("boundary=", 1)[1]
    payload = body(response)
    assert response["Content-Length"] == str(len(payload))
    expected = (
        f"\r\n--{boundary}\r\nContent-Type: video/webm\r\nContent-Range: bytes 0-9/{size}\r\n\r\n"
    ).encode() + DATA[:10]
    expected += (
        f"\r\n--{boundary}\r\nContent-Type: video/webm\r\n"
        f"Content-Range: bytes 100-109/{size}\r\n\r\n"
    ).encode() + DATA[100:110]
    expected += f"\r\n--{boundary}--\r\n".encode()
    assert payload == expected
    # Overlapping or adjacent ranges become one: a plain 206.
    merged = world.client("principal").get(
        video_url(world, "file/"), headers={"Range": "bytes=0-9,5-19,20-29"}
    )
    assert merged.status_code == 206
    assert merged["Content-Range"] == f"bytes 0-29/{size}"
    assert body(merged) == DATA[:30]


def test_range_sets_parsed() -> None:
    assert parse_ranges("bytes=100-109, 0-9", 1000) == [(0, 9), (100, 109)]  # in file order
    assert parse_ranges("bytes=0-9, 2000-", 1000) == [(0, 9)]  # the unsatisfiable one dropped
    assert parse_ranges("bytes=" + ",".join(f"{n * 10}-{n * 10}" for n in range(17)), 1000) is None
    assert parse_ranges("bytes=0-9,x", 1000) is None  # malformed: the whole file


# -- A comment's moment and the video's length ----------------------------------------------


def test_the_length_is_read_from_the_file_and_a_moment_past_it_refused(world: World) -> None:
    video = the_video(world)
    assert (video.duration_seconds, video.duration_source) == (6, "file")  # the 6-second WebM
    assert "0:06" in text_of(world.client("coach").get(video_url(world)))
    before = VideoComment.objects.count()
    response = world.client("principal").post(
        video_url(world, "comments/"), {"at": "0:07", "text": "After the end."}
    )
    assert response.status_code == 400
    assert "The video is 0:06 long: the moment 0:07 is past its end." in text_of(response)
    assert VideoComment.objects.count() == before
    ok = world.client("principal").post(
        video_url(world, "comments/"), {"at": "0:06", "text": "The very end."}
    )
    assert ok.status_code == 302


def _mp4(duration: int, timescale: int, *, moov_last: bool) -> bytes:
    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    mvhd = box(b"mvhd", b"\x00\x00\x00\x00" + struct.pack(">IIII", 0, 0, timescale, duration))
    parts = [box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41"), box(b"mdat", b"\x00" * 4000)]
    moov = box(b"moov", box(b"free", b"") + mvhd)
    return b"".join([*parts, moov] if moov_last else [parts[0], moov, parts[1]])


def test_the_length_of_an_mp4_is_read_wherever_its_moov_is(world: World) -> None:
    import io

    for moov_last in (False, True):
        data = _mp4(90_500, 1000, moov_last=moov_last)  # 90.5 s: 91 whole seconds
        assert video_duration(io.BytesIO(data), len(data), "video/mp4") == 91
    assert video_duration(io.BytesIO(b"\x00" * 64), 64, "video/mp4") is None
    response = world.client("coach").post(
        f"/coaching/videos/new/?session={world.coaching['session']}",
        {
            "title": "Short clip",
            "file": SimpleUploadedFile("clip.mp4", _mp4(30_000, 1000, moov_last=True)),
        },
    )
    assert response.status_code == 302
    assert PracticeVideo.objects.get(title="Short clip").duration_seconds == 30


def test_without_a_length_in_the_header_the_players_is_recorded_once(world: World) -> None:
    video = the_video(world)
    PracticeVideo.objects.filter(pk=video.pk).update(duration_seconds=None, duration_source="")
    page = text_of(world.client("principal").get(video_url(world)))
    assert 'data-duration-from="player"' in page and 'name="duration"' in page
    response = world.client("principal").post(
        video_url(world, "comments/"), {"at": "0:09", "text": "Too late.", "duration": "7.2"}
    )
    assert response.status_code == 400
    assert "The video is 0:08 long" in text_of(response)
    assert the_video(world).duration_seconds is None  # refused: nothing recorded
    response = world.client("principal").post(
        video_url(world, "comments/"), {"at": "0:05", "text": "In time.", "duration": "7.2"}
    )
    assert response.status_code == 302
    video = the_video(world)
    assert (video.duration_seconds, video.duration_source) == (8, "player")
    # Once known, a later player's report changes nothing.
    video_comment_add(
        actor=world.users["coach"], video=video, at_seconds=1, text="x", player_duration=500
    )
    assert the_video(world).duration_seconds == 8
