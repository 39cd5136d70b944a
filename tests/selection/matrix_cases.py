"""The selection pages and API operations in the role matrix (tests/matrix.py adds them).

The roles (tests/selection/world.py): the cohort's committee (`committee`; `chair` also
manages the program), the program's manager who is not on the committee (`programs`: 403 on
deliberations), the manager of another program (`pm_other`: 404), an interviewer of another
applicant (`panel_other`: 404 on Tomas's application), the applicant (`teacher`), one of his
panel (`panel_a`), another system (`admin_b`) and people with no part in it."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tests.conftest import World
from tests.matrix import Case
from tests.selection.world import pdf


def _s(w: World, key: str) -> Any:
    return w.selection[key]


def app_url(tail: str = "") -> Any:
    return lambda w: f"/selection/applications/{_s(w, 'application')}/{tail}"


def cycle_url(tail: str = "") -> Any:
    return lambda w: f"/selection/{_s(w, 'cycle')}/{tail}"


def new_cohort(w: World) -> int:
    from trellis.programs.models import Cohort
    from trellis.programs.services import cohort_create

    found = Cohort.objects.filter(program_id=_s(w, "program"), name="Later cohort").first()
    if found is None:
        found = cohort_create(
            actor=None,
            program=Cohort.objects.get(pk=_s(w, "cohort")).program,
            name="Later cohort",
            school_year=2030,
            starts_on=datetime.date(2030, 7, 1),
            ends_on=datetime.date(2031, 6, 30),
        )
    return int(found.pk)


def cycle_data(w: World) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "title": "Selection edited",
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=30)).isoformat(),
        "instructions": "Apply by the deadline.",
        "questions": "Why lead?\n(optional) Anything else?",
        "uploads": "Résumé (document, required)",
    }


def new_cycle_data(w: World) -> dict[str, Any]:
    return {**cycle_data(w), "cohort": new_cohort(w)}


def letters_data(w: World) -> dict[str, Any]:
    data = {}
    for outcome in ("admit", "waitlist", "decline"):
        data[f"{outcome}_subject"] = "Your application to {program}"
        data[f"{outcome}_body"] = f"Dear {{name}}, {outcome}."
    return data


def apply_data(w: World) -> dict[str, Any]:
    return {
        "answer_0": "To lead learning.",
        "track_record": "Math growth of 1.4 years per year, 2023-2025 (state assessment).",
        "principal_name": "Paula Prince",
        "principal_email": "paula.prince@example.org",
        "file_0": pdf(),
    }


def decide(w: World) -> None:
    """Setup: the committee has admitted Tomas (no letter yet)."""
    from trellis.selection.models import Application, Decision
    from trellis.selection.services import decision_record

    if not Decision.objects.filter(application_id=_s(w, "application")).exists():
        decision_record(
            actor=None,
            application=Application.objects.get(pk=_s(w, "application")),
            outcome="admit",
            reason="Strongest interview.",
            seen_version=0,
        )


def decide_and_send(w: World) -> None:
    """Setup: Tomas is admitted and his letter has gone."""
    from trellis.selection.models import Decision

    decide(w)
    Decision.objects.filter(application_id=_s(w, "application")).update(
        letter_sent_at=timezone.now()
    )


def interview_url(tail: str) -> Any:
    def url(w: World) -> str:
        from trellis.selection.models import Interview

        interview = Interview.objects.get(round_id=_s(w, "round"))
        return f"/selection/applications/{_s(w, 'application')}/interviews/{interview.pk}/{tail}"

    return url


def to_consensus(w: World) -> None:
    """Tomas's interview has left scoring for consensus."""
    from trellis.ratings.models import RatingRound

    RatingRound.objects.filter(pk=_s(w, "round")).update(state=RatingRound.State.CONSENSUS)


def consensus_data(w: World) -> dict[str, Any]:
    """The consensus form, with Tomas's interview moved to consensus first (here rather than
    in a setup, so that the URL walker reads this Case's URL)."""
    from tests.selection.world import competencies
    from trellis.selection.models import Interview, SelectionCycle

    to_consensus(w)
    version = SelectionCycle.objects.get(pk=_s(w, "cycle")).version
    item = competencies(version)[0]
    interview = Interview.objects.get(round_id=_s(w, "round"))
    return {
        f"level_{item.pk}": str(version.levels.get(position=3).pk),
        "seen_version": interview.consensus_version,
    }


