"""Rating rounds (issue 8 part 2): drafts, submission, blind scores, spread, consensus, lock."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from trellis.core.models import AuditEvent
from trellis.frameworks.models import FrameworkItem, PerformanceLevel
from trellis.ratings.models import Rating, RatingRound
from trellis.ratings.subjects import user_name


def _rubric(world: World) -> tuple[list[FrameworkItem], dict[int, PerformanceLevel]]:
    items = list(
        FrameworkItem.objects.filter(
            version__framework_id=world.framework_id, descriptors__isnull=False
        )
        .distinct()
        .order_by("pk")
    )
    levels = {
        lv.position: lv
        for lv in PerformanceLevel.objects.filter(version__framework_id=world.framework_id)
    }
    return items, levels


def _form(world: World, picks: dict[int, int], evidence: str, action: str) -> dict[str, Any]:
    items, levels = _rubric(world)
    data: dict[str, Any] = {action: "1"}
    for index, position in picks.items():
        data[f"level_{items[index].pk}"] = levels[position].pk
        data[f"evidence_{items[index].pk}"] = evidence
    return data


def test_no_rater_sees_another_raters_scores_before_submitting(world: World) -> None:
    rate = f"/rounds/{world.round_id}/subjects/{world.round_submitted_subject_id}/rate/"
    far = world.client("supervisor_far")
    # The coach has submitted the principal's ratings; the far supervisor has not.
    before = far.get(rate).content.decode()
    assert "Seen in the January visit." not in before
    assert "submitted scores" not in before
    # A draft is seen by its rater only: the coach (submitted) and the owner never see it.
    far.post(rate, _form(world, {0: 1, 1: 2}, "My draft note", "draft"))
    assert Rating.objects.filter(is_draft=True, evidence="My draft note").count() == 2
    assert "My draft note" in far.get(rate).content.decode()
    assert "My draft note" not in world.client("coach").get(rate).content.decode()
    spread = f"/rounds/{world.round_id}/subjects/{world.round_submitted_subject_id}/"
    assert "My draft note" not in world.client("supervisor").get(spread).content.decode()
    # Nor does the principal (the subject) see round ratings on their page before the lock.
    own = world.client("principal").get(f"/people/{world.principal_person.pk}/ratings/?purpose=")
    assert "Seen in the January visit." not in own.content.decode()
    # After submitting, the far supervisor sees the coach's scores, and the coach theirs.
    response = far.post(rate, _form(world, {0: 1, 1: 2}, "Submitted note", "submit"))
    assert response.status_code == 302
    after = far.get(rate).content.decode()
    assert "Seen in the January visit." in after
    assert "Submitted note" in world.client("coach").get(rate).content.decode()
    # The other subject: the coach has not submitted, so sees nothing of anyone's.
    other = f"/rounds/{world.round_id}/subjects/{world.round_subject_id}/rate/"
    far.post(other, _form(world, {0: 4}, "Far on the teacher", "submit"))
    assert "Far on the teacher" not in world.client("coach").get(other).content.decode()


def test_owner_sees_spread_records_consensus_and_locks(world: World) -> None:
    rate = f"/rounds/{world.round_id}/subjects/{world.round_submitted_subject_id}/rate/"
    spread = f"/rounds/{world.round_id}/subjects/{world.round_submitted_subject_id}/"
    world.client("supervisor_far").post(rate, _form(world, {0: 4}, "Far's view", "submit"))
    owner = world.client("supervisor")
    page = owner.get(spread).content.decode()
    coach, far = (user_name(world.users[k]) for k in ("coach", "supervisor_far"))
    assert f"{coach}: Proficient" in page and f"{far}: Exemplary" in page
    # Consensus only once the round has moved on from rating.
    assert owner.post(f"/rounds/{world.round_id}/advance/").status_code == 302
    assert (
        RatingRound.objects.exclude(purpose="selection").get(evaluation=None).state == "consensus"
    )
    response = owner.post(spread, _form(world, {0: 4}, "Agreed", "consensus"))
    assert response.status_code == 302
    consensus = Rating.objects.get(is_consensus=True)
    assert consensus.level.position == 4
    assert "(consensus)" in owner.get(spread).content.decode()
    # Agreement per round, by name.
    detail = owner.get(f"/rounds/{world.round_id}/")
    rows = detail.context["agreement"]["rows"]
    assert [r["raters"] for r in rows] == [tuple(sorted((coach, far)))]
    assert rows[0]["result"].n == 1 and rows[0]["result"].exact == 0.0
    # Lock: every later change is refused, and the attempt audited.
    owner.post(f"/rounds/{world.round_id}/advance/")
    assert RatingRound.objects.exclude(purpose="selection").get(evaluation=None).state == "locked"
    coach = world.client("coach")
    refused = coach.post(
        f"/ratings/{world.rating_id}/correct/",
        {"level": consensus.level_id, "rated_on": "2026-01-20", "evidence": "late"},
    )
    assert "locked round" in refused.content.decode()
    coach.post(f"/ratings/{world.rating_id}/withdraw/")
    assert Rating.objects.get(pk=world.rating_id).evidence == "Seen in the January visit."
    assert AuditEvent.objects.filter(action="rating.change_refused").count() == 2
    assert owner.post(spread, _form(world, {0: 1}, "x", "consensus")).status_code == 200
    assert Rating.objects.get(is_consensus=True).level.position == 4
    # Once locked, the subject reads the round's ratings (an evaluation of their own record).
    own = world.client("principal").get(f"/people/{world.principal_person.pk}/ratings/?purpose=")
    text = own.content.decode()
    assert "Seen in the January visit." in text and "Consensus" in text


def test_a_rater_corrects_and_withdraws_while_the_round_is_open(world: World) -> None:
    coach = world.client("coach")
    _items, levels = _rubric(world)
    coach.post(
        f"/ratings/{world.rating_id}/correct/",
        {"level": levels[2].pk, "rated_on": "2026-01-20", "evidence": "On reflection"},
    )
    rating = Rating.objects.get(pk=world.rating_id)
    assert (rating.level.position, rating.evidence) == (2, "On reflection")
    coach.post(f"/ratings/{world.rating_id}/withdraw/")
    assert not Rating.objects.filter(pk=world.rating_id).exists()
    assert {"rating.correct", "rating.withdraw"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_creating_a_round_names_every_bad_line_and_writes_nothing(world: World) -> None:
    supervisor = world.client("supervisor")
    data = {
        "title": "Winter round",
        "purpose": "evaluation",
        "subject_kind": "person",
        "framework": world.framework_id,
        "subjects": "paula.prince@example.org\nnobody@example.org\nfarid.faraway@example.org",
        "raters": "coach@riverbend.test\nghost@riverbend.test",
        "opens_on": "2026-01-01",
        "closes_on": "2026-12-31",
    }
    response = supervisor.post("/rounds/new/", data)
    text = response.content.decode()
    assert "Line 2: nothing you may include" in text
    assert "Line 3: nothing you may include" in text  # Farid is outside the north network
    assert "Line 2: no active account" in text
    # The world's selection interviews are rounds too (tests/selection/world.py), and so is
    # Paula's evaluation of the world's cycle (tests/evaluations/world.py).
    assert RatingRound.objects.exclude(purpose="selection").filter(evaluation=None).count() == 1
    data["subjects"] = "paula.prince@example.org"
    data["raters"] = "coach@riverbend.test"
    assert supervisor.post("/rounds/new/", data).status_code == 302
    assert "Winter round" in supervisor.get("/rounds/").content.decode()
    assert "Winter round" in world.client("coach").get("/rounds/").content.decode()
    assert "Winter round" not in world.client("principal").get("/rounds/").content.decode()


def test_rounds_rate_schools_and_systems_and_keep_to_their_window(world: World) -> None:
    import datetime

    import pytest
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from trellis.frameworks.services import framework_templates_install
    from trellis.ratings.services import round_create, round_ratings_save

    _leadership, conditions, success, _teacher = framework_templates_install()
    today = datetime.date.today()
    schools = round_create(
        actor=world.users["supervisor"],
        title="Conditions walk",
        purpose="conditions",
        version=conditions,
        subjects=[world.school],
        raters=[world.users["principal"], world.users["supervisor"]],
        opens_on=today + datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=10),
    )
    subject = schools.subjects.get()
    assert subject.subject_school == world.school
    item = conditions.items.filter(descriptors__isnull=False).first()
    assert item is not None
    with pytest.raises(ValidationError, match="takes ratings from"):
        round_ratings_save(
            actor=world.users["principal"],
            round_=schools,
            subject=subject,
            entries=[(item, conditions.levels.get(position=1), "")],
            submit=False,
        )
    # A school outside the supervisor's network may not be put in their round.
    with pytest.raises(Http404):
        round_create(
            actor=world.users["supervisor"],
            title="Too far",
            purpose="conditions",
            version=conditions,
            subjects=[world.other_school],
            raters=[world.users["principal"]],
            opens_on=today,
            closes_on=today,
        )
    system = round_create(
        actor=world.users["leader"],
        title="Success factors 2026",
        purpose="self_assessment",
        version=success,
        subjects=[world.system],
        raters=[world.users["leader"], world.users["admin"]],
        opens_on=today,
        closes_on=today,
    )
    assert system.subjects.get().subject_system == world.system
    # Raters come from the round's system only.
    with pytest.raises(ValidationError, match="Not in this system"):
        round_create(
            actor=world.users["leader"],
            title="With a stranger",
            purpose="self_assessment",
            version=success,
            subjects=[world.system],
            raters=[world.users["leader_b"]],
            opens_on=today,
            closes_on=today,
        )


def test_round_pages_do_not_query_per_subject_or_rating(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trellis.ratings.models import RoundSubject

    owner = world.client("supervisor")
    pages = [
        f"/rounds/{world.round_id}/",
        f"/rounds/{world.round_id}/subjects/{world.round_submitted_subject_id}/",
        "/rounds/",
    ]
    far = world.client("supervisor_far")
    rate = f"/rounds/{world.round_id}/subjects/{world.round_submitted_subject_id}/rate/"
    far.post(rate, _form(world, {0: 2}, "first", "submit"))
    counts = []
    for grow in (False, True):
        if grow:
            round_ = RatingRound.objects.get(pk=world.round_id)
            RoundSubject.objects.bulk_create(
                [RoundSubject(round=round_, subject_person=world.colleague)]
            )
            other = f"/rounds/{world.round_id}/subjects/{world.round_subject_id}/rate/"
            far.post(other, _form(world, {0: 2, 1: 3}, "more", "submit"))
        with CaptureQueriesContext(connection) as queries:
            for page in pages:
                assert owner.get(page).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_your_ratings_follow_the_rubric_order(world: World) -> None:
    # Found by the browser walk: "Your ratings" ran 1.1, 2.1, 3.1 … instead of 1.1, 1.2 ….
    from trellis.frameworks.selectors import rubric_grid

    rate = f"/rounds/{world.round_id}/subjects/{world.round_subject_id}/rate/"
    far = world.client("supervisor_far")
    items, _levels = _rubric(world)
    far.post(rate, _form(world, dict.fromkeys(range(len(items)), 2), "all", "draft"))
    mine = far.get(rate).context["mine"]
    version = RatingRound.objects.get(pk=world.round_id).version
    tree = [row["item"].pk for row in rubric_grid(version)[1]]
    got = [r.item_id for r in mine]
    assert len(got) == len(items) >= 2
    assert got == [pk for pk in tree if pk in set(got)]
