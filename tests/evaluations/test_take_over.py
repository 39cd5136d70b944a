"""An unsigned evaluation after the supervisor changes (issue 10, the stop-23 walk's serious
finding; docs/decisions.md, 2026-12-01). Eve conducts Paula's evaluation by her evaluation
assignment and has drafted the summative ratings; then her assignment ends. Nobody could finish
the evaluation: Eve no longer reads it, Sam (Paula's supervisor, now her evaluator) read it and
could not act. Sam takes it over: he becomes its evaluator and a rater of its round, the stages
done stay done, Eve's drafts go; he rates, signs off, and Paula acknowledges."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.evaluations.test_api_stages import ratings
from tests.evaluations.test_cycle import rubric_data
from tests.evaluations.world import evaluation_of, rated_in_full
from tests.matrix import row_counts
from trellis.assignments.models import Assignment
from trellis.assignments.services import assignment_end
from trellis.authz.roles import Relationship
from trellis.core.models import AuditEvent
from trellis.evaluations.models import Evaluation, Stage
from trellis.evaluations.selectors import competencies
from trellis.ratings.models import Rating, RoundRater


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


def _end(world: World, kind: str, who: str) -> None:
    assignment = Assignment.objects.get(
        kind=kind,
        supporter=world.users[who].person,
        assignee=world.principal_person,
        ends_on__isnull=True,
    )
    assignment_end(actor=None, assignment=assignment)


def _eve_moved_on(world: World) -> Evaluation:
    """Paula's evaluation up to Eve's summative drafts, then Eve's evaluation assignment ended
    (Sam, Paula's supervisor, is her evaluator now)."""
    rated_in_full(world)
    _end(world, Relationship.EVALUATION, "evaluator")
    return evaluation_of(world)


def test_the_new_evaluator_takes_over_and_finishes_it(world: World) -> None:
    evaluation = _eve_moved_on(world)
    pk = evaluation.pk
    eve, sam = world.users["evaluator"], world.users["supervisor"]
    assert Rating.objects.filter(round_id=evaluation.round_id, rater=eve, is_draft=True).exists()
    sam_client = world.client("supervisor")
    # On Sam's home page, with a link to it.
    home = sam_client.get("/").content.decode()
    assert "To take over" in home and f'href="/evaluations/{pk}/#handover"' in home
    # Before he takes it over he reads it and cannot act (as before).
    page = sam_client.get(f"/evaluations/{pk}/").content.decode()
    assert "Take over this evaluation" in page and f"/evaluations/{pk}/take-over/" in page
    assert f"/evaluations/{pk}/summative/" not in page
    assert sam_client.post(f"/evaluations/{pk}/mid-year/", {"notes": "x"}).status_code == 403

    taken = sam_client.post(f"/evaluations/{pk}/take-over/")
    assert taken.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.evaluator_id == sam.person_id
    assert evaluation.midyear_notes == "Halfway there."  # the stages done stay done
    assert evaluation.stage == Stage.SUMMATIVE
    raters = set(
        RoundRater.objects.filter(round_id=evaluation.round_id).values_list("rater_id", flat=True)
    )
    assert sam.pk in raters and eve.pk not in raters
    assert not Rating.objects.filter(round_id=evaluation.round_id, rater=eve).exists()
    event = AuditEvent.objects.filter(action="evaluation.take_over").get()
    assert event.actor_id == sam.pk
    drafted = len(competencies(evaluation.cycle.version)[1])  # one per competency
    assert event.after == {"evaluator": sam.person.full_name, "drafts_discarded": drafted}
    assert AuditEvent.objects.filter(action="round.rater_replace").count() == 1
    # Off the home panel's list; the page offers him the summative form.
    page = sam_client.get(f"/evaluations/{pk}/").content.decode()
    assert "Take over this evaluation" not in page and 'id="handover"' not in page
    assert f"/evaluations/{pk}/summative/" in page
    assert "To take over" not in sam_client.get("/").content.decode()

    # He rates, signs off; Paula acknowledges.
    saved = sam_client.post(f"/evaluations/{pk}/summative/", rubric_data(evaluation, "summative"))
    assert saved.status_code == 302
    assert sam_client.post(f"/evaluations/{pk}/sign-off/").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.is_locked and evaluation.signed_off_by_id == sam.pk
    paula = world.client("principal")
    assert paula.post(f"/evaluations/{pk}/acknowledge/", {"response": ""}).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.stage == Stage.COMPLETE
    # Eve, who no longer sees Paula and did not sign it, does not read it.
    assert world.client("evaluator").get(f"/evaluations/{pk}/").status_code == 404


def test_only_the_current_evaluator_takes_it_over(world: World) -> None:
    rated_in_full(world)
    pk = evaluation_of(world).pk
    url = f"/evaluations/{pk}/take-over/"
    before = row_counts()
    # While Eve's assignment lasts she is its evaluator: Sam reads it, is not the one (403).
    assert world.client("supervisor").post(url).status_code == 403
    page = world.client("evaluator").get(f"/evaluations/{pk}/").content.decode()
    assert 'id="handover"' not in page
    refused = world.client("evaluator").post(url)
    assert refused.status_code == 409
    assert "evaluator already" in refused.content.decode()
    assert row_counts() == before

    _end(world, Relationship.EVALUATION, "evaluator")
    before = row_counts()
    for who, status in (
        ("coach", 403),  # sees Paula, not her evaluation
        ("admin", 403),  # follows the cycle's progress only
        ("principal", 403),  # Paula herself
        ("supervisor_south", 404),  # a supervisor who does not see Paula
        ("admin_b", 404),  # another system
        ("evaluator", 404),  # Eve no longer sees Paula
    ):
        assert world.client(who).post(url).status_code == status, who
    assert row_counts() == before
    # Those who read it are told who takes it over; nobody but Sam is offered the button.
    for who in ("admin", "principal"):
        page = world.client(who).get(f"/evaluations/{pk}/").content.decode()
        assert "no longer evaluates or supervises" in page, who
        assert world.users["supervisor"].person.full_name in page, who
        assert "Take over this evaluation" not in page, who


def test_once_signed_off_nobody_takes_it_over(world: World) -> None:
    evaluation = _eve_moved_on(world)
    sam = world.client("supervisor")
    assert sam.post(f"/evaluations/{evaluation.pk}/take-over/").status_code == 302
    sam.post(f"/evaluations/{evaluation.pk}/summative/", rubric_data(evaluation, "summative"))
    assert sam.post(f"/evaluations/{evaluation.pk}/sign-off/").status_code == 302
    # Sam's supervision ends and Sid's begins: the signed evaluation stays Sam's.
    from django.utils import timezone

    from trellis.assignments.services import assignment_create

    _end(world, Relationship.SUPERVISION, "supervisor")
    assignment_create(
        actor=None,
        kind=Relationship.SUPERVISION,
        supporter=world.users["supervisor_south"].person,
        assignee=world.principal_person,
        starts_on=timezone.localdate(),
    )
    sid = world.client("supervisor_south")
    page = sid.get(f"/evaluations/{evaluation.pk}/").content.decode()
    assert 'id="handover"' not in page
    refused = sid.post(f"/evaluations/{evaluation.pk}/take-over/")
    assert refused.status_code == 409
    assert "is locked: the evaluator can no longer change." in refused.content.decode()
    assert AuditEvent.objects.filter(
        action="evaluation.change_refused", after__attempt="evaluator"
    ).exists()
    evaluation.refresh_from_db()
    assert evaluation.evaluator_id == world.users["supervisor"].person_id


def test_nobody_assigned_says_so(world: World) -> None:
    evaluation = _eve_moved_on(world)
    _end(world, Relationship.SUPERVISION, "supervisor")
    page = world.client("admin").get(f"/evaluations/{evaluation.pk}/").content.decode()
    assert "someone is assigned to evaluate or supervise" in page
    assert 'href="/assignments/new/"' in page  # the administrator assigns them
    paula = world.client("principal").get(f"/evaluations/{evaluation.pk}/").content.decode()
    assert "the system's administrators assign them" in paula
    assert 'href="/assignments/new/"' not in paula
    got = world.client("admin").get(f"/api/v1/evaluations/{evaluation.pk}").json()
    assert got["awaits_take_over"] is True and got["current_evaluator_id"] is None


def test_the_api_takes_it_over(world: World) -> None:
    evaluation = _eve_moved_on(world)
    sam = world.client("supervisor")
    url = f"/api/v1/evaluations/{evaluation.pk}"
    got = sam.get(url).json()
    assert got["awaits_take_over"] is True and got["you_take_over"] is True
    assert got["current_evaluator_id"] == world.users["supervisor"].person_id
    assert world.client("principal").get(url).json()["you_take_over"] is False
    asked = sam.get(f"{url}/take-over").json()
    assert asked["you_take_over"] is True
    assert asked["evaluator_id"] == world.users["evaluator"].person_id
    assert world.client("coach").post(f"{url}/take-over").status_code == 403
    assert world.client("admin_b").post(f"{url}/take-over").status_code == 404
    taken = sam.post(f"{url}/take-over")
    assert taken.status_code == 200
    body = taken.json()
    assert body["evaluator_id"] == world.users["supervisor"].person_id
    assert body["awaits_take_over"] is False and body["midyear_notes"] == "Halfway there."
    again = sam.post(f"{url}/take-over")
    assert again.status_code == 409 and "evaluator already" in again.json()["detail"]
    saved = sam.post(f"{url}/summative", ratings(world), content_type="application/json")
    assert saved.status_code == 200
    assert sam.post(f"{url}/sign-off").status_code == 200


def test_another_evaluator_assigned_while_hers_lasts_leaves_it_hers(world: World) -> None:
    """The walk assigned a second evaluator while the first one's assignment lasted: every
    reader was told she "no longer evaluates" and the newcomer was offered the take-over, while
    she could still sign it off. While any assignment of hers to the evaluatee lasts, she
    finishes what she began: no notice, no take-over."""
    from django.utils import timezone

    from trellis.assignments.services import assignment_create

    rated_in_full(world)
    pk = evaluation_of(world).pk
    assignment_create(
        actor=None,
        kind=Relationship.EVALUATION,
        supporter=world.users["supervisor_south"].person,
        assignee=world.principal_person,
        starts_on=timezone.localdate(),
    )
    sid = world.client("supervisor_south")
    page = sid.get(f"/evaluations/{pk}/").content.decode()
    assert 'id="handover"' not in page and "Take over this evaluation" not in page
    assert "To take over" not in sid.get("/").content.decode()
    assert sid.post(f"/evaluations/{pk}/take-over/").status_code == 403
    assert sid.get(f"/api/v1/evaluations/{pk}").json()["awaits_take_over"] is False
    eve = world.client("evaluator")
    assert 'id="handover"' not in eve.get(f"/evaluations/{pk}/").content.decode()
    assert eve.post(f"/evaluations/{pk}/sign-off/").status_code == 302


def test_the_list_filters_and_exports_the_evaluations_awaiting_take_over(world: World) -> None:
    # An administrator (the system's evaluation progress) finds the evaluations nobody can
    # finish until their new evaluator takes them over, on the list and in its export.
    evaluation = evaluation_of(world)
    admin = world.client("admin")
    before = admin.get("/evaluations/").content.decode()
    assert 'name="awaiting"' not in before  # nothing awaits: no filter to offer
    evaluation = _eve_moved_on(world)
    listing = admin.get("/evaluations/").content.decode()
    assert 'name="awaiting"' in listing and "awaiting take-over" in listing
    awaiting = admin.get("/evaluations/?awaiting=1")
    assert [e.pk for e in awaiting.context["object_list"]] == [evaluation.pk]
    export = admin.get("/evaluations/?awaiting=1&format=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert body[0].endswith(",Awaiting take-over") and body[1].endswith(",yes")
    world.client("supervisor").post(f"/evaluations/{evaluation.pk}/take-over/")
    assert list(admin.get("/evaluations/?awaiting=1").context["object_list"]) == []
