"""Riverbend's own instrument, "Riverbend Climate Pulse", given anonymously to its staff at the
beginning of 2017-18: five answers at Oak Hill (for the role matrix and the page tests)."""

from __future__ import annotations

from django.utils import timezone

from tests.conftest import World

TITLE = "Riverbend Climate Pulse"


def surveyed(w: World) -> None:
    from trellis.surveys.models import Administration, Instrument, Item, Response, Submission

    if Instrument.objects.filter(title=TITLE).exists():
        return
    instrument = Instrument.objects.create(
        system=w.system, code="pulse", title=TITLE, measures="conditions"
    )
    item = Item.objects.create(
        instrument=instrument, code="P1", text="We plan together.", scale="agree4", subscale="Time"
    )
    administration = Administration.objects.create(
        instrument=instrument, system=w.system, window="boy", school_year=2018, anonymous=True
    )
    for value in (2, 3, 3, 4, 4):
        submission = Submission.objects.create(
            administration=administration, school=w.school, submitted_at=timezone.now()
        )
        Response.objects.create(submission=submission, item=item, value=value)


def pine_surveyed(w: World) -> None:
    """Two respondents at Pine Ridge besides Oak Hill's five (fewer than 5: its score is not
    shown)."""
    from trellis.surveys.models import Administration, Response, Submission

    administration = Administration.objects.get(instrument__title=TITLE)
    item = administration.instrument.items.get()
    for value in (1, 2):
        submission = Submission.objects.create(
            administration=administration, school=w.other_school, submitted_at=timezone.now()
        )
        Response.objects.create(submission=submission, item=item, value=value)


def web_open(w: World) -> None:
    """The pulse's web form open from 2000 to 2099 (the matrix asks on any day)."""
    import datetime

    from trellis.surveys.models import Administration

    surveyed(w)
    Administration.objects.filter(instrument__title=TITLE).update(
        opens_on=datetime.date(2000, 1, 1), closes_on=datetime.date(2099, 12, 31)
    )
