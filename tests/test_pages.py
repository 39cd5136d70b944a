"""What users see on the list and record pages: search, filters, export, clear errors."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import World
from tests.matrix import row_counts
from trellis.core.audit import action_label
from trellis.core.models import AuditEvent
from trellis.people.models import Person, Position, PositionKind
from trellis.people.services import person_create


def home_panel(response: Any, template: str) -> dict[str, Any]:
    """The context of the home page's panel drawn from `template`."""
    panels = [*response.context["cards"], *response.context["sections"]]
    return next(p.context for p in panels if p.template == template)


def test_unknown_url_is_a_404_page_in_the_layout(world: World) -> None:
    response = world.client("leader").get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'href="#main"' in response.content  # the layout's skip link


def test_forbidden_page_is_a_403_page_in_the_layout(world: World) -> None:
    response = world.client("leader").get("/audit/")
    assert response.status_code == 403
    assert b"You do not have permission" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/people/?page=abc",
        "/people/?school=x",
        "/people/?kind=astronaut",
        "/schools/?level=university",
        "/schools/?status=maybe",
        "/schools/?network=-1",
        "/schools/?format=pdf",
        "/audit/?from=2026-13-45",
        "/access/?role=king",
        "/people/?q=" + "x" * 500,
        "/people/?q=%00",
    ],
)
def test_malformed_query_parameters_are_400_not_500(world: World, url: str) -> None:
    response = world.client("admin").get(url)
    assert response.status_code == 400
    assert b"This request could not be understood" in response.content


def test_a_page_past_the_end_shows_the_last_page(world: World) -> None:
    response = world.client("leader").get("/people/?page=999")
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


def test_people_search_and_filters(world: World) -> None:
    client = world.client("leader")
    names = lambda r: {p.family_name for p in r.context["object_list"]}  # noqa: E731
    assert names(client.get("/people/?q=colleague")) == {"Colleague"}
    assert names(client.get("/people/?q=cora colle")) == {"Colleague"}
    assert names(client.get(f"/people/?school={world.other_school.pk}")) == {"Faraway"}
    assert names(client.get(f"/people/?network={world.network.pk}&kind=principal")) == {"Prince"}
    # Another system's people never appear, even when asked for by id.
    assert names(client.get(f"/people/?school={world.foreign_school.pk}")) == set()


def test_principal_sees_only_their_school_staff(world: World) -> None:
    names = {
        p.family_name for p in world.client("principal").get("/people/").context["object_list"]
    }
    assert names == {"Prince", "Teller", "Colleague"}


def test_teacher_sees_their_own_record_only(world: World) -> None:
    client = world.client("teacher")
    assert client.get(f"/people/{world.teacher_person.pk}/").status_code == 200
    # Someone who may not view a person gets 404, not 403 (issue 8: people are in scope only
    # for whoever may view them).
    assert client.get(f"/people/{world.colleague.pk}/").status_code == 404
    names = {p.family_name for p in client.get("/people/").context["object_list"]}
    assert names == {"Teller"}


def test_school_search_and_filters(world: World) -> None:
    client = world.client("leader")
    names = lambda r: {s.name for s in r.context["object_list"]}  # noqa: E731
    assert names(client.get("/schools/")) == {"Oak Hill Elementary", "Pine Ridge Middle"}
    assert names(client.get("/schools/?q=pine")) == {"Pine Ridge Middle"}
    assert names(client.get("/schools/?level=elementary")) == {"Oak Hill Elementary"}
    assert names(client.get(f"/schools/?network={world.other_network.pk}")) == {"Pine Ridge Middle"}
    # The network filter keeps the chosen network, its name escaped.
    world.other_network.name = "North & <East>"
    world.other_network.save(update_fields=["name"])
    page = client.get(f"/schools/?network={world.other_network.pk}").content.decode()
    assert (
        f'<option value="{world.other_network.pk}" selected>North &amp; &lt;East&gt;</option>'
        in page
    )
    assert f'<option value="{world.network.pk}">{world.network.name}</option>' in page


def test_school_page_shows_real_records(world: World) -> None:
    response = world.client("principal").get(f"/schools/{world.school.pk}/")
    content = response.content.decode()
    assert "Oak Hill Elementary" in content
    assert "Paula Prince" in content and "Cora Colleague" in content
    # The principal may open the people behind the staff counts: shown exactly (item 8).
    assert "fewer than 5" not in content.split("Students enrolled by grade")[0]


def test_analyst_sees_the_school_but_not_its_people(world: World) -> None:
    content = world.client("analyst").get(f"/schools/{world.school.pk}/").content.decode()
    assert "Oak Hill Elementary" in content
    assert "Cora Colleague" not in content


def test_person_page_shows_positions_education_and_certifications(world: World) -> None:
    client = world.client("admin")
    client.post(
        f"/people/{world.colleague.pk}/education/new/",
        {
            "institution": "Lakeshore University",
            "degree": "master",
            "field_of_study": "Educational leadership",
            "completed_year": "2019",
            "leadership_preparation": "on",
        },
    )
    client.post(
        f"/people/{world.colleague.pk}/certifications/new/",
        {"name": "School leadership certificate", "issuer": "State Board"},
    )
    content = client.get(f"/people/{world.colleague.pk}/").content.decode()
    assert "Lakeshore University" in content
    assert "leader preparation" in content
    assert "School leadership certificate" in content
    assert "Oak Hill Elementary" in content


