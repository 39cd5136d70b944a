"""Item 29 of the repairs issue: the roll-ups equal a direct count after the demo build."""

from __future__ import annotations

import time_machine

from tests.test_school_counts import TODAY, assert_rollups_match
from trellis.demo.generator import DemoResult
from trellis.students.models import SchoolGradeCount, Student


def test_rollups_after_the_demo_build(demo: DemoResult) -> None:
    with time_machine.travel(TODAY, tick=False):
        assert_rollups_match(demo.system.pk)
        assert sum(SchoolGradeCount.objects.values_list("students", flat=True)) == (
            Student.objects.filter(is_active=True).count()
        )
