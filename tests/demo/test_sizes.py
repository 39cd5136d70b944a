"""The demo has the product's sizes and three years of history."""

from __future__ import annotations

import datetime

from trellis.demo.generator import SIZES, DemoResult
from trellis.orgs.models import School
from trellis.people.models import Person, Position
from trellis.people.selectors import current_positions
from trellis.students.models import Student

TODAY = datetime.date(2026, 10, 1)


def test_demo_has_the_product_sizes_and_history(demo: DemoResult) -> None:
    size = SIZES["demo"]
    result = demo
    assert result.created
    assert School.objects.count() == size.schools
    staff = current_positions(TODAY).values("person_id").distinct().count()
    assert abs(staff - size.staff) / size.staff < 0.1
    assert abs(Student.objects.count() - size.students) / size.students < 0.1
    # Three years of history: people who left, and principals who were assistant principals.
    assert Person.objects.filter(is_active=False).exists()
    assert Position.objects.filter(ends_on__isnull=False, ends_on__lt=TODAY).count() > 50
    assert Position.objects.filter(starts_on__lt=datetime.date(2024, 8, 1)).exists()