SELECTION_CASES: list[Case] = [
    Case(
        "selection_home",
        lambda w: "/selection/",
        right="committee",
        wrong="analyst",
        wrong_status=200,  # everyone has the page: open programs and their own applications
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Leadership Residency selection",
    ),
    Case(
        "selection_home",
        lambda w: "/selection/",
        right="programs",
        wrong="analyst",
        wrong_status=200,
        outsider="pm_other",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Leadership Residency selection",
        label="another program",
    ),
    Case(
        "selection_cycle_new",
        lambda w: "/selection/new/",
        right="programs",
        wrong="committee",
        outsider="admin_b",
        outsider_status=200,  # manages their own system's programs; this cohort is not offered
        method="POST",
        data=new_cycle_data,
        right_status=302,
        get_status=200,
    ),
    Case(
        "selection_cycle",
        cycle_url(),
        right="committee",
        wrong="leader",
        outsider="pm_other",
        exports=("csv", "xlsx"),  # the ranked slate
    ),
    Case(
        "selection_cycle",
        cycle_url(),
        right="programs",  # the form and letters, not the slate
        wrong="analyst",
        wrong_status=404,  # sees no program at all
        outsider="admin_b",
        label="manager",
    ),
    Case(
        "selection_cycle_edit",
        cycle_url("edit/"),
        right="programs",
        wrong="committee",
        outsider="pm_other",
        method="POST",
        data=cycle_data,
        right_status=302,
        get_status=200,
    ),
    Case(
        "selection_letters",
        cycle_url("letters/"),
        right="programs",
        wrong="committee",
        outsider="pm_other",
        method="POST",
        data=letters_data,
        right_status=302,
        get_status=200,
    ),
    Case(
        "selection_invite",
        cycle_url("invite/"),
        right="programs",
        wrong="committee",
        outsider="pm_other",
        method="POST",
        data=lambda w: {"emails": w.far_person.email},
        right_status=302,
        get_status=200,
    ),
    Case(
        "selection_agreement",
        cycle_url("agreement/"),
        right="committee",
        wrong="programs",
        outsider="pm_other",
    ),
    Case(
        "selection_agreement",
        cycle_url("agreement/"),
        right="committee",
        wrong="panel_a",  # scores the interview; the committee's figures are not theirs
        wrong_status=404,
        outsider="admin_b",
        label="another system",
    ),
    Case(
        "selection_send_letters",
        cycle_url("send-letters/"),
        right="committee",
        wrong="programs",
        outsider="pm_other",
        method="POST",
        right_status=302,
        get_status=200,
        setup=decide,
    ),
    Case(
        "selection_enrol",
        cycle_url("enrol/"),
        right="chair",
        wrong="programs",
        outsider="pm_other",
        method="POST",
        right_status=302,
        get_status=200,
        setup=decide_and_send,
    ),
    Case(
        "selection_apply",
        cycle_url("apply/"),
        right="principal",  # a member of staff of the system who has not applied
        wrong="leader",  # sees the program, has no staff record to apply with
        outsider="admin_b",
        method="POST",
        data=apply_data,
        right_status=302,
        get_status=200,
    ),
    Case(
        "selection_application",
        app_url(),
        right="committee",
        wrong="programs",
        outsider="pm_other",
    ),
    Case(
        "selection_application",
        app_url(),
        right="teacher",  # the applicant
        wrong="leader",
        outsider="panel_other",  # interviews another applicant
        unrelated="panel_other",
        label="applicant",
    ),
    Case(
        "selection_application",
        app_url(),
        right="panel_a",  # on the applicant's panel
        wrong="programs",
        outsider="admin_b",
        label="interviewer",
    ),
    Case(
        "selection_interview_advance",
        interview_url("advance/"),
        right="chair",  # a committee member who did not schedule the interview
        wrong="programs",
        outsider="pm_other",
        method="POST",
        data=lambda w: {"state": "open"},
        right_status=302,
        get_status=302,
    ),
    Case(
        "selection_consensus",
        interview_url("consensus/"),
        right="chair",
        wrong="panel_a",  # scores the interview; the consensus is the committee's
        outsider="pm_other",
        method="POST",
        data=consensus_data,
        right_status=302,
        get_status=302,
    ),
    Case(
        "selection_file",
        lambda w: f"/selection/applications/{_s(w, 'application')}/files/{_s(w, 'file')}/",
        right="committee",
        wrong="programs",
        outsider="panel_other",
    ),
    Case(
        "selection_withdraw",
        app_url("withdraw/"),
        right="teacher",
        wrong="committee",  # the committee does not withdraw an applicant
        outsider="panel_other",
        method="POST",
        right_status=302,
        get_status=200,
        wrong_get_status=403,
    ),
    Case(
        "selection_request_again",
        app_url("recommendation/"),
        right="teacher",
        wrong="committee",
        outsider="pm_other",
        method="POST",
        right_status=302,
        get_status=302,
    ),
    Case(
        "selection_screen",
        app_url("screen/"),
        right="committee",
        wrong="programs",
        outsider="pm_other",
        method="POST",
        data=lambda w: {"outcome": "hold", "note": "Check references."},
        right_status=302,
        get_status=302,
    ),
    Case(
        "selection_screen",
        app_url("screen/"),
        right="committee",
        wrong="panel_a",  # interviews him; screening is the committee's
        outsider="admin_b",
        method="POST",
        data=lambda w: {"outcome": "hold", "note": "Check references."},
        right_status=302,
        label="interviewer",
        get_status=302,
    ),
    Case(
        "selection_interview",
        app_url("interview/"),
        right="committee",
        wrong="programs",
        outsider="pm_other",
        method="POST",
        data=lambda w: {
            "held_on": timezone.localdate().isoformat(),
            "raters": "panel_a@riverbend.test\npanel_other@riverbend.test",
        },
        right_status=302,
        get_status=302,
    ),
    Case(
        "selection_decide",
        app_url("decide/"),
        right="committee",
        wrong="programs",
        outsider="pm_other",
        method="POST",
        data=lambda w: {
            "outcome": "waitlist",
            "reason": "Strong; fewer places.",
            "seen_version": 0,
        },
        right_status=302,
        get_status=302,
    ),
    Case(
        "selection_decide",
        app_url("decide/"),
        right="committee",
        wrong="teacher",  # the applicant does not decide on himself
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "outcome": "waitlist",
            "reason": "Strong; fewer places.",
            "seen_version": 0,
        },
        right_status=302,
        label="applicant",
        get_status=302,
    ),
    Case(
        "api:selection_applications",
        lambda w: f"/api/v1/selection/cycles/{_s(w, 'cycle')}/applications",
        right="committee",
        wrong="programs",
        outsider="pm_other",
        api=True,
    ),
    Case(
        "api:selection_application",
        lambda w: f"/api/v1/selection/applications/{_s(w, 'application')}",
        right="committee",
        wrong="programs",
        outsider="panel_other",
        api=True,
    ),
]
