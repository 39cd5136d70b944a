from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.core.params import get_int
from trellis.orgs.selectors import system_choice, systems_where
from trellis.people.models import PositionKind
from trellis.rosters import selectors, services
from trellis.rosters.forms import RoleMappingForm

KIND_LABELS = dict(PositionKind.choices)


@permission(Action.ROSTERS_MANAGE)
def role_mapping(request: HttpRequest) -> HttpResponse:
    systems = systems_where(request.user, Action.ROSTERS_MANAGE)
    system = system_choice(
        systems, get_int(request.GET, "system") or get_int(request.POST, "system_id")
    )
    form = RoleMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.role_mapping_set(actor=request.user, system=system, **form.cleaned_data)
        messages.success(request, "The mapping is saved; the next import uses it.")
        return redirect(f"{request.path}?system={system.pk}")
    return render(
        request,
        "rosters/role_mapping.html",
        {
            "form": form,
            "system": system,
            "systems": systems,
            "rows": [
                {
                    **row,
                    "kind_label": KIND_LABELS.get(row["kind"], "not recorded"),
                    "default_label": KIND_LABELS.get(row["default"], "not recorded"),
                }
                for row in selectors.role_mapping_table(system)
            ],
        },
    )
