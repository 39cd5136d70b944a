"""The web response form (one field per item) and the administration's window form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from trellis.core.forms import StyledFormMixin, style_field
from trellis.orgs.models import School, System
from trellis.people.models import Person
from trellis.programs.models import Program
from trellis.surveys.files import parse_value
from trellis.surveys.models import SCALE_RANGE, Instrument, Item, Scale, Window

LABELS: dict[str, dict[int, str]] = {
    Scale.AGREE4: {1: "Strongly disagree", 2: "Disagree", 3: "Agree", 4: "Strongly agree"},
    Scale.LIKERT4: {1: "1 (not at all)", 2: "2", 3: "3", 4: "4 (fully)"},
    Scale.LIKERT5: {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Neither agree nor disagree",
        4: "Agree",
        5: "Strongly agree",
    },
    Scale.CORRECT01: {0: "Incorrect", 1: "Correct"},
}


class WindowForm(StyledFormMixin, forms.Form):
    opens_on = forms.DateField(
        required=False, label="Opens on", widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        required=False, label="Closes on", widget=forms.DateInput(attrs={"type": "date"})
    )


class GivingForm(StyledFormMixin, forms.Form):
    """What giving an instrument asks of every population (a session's attendees, the staff,
    a program's participants): the window the answers count in, anonymous or not, the days
    the web form takes answers. Each form puts them in its own order (`field_order`)."""

    window = forms.ChoiceField(
        choices=Window.choices,
        label="Counts in",
        help_text="The part of the school year the report counts the answers in.",
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Anonymous",
        help_text="Answers are kept without the respondent's name.",
    )
    opens_on = forms.DateField(label="Opens on", widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label="Closes on", widget=forms.DateInput(attrs={"type": "date"}))


class SessionSurveyForm(GivingForm):
    """A satisfaction survey for a PD session's attendees: which instrument, the window it
    counts in, anonymous or not, and the days its web form takes answers."""

    field_order = ["instrument", "window", "anonymous", "opens_on", "closes_on"]
    instrument = forms.ModelChoiceField(queryset=Instrument.objects.none(), label="Instrument")

    def __init__(self, *args: Any, instruments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["instrument"]
        field.queryset = instruments


class GiveForm(GivingForm):
    """Give an instrument to a population: the system, who answers (its staff, a program's
    participants or a school's staff), the window and school year the answers count in,
    anonymous or not, and the days the web form takes answers. The selects list only what the
    user may give to; the service refuses anything else (404 or 403, as its scope says)."""

    field_order = [
        "system",
        "population",
        "program",
        "school",
        "window",
        "school_year",
        "anonymous",
        "opens_on",
        "closes_on",
    ]
    system = forms.ModelChoiceField(queryset=System.objects.all(), label="System")
    population = forms.ChoiceField(
        choices=[
            ("staff", "The system's staff"),
            ("program", "A program's participants"),
            ("school", "A school's staff"),
        ],
        label="Who answers",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    program = forms.ModelChoiceField(
        queryset=Program.objects.all(),
        required=False,
        label="Program",
        help_text="For a program's participants.",
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.all(),
        required=False,
        label="School",
        help_text="For a school's staff.",
    )
    school_year = forms.IntegerField(
        label="School year (the year it ends)",
        min_value=1990,
        max_value=2100,
        help_text="2018 is the school year 2017-18.",
    )

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, options in (
            ("system", choices.systems),
            ("program", choices.programs),
            ("school", choices.schools),
        ):
            if not options and name != "system":
                del self.fields[name]  # none to choose (a program manager has no school)
                continue
            blank = [] if name == "system" and len(options) == 1 else [("", "—")]
            self.fields[name].widget.choices = [*blank, *((o.pk, o.name) for o in options)]
        # Only the populations the user may give to are shown; the service refuses the others
        # (404 or 403, as their scope says, rather than a form error).
        offered = {"staff": choices.staff, "program": choices.programs, "school": choices.schools}
        population: Any = self.fields["population"]
        population.widget.choices = [(k, v) for k, v in population.choices if offered[k]]


RATING_CHOICES = [
    ("", "—"),
    ("1", "1 (not in place)"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4 (fully in place)"),
]


class ConsensusForm(StyledFormMixin, forms.Form):
    """A leadership team's consensus rating of its school's conditions: the school year, the
    window, and each dimension from 1 to 4 (the service checks them and says which is
    missing)."""

    year = forms.IntegerField(
        label="School year (the year it ends)",
        min_value=2000,
        max_value=2100,
        help_text="2018 is the school year 2017-18.",
    )
    window = forms.ChoiceField(
        choices=[(Window.BOY, Window.BOY.label), (Window.EOY, Window.EOY.label)], label="When"
    )

    def __init__(self, *args: Any, dimensions: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = dimensions
        for position, dimension in enumerate(dimensions):
            self.fields[f"dimension_{position}"] = style_field(
                forms.TypedChoiceField(
                    choices=RATING_CHOICES, coerce=int, required=False, label=dimension
                )
            )

    def ratings(self) -> dict[str, int]:
        out = {}
        for position, dimension in enumerate(self.dimensions):
            value = self.cleaned_data.get(f"dimension_{position}")
            if value not in (None, ""):
                out[dimension] = int(value)
        return out


class AlumniAnswerForm(StyledFormMixin, forms.Form):
    """An alumnus's answer to the alumni survey's question, with the day it was given."""

    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Person.objects.none(), label="Alumnus"
    )
    answered_on = forms.DateField(
        label="Answered on", widget=forms.DateInput(attrs={"type": "date"})
    )
    in_education = forms.TypedChoiceField(
        label="Are you currently working in education?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, alumni: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["person"]
        field.queryset = alumni
        field.label_from_instance = lambda p: f"{p.family_name}, {p.given_name}"


class AnswersForm(forms.Form):
    """One optional field per item (a draft may leave any empty); `answers()` gives the values
    on each item's scale. Submitting needs every item that is not open text."""

    def __init__(self, *args: Any, items: list[Item], submit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.submit = submit
        for item in items:
            field: forms.Field
            if item.scale in SCALE_RANGE:
                low, high = SCALE_RANGE[item.scale]
                choices = [(str(v), LABELS[item.scale][v]) for v in range(low, high + 1)]
                field = forms.ChoiceField(
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    label=item.text,
                )
            elif item.scale == Scale.NUMBER:
                field = style_field(forms.DecimalField(required=False, label=item.text))
            else:
                field = style_field(
                    forms.CharField(
                        required=False,
                        max_length=5000,
                        label=item.text,
                        widget=forms.Textarea(attrs={"rows": 3}),
                    )
                )
            self.fields[f"item_{item.pk}"] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.submit:
            for item in self.items:
                name = f"item_{item.pk}"
                if item.scale != Scale.TEXT and data.get(name) in (None, ""):
                    self.add_error(name, "Answer this question before you submit.")
        return data

    def answers(self) -> dict[Item, tuple[Decimal | None, str]]:
        out: dict[Item, tuple[Decimal | None, str]] = {}
        for item in self.items:
            raw = self.cleaned_data.get(f"item_{item.pk}")
            if raw in (None, ""):
                continue
            value, text, problem = parse_value(item.scale, str(raw))
            if problem is None:
                out[item] = (value, text)
        return out

    def rows(self) -> list[tuple[Item, forms.BoundField]]:
        return [(item, self[f"item_{item.pk}"]) for item in self.items]
