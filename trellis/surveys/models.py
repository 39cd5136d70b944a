"""Instruments (surveys and assessments), their administrations and the answers to them.

An instrument with no system is built in (written by us, shared read-only by every system). An
administration gives an instrument to a population (a system's staff, a program's participants,
or one school's staff) in a window (beginning, middle or end) of a school year. A Submission is
one respondent's answers to one administration; an anonymous administration's submissions never
name the person (`person` stays empty: the respondent's token is not stored either). Who has
answered an anonymous administration's web form is a Participation, kept apart from the answers
with nothing that links the two (docs/decisions.md, "anonymous web answers keep no link").
"""

from __future__ import annotations

import datetime
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from trellis.core.models import TimeStampedModel


class Scale(models.TextChoices):
    LIKERT4 = "likert4", "4-point Likert (1-4)"
    LIKERT5 = "likert5", "5-point Likert (1-5)"
    AGREE4 = "agree4", "Agreement, 4 points (1-4)"
    CORRECT01 = "correct01", "Correct (1) or incorrect (0)"
    NUMBER = "number", "Numeric score"
    TEXT = "text", "Open text"


# The lowest and highest point of each ordinal scale (reverse-coding maps v to low + high - v).
SCALE_RANGE: dict[str, tuple[int, int]] = {
    Scale.LIKERT4: (1, 4),
    Scale.LIKERT5: (1, 5),
    Scale.AGREE4: (1, 4),
    Scale.CORRECT01: (0, 1),
}


class Measures(models.TextChoices):
    CONDITIONS = "conditions", "School conditions"
    BELIEFS = "beliefs", "Problematic beliefs"
    SATISFACTION = "satisfaction", "Satisfaction with professional learning"
    KNOWLEDGE = "knowledge", "Knowledge assessment"
    OTHER = "other", "Other"


class Window(models.TextChoices):
    BOY = "boy", "Beginning of year"
    MOY = "moy", "Middle of year"
    EOY = "eoy", "End of year"


class Instrument(TimeStampedModel):
    system = models.ForeignKey(
        "orgs.System", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    measures = models.CharField(max_length=20, choices=Measures.choices)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "code"],
                condition=Q(system__isnull=False),
                name="instrument_code_per_system",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(system__isnull=True), name="instrument_builtin_code"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def builtin(self) -> bool:
        return self.system_id is None


class Item(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=60)
    text = models.TextField()
    scale = models.CharField(max_length=20, choices=Scale.choices)
    # The sub-scale: a conditions dimension, or the subject of a knowledge item.
    subscale = models.CharField(max_length=100, blank=True)
    reverse = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="item_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"


class Administration(TimeStampedModel):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="administrations"
    )
    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    # The population: a program's participants, else one school's staff, else the system's staff.
    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A satisfaction survey given after a PD session: its population is the session's attendees
    # (whatever its school or program, which repeat the session's audience so that the
    # administration counts in that program's report and lies in the same scopes).
    session = models.ForeignKey(
        "learning.PDSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="PD session",
    )
    window = models.CharField(max_length=3, choices=Window.choices)
    # The year the school year ends (2018 is 2017-18), as OneRoster's schoolYear.
    school_year = models.PositiveSmallIntegerField()
    anonymous = models.BooleanField(default=False)
    # The days the web form takes answers (both empty: answers come only by file).
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-school_year", "window", "pk"]
        indexes = [models.Index(fields=["system", "school_year"], name="administration_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "instrument"],
                condition=Q(session__isnull=False),
                name="administration_once_per_session",
            ),
        ]

    def __str__(self) -> str:
        window = self.get_window_display().lower()
        return f"{self.instrument.title}, {window} {school_year_label(self.school_year)}"

    @property
    def year_label(self) -> str:
        return school_year_label(self.school_year)

    @property
    def session_name(self) -> str:
        """A PD session's survey: "“<session title>”, <day>" (its respondents and managers
        would not otherwise tell it from the same instrument given elsewhere), else empty."""
        if self.session is None:
            return ""
        day = timezone.localtime(self.session.starts_at).date()
        return f"“{self.session.title}”, {day:%b} {day.day}, {day.year}"

    @property
    def session_label(self) -> str:
        return f"Survey for session {self.session_name}" if self.session is not None else ""

    @property
    def population_label(self) -> str:
        if self.session is not None:
            return f"Attendees of {self.session_name}"
        if self.program is not None:
            return self.program.name
        if self.school is not None:
            return self.school.name
        return f"{self.system.name} staff"

    def open_on(self, day: datetime.date) -> bool:
        """Whether the web form takes answers on that day."""
        return bool(self.opens_on and self.closes_on and self.opens_on <= day <= self.closes_on)


