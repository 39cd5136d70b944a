"""One ratings engine: a coach rates a principal; who may read which ratings."""

from __future__ import annotations

import datetime

from tests.conftest import World
from trellis.frameworks.models import FrameworkItem, FrameworkVersion, PerformanceLevel
from trellis.ratings.models import Rating
from trellis.ratings.services import ratings_record


def rubric(
    world: World,
) -> tuple[FrameworkVersion, list[FrameworkItem], dict[int, PerformanceLevel]]:
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    items = list(
        FrameworkItem.objects.filter(version=version, descriptors__isnull=False)
        .distinct()
        .order_by("human_coding_scheme")
    )
    levels = {lv.position: lv for lv in version.levels.all()}
    return version, items, levels


def test_a_coach_rates_a_principal_and_sees_progress(world: World) -> None:
    _version, items, levels = rubric(world)
    client = world.client("coach")
    url = f"/people/{world.principal_person.pk}/ratings/new/?framework={world.framework_id}"
    form = client.get(url).content.decode()
    assert "Proficient: Proficient at 1" in form  # each level shows its descriptor
    for day, level in (("2025-10-01", 2), ("2026-02-01", 3)):
        response = client.post(
            url,
            {
                "purpose": "progress",
                "rated_on": day,
                f"level_{items[0].pk}": levels[level].pk,
                f"evidence_{items[0].pk}": f"Observed on {day}",
            },
        )
        assert response.status_code == 302
    page = client.get(f"/people/{world.principal_person.pk}/ratings/")
    # the table newest first; the chart in time order, level names on its axis
    assert [(r.rated_on.isoformat(), r.level.position) for r in page.context["ratings"]] == [
        ("2026-02-01", 3),
        ("2025-10-01", 2),
    ]
    chart = page.context["chart"]["data"]["values"]
    assert [(v["date"], v["level_name"]) for v in chart] == [
        ("2025-10-01", "Developing"),
        ("2026-02-01", "Proficient"),
    ]
    assert "Observed on 2026-02-01" in page.content.decode()


def test_rating_form_errors_save_nothing(world: World) -> None:
    _version, items, levels = rubric(world)
    client = world.client("coach")
    before = Rating.objects.count()
    url = f"/people/{world.principal_person.pk}/ratings/new/?framework={world.framework_id}"
    empty = client.post(url, {"purpose": "progress", "rated_on": "2026-01-01"})
    assert "Choose a level for at least one competency." in empty.content.decode()
    evidence_only = client.post(
        url, {"purpose": "progress", "rated_on": "2026-01-01", f"evidence_{items[0].pk}": "x"}
    )
    assert "or leave its evidence empty" in evidence_only.content.decode()
    future = client.post(
        url, {"purpose": "progress", "rated_on": "2999-01-01", f"level_{items[0].pk}": levels[1].pk}
    )
    assert "is in the future" in future.content.decode()
    wrong_purpose = client.post(
        url,
        {"purpose": "evaluation", "rated_on": "2026-01-01", f"level_{items[0].pk}": levels[1].pk},
    )
    assert wrong_purpose.status_code == 200  # a coach does not evaluate
    assert Rating.objects.count() == before


def test_evaluation_ratings_are_kept_from_coaches_and_leaders(world: World) -> None:
    version, items, levels = rubric(world)
    supervisor = world.users["supervisor"]
    ratings_record(
        actor=supervisor,
        subject=world.principal_person,
        version=version,
        purpose=Rating.Purpose.EVALUATION,
        rated_on=datetime.date(2026, 5, 1),
        entries=[(items[0], levels[4], "Summative")],
    )
    ratings_record(
        actor=world.users["coach"],
        subject=world.principal_person,
        version=version,
        purpose=Rating.Purpose.PROGRESS,
        rated_on=datetime.date(2026, 4, 1),
        entries=[(items[1], levels[2], "")],
    )
    url = f"/people/{world.principal_person.pk}/ratings/?purpose="  # every purpose one may read
    seen = lambda key: {  # noqa: E731 (ratings outside the world's round)
        r.purpose for r in world.client(key).get(url).context["ratings"] if r.round_id is None
    }
    assert seen("supervisor") == {"evaluation", "progress"}
    assert seen("coach") == {"progress"}
    assert seen("principal") == {"evaluation", "progress"}  # their own record
    assert world.client("leader").get(url).status_code == 403
    assert world.client("analyst").get(url).status_code == 403


def test_a_principal_rates_school_conditions_and_leaders_rate_the_system(world: World) -> None:
    from trellis.frameworks.services import framework_templates_install

    _leadership, conditions, success, _teacher = framework_templates_install()
    item = conditions.items.filter(parent__isnull=False).first()
    level = conditions.levels.get(position=3)
    principal = world.client("principal")
    url = f"/schools/{world.school.pk}/ratings/new/?framework={conditions.framework_id}"
    response = principal.post(
        url, {"purpose": "conditions", "rated_on": "2026-03-01", f"level_{item.pk}": level.pk}
    )
    assert response.status_code == 302
    assert (
        world.client("teacher")
        .get(f"/schools/{world.school.pk}/ratings/")
        .context["ratings"][0]
        .level.name
        == "In place"
    )
    # a principal of another school may not rate this one
    assert world.client("teacher").get(url).status_code == 403
    leader = world.client("leader")
    page = leader.get(f"/systems/{world.system.pk}/ratings/")
    assert [f.title for f in page.context["frameworks"]] == [success.framework.title]
    assert "System self-assessment" in leader.get("/").content.decode()
    assert world.client("analyst").get(f"/systems/{world.system.pk}/ratings/").status_code == 403


def test_on_your_own_record_you_only_assess_yourself(world: World) -> None:
    import pytest
    from django.core.exceptions import PermissionDenied

    version, items, levels = rubric(world)
    principal = world.users["principal"]
    with pytest.raises(PermissionDenied):
        ratings_record(
            actor=principal,
            subject=world.principal_person,
            version=version,
            purpose=Rating.Purpose.PROGRESS,
            rated_on=datetime.date(2026, 3, 1),
            entries=[(items[0], levels[4], "")],
        )
    url = f"/people/{world.principal_person.pk}/ratings/new/?framework={world.framework_id}"
    form = world.client("principal").get(url)
    assert [value for value, _ in form.context["form"].fields["purpose"].choices] == [
        "self_assessment"
    ]
    ratings_record(
        actor=principal,
        subject=world.principal_person,
        version=version,
        purpose=Rating.Purpose.SELF_ASSESSMENT,
        rated_on=datetime.date(2026, 3, 1),
        entries=[(items[0], levels[3], "My view")],
    )
    assert Rating.objects.get(round__isnull=True).purpose == "self_assessment"
