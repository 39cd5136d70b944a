from __future__ import annotations

from typing import Any

from django import forms

from trellis.core.forms import DateInput, StyledFormMixin
from trellis.frameworks.models import Framework
from trellis.orgs.models import School, System
from trellis.people.models import PositionKind
from trellis.programs.models import Cohort, Milestone, Participant, Program
from trellis.programs.services import EVIDENCE_LIMITS, PLACEMENT_ROLES

REFERENCE_HELP = "Full name, e-mail, employee number or roster ID."


class ProgramForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(label="Kind of program", choices=Program.Kind.choices)
    owner = forms.ChoiceField(
        label="Run by",
        help_text="The system or partner that runs the program (it cannot change later).",
    )
    systems = forms.ModelMultipleChoiceField(
        label="Systems it serves",
        queryset=System.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff of these systems take part; graduates are placed in their schools.",
    )
    framework = forms.ModelChoiceField(
        label="Framework it develops",
        queryset=Framework.objects.none(),
        required=False,
        help_text="The leadership framework its interviews and progress ratings use.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self,
        *args: Any,
        owners: list[tuple[str, str]] | None,
        systems: Any,
        frameworks: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if owners is None:
            # Editing: the owner stays.
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = owners  # type: ignore[attr-defined]
        self.fields["systems"].queryset = systems  # type: ignore[attr-defined]
        self.fields["framework"].queryset = frameworks  # type: ignore[attr-defined]
        # Checkboxes are rendered as a list, not a select.
        self.fields["systems"].widget.attrs.pop("class", None)


class CohortForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=200, help_text="For example “Cohort 4” or “2026 Fellows”.")
    school_year = forms.IntegerField(
        label="School year",
        min_value=2000,
        max_value=2100,
        help_text="The year it starts: 2026 for 2026-27.",
    )
    starts_on = forms.DateField(label="First day", widget=DateInput())
    ends_on = forms.DateField(label="Last day", widget=DateInput())
    state = forms.ChoiceField(choices=Cohort.State.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last day is before the first day.")
        return data


class ParticipantAddForm(StyledFormMixin, forms.Form):
    person = forms.CharField(label="Person", max_length=255, help_text=REFERENCE_HELP)
    career_goal = forms.CharField(
        label="Career goal",
        required=False,
        max_length=500,
        help_text="For example “Assistant principal at an elementary school within two years”.",
    )


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Participant.Status.choices)
    on = forms.DateField(
        label="On",
        widget=DateInput(),
        required=False,
        help_text="The day of completion or withdrawal (empty when active again).",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in ("completed", "withdrawn") and not data.get("on"):
            self.add_error("on", "Give the day of completion or withdrawal.")
        return data


class GoalsForm(StyledFormMixin, forms.Form):
    career_goal = forms.CharField(
        label="Career goal", required=False, max_length=500, widget=forms.TextInput()
    )
    goals = forms.CharField(
        label="Goals for the program",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ExperienceForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_days = forms.IntegerField(
        label="Due (days after the cohort's first day)",
        min_value=0,
        max_value=1500,
        help_text="For example 120 for about four months in.",
    )
    position = forms.IntegerField(
        label="Order in the checklist", min_value=0, max_value=1000, required=False
    )


class MilestoneTemplateForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200, help_text="For example “Baseline data collected”.")
    offset_days = forms.IntegerField(
        label="Due (days after the cohort's first day)", min_value=0, max_value=1500
    )


class EvidenceForm(StyledFormMixin, forms.Form):
    evidence_text = forms.CharField(
        label="Evidence",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you did and what came of it; a link to a video is welcome.",
    )
    evidence_file = forms.FileField(
        label="File", required=False, help_text=f"Optional: {EVIDENCE_LIMITS}."
    )


class SignOffForm(StyledFormMixin, forms.Form):
    signed_off_on = forms.DateField(
        label="Date of sign-off", widget=DateInput(), required=False, help_text="Today if empty."
    )


class ProjectForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    problem_statement = forms.CharField(
        label="Problem statement", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    measure = forms.CharField(
        required=False, max_length=200, help_text="For example “3rd-grade reading proficiency”."
    )
    baseline = forms.CharField(required=False, max_length=100, help_text="For example “42%”.")
    target = forms.CharField(required=False, max_length=100, help_text="For example “55%”.")
    result = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MilestoneForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    due_on = forms.DateField(label="Due", widget=DateInput())
    status = forms.ChoiceField(choices=Milestone.Status.choices)
    done_on = forms.DateField(
        label="Reached on", widget=DateInput(), required=False, help_text="When it is done."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Milestone.Status.DONE and not data.get("done_on"):
            self.add_error("done_on", "Give the day the milestone was reached.")
        return data


class PlacementForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(
        choices=[(value, PositionKind(value).label) for value in PLACEMENT_ROLES]
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        error_messages={
            "invalid_choice": "That school is not in a system this program serves: choose one "
            "of the schools listed."
        },
    )
    starts_on = forms.DateField(label="Start date", widget=DateInput())
    end_current = forms.BooleanField(
        label="End the person's current positions the day before",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, schools: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # A correction: the positions the placement ended follow its new first day.
            del self.fields["end_current"]
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["school"].label_from_instance = (  # type: ignore[attr-defined]
            lambda school: f"{school.name} ({school.system})"
        )


class SupporterForm(StyledFormMixin, forms.Form):
    participant = forms.ModelChoiceField(queryset=Participant.objects.none())
    kind = forms.ChoiceField(
        label="As", choices=[("coaching", "Coach"), ("mentoring", "Mentor")], initial="coaching"
    )
    supporter = forms.CharField(
        label="Coach or mentor",
        max_length=255,
        help_text="Someone of the participant's system: "
        + REFERENCE_HELP[0].lower()
        + REFERENCE_HELP[1:],
    )
    starts_on = forms.DateField(
        label="From", widget=DateInput(), required=False, help_text="Today if empty."
    )
    ends_on = forms.DateField(label="Last day", widget=DateInput(), required=False)

    def __init__(self, *args: Any, participants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants  # type: ignore[attr-defined]
        self.fields["participant"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: p.person.full_name
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last day is before the first day.")
        return data


# The roles a program's team holds on the program itself or on one of its cohorts.
TEAM_ROLES = [
    ("program_manager", "Program manager"),
    ("partner_staff", "Partner staff"),
    ("selection_committee", "Selection committee member"),
]


class TeamGrantForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label="Account e-mail",
        help_text="Someone who already signs in to Trellis. A new account is made under Access.",
    )
    role = forms.ChoiceField(choices=TEAM_ROLES)
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        required=False,
        empty_label="The whole program",
        help_text="A cohort grant reaches that cohort only (a selection committee sits on one "
        "cohort's selection).",
    )
    starts_on = forms.DateField(label="In force from", widget=DateInput(), required=False)
    ends_on = forms.DateField(
        label="Last day in force",
        widget=DateInput(),
        required=False,
        help_text="Leave empty while the role continues.",
    )
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, program: Program, find_account: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = program.cohorts.order_by("-school_year", "name")  # type: ignore[attr-defined]
        self.program = program
        self.find_account = find_account
        self.account: Any = None

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        # Only accounts of the systems the program serves, or of the partner that runs it:
        # another system's e-mails are neither found nor confirmed to exist.
        self.account = self.find_account(self.program, email)
        if self.account is None:
            whose = f"the systems {self.program} serves"
            if self.program.owner_partner_id is not None:
                whose += f" or of {self.program.owner_partner}"
            raise forms.ValidationError(
                f"No one of {whose} signs in with this e-mail. Give them an account under "
                "Access first."
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last day is before the first day.")
        return data
