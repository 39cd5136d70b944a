"""The access pages: who holds which role where (grants), granting a role to an account (made
when new) and ending a grant. They live in accounts, not authz, because they pick systems,
schools, people and accounts; authz itself imports only core."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from trellis.accounts.forms import GrantForm
from trellis.accounts.models import User
from trellis.accounts.services import account_create
from trellis.authz import selectors, services
from trellis.authz.decorators import permission
from trellis.authz.roles import Action, Role
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.core.postonly import post_only
from trellis.orgs.selectors import systems_where

GRANT_EXPORT = ExportSpec(
    filename="access",
    headers=["Account", "Person", "Role", "Where", "From", "Last day", "Note"],
    row=lambda g: [
        g.user.email,
        g.user.person.full_name if g.user.person else "",
        g.get_role_display(),
        str(g.node),
        g.starts_on,
        g.ends_on,
        g.note,
    ],
)


@permission(Action.ACCESS_MANAGE)
def grant_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "role": get_choice(params, "role", Role.values),
        "system_id": get_int(params, "system"),
        "status": get_choice(params, "status", ["current", "ended", "future", "all"]) or "current",
    }
    return render_list(
        request,
        template="accounts/grant_list.html",
        queryset=selectors.grant_list(request.user, **filters),
        export=GRANT_EXPORT,
        context={
            "filters": filters,
            "roles": Role.choices,
            "systems": list(systems_where(request.user, Action.ACCESS_MANAGE)),
        },
    )


@permission(Action.ACCESS_MANAGE)
def grant_create(request: HttpRequest) -> HttpResponse:
    systems = systems_where(request.user, Action.ACCESS_MANAGE)
    form = GrantForm(request.POST or None, systems=systems, initial={"system": systems.first()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = User.objects.filter(email__iexact=data["email"]).first()
                if user is None:
                    user = account_create(
                        actor=request.user,
                        system=data["system"],
                        email=data["email"],
                        person=form.person,
                    )
                grant = services.grant_create(
                    actor=request.user,
                    user=user,
                    role=data["role"],
                    system=data["system"],
                    network=data["network"],
                    school=data["school"],
                    partner=data["partner"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{user.email} is now {grant}.")
            return redirect("grant_list")
    return render(request, "accounts/grant_form.html", {"form": form})


def _grant_list_after_lookup(request: HttpRequest, pk: int) -> str:
    """Where a GET of ending a grant goes: the list of grants, once the grant is found as the
    POST finds it (404 outside the user's scope, 403 where they may not manage it)."""
    selectors.grant_get(request.user, pk)
    return reverse("grant_list")


@permission(Action.ACCESS_MANAGE)
@post_only(_grant_list_after_lookup)
def grant_end(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(request.user, pk)
    services.grant_end(actor=request.user, grant=grant)
    messages.success(request, f"Ended: {grant.user.email}, {grant}.")
    return redirect("grant_list")
