from __future__ import annotations

from django import forms

from trellis.core.forms import StyledFormMixin
from trellis.people.models import PositionKind
from trellis.rosters.models import RoleMapping


class RoleMappingForm(StyledFormMixin, forms.Form):
    oneroster_role = forms.CharField(max_length=40, label="OneRoster role")
    org_type = forms.ChoiceField(
        choices=RoleMapping.OrgType.choices, required=False, label="Held at"
    )
    position_kind = forms.ChoiceField(
        choices=[("", "Not recorded as a position"), *PositionKind.choices],
        required=False,
        label="Becomes",
    )
