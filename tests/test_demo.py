from __future__ import annotations

import datetime
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from trellis.accounts.models import User
from trellis.assignments.models import Assignment
from trellis.demo.generator import DEMO_PASSWORD, build
from trellis.orgs.models import School
from trellis.people.models import Person, Position
from trellis.students.models import Student

TODAY = datetime.date(2026, 10, 1)


class _Rollback(Exception):
    pass


def signature() -> str:
    digest = hashlib.sha256()
    for row in School.objects.order_by("sourced_id").values_list("sourced_id", "name", "level"):
        digest.update(repr(row).encode())
    for row in Person.objects.order_by("sourced_id").values_list(
        "sourced_id", "given_name", "family_name", "is_active"
    ):
        digest.update(repr(row).encode())
    for row in Position.objects.order_by("person__sourced_id", "starts_on", "kind").values_list(
        "person__sourced_id", "kind", "school__sourced_id", "starts_on", "ends_on"
    ):
        digest.update(repr(row).encode())
    digest.update(str(Student.objects.count()).encode())
    return digest.hexdigest()


def assignment_rows() -> list[tuple[str, str, str, datetime.date]]:
    return list(
        Assignment.objects.order_by(
            "kind", "supporter__sourced_id", "assignee__sourced_id", "starts_on"
        ).values_list("kind", "supporter__sourced_id", "assignee__sourced_id", "starts_on")
    )


@pytest.mark.django_db
def test_demo_is_deterministic_for_a_seed() -> None:
    """The same seed builds the same district: schools, people and their positions, students,
    and the coaching and supervision assignments (issue 8's test of them joined this one)."""
    with pytest.raises(_Rollback), transaction.atomic():
        build(size_name="demo", seed=7, today=TODAY)
        first = signature()
        first_assignments = assignment_rows()
        raise _Rollback
    build(size_name="demo", seed=7, today=TODAY)
    assert signature() == first
    assert first_assignments and assignment_rows() == first_assignments


@pytest.mark.django_db
def test_demo_command_prints_sign_ins_that_work() -> None:
    out = StringIO()
    call_command("demo", "--size", "demo", "--seed", "1", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    for role in ("admin@", "leader@", "principal@", "teacher@", "analyst@", "coachlead@"):
        assert role in text
    assert DEMO_PASSWORD in text
    # Running it again changes nothing and prints the same sign-ins.
    again = StringIO()
    call_command("demo", stdout=again)
    assert "already built" in again.getvalue()
    assert User.objects.filter(email__endswith="@riverbend.example").count() == 11
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "principal@riverbend.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
