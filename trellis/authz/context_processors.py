from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from trellis.authz.policies import has_grant_for, user_may
from trellis.authz.roles import Action

# (label, url name, the action (or any of the actions) a role must allow for the item to show)
# An item whose page needs more than the item's actions: shown only when the page opens (any of
# these actions). The coaching home opens for whoever reads sessions and for whoever keeps the
# coaching set-up, an account without a person included (coach5).
PAGE_ACTIONS: dict[str, tuple[str, ...]] = {
    "coaching_sessions": (Action.COACHING_VIEW, Action.COACHING_CONFIGURE)
}

NAVIGATION: list[tuple[str, str, str | tuple[str, ...]]] = [
    ("Home", "home", Action.SIGNED_IN),
    ("Schools", "school_list", Action.SCHOOLS_VIEW),
    ("People", "people_list", Action.PEOPLE_VIEW),
    ("Assignments", "assignment_list", Action.ASSIGNMENTS_VIEW),
    ("Frameworks", "framework_list", Action.FRAMEWORKS_VIEW),
    ("Rating rounds", "round_list", Action.RATINGS_ROUNDS),
    ("Attendance", "attendance_morning", Action.ATTENDANCE_VIEW),
    # Coaches and supervisors with a caseload, and whoever configures coaching (the coaching
    # lead, administrators: protocols, settings, dosage and need profiles are linked from it).
    ("Coaching", "coaching_sessions", (Action.COACHING_LOG, Action.COACHING_CONFIGURE)),
    ("Programs", "program_list", Action.PROGRAMS_VIEW),
    ("Selection", "selection_home", (Action.PROGRAMS_MANAGE, Action.SELECTION_DELIBERATIONS)),
    ("Surveys", "instrument_list", Action.SURVEYS_VIEW),
    ("Impact", "impact_report", Action.IMPACT_VIEW),
    ("Partners", "partner_list", Action.PARTNERS_VIEW),
    ("Accounts and roles", "grant_list", Action.ACCESS_MANAGE),
    # Rosters, frameworks, attendance and surveys register import kinds; whoever may run one
    # sees the imports.
    (
        "Imports",
        "import_list",
        (
            Action.ROSTERS_MANAGE,
            Action.FRAMEWORKS_MANAGE,
            Action.ATTENDANCE_MANAGE,
            Action.SURVEYS_MANAGE,
        ),
    ),
    ("Audit log", "audit_log", Action.AUDIT_VIEW),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, action in NAVIGATION:
        actions = action if isinstance(action, tuple) else (action,)
        if Action.SIGNED_IN not in actions and not any(has_grant_for(user, a) for a in actions):
            continue
        if name in PAGE_ACTIONS and not any(user_may(user, a) for a in PAGE_ACTIONS[name]):
            continue
        url = reverse(name)
        current = request.path == url if name == "home" else request.path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {"nav_items": items}
