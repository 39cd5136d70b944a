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
