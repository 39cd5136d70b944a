"""The form for granting a role: it picks systems, schools, networks, partners and a person,
which is why it lives in accounts (authz imports only core)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from trellis.authz.roles import Role
from trellis.core.forms import DateInput, StyledFormMixin
from trellis.orgs.models import Network, Partner, School, System
from trellis.people.models import Person


class GrantForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label="Account e-mail",
        help_text="An existing account, or a new one: the person then sets a password through "
        "“Forgot your password?” on the sign-in page.",
    )
    person_identifier = forms.CharField(
        label="Employee number or roster ID of the person (new accounts)",
        required=False,
        help_text="Links a new account to the person's record, so they see their own record.",
    )
    role = forms.ChoiceField(choices=Role.choices)
    system = forms.ModelChoiceField(queryset=System.objects.none())
    network = forms.ModelChoiceField(
        queryset=Network.objects.none(),
        required=False,
        help_text="Leave empty for the whole system.",
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        required=False,
        help_text="Leave empty for the whole system or network.",
    )
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, help_text="Only for partner staff."
    )
    starts_on = forms.DateField(label="In force from", widget=DateInput(), required=False)
    ends_on = forms.DateField(
        label="Last day in force",
        widget=DateInput(),
        required=False,
        help_text="Leave empty while the role continues.",
    )
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, systems: QuerySet[System], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]
        self.fields["network"].queryset = Network.objects.filter(system__in=systems)  # type: ignore[attr-defined]
        self.fields["school"].queryset = School.objects.filter(  # type: ignore[attr-defined]
            system__in=systems, is_active=True
        ).select_related("system")
        self.fields["partner"].queryset = Partner.objects.filter(home_system__in=systems)  # type: ignore[attr-defined]
        self.person: Person | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        system = data.get("system")
        if data.get("network") and data.get("school"):
            self.add_error("school", "Choose a network or a school, not both.")
        for name in ("network", "school", "partner"):
            node = data.get(name)
            owner = getattr(node, "home_system" if name == "partner" else "system", None)
            if node is not None and system is not None and owner != system:
                self.add_error(name, f"This {name} is not in {system}.")
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last day is before the first day.")
        identifier = (data.get("person_identifier") or "").strip()
        if identifier and system is not None:
            person = (
                Person.objects.filter(system=system).filter(identifier=identifier).first()
                or Person.objects.filter(system=system, sourced_id=identifier).first()
            )
            if person is None:
                self.add_error("person_identifier", f"No one in {system} has this number or ID.")
            self.person = person
        return data
