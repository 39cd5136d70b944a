"""Regression tests for the rating items of issue 7 (repairs): 6, 9, 20, 21, 22."""

from __future__ import annotations

import datetime
import html
import re

from tests.conftest import World, make_user
from tests.ratings.world import rate_as
from trellis.authz.roles import Role
from trellis.core.models import AuditEvent
from trellis.frameworks.models import FrameworkItem, FrameworkVersion, PerformanceLevel
from trellis.frameworks.services import framework_templates_install
from trellis.ratings.models import Rating, RatingRound
from trellis.ratings.services import ratings_record, round_create, round_ratings_save
from trellis.ratings.subjects import user_name


def _rubric(
    version: FrameworkVersion,
) -> tuple[list[FrameworkItem], dict[int, PerformanceLevel]]:
    items = list(
        FrameworkItem.objects.filter(version=version, descriptors__isnull=False)
        .distinct()
        .order_by("pk")
    )
    return items, {lv.position: lv for lv in version.levels.all()}


def _rate(world: World, key: str, version: FrameworkVersion, purpose: str, shift: int) -> None:
    items, levels = _rubric(version)
    for person in (world.principal_person, world.teacher_person, world.colleague):
        rate_as(
            world,
            key,
            subject=person,
            version=version,
            purpose=purpose,
            rated_on=datetime.date(2026, 3, 1),
            entries=[
                (item, levels[min(4, 2 + shift * (i % 2))], "") for i, item in enumerate(items)
            ],
        )


def test_item6_agreement_covers_only_ratings_the_viewer_could_read(world: World) -> None:
    leadership = framework_templates_install()[0]  # a built-in template: no system
    _rate(world, "coach", leadership, Rating.Purpose.PROGRESS, 0)
    _rate(world, "supervisor", leadership, Rating.Purpose.PROGRESS, 1)
    _rate(world, "supervisor", leadership, Rating.Purpose.EVALUATION, 0)
    _rate(world, "admin", leadership, Rating.Purpose.EVALUATION, 1)
    url = f"/frameworks/{leadership.framework_id}/agreement/"
    # A program manager of another system sees nothing of Riverbend's raters.
    make_user(
        world.other_system, "pm@lakeside.test", Role.PROGRAM_MANAGER, system=world.other_system
    )
    from trellis.accounts.models import User

    client = world.client(None)
    client.force_login(User.objects.get(email="pm@lakeside.test"))
    for query in ("", "?purpose=evaluation", "?purpose=progress"):
        page = client.get(url + query)
        assert page.status_code == 200
        assert page.context["rows"] == [] and page.context["overall"] is None
        assert "Coach" not in page.content.decode().split('id="main"')[1]
    # Riverbend's program manager reads neither progress nor evaluations one by one.
    programs = world.client("programs")
    assert programs.get(url + "?purpose=evaluation").context["rows"] == []
    assert programs.get(url).context["rows"] == []
    # The administrator reads progress ratings, by name, and no evaluation ratings (only the
    # evaluator chain reads those: branch coach2); the supervisor reads his caseload's.
    admin = world.client("admin")
    names = lambda *keys: tuple(sorted(user_name(world.users[k]) for k in keys))  # noqa: E731
    assert admin.get(url + "?purpose=evaluation").context["rows"] == []
    progress = admin.get(url + "?purpose=progress").context["rows"]
    assert [r["raters"] for r in progress] == [names("coach", "supervisor")]
    from trellis.accounts.models import User as Account
    from trellis.ratings.selectors import rater_agreement

    supervisor = Account.objects.get(pk=world.users["supervisor"].pk)
    evaluation = rater_agreement(supervisor, leadership.framework, purpose="evaluation")["rows"]
    assert [r["raters"] for r in evaluation] == [names("admin", "supervisor")]


