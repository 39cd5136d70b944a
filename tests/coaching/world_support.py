"""Classroom visits and differentiated support in every test world (coach-visits).

Paula (principal of Oak Hill) visited Tomas's classroom; Riverbend has two tiers (Intensive, 6
hours a month, for a performance band of at most 1; Universal, 2, the default), the flag "New
principal", and Oak Hill's profile (band 1, so Intensive). Percy is the principal of Pine Ridge
(a grant there, no position): right role, wrong school, so Tomas is not his to visit."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conftest import World

VISIT_FEEDBACK = "Students explained their reasoning to a partner before sharing."


def add_support(world: World) -> None:
    from django.utils import timezone

    from tests.conftest import make_user
    from trellis.authz.roles import Role
    from trellis.coaching.models import RuleField, RuleOperator
    from trellis.coaching.services import (
        need_flag_create,
        need_profile_save,
        support_tier_save,
        tier_rule_add,
        visit_log,
    )
    from trellis.people.services import person_create

    a = world.system
    percy = person_create(
        actor=None, system=a, given_name="Percy", family_name="Pine", email="percy@example.org"
    )
    world.users["principal_pine"] = make_user(
        a, "principal.pine@riverbend.test", Role.PRINCIPAL, person=percy, school=world.other_school
    )
    visit = visit_log(
        actor=None,
        principal=world.principal_person,
        teacher=world.teacher_person,
        visited_at=timezone.make_aware(datetime.datetime(2026, 1, 20, 10, 0)),
        minutes=20,
        feedback=VISIT_FEEDBACK,
    )
    intensive = support_tier_save(
        actor=None, system=a, name="Intensive", hours_per_month=Decimal(6), is_default=False
    )
    support_tier_save(
        actor=None, system=a, name="Universal", hours_per_month=Decimal(2), is_default=True
    )
    flag = need_flag_create(actor=None, system=a, name="New principal")
    rule = tier_rule_add(
        actor=None,
        system=a,
        field=RuleField.PERFORMANCE_BAND,
        operator=RuleOperator.LTE,
        value=Decimal(1),
        tier=intensive,
    )
    need_profile_save(actor=None, school=world.school, performance_band=1)
    world.coaching.update(
        {"visit": visit.pk, "tier": intensive.pk, "flag": flag.pk, "rule": rule.pk}
    )


def grow_support(world: World, scale: int, tag: str) -> None:
    """Visits and need profiles in proportion (for the query counts): `scale` visits by Paula to
    Oak Hill's staff (with a look-for each), and need profiles with a flag for `scale` schools."""
    from django.utils import timezone

    from tests.coaching.world import focus_item
    from trellis.coaching.models import NeedFlag
    from trellis.coaching.services import VisitIn, need_profile_save, visits_bulk_create
    from trellis.orgs.models import School
    from trellis.people.models import Person

    staff = list(
        Person.objects.filter(positions__school=world.school)
        .exclude(pk=world.principal_person.pk)
        .distinct()
        .order_by("pk")[:scale]
    )
    item = focus_item(world)
    visits_bulk_create(
        actor=None,
        system=world.system,
        visits=[
            VisitIn(
                principal=world.principal_person,
                teacher=teacher,
                school=world.school,
                visited_at=timezone.make_aware(datetime.datetime(2026, 1, 5 + n % 20, 9)),
                minutes=15,
                feedback=f"{tag} feedback {n}",
                look_fors=[item],
            )
            for n, teacher in enumerate(staff)
        ],
    )
    flag = NeedFlag.objects.get(pk=world.coaching["flag"])
    schools = School.objects.filter(system=world.system, name__startswith=tag.title())
    for n, school in enumerate(schools.order_by("pk")[:scale]):
        need_profile_save(
            actor=None,
            school=school,
            performance_band=1 + n % 4,
            attendance_rate=Decimal("91.5"),
            flags=[flag],
        )
