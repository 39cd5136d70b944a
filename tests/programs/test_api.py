"""The programs API: the same scopes and the same withheld figures as the pages."""

from __future__ import annotations

from tests.conftest import World


def test_api_lists_only_the_callers_programs_and_cohorts(world: World) -> None:
    pm = world.client("pm")
    programs = pm.get("/api/v1/programs").json()
    assert [p["name"] for p in programs["items"]] == ["Aspiring Principals"]
    cohorts = pm.get("/api/v1/cohorts?state=active").json()
    assert [c["name"] for c in cohorts["items"]] == ["Cohort 1"]
    assert pm.get("/api/v1/cohorts?state=zzz").status_code == 422
    assert pm.get(f"/api/v1/cohorts/{world.other_cohort_id}").status_code == 404


def test_api_participants_carry_progress_and_figures_are_withheld(world: World) -> None:
    pm = world.client("pm")
    rows = pm.get(f"/api/v1/cohorts/{world.cohort_id}/participants").json()
    paula = next(r for r in rows if r["person_id"] == world.principal_person.pk)
    assert paula["experiences_total"] == 2 and paula["experiences_done"] == 0
    assert paula["behind"] is True and paula["milestones_overdue"] == 1
    figures = pm.get(f"/api/v1/cohorts/{world.cohort_id}/figures").json()
    # Two participants: every count and rate is withheld, and named as such.
    assert figures["participants"] is None and figures["completion_rate"] is None
    assert "participants" in figures["suppressed"] and "completion_rate" in figures["suppressed"]
    across = pm.get(f"/api/v1/programs/{world.program_id}/figures").json()
    assert across[-1]["group"] == "All cohorts of Aspiring Principals"
    assert across[-1]["participants"] is None
