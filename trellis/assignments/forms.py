from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from trellis.assignments.models import DEFAULT_TARGETS
from trellis.assignments.selectors import find_person, person_by_reference
from trellis.authz.roles import Relationship
from trellis.core.forms import DateInput, StyledFormMixin
from trellis.orgs.models import System

REFERENCE_HELP = (
    "Type part of a name or e-mail address and choose from the suggestions, or type an e-mail "
    "address (the person's own or their sign-in), employee number or roster ID."
)


class AssignmentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind of support", choices=Relationship.choices)
    supporter = forms.CharField(
        label="Supporter (coach, supervisor, evaluator or mentor)",
        max_length=255,
        help_text=REFERENCE_HELP,
    )
    assignee = forms.CharField(label="Person supported", max_length=255, help_text=REFERENCE_HELP)
    starts_on = forms.DateField(
        label="First day", widget=DateInput(), required=False, help_text="Today if empty."
    )
    ends_on = forms.DateField(
        label="Last day",
        widget=DateInput(),
        required=False,
        help_text="Leave empty while the assignment continues.",
    )
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, assignable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The people this user may assign a supporter to (a queryset).
        self.assignable = assignable
        self.assignee_person: Any = None
        self.supporter_person: Any = None
        # A search box each: typing asks the server for up to 20 matches among the people this
        # user may see (never a list of every person), offered in a <datalist>.
        for name in ("supporter", "assignee"):
            self.fields[name].widget.attrs.update(
                {
                    "list": f"{name}-options",
                    "autocomplete": "off",
                    "hx-get": reverse("assignment_people") + f"?field={name}",
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": f"#{name}-options",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reference = (data.get("assignee") or "").strip()
        if reference:
            self.assignee_person, problem = find_person(
                self.assignable, reference, nobody="No one you may assign"
            )
            if self.assignee_person is None:
                self.add_error("assignee", problem)
        supporter = (data.get("supporter") or "").strip()
        if supporter and self.assignee_person is not None:
            self.supporter_person, problem = person_by_reference(
                self.assignee_person.system, supporter
            )
            if self.supporter_person is None:
                self.add_error("supporter", problem)
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last day is before the first day.")
        return data


class CaseloadTargetForm(StyledFormMixin, forms.Form):
    system = forms.ModelChoiceField(queryset=System.objects.none())
    kind = forms.ChoiceField(label="Kind of support", choices=Relationship.choices)
    target = forms.IntegerField(
        label="Target caseload",
        min_value=1,
        max_value=500,
        help_text=f"Without a target, supervisors aim for "
        f"{DEFAULT_TARGETS[Relationship.SUPERVISION]} principals each.",
    )

    def __init__(self, *args: Any, systems: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]
