from __future__ import annotations

from typing import Any

from django import forms

from trellis.coaching.models import Mode, Protocol
from trellis.coaching.services import MAX_MINUTES, NextStepIn
from trellis.core.dates import day_text
from trellis.core.forms import DateInput, StyledFormMixin

NEXT_STEP_ROWS = 3


class SessionForm(StyledFormMixin, forms.Form):
    # Nothing is pre-filled: a session is what the coach enters (a blank form saved with
    # defaults would count toward dosage). Each required field says what is missing.
    held_on = forms.DateField(
        label="Date",
        widget=DateInput(),
        error_messages={"required": "Give the date the session took place."},
    )
    minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=1,
        max_value=MAX_MINUTES,
        error_messages={
            "required": "Give the session's length in minutes.",
            "min_value": f"The length is between 1 and {MAX_MINUTES} minutes.",
            "max_value": f"The length is between 1 and {MAX_MINUTES} minutes.",
        },
    )
    mode = forms.ChoiceField(
        choices=[("", "Choose the mode…"), *Mode.choices],
        error_messages={"required": "Choose how the session was held."},
    )
    protocol = forms.ModelChoiceField(
        queryset=Protocol.objects.none(), required=False, empty_label="No protocol"
    )
    focus: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Focus competencies",
        help_text="From the framework the system uses for this person. A session needs at "
        "least one focus competency or notes.",
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Non-evaluative: read by you, the coachee and their coaches; their supervisor "
        "and evaluator only if the coachee shares the session. The rest of this form (date, "
        "length, mode, protocol, focus and next steps) is the session's record, which their "
        "supervisor, evaluator and the system's administrators read: keep what was said here.",
    )

    def __init__(
        self,
        *args: Any,
        protocols: Any,
        focus: list[Any],
        coach: Any,
        coachee: Any,
        evaluative: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.coach = coach
        self.coachee = coachee
        if evaluative:
            self.fields["notes"].help_text = _evaluator_notes_help(coachee, evaluative)
        self.fields["protocol"].queryset = protocols  # type: ignore[attr-defined]
        from trellis.frameworks.models import FrameworkItem
        from trellis.frameworks.selectors import framework_order

        self.fields["focus"].queryset = FrameworkItem.objects.filter(  # type: ignore[attr-defined]
            pk__in=[item.pk for item in focus]
        ).order_by("version__framework__title", "version_id", *framework_order())
        self.fields["focus"].label_from_instance = _item_label  # type: ignore[attr-defined]
        group_by_framework(self.fields["focus"])
        owners = [("coachee", coachee.full_name), ("coach", coach.full_name)]
        for n in range(1, NEXT_STEP_ROWS + 1):
            self.fields[f"step_{n}_text"] = forms.CharField(
                label=f"Next step {n}", max_length=500, required=False
            )
            self.fields[f"step_{n}_owner"] = forms.ChoiceField(
                label=f"Next step {n}: owner", choices=owners, required=False
            )
            self.fields[f"step_{n}_due"] = forms.DateField(
                label=f"Next step {n}: due", required=False, widget=DateInput()
            )
        from trellis.core.forms import style_field

        for name, field in self.fields.items():
            if name.startswith("step_"):
                style_field(field)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "focus" in data and "notes" in data and not data["focus"] and not data["notes"].strip():
            self.add_error(
                "focus",
                "Choose at least one focus competency or write notes: a session records what "
                "it was about.",
            )
        held_on = data.get("held_on")
        for n in range(1, NEXT_STEP_ROWS + 1):
            due = data.get(f"step_{n}_due")
            # A row with a due date, or an owner other than the default, is a step meant:
            # without its text it would be dropped unseen.
            given = [
                *(["a due date"] if due or self.errors.get(f"step_{n}_due") else []),
                *(["an owner"] if data.get(f"step_{n}_owner") == "coach" else []),
            ]
            if given and not (data.get(f"step_{n}_text") or "").strip():
                self.add_error(
                    f"step_{n}_text",
                    f"Next step {n} has {' and '.join(given)} but no text: write the step, or "
                    "clear its row.",
                )
            if held_on and due and due < held_on:
                self.add_error(
                    f"step_{n}_due",
                    f"Next step {n} is due on {day_text(due)}, before the session's date "
                    f"({day_text(held_on)}): give a due date on or after the session.",
                )
        return data

    def next_steps(self) -> list[NextStepIn]:
        steps = []
        for n in range(1, NEXT_STEP_ROWS + 1):
            text = self.cleaned_data.get(f"step_{n}_text", "").strip()
            if not text:
                continue
            owner = (
                self.coach
                if self.cleaned_data.get(f"step_{n}_owner") == "coach"
                else (self.coachee)
            )
            steps.append(
                NextStepIn(text=text, owner=owner, due_on=self.cleaned_data.get(f"step_{n}_due"))
            )
        return steps

    def step_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"step_{n}_text"], self[f"step_{n}_owner"], self[f"step_{n}_due"])
            for n in range(1, NEXT_STEP_ROWS + 1)
        ]

    def main_fields(self) -> list[Any]:
        return [self[name] for name in ("held_on", "minutes", "mode", "protocol", "focus", "notes")]


