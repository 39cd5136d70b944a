from __future__ import annotations

import datetime

import pytest

from tests.conftest import World
from trellis.frameworks.models import FrameworkItem, FrameworkVersion
from trellis.ratings.agreement import agreement
from trellis.ratings.models import Rating
from trellis.ratings.services import ratings_record
from trellis.ratings.subjects import user_name


def test_weighted_kappa_matches_the_hand_computation() -> None:
    # Two raters, six shared ratings on a four-level scale; two disagree by one level.
    # Linear weights: observed disagreement 1/9, expected 38/108, so kappa = 1 - 6/19 = 13/19.
    result = agreement([(1, 1), (2, 2), (3, 3), (4, 4), (2, 3), (3, 2)], [1, 2, 3, 4])
    assert result.n == 6
    assert result.exact == pytest.approx(4 / 6)
    assert result.within_one == 1.0
    assert result.kappa == pytest.approx(13 / 19)


def test_perfect_and_undefined_agreement() -> None:
    assert agreement([(1, 1), (4, 4)], [1, 2, 3, 4]).kappa == pytest.approx(1.0)
    assert agreement([(2, 2), (2, 2)], [1, 2, 3, 4]).kappa is None  # one level used: no kappa
    assert agreement([(1, 4), (4, 1)], [1, 2, 3, 4]).within_one == 0.0


def test_agreement_page_pairs_raters_on_shared_subjects(world: World) -> None:
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    items = list(
        FrameworkItem.objects.filter(version=version, descriptors__isnull=False).distinct()
    )
    levels = {lv.position: lv for lv in version.levels.all()}
    for rater, shift in (("coach", 0), ("supervisor", 1)):
        for person in (world.principal_person, world.teacher_person, world.colleague):
            ratings_record(
                actor=world.users[rater],
                subject=person,
                version=version,
                purpose=Rating.Purpose.PROGRESS,
                rated_on=datetime.date(2026, 3, 1),
                entries=[
                    (item, levels[min(4, 2 + shift * (i % 2))], "") for i, item in enumerate(items)
                ],
            )
    # The administrator reads these progress ratings one by one, so sees their agreement.
    page = world.client("admin").get(f"/frameworks/{world.framework_id}/agreement/")
    rows = page.context["rows"]
    names = tuple(sorted(user_name(world.users[key]) for key in ("coach", "supervisor")))
    assert [r["raters"] for r in rows] == [names]  # by name, never by e-mail (issue 7 item 6)
    assert rows[0]["result"].n == 6
    assert rows[0]["result"].exact == pytest.approx(0.5)
    table = page.content.decode().split('id="main"')[1].split("</table>")[0]
    assert "Weighted kappa" in table
    assert "@riverbend.test" not in table