def test_item6_agreement_is_counted_in_the_database(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    _rate(world, "coach", version, Rating.Purpose.PROGRESS, 0)
    _rate(world, "supervisor", version, Rating.Purpose.PROGRESS, 1)
    admin = world.client("admin")
    url = f"/frameworks/{world.framework_id}/agreement/"
    admin.get(url)
    with CaptureQueriesContext(connection) as few:
        admin.get(url)
    _rate(world, "admin", version, Rating.Purpose.PROGRESS, 1)
    with CaptureQueriesContext(connection) as more:
        page = admin.get(url)
    assert len(page.context["rows"]) == 3
    assert len(more) == len(few)  # more ratings and raters, the same queries
    assert any("COUNT(*)" in q["sql"] and "GROUP BY" in q["sql"] for q in more.captured_queries)


def test_item9_a_self_assessment_is_private_to_the_person(world: World) -> None:
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    items, levels = _rubric(version)
    ratings_record(
        actor=world.users["principal"],
        subject=world.principal_person,
        version=version,
        purpose=Rating.Purpose.SELF_ASSESSMENT,
        rated_on=datetime.date(2026, 3, 1),
        entries=[(items[0], levels[2], "My private view")],
    )
    url = f"/people/{world.principal_person.pk}/ratings/?purpose="
    assert "My private view" in world.client("principal").get(url).content.decode()
    for key in ("supervisor", "coach"):
        page = world.client(key).get(url)
        assert page.status_code == 200
        assert "My private view" not in page.content.decode()
    # Submitted into a round, it is read by that round's owner (and its raters).
    today = datetime.date.today()
    round_ = round_create(
        actor=world.users["supervisor"],
        title="Evaluation with self-assessment",
        purpose="evaluation",
        version=version,
        subjects=[world.principal_person],
        raters=[world.users["principal"], world.users["coach"]],
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=1),
    )
    subject = round_.subjects.get()
    round_ratings_save(
        actor=world.users["principal"],
        round_=round_,
        subject=subject,
        entries=[(items[0], levels[3], "Shared with my evaluators")],
        submit=True,
    )
    shared = Rating.objects.get(evidence="Shared with my evaluators")
    assert shared.purpose == Rating.Purpose.SELF_ASSESSMENT
    spread = world.client("supervisor").get(f"/rounds/{round_.pk}/subjects/{subject.pk}/")
    assert "Paula Prince: Proficient" in spread.content.decode()
    # ... and still not by anyone outside the round.
    assert (
        "Shared with my evaluators"
        not in world.client("supervisor_far").get(f"/rounds/{round_.pk}/").content.decode()
    )


def test_item20_chart_one_line_per_competency_and_kind_of_rater(world: World) -> None:
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    items, levels = _rubric(version)
    for key, purpose, day, level in (
        ("coach", Rating.Purpose.PROGRESS, datetime.date(2026, 1, 1), 4),
        ("supervisor", Rating.Purpose.PROGRESS, datetime.date(2026, 2, 1), 2),
        ("supervisor", Rating.Purpose.EVALUATION, datetime.date(2026, 3, 1), 1),
    ):
        rate_as(
            world,
            key,
            subject=world.principal_person,
            version=version,
            purpose=purpose,
            rated_on=day,
            entries=[(items[0], levels[level], "")],
        )
    page = world.client("supervisor").get(f"/people/{world.principal_person.pk}/ratings/")
    # Progress ratings by default; the evaluation is not mixed in.
    assert page.context["purpose"] == "progress"
    chart = page.context["chart"]
    values = chart["data"]["values"]
    assert {(v["rater_kind"], v["level_name"]) for v in values} == {
        ("Coach", "Exemplary"),
        ("Principal supervisor", "Developing"),
    }
    spec = chart["spec"]["encoding"]
    assert chart["facet"]["field"] == "competency"  # one panel per competency
    assert spec["color"]["field"] == "rater_kind"  # one line per kind of rater
    assert spec["y"]["type"] == "ordinal"
    assert spec["y"]["scale"]["domain"][0] == "Exemplary"  # level names, highest on top
    assert spec["color"]["legend"]["labelLimit"] == 0
    # The table: newest first, raters by name.
    assert [r.rated_on.isoformat() for r in page.context["ratings"]] == ["2026-02-01", "2026-01-01"]
    main = page.content.decode().split('id="main"')[1]
    assert user_name(world.users["coach"]) in main and "@riverbend.test" not in main
    assert "max-height" not in main


def test_item20_a_rater_corrects_and_withdraws_their_own_rating(world: World) -> None:
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    items, levels = _rubric(version)
    (mine,) = ratings_record(
        actor=world.users["coach"],
        subject=world.colleague,
        version=version,
        purpose=Rating.Purpose.PROGRESS,
        rated_on=datetime.date(2026, 3, 1),
        entries=[(items[0], levels[4], "")],
    )
    page = world.client("coach").get(f"/people/{world.colleague.pk}/ratings/").content.decode()
    assert f"/ratings/{mine.pk}/correct/" in page
    assert (
        f"/ratings/{mine.pk}/correct/"
        not in world.client("supervisor")
        .get(f"/people/{world.colleague.pk}/ratings/")
        .content.decode()
    )
    # Nobody else may correct it.
    assert world.client("supervisor").get(f"/ratings/{mine.pk}/correct/").status_code == 404
    world.client("coach").post(
        f"/ratings/{mine.pk}/correct/",
        {"level": levels[2].pk, "rated_on": "2026-03-02", "evidence": "Misread the rubric"},
    )
    mine.refresh_from_db()
    assert mine.level.position == 2
    event = AuditEvent.objects.get(action="rating.correct")
    assert (event.before or {})["level"] == "Exemplary"
    assert (event.after or {})["level"] == "Developing"
    world.client("coach").post(f"/ratings/{mine.pk}/withdraw/")
    assert not Rating.objects.filter(pk=mine.pk).exists()
    assert (AuditEvent.objects.get(action="rating.withdraw").before or {})["level"] == "Developing"


