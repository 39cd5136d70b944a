"""An evidence upload over the limit is refused with the limit stated, never with a size read
from the truncated upload (the view reads at most one byte past the limit, which used to be
reported as the file's size: "The file is 10.0 MB; the limit is 10 MB")."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import World
from trellis.programs.models import ExperienceRecord


def test_an_oversize_evidence_file_is_refused_with_the_limit_not_a_wrong_size(
    world: World, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    url = (
        f"/programs/participants/{world.uncoached_participant_id}/"
        f"experiences/{world.experience_id}/evidence/"
    )
    big = b"%PDF-" + b"0" * (25 * 1024 * 1024)  # 25 MB
    refused = world.client("teacher").post(
        url, {"evidence_file": SimpleUploadedFile("plan.pdf", big, "application/pdf")}
    )
    text = refused.content.decode()
    assert "The file is over 10 MB; the limit is 10 MB" in text
    assert "10.0 MB" not in text
    assert not ExperienceRecord.objects.filter(participant_id=world.uncoached_participant_id)
