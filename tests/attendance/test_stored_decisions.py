"""Issue 12: the first principal or supervisor to open the morning and chronic pages after the
morning's attendance import pays no suppression decision. The import's commit hands the
system's published patterns (what a viewer who may open none of its students is shown: the
chronic table to the day and at each month's end, the day's counts) to the task worker, which
stores them by the digest of what they were made from; the pages find them there.

Riverbend's hand-made month (`add_attendance`) is imported through the commands at noon on
30 September. Its table is small, so `protect` is told to remember it as it remembers a metro
district's (`REMEMBER_FROM`), which is what sends it to the stored decisions.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Q

from tests.attendance.world import add_attendance
from tests.conftest import World
from trellis.attendance import selectors
from trellis.core import suppression
from trellis.core.models import SuppressionDecision

D30 = datetime.date(2026, 9, 30)
MEASURES = (*selectors.CHRONIC_MEASURES, *selectors.MORNING_COUNTS)


@pytest.fixture
def noon() -> Iterator[None]:
    with time_machine.travel(
        datetime.datetime(2026, 9, 30, 16, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


@pytest.fixture
def imported(
    world: World,
    noon: None,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> World:
    monkeypatch.setattr(suppression, "REMEMBER_FROM", 0)
    with django_capture_on_commit_callbacks(execute=True):
        add_attendance(world)
    return world


def _published_inputs(system_id: int) -> list[frozenset[Any]]:
    """The cells of every published decision of the system on 30 September."""
    where = Q(system_id=system_id)
    figures = selectors._chronic_figures(where, where, D30)
    _members, morning, _relations = selectors._morning_figures(where, where, D30)
    tables = [figures.values, *(values for _m, _a, values in figures.months), morning]
    return [frozenset(table[name]) for table in tables for name in table]


@pytest.fixture
def decided(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[Any]]:
    """The cells of each decision `protect` makes (not finds) from here on."""
    made: list[frozenset[Any]] = []
    original = suppression._protect

    def recorded(values: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(frozenset(values))
        return original(values, *args, **kwargs)

    monkeypatch.setattr(suppression, "_protect", recorded)
    return made


def test_the_import_stores_the_systems_decisions_and_the_pages_make_none(
    imported: World, decided: list[frozenset[Any]]
) -> None:
    w = imported
    stored = SuppressionDecision.objects.filter(made_for__contains=f"system {w.system.pk}")
    assert stored.exists(), "the import's commit stores the system's decisions"
    cache.clear()  # another process, or the next morning: only the table holds them
    published = _published_inputs(w.system.pk)
    pages = {
        "principal": [
            "/attendance/",
            "/attendance/chronic/",
            f"/attendance/schools/{w.school.pk}/chronic/",
        ],
        "supervisor": ["/attendance/", "/attendance/chronic/"],
        "analyst": ["/attendance/", "/attendance/chronic/"],
        "leader": ["/attendance/chronic/"],
    }
    for who, urls in pages.items():
        for url in urls:
            response = w.client(who).get(url)
            assert response.status_code == 200, (who, url)
    assert decided, "the principal's and supervisor's own totals are decided beside the pattern"
    assert not [cells for cells in decided if cells in published], (
        "a page made a published decision"
    )


def test_the_stored_decision_is_the_one_made_on_the_fly(
    imported: World, decided: list[frozenset[Any]]
) -> None:
    """What the analyst is shown from the stored decisions is what `protect` decides with
    nothing stored or remembered."""
    w = imported
    cache.clear()
    stored_table = selectors.chronic_table(w.users["analyst"], D30)
    stored_morning = selectors._morning_decision(w.users["analyst"], D30)
    assert not decided
    SuppressionDecision.objects.all().delete()
    cache.clear()
    fresh_table = selectors._chronic_table(w.users["analyst"], D30)
    fresh_morning = selectors._morning_decision(w.users["analyst"], D30)
    assert decided, "decided on the fly this time"
    assert stored_table.hidden == fresh_table.hidden
    assert any(stored_table.hidden.values()), "the month's data withholds some chronic cells"
    assert [t[3] for t in stored_table.trend] == [t[3] for t in fresh_table.trend]
    assert stored_morning.hidden == fresh_morning.hidden


def test_a_page_with_no_stored_decision_decides_as_before(
    world: World, noon: None, monkeypatch: pytest.MonkeyPatch, decided: list[frozenset[Any]]
) -> None:
    """Attendance loaded without its task (no commit: the worker has not run yet): the page
    decides itself, withholding what it would have read."""
    monkeypatch.setattr(suppression, "REMEMBER_FROM", 0)
    add_attendance(world)
    assert not SuppressionDecision.objects.exists()
    response = world.client("analyst").get("/attendance/chronic/")
    assert response.status_code == 200
    assert set(_published_inputs(world.system.pk)) & set(decided)


def test_decisions_of_figures_that_changed_are_removed_with_the_next_import(
    imported: World, tmp_path: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """Oak Hill's 30 September imported again with one absence instead of two: the day's
    decisions are made again and those of the figures before are removed; the month ends
    before September stand (the same figures, the same digest)."""
    label = f"attendance patterns, system {imported.system.pk}"
    before = set(SuppressionDecision.objects.values_list("digest", flat=True))
    day = tmp_path / "again.csv"
    day.write_text("student,school,date,category\na5,sch-a,2026-09-30,Unexcused Absence\n")
    later = datetime.datetime(2026, 9, 30, 16, 5, tzinfo=datetime.UTC)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("import_attendance", str(day), system="riverbend", stdout=io.StringIO())
    after = set(SuppressionDecision.objects.values_list("digest", flat=True))
    assert after - before, "the new figures' decisions are stored"
    assert before - after, "the old figures' decisions are gone"
    assert set(SuppressionDecision.objects.values_list("made_for", flat=True)) == {label}