def test_item21_the_rating_page_offers_the_frameworks_for_that_person(world: World) -> None:
    leadership, _conditions, _success, teacher = framework_templates_install()
    admin = world.client("admin")
    offered = lambda person: {  # noqa: E731
        f.title for f in admin.get(f"/people/{person.pk}/ratings/").context["frameworks"]
    }
    principal_offers = offered(world.principal_person)
    assert leadership.framework.title in principal_offers
    assert teacher.framework.title not in principal_offers
    teacher_offers = offered(world.teacher_person)
    assert teacher.framework.title in teacher_offers
    assert leadership.framework.title not in teacher_offers
    # and the rating form refuses a framework not offered
    wrong = f"/people/{world.principal_person.pk}/ratings/new/?framework={teacher.framework_id}"
    assert admin.get(wrong).status_code == 404


def test_item21_one_rating_and_a_future_date_are_reported_plainly(world: World) -> None:
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    items, levels = _rubric(version)
    coach = world.client("coach")
    url = f"/people/{world.colleague.pk}/ratings/new/?framework={world.framework_id}"
    future = coach.post(
        url, {"purpose": "progress", "rated_on": "2999-01-01", f"level_{items[0].pk}": levels[1].pk}
    )
    text = future.content.decode()
    assert "correct the competencies" not in text.lower()
    assert future.context["form"].errors["rated_on"]
    assert "2999-01-01 is in the future" in text
    done = coach.post(
        url,
        {"purpose": "progress", "rated_on": "2026-01-01", f"level_{items[0].pk}": levels[1].pk},
        follow=True,
    )
    assert "1 rating recorded for Cora Colleague." in done.content.decode()


def _links(content: str) -> list[str]:
    main = content.split('id="main"', 1)[1]
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"#][^"]*)"', main)]
    return [h for h in hrefs if h.startswith("/") or h.startswith("?")]


def test_item22_every_link_on_person_and_ratings_pages_can_be_followed(world: World) -> None:
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    items, levels = _rubric(version)
    rate_as(
        world,
        "coach",
        subject=world.principal_person,
        version=version,
        purpose=Rating.Purpose.PROGRESS,
        rated_on=datetime.date(2026, 3, 1),
        entries=[(items[0], levels[3], "")],
    )
    pages = [
        f"/people/{world.principal_person.pk}/",
        f"/people/{world.principal_person.pk}/ratings/",
        f"/people/{world.colleague.pk}/",
        f"/people/{world.colleague.pk}/ratings/",
    ]
    followed = 0
    for key in ("admin", "leader", "supervisor", "coach", "principal", "teacher", "analyst"):
        client = world.client(key)
        for page in pages:
            response = client.get(page)
            if response.status_code != 200:
                continue
            for link in _links(response.content.decode()):
                target = page.split("?")[0] + link if link.startswith("?") else link
                status = client.get(target).status_code
                assert status == 200, f"{key} on {page}: {target} answers {status}"
                followed += 1
    assert followed > 20
    # The two links of the report: gone for those who cannot follow them.
    leader_page = world.client("leader").get(pages[0]).content.decode()
    assert f"/people/{world.principal_person.pk}/ratings/" not in leader_page
    # The coach now opens their coachee's person page (issue 8), so the link is there and the
    # loop above has followed it.
    coach_page = world.client("coach").get(pages[1]).content.decode().split('id="main"')[1]
    assert f'href="/people/{world.principal_person.pk}/"' in coach_page


def test_round_state_is_listed_for_members_only(world: World) -> None:
    # The world's selection interviews are rounds too (tests/selection/world.py), and so is
    # Paula's evaluation of the world's cycle (tests/evaluations/world.py).
    assert RatingRound.objects.exclude(purpose="selection").filter(evaluation=None).count() == 1
    assert (
        "Mid-year evaluation round" not in world.client("analyst").get("/rounds/").content.decode()
    )