class Submission(models.Model):
    """One respondent's answers to one administration. Anonymous: `person` is empty once the
    answers are submitted (a web draft holds its person until then), and nothing else in the row
    points to who gave them: no key, no moment (no created/updated time), only the day."""

    class Source(models.TextChoices):
        FILE = "file", "A response file"
        WEB = "web", "The web form"

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="submissions"
    )
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the answers came from: an anonymous file replaces only the answers files gave.
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.FILE)
    # The day the answers were submitted (a day, never a moment: an anonymous answer's time of
    # day could be matched with its respondent's). Empty while a web respondent's answers are a
    # draft (saved to finish later): drafts count in no figure.
    submitted_at = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "person"],
                condition=Q(person__isnull=False),
                name="submission_once_per_person",
            ),
        ]
        indexes = [models.Index(fields=["administration", "school"], name="submission_school")]

    def __str__(self) -> str:
        return f"answers to administration {self.administration_id}"


class Participation(models.Model):
    """That a person has submitted an anonymous administration's web form (so that they are not
    asked again and cannot answer twice), kept apart from their answers: no submission, no time,
    and a random key, so that neither the row's key nor its order follows the submissions'."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="participations"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "person"], name="participation_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"answered administration {self.administration_id}"


class Response(models.Model):
    """One answer: a value on the item's scale, or text for an open item."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="responses")
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "item"], name="response_once_per_item"),
        ]

    def __str__(self) -> str:
        return f"answer to {self.item_id}"


def school_year_label(year: int) -> str:
    return f"{year - 1}-{str(year)[-2:]}"


class ConsensusRating(TimeStampedModel):
    """A school leadership team's consensus rating of its school's conditions on one dimension
    (1-4), for the beginning or the end of a school year. Where the team has rated a window, its
    ratings are the school's dimension scores for it, in place of the conditions survey's answers
    (../shared/docs/product.md, "School conditions score"). A change replaces the value (the
    audit log keeps the earlier one)."""

    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    # The leadership team that reached the rating.
    team = models.ForeignKey("learning.Community", on_delete=models.PROTECT, related_name="+")
    school_year = models.PositiveSmallIntegerField()
    window = models.CharField(max_length=3, choices=Window.choices)
    dimension = models.CharField(max_length=100)
    value = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-school_year", "window", "dimension", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "window", "dimension"],
                name="consensus_once_per_dimension",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=4), name="consensus_value_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(window__in=["boy", "eoy"]), name="consensus_window_boy_eoy"
            ),
        ]
        indexes = [models.Index(fields=["system", "school_year"], name="consensus_year")]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.value}"


class AlumniAnswer(TimeStampedModel):
    """An alumnus's answer to the alumni survey's question "Are you currently working in
    education?", recorded with the day it was given (by whoever runs the survey: a call, an
    e-mail, a form of the program's own). Alumni retention counts an alumnus who said yes in the
    school year as retained, and one who answered either way as of known status
    (../shared/docs/product.md, "Alumni retention"; docs/decisions.md, 2026-12-01)."""

    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    answered_on = models.DateField()
    in_education = models.BooleanField()

    class Meta:
        ordering = ["-answered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "answered_on"], name="alumni_answer_once_a_day"
            ),
        ]
        indexes = [models.Index(fields=["system", "answered_on"], name="alumni_answer_day")]

    def __str__(self) -> str:
        return f"{'in' if self.in_education else 'not in'} education on {self.answered_on}"