def group_by_framework(field: Any) -> None:
    """Competencies of more than one framework are offered under each framework's title: two
    frameworks' codes (1.1 and 1.1) would otherwise read as one list."""
    items = list(field.queryset.select_related("version__framework"))
    if len({item.version.framework_id for item in items}) < 2:
        return
    groups: dict[str, list[tuple[int, str]]] = {}
    for item in items:
        groups.setdefault(item.version.framework.title, []).append((item.pk, _item_label(item)))
    field.choices = list(groups.items())


def _item_label(item: Any) -> str:
    code = f"{item.human_coding_scheme} " if item.human_coding_scheme else ""
    return code + (item.abbreviated_statement or item.full_statement)[:100]


class CommentForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label="Your comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ProtocolForm(StyledFormMixin, forms.Form):
    system: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, required=True)
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, help_text="One step per line."
    )
    is_active = forms.BooleanField(label="In use", required=False, initial=True)

    def __init__(
        self, *args: Any, systems: list[Any], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        from trellis.orgs.models import System

        self.fields["system"].queryset = System.objects.filter(  # type: ignore[attr-defined]
            pk__in=[s.pk for s in systems]
        )
        if len(systems) == 1:
            self.fields["system"].initial = systems[0].pk
        if editing:
            del self.fields["system"]
        else:
            del self.fields["is_active"]


class SettingsForm(StyledFormMixin, forms.Form):
    system: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None)
    unseen_weeks = forms.IntegerField(
        label="Not seen after (weeks)",
        min_value=1,
        max_value=52,
        help_text="Someone on a caseload without a session for this many weeks shows as not "
        "seen on their coach's and supervisor's home page.",
    )

    def __init__(self, *args: Any, systems: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from trellis.orgs.models import System

        self.fields["system"].queryset = System.objects.filter(  # type: ignore[attr-defined]
            pk__in=[s.pk for s in systems]
        )
        if len(systems) == 1:
            self.fields["system"].initial = systems[0].pk


def _evaluator_notes_help(coachee: Any, kinds: list[str]) -> str:
    """The notes' help text for a coach who also supervises or evaluates the coachee: what
    they write here stays coaching notes, never part of the evaluation."""
    roles = " and ".join(
        {"supervision": "supervisor", "evaluation": "evaluator"}[kind] for kind in kinds
    )
    name = coachee.full_name
    return (
        f"You lead this session and are also {name}'s {roles}. What that means for these notes: "
        f"you read them because you led the session (as do {name} and their coaches); as "
        f"{name}'s {roles} you read the notes of their other coaching sessions only where "
        f"{name} shares one; and these notes never reach {name}'s evaluation: its pages, "
        "exports and API never show them. Keep evaluative judgements for the evaluation's own "
        "stages. The rest of this form (date, length, mode, protocol, focus and next steps) is "
        "the session's record, which the system's administrators also read."
    )