def test_csv_export_escapes_formulas_and_matches_the_filters(world: World) -> None:
    person_create(
        actor=None, system=world.system, given_name="=HYPERLINK(1)", family_name="@Mallory"
    )
    response = world.client("admin").get("/people/?format=csv&status=all")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Family name", "Given name"]
    mallory = next(r for r in rows if "Mallory" in r[0])
    assert mallory[0] == "'@Mallory" and mallory[1] == "'=HYPERLINK(1)"
    filtered = world.client("admin").get("/people/?format=csv&q=colleague")
    lines = b"".join(filtered.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2


def test_xlsx_export_of_schools_keeps_suppression(world: World) -> None:
    response = world.client("analyst").get("/schools/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "School"
    oak = next(r for r in rows if r[0] == "Oak Hill Elementary")
    assert oak[7] == "fewer than 5"  # 3 current staff


def test_invalid_position_form_shows_messages_and_saves_nothing(world: World) -> None:
    before = row_counts()
    response = world.client("admin").post(
        f"/people/{world.colleague.pk}/positions/new/",
        {
            "kind": PositionKind.PRINCIPAL,
            "school": world.school.pk,
            "starts_on": "2026-08-01",
            "ends_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert row_counts() == before


def test_position_in_another_systems_school_is_refused(world: World) -> None:
    before = row_counts()
    response = world.client("admin").post(
        f"/people/{world.colleague.pk}/positions/new/",
        {
            "kind": PositionKind.TEACHER,
            "school": world.foreign_school.pk,
            "starts_on": "2026-08-01",
        },
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert row_counts() == before


def test_empty_school_form_shows_messages_and_saves_nothing(world: World) -> None:
    before = row_counts()
    response = world.client("admin").post("/schools/new/", {"name": "", "level": "castle"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Fill in “Name”." in content and "Select a valid choice" in content
    assert row_counts() == before


def test_ending_a_position_before_it_starts_is_refused(world: World) -> None:
    position = world.colleague.positions.get()
    before = row_counts()
    response = world.client("admin").post(
        f"/people/{world.colleague.pk}/positions/{position.pk}/end/", {"ends_on": "2019-01-01"}
    )
    assert response.status_code == 400
    assert "before the position started" in response.content.decode()
    assert row_counts() == before


def test_ending_a_position_ends_visibility_for_the_principal(world: World) -> None:
    position = world.colleague.positions.get()
    world.client("admin").post(
        f"/people/{world.colleague.pk}/positions/{position.pk}/end/", {"ends_on": "2021-06-30"}
    )
    assert Position.objects.get(pk=position.pk).ends_on.isoformat() == "2021-06-30"
    assert world.client("principal").get(f"/people/{world.colleague.pk}/").status_code == 404


def test_editing_a_person_is_audited_with_before_and_after(world: World) -> None:
    world.client("admin").post(
        f"/people/{world.colleague.pk}/edit/",
        {"given_name": "Cora", "family_name": "Renamed", "email": "cora@example.org"},
    )
    event = AuditEvent.objects.filter(action="person.update").get()
    assert event.actor_label == "admin@riverbend.test"
    assert event.before == {"family_name": "Colleague", "email": "cora.colleague@example.org"}
    assert event.after == {"family_name": "Renamed", "email": "cora@example.org"}
    assert Person.objects.get(pk=world.colleague.pk).family_name == "Renamed"


def test_grant_form_creates_an_account_linked_to_the_person(world: World) -> None:
    world.colleague.identifier = "E123"
    world.colleague.save()
    response = world.client("admin").post(
        "/access/new/",
        {
            "email": "cora@riverbend.test",
            "person_identifier": "E123",
            "role": "principal",
            "system": world.system.pk,
            "school": world.school.pk,
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 302
    user = world.users["admin"].__class__.objects.get(email="cora@riverbend.test")
    assert user.person_id == world.colleague.pk
    assert not user.has_usable_password()
    grant = user.grants.get()
    assert grant.school_id == world.school.pk and grant.system_id == world.system.pk


def test_grant_form_rejects_a_school_of_another_system(world: World) -> None:
    before = row_counts()
    response = world.client("admin").post(
        "/access/new/",
        {
            "email": "x@riverbend.test",
            "role": "principal",
            "system": world.system.pk,
            "school": world.foreign_school.pk,
        },
    )
    assert response.status_code == 200
    assert row_counts() == before


def test_ended_grant_no_longer_gives_access(world: World) -> None:
    grant = world.users["leader"].grants.get()
    world.client("admin").post(f"/access/{grant.pk}/end/")
    assert world.client("leader").get("/schools/").status_code == 403


def test_audit_log_filters(world: World) -> None:
    client = world.client("admin")
    client.post(
        f"/people/{world.colleague.pk}/edit/", {"given_name": "Cora", "family_name": "Filtered"}
    )
    response = client.get("/audit/?action=person.update&actor=admin@riverbend")
    events = list(response.context["object_list"])
    assert [e.action for e in events] == ["person.update"]
    none = client.get("/audit/?action=person.update&from=2099-01-01")
    assert list(none.context["object_list"]) == []


def test_navigation_shows_each_role_only_what_it_may_use(world: World) -> None:
    def nav(key: str) -> list[str]:
        return [i["label"] for i in world.client(key).get("/").context["nav_items"]]

    assert nav("admin") == [
        "Home",
        "Schools",
        "People",
        "Assignments",
        "Frameworks",
        "Rating rounds",
        "Attendance",
        "Coaching",
        "Programs",
        "Selection",
        "Surveys",
        "Impact",
        "Partners",
        "Accounts and roles",
        "Imports",
        "Audit log",
    ]
    assert nav("leader") == [
        "Home",
        "Schools",
        "People",
        "Frameworks",
        "Attendance",
        "Programs",
        "Surveys",
        "Impact",
        "Partners",
    ]
    assert nav("analyst") == ["Home", "Schools", "Frameworks", "Attendance", "Surveys", "Impact"]
    assert nav("teacher") == ["Home", "Schools", "Frameworks"]
    assert nav("partner") == ["Home", "Programs", "Selection", "Surveys", "Impact", "Partners"]
    assert nav("committee") == ["Home", "Selection"]


def test_home_pages_show_records_from_the_database(world: World) -> None:
    leader = world.client("leader").get("/").content.decode()
    assert "Schools you can see" in leader and "Oak Hill Elementary" in leader
    assert "Cora Colleague" in leader  # recent position changes
    principal = world.client("principal").get("/")
    assert home_panel(principal, "orgs/panels/schools.html")["count"] == 1
    own = home_panel(principal, "people/panels/own_record.html")["positions"]
    assert [p.kind for p in own] == ["principal"]
    admin = world.client("admin").get("/").content.decode()
    # The world's latest writes (assignments, a rating round) lead the list.
    latest = AuditEvent.objects.order_by("-at", "-id").first()
    assert latest is not None
    assert "Latest changes" in admin and action_label(latest.action) in admin


def test_networks_and_partners_are_managed_by_administrators(world: World) -> None:
    client = world.client("admin")
    client.post(
        "/networks/new/", {"system_id": world.system.pk, "name": "East Cluster", "code": "east"}
    )
    listing = client.get("/networks/").content.decode()
    assert "East Cluster" in listing and "North Cluster" in listing
    duplicate = client.post(
        "/networks/new/", {"system_id": world.system.pk, "name": "East Cluster", "code": "east"}
    )
    assert duplicate.status_code == 200 and "already exists" in duplicate.content.decode()
    client.post(
        "/partners/new/",
        {
            "system_id": world.system.pk,
            "name": "Talent Co",
            "kind": "talent_firm",
            "website": "not a url",
        },
    )
    assert "Talent Co" not in client.get("/partners/").content.decode()
    client.post(
        "/partners/new/", {"system_id": world.system.pk, "name": "Talent Co", "kind": "talent_firm"}
    )
    partners = world.client("partner").get("/partners/").content.decode()
    assert "Northstar Leadership Partners" in partners and "Talent Co" not in partners


def test_out_of_range_dates_and_ids_are_400(world: World) -> None:
    client = world.client("admin")
    assert client.get("/audit/?to=9999-12-31").status_code == 400
    assert client.get("/people/?school=99999999999999999999").status_code == 400
    api = world.client("leader")
    assert api.get("/api/v1/schools?offset=99999999999999999999").status_code == 422
    assert api.get("/api/v1/people?network=99999999999999999999").status_code == 422
    assert api.get("/api/v1/schools/99999999999999999999").status_code == 422


def test_control_characters_are_refused_in_forms_and_dropped_from_exports(world: World) -> None:
    client = world.client("admin")
    response = client.post(
        f"/people/{world.colleague.pk}/edit/",
        {"given_name": "Co\x0bra", "family_name": "Colleague"},
    )
    assert "invisible control characters" in response.content.decode()
    Person.objects.filter(pk=world.colleague.pk).update(given_name="Co\x0bra")
    xlsx = client.get("/people/?format=xlsx&q=colleague")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert list(sheet.values)[1][1] == "Cora"


def test_home_lists_only_people_the_user_may_open(world: World) -> None:
    import datetime

    position = world.colleague.positions.get()
    position.ends_on = datetime.date(2021, 6, 30)
    position.save()
    Position.objects.create(
        person=world.colleague,
        system=world.system,
        kind=PositionKind.TEACHER,
        school=world.school,
        starts_on=datetime.date(2021, 7, 1),
        ends_on=datetime.date(2021, 7, 2),
    )
    recent = home_panel(world.client("principal").get("/"), "people/panels/recent_positions.html")
    names = [p.person_id for p in recent["positions"]]
    assert world.colleague.pk not in names
