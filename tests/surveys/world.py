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


LITERACY = "Riverbend Literacy Check"


def knowledge_given(w: World) -> None:
    """An identified knowledge assessment, "Riverbend Literacy Check" (two ELA items), at the
    beginning and end of 2017-18: Tomas Teller 50 -> 100, Cora Colleague 0 -> 50 (Oak Hill)."""
    from trellis.people.models import Person
    from trellis.surveys.models import Administration, Instrument, Item, Response, Submission

    if Instrument.objects.filter(title=LITERACY).exists():
        return
    instrument = Instrument.objects.create(
        system=w.system, code="literacy", title=LITERACY, measures="knowledge"
    )
    items = [
        Item.objects.create(
            instrument=instrument,
            code=f"L{n}",
            text=f"Question {n}.",
            scale="correct01",
            subscale="ELA",
        )
        for n in (1, 2)
    ]
    answers = {
        "Teller": {"boy": (1, 0), "eoy": (1, 1)},
        "Colleague": {"boy": (0, 0), "eoy": (1, 0)},
    }
    for window in ("boy", "eoy"):
        administration = Administration.objects.create(
            instrument=instrument, system=w.system, window=window, school_year=2018
        )
        for family, by_window in answers.items():
            person = Person.objects.get(system=w.system, family_name=family)
            submission = Submission.objects.create(
                administration=administration,
                person=person,
                school=w.school,
                submitted_at=timezone.now(),
            )
            for item, value in zip(items, by_window[window], strict=True):
                Response.objects.create(submission=submission, item=item, value=value)
