"""Role-matrix Cases of the evaluation-cycle pages and API (added to tests/matrix.py's CASES).

Who is who (tests/conftest.py, tests/coaching/world.py, tests/evaluations/world.py): `evaluator`
(Eve) conducts Paula's evaluation; `supervisor` (Sam) supervises Paula and reads it (the chain
above) without conducting it (403 on the evaluator's writes); `principal` is Paula, the
evaluatee; `coach` (Cami) coaches Paula, sees her record and not her evaluation (403);
`supervisor_south` (Sid) is a supervisor who is not Paula's evaluator or supervisor (right role,
wrong relationship: 404); `admin_b` is another system (404); `admin` configures cycles."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.evaluations.world import (
    evaluation_of,
    goals_set,
    handed_over,
    handed_over_id,
    midyear_done,
    offline_evaluation_id,
    offline_signed_off,
    rated_in_full,
    self_assessed,
    signed_off,
)
from tests.matrix import Case


def evaluation(w: World, tail: str = "") -> str:
    return f"/evaluations/{w.coaching['evaluation']}/{tail}"


def rubric(w: World, prefix: str) -> dict[str, Any]:
    from trellis.evaluations.selectors import competencies

    levels, rows = competencies(evaluation_of(w).cycle.version)
    data: dict[str, Any] = {}
    for row in rows:
        data[f"{prefix}-level_{row['item'].pk}"] = str(levels[-1].pk)
        data[f"{prefix}-evidence_{row['item'].pk}"] = "Seen in the spring walkthroughs"
    return data


def cycle_data(w: World) -> dict[str, Any]:
    from django.utils import timezone

    from tests.evaluations.world import cycle_dates, world_version

    return {
        "title": "Principal evaluation, second cycle",
        "school_year": "2027-28",
        "population": "principal",
        "version": str(world_version(w).pk),
        **{k: v.isoformat() for k, v in cycle_dates(timezone.localdate()).items()},
    }


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def api_ratings(w: World) -> dict[str, Any]:
    """A rating with evidence on every competency of Paula's cycle, as the API takes them."""
    from trellis.evaluations.selectors import competencies

    levels, rows = competencies(evaluation_of(w).cycle.version)
    return {
        "ratings": [
            {"competency_id": row["item"].pk, "level_id": levels[-1].pk, "evidence": "Seen"}
            for row in rows
        ]
    }


GET_ROUTES = {
    "self-assessment": "get_evaluation_self_assessment",
    "goals": "get_evaluation_goals",
    "mid-year": "get_evaluation_midyear",
    "summative": "get_evaluation_summative",
    "sign-off": "get_evaluation_sign_off",
    "acknowledgement": "get_evaluation_acknowledgement",
}


def _stage_cases(
    tail: str,
    post_route: str,
    *,
    right: str,
    wrong: str,
    wrong_reads: bool,
    data: Any,
    setup: Any,
) -> list[Case]:
    """The GET and the POST of one stage's API path."""
    return [
        Case(
            f"api:{GET_ROUTES[tail]}",
            lambda w: f"/api/v1/evaluations/{w.coaching['evaluation']}/{tail}",
            right="supervisor",  # the chain above reads every stage
            wrong="coach",
            outsider="nobody",
            unrelated="supervisor_south",
            api=True,
            setup=setup,
        ),
        Case(
            f"api:{post_route}",
            lambda w: f"/api/v1/evaluations/{w.coaching['evaluation']}/{tail}",
            right=right,
            wrong=wrong,
            outsider="admin_b",
            method="POST",
            data=data,
            right_status=200,
            get_status=200,
            wrong_get_status=200 if wrong_reads else None,
            unrelated="supervisor_south",
            api=True,
            setup=setup,
        ),
    ]


