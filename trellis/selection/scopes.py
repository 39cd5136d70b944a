"""What selection tells authz: where cycles and applications lie, and whom an interviewer
reaches.

A cycle and its applications lie where their cohort does (the programs app's rule: grants on
the cohort, its program, or the program's owner). The committee's `selection.deliberations` is
a grant of the `selection_committee` role on the cohort (or its program), so it reaches the
cohort's applications and no other. An interviewer reaches the application whose interview
panel they sit on (while its round is open or in consensus), by that seat alone
(`selectors.sits_on_panel`): an account on a panel needs no person record, and no relationship
registered with authz (those are person-based) is involved.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trellis.authz.registry import register_scope, rule_for
from trellis.authz.roles import Action
from trellis.selection.models import Application, SelectionCycle


def _cohort_rule() -> Any:
    return rule_for("programs.Cohort")


def cycles_q(scope: Any, prefix: str = "") -> Q:
    rule = _cohort_rule()
    assert rule.q is not None
    return rule.q(scope, f"{prefix}cohort__")


def applications_q(scope: Any) -> Q:
    q = cycles_q(scope, "cycle__")
    if scope.related_person_ids:
        q |= Q(applicant_id__in=scope.related_person_ids)
    return q


def _cycle(scope: Any, obj: SelectionCycle) -> bool:
    return bool(_cohort_rule().contains(scope, obj.cohort))


def _application(scope: Any, obj: Application) -> bool:
    return obj.applicant_id in scope.related_person_ids or _cycle(scope, obj.cycle)


def register() -> None:
    # Whoever sees nothing of the program gets a 404 for its cycles and applications; a
    # program's other staff (managers, district leaders) a 403.
    register_scope(SelectionCycle, _cycle, q=cycles_q, reach=Action.PROGRAMS_VIEW)
    register_scope(Application, _application, q=applications_q, reach=Action.PROGRAMS_VIEW)
