"""A program's team through its page: an administrator appoints a selection committee member
on one cohort, the page lists them, and ending the grant takes them off."""

from __future__ import annotations

from tests.conftest import World
from trellis.authz.models import Grant
from trellis.core.models import AuditEvent


def test_admin_appoints_a_committee_member_on_a_cohort_and_ends_it(world: World) -> None:
    admin = world.client("admin")
    page = admin.get(f"/programs/{world.program_id}/").content.decode()
    assert f'href="/programs/{world.program_id}/team/new/"' in page

    response = admin.post(
        f"/programs/{world.program_id}/team/new/",
        {
            "email": "LEADER@riverbend.test",
            "role": "selection_committee",
            "cohort": world.cohort_id,
        },
    )
    assert response.status_code == 302
    grant = Grant.objects.get(user__email="leader@riverbend.test", role="selection_committee")
    assert (grant.program_id, grant.cohort_id) == (world.program_id, world.cohort_id)
    assert AuditEvent.objects.filter(action="grant.create", object_id=str(grant.pk)).exists()
    page = admin.get(f"/programs/{world.program_id}/").content.decode()
    assert "Selection committee member" in page and "Cohort 1 only" in page

    response = admin.post(f"/programs/{world.program_id}/team/{grant.pk}/end/")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.ends_on is not None
    assert "Cohort 1 only" not in admin.get(f"/programs/{world.program_id}/").content.decode()


def test_an_unknown_email_is_refused_and_nothing_is_written(world: World) -> None:
    before = Grant.objects.count()
    response = world.client("admin").post(
        f"/programs/{world.program_id}/team/new/",
        {"email": "no.account@riverbend.test", "role": "program_manager"},
    )
    assert response.status_code == 200
    assert "signs in with this e-mail" in response.content.decode()
    assert Grant.objects.count() == before


def test_a_program_manager_sees_the_team_but_cannot_appoint(world: World) -> None:
    pm = world.client("pm")
    page = pm.get(f"/programs/{world.program_id}/").content.decode()
    assert "Program team" in page and "/team/new/" not in page and "/end/" not in page
    before = Grant.objects.count()
    response = pm.post(
        f"/programs/{world.program_id}/team/new/",
        {"email": "leader@riverbend.test", "role": "program_manager"},
    )
    assert response.status_code == 403
    assert Grant.objects.count() == before