EVALUATION_CASES: list[Case] = [
    Case(
        "evaluations",
        lambda w: "/evaluations/",
        right="evaluator",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula Prince",
        exports=("csv", "xlsx"),
    ),
    Case(
        "evaluations",
        lambda w: "/evaluations/",
        right="principal",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula Prince",
        exports=("csv", "xlsx"),
        label="the evaluatee",
    ),
    Case(
        "evaluation",
        lambda w: evaluation(w),
        right="evaluator",
        wrong="coach",
        outsider="admin_b",
        unrelated="supervisor_south",
    ),
    Case(
        "evaluation",
        lambda w: evaluation(w),
        right="supervisor",
        wrong="leader",
        outsider="admin_b",
        label="the supervisor above",
    ),
    Case(
        "evaluation",
        lambda w: evaluation(w),
        right="principal",
        wrong="coach",
        outsider="admin_b",
        label="the evaluatee",
    ),
    Case(
        "evaluation_self",
        lambda w: evaluation(w, "self-assessment/"),
        right="principal",
        wrong="evaluator",  # reads it, does not assess herself for Paula
        outsider="admin_b",
        method="POST",
        data=lambda w: rubric(w, "self"),
        right_status=302,
        get_status=302,
        unrelated="supervisor_south",
    ),
    Case(
        "evaluation_goals",
        lambda w: evaluation(w, "goals/"),
        right="principal",
        wrong="coach",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"goal_1_text": "Lead the data team"},
        right_status=302,
        get_status=302,
        unrelated="supervisor_south",
        setup=self_assessed,
    ),
    Case(
        "evaluation_midyear",
        lambda w: evaluation(w, "mid-year/"),
        right="evaluator",
        wrong="supervisor",  # the chain above reads, the evaluator writes
        outsider="admin_b",
        method="POST",
        data=lambda w: {"notes": "Halfway: the data meetings run weekly."},
        right_status=302,
        get_status=302,
        unrelated="supervisor_south",
        setup=goals_set,
    ),
    Case(
        "evaluation_summative",
        lambda w: evaluation(w, "summative/"),
        right="evaluator",
        wrong="coach",
        outsider="admin_b",
        method="POST",
        data=lambda w: rubric(w, "summative"),
        right_status=302,
        get_status=302,
        unrelated="supervisor_south",
        setup=midyear_done,
    ),
    Case(
        "evaluation_sign_off",
        lambda w: evaluation(w, "sign-off/"),
        right="evaluator",
        wrong="supervisor",
        outsider="admin_b",
        method="POST",
        data=lambda w: {},
        right_status=302,
        get_status=302,
        unrelated="supervisor_south",
        setup=rated_in_full,
    ),
    Case(
        "evaluation_acknowledge",
        lambda w: evaluation(w, "acknowledge/"),
        right="principal",
        wrong="evaluator",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"response": "Read, with thanks."},
        right_status=302,
        get_status=302,
        unrelated="supervisor_south",
        setup=signed_off,
    ),
    # Administrators follow an evaluation's progress, not its content (tests/evaluations/
    # test_read_policy.py checks what the page, the export and the API withhold).
    Case(
        "evaluation",
        lambda w: evaluation(w),
        right="admin",
        wrong="coach",
        outsider="admin_b",
        label="the administrator: progress only",
    ),
    # The evaluator records the paper acknowledgement of an evaluatee without an account.
    Case(
        "evaluation_acknowledge_on_paper",
        lambda w: f"/evaluations/{offline_evaluation_id(w)}/acknowledge-on-paper/",
        right="evaluator",
        wrong="supervisor",  # a supervisor of the network, not Abe's evaluator: sees, may not
        outsider="admin_b",
        method="POST",
        data=lambda w: {"signed_on": _today(), "response": ""},
        right_status=302,
        get_status=302,
        unrelated="supervisor_south",
        setup=offline_signed_off,
    ),
    # An unsigned evaluation whose evaluator's assignment ended: Sam, Hal's evaluator now, takes
    # it over; the administrator follows its progress (403); Sid does not see Hal (404).
    Case(
        "evaluation_take_over",
        lambda w: f"/evaluations/{handed_over_id(w)}/take-over/",
        right="supervisor",
        wrong="admin",
        outsider="admin_b",
        method="POST",
        data=lambda w: {},
        right_status=302,
        get_status=302,
        unrelated="supervisor_south",
        setup=handed_over,
    ),
    Case(
        "evaluation_cycles",
        lambda w: "/evaluations/cycles/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Principal evaluation",
        exports=("csv", "xlsx"),
    ),
    Case(
        "evaluation_cycle_new",
        lambda w: "/evaluations/cycles/new/",
        right="admin",
        wrong="supervisor",
        outsider="leader_b",
        outsider_status=403,
        method="POST",
        data=cycle_data,
        right_status=302,
        get_status=200,
    ),
    # The API.
    Case(
        "api:list_evaluations",
        lambda w: "/api/v1/evaluations",
        right="evaluator",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula",
        api=True,
    ),
    Case(
        "api:get_evaluation",
        lambda w: f"/api/v1/evaluations/{w.coaching['evaluation']}",
        right="evaluator",
        wrong="coach",
        outsider="admin_b",
        unrelated="supervisor_south",
        api=True,
    ),
    # The API of the stages: each path a GET (the stage: due, done, open or not yet open and
    # why) and a POST (the action, through the same service as the page). The GET's Case asks
    # an account of the system without any role as its outsider; the POST's, another system.
    *_stage_cases(
        "self-assessment",
        "submit_evaluation_self_assessment",
        right="principal",
        wrong="evaluator",  # reads it; the evaluatee assesses herself
        wrong_reads=True,
        data=api_ratings,
        setup=None,
    ),
    *_stage_cases(
        "goals",
        "save_evaluation_goals",
        right="principal",
        wrong="coach",
        wrong_reads=False,
        data=lambda w: {"goals": [{"text": "Lead the data team", "competency_ids": []}]},
        setup=self_assessed,
    ),
    *_stage_cases(
        "mid-year",
        "record_evaluation_midyear",
        right="evaluator",
        wrong="supervisor",  # the chain above reads, the evaluator writes
        wrong_reads=True,
        data=lambda w: {"notes": "Halfway: the data meetings run weekly."},
        setup=goals_set,
    ),
    *_stage_cases(
        "summative",
        "save_evaluation_summative",
        right="evaluator",
        wrong="coach",
        wrong_reads=False,
        data=api_ratings,
        setup=midyear_done,
    ),
    *_stage_cases(
        "sign-off",
        "sign_off_evaluation",
        right="evaluator",
        wrong="supervisor",
        wrong_reads=True,
        data=lambda w: {},
        setup=rated_in_full,
    ),
    Case(
        "api:take_over_evaluation",
        lambda w: f"/api/v1/evaluations/{handed_over_id(w)}/take-over",
        right="supervisor",
        wrong="admin",
        outsider="admin_b",
        method="POST",
        data=lambda w: {},
        right_status=200,
        get_status=200,
        wrong_get_status=200,  # follows its progress: reads whether it awaits a take-over
        unrelated="supervisor_south",
        api=True,
        setup=handed_over,
    ),
    Case(
        "api:get_evaluation_take_over",
        lambda w: f"/api/v1/evaluations/{handed_over_id(w)}/take-over",
        right="supervisor",
        wrong="principal",  # sees Hal, a colleague at her school, not his evaluation
        outsider="nobody",
        unrelated="supervisor_south",
        api=True,
        setup=handed_over,
    ),
    Case(
        "api:get_evaluation_paper_acknowledgement",
        lambda w: f"/api/v1/evaluations/{offline_evaluation_id(w)}/paper-acknowledgement",
        right="evaluator",
        wrong="supervisor",
        outsider="nobody",
        unrelated="supervisor_south",
        api=True,
        setup=offline_signed_off,
    ),
    Case(
        "api:record_evaluation_paper_acknowledgement",
        lambda w: f"/api/v1/evaluations/{offline_evaluation_id(w)}/paper-acknowledgement",
        right="evaluator",
        wrong="supervisor",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"signed_on": _today(), "response": "Signed, with a note."},
        right_status=200,
        get_status=200,
        wrong_get_status=None,
        unrelated="supervisor_south",
        api=True,
        setup=offline_signed_off,
    ),
    *_stage_cases(
        "acknowledgement",
        "acknowledge_evaluation",
        right="principal",
        wrong="evaluator",
        wrong_reads=True,
        data=lambda w: {"response": "Read, with thanks."},
        setup=signed_off,
    ),
]
