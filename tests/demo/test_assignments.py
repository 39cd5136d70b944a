"""Issue 8: the demo's coach, supervisor and program manager see their assignees."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from trellis.accounts.models import User
from trellis.assignments.models import Assignment
from trellis.assignments.selectors import active_q
from trellis.demo.generator import DemoResult


def signed_in(local: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=f"{local}@riverbend.example"))
    return client


def test_demo_roles_see_their_assignees_and_nothing_else(demo: DemoResult) -> None:
    coach = User.objects.get(email="coach@riverbend.example")
    supervisor = User.objects.get(email="supervisor@riverbend.example")
    principal = User.objects.get(email="principal@riverbend.example")
    # In force when the page is asked (the programs' coaching of this year's cohort included).
    coachees = set(
        Assignment.objects.filter(active_q(timezone.localdate()))
        .filter(supporter=coach.person, kind="coaching")
        .values_list("assignee_id", flat=True)
    )
    assert principal.person_id in coachees and len(coachees) >= 3
    people = len(signed_in("coach").get("/people/").context["object_list"])
    assert people == len(coachees) + 1  # and their own record
    page = signed_in("coach").get(f"/people/{principal.person_id}/ratings/")
    assert page.status_code == 200 and page.context["ratings"]

    caseloads = signed_in("supervisor").get("/assignments/caseloads/").context
    mine = [c for c in caseloads["caseloads"] if c.supporter.pk == supervisor.person_id]
    assert mine and principal.person_id in {a.assignee_id for a in mine[0].assignments}
    assert caseloads["unassigned"], "some principals of the network have no supervisor"
    assert signed_in("programs").get("/assignments/").status_code == 200
    # Someone the coach does not coach: 404.
    other = Assignment.objects.filter(kind="supervision").exclude(assignee_id__in=coachees).first()
    assert other is not None
    assert signed_in("coach").get(f"/people/{other.assignee_id}/").status_code == 404
