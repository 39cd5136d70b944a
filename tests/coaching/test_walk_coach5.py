"""Defects of issue 10 found by the browser walk of the coaching pages (branch coach5): a
coaching lead whose account is not linked to a person reaches coaching from the menu and is
told why the pages that need a person are not theirs; focus competencies (and an evaluation
cycle's framework) come from competency frameworks only, never from external or content
standards; the need profiles' refresh answers a GET with its page, like the other POST-only
actions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import World, make_user
from tests.frameworks.packages import rubric_package
from trellis.authz.roles import Role
from trellis.coaching import selectors
from trellis.coaching.access import NO_PERSON
from trellis.frameworks.models import Framework, FrameworkItem, FrameworkVersion
from trellis.frameworks.selectors import COMPETENCY_KINDS

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def unlinked_lead(world: World) -> Any:
    """A coaching lead of Riverbend whose account is not linked to a person."""
    user = make_user(
        world.system, "lead.unlinked@riverbend.test", Role.COACHING_LEAD, system=world.system
    )
    client = world.client(None)
    client.force_login(user)
    return client


def standards(world: World) -> FrameworkVersion:
    """Content standards imported from CASE with a rubric (an import's default kind, external
    standards), published in Riverbend: rated for anyone, no competency framework."""
    from trellis.frameworks.services import framework_import_case

    raw = (
        json.dumps(rubric_package())
        .replace("0a000000-", "0c000000-")
        .replace("Leading Learning", "Grade 3 Reading Standards")
        .replace("Competency ", "Standard ")
    )
    version = framework_import_case(actor=None, system=world.system, raw=raw)
    assert version.framework.kind == Framework.Kind.STANDARDS and version.is_published
    return version


def standard_item(version: FrameworkVersion) -> FrameworkItem:
    item = (
        FrameworkItem.objects.filter(version=version, descriptors__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )
    assert item is not None
    return item


# -- 1. A coaching lead without a person ---------------------------------------------------------


def test_a_coaching_lead_without_a_person_reaches_coaching_from_the_menu(world: World) -> None:
    client = unlinked_lead(world)
    nav = {i["label"]: i["url"] for i in client.get("/").context["nav_items"]}
    assert nav.get("Coaching") == "/coaching/"
    home = client.get("/coaching/")
    assert home.status_code == 200
    page = text(home)
    # Not a blank list: why there are no sessions, and the links the role allows.
    assert "not linked to a person" in page and "0 sessions" not in page
    for url in (
        "/coaching/protocols/",
        "/coaching/settings/",
        "/coaching/videos/settings/",
        "/coaching/dosage/",
        "/coaching/support/schools/",
        "/coaching/support/",
    ):
        assert f'href="{url}"' in page, url
        assert client.get(url).status_code == 200, url
    assert 'href="/coaching/videos/"' not in page  # a page they cannot open
    # They read no one's sessions, on the page or in its export.
    assert "Paula Prince" not in page
    export = text(client.get("/coaching/?format=csv"))
    assert "Paula" not in export and len(export.strip().splitlines()) == 1
    # The home page's set-up links all open.
    assert 'href="/coaching/protocols/"' in text(client.get("/"))


@pytest.mark.parametrize(
    "url",
    ["/coaching/videos/", "/coaching/progress/", "/coaching/new/", "/api/v1/coaching/sessions"],
)
def test_pages_that_need_a_person_say_so(world: World, url: str) -> None:
    client = unlinked_lead(world)
    response = client.get(url)
    assert response.status_code == 403
    if not url.startswith("/api/"):  # the API's 403 is JSON, as before
        assert NO_PERSON.split(".")[0] in text(response)


def test_without_a_person_or_a_coaching_role_there_is_still_no_menu(world: World) -> None:
    # The analyst (no person, no coaching role): no menu; the page says what is missing.
    client = world.client("analyst")
    assert "Coaching" not in {i["label"] for i in client.get("/").context["nav_items"]}
    refused = client.get("/coaching/")
    assert refused.status_code == 403 and "not linked to a person" in text(refused)
    # A linked coaching lead keeps their list of their own sessions.
    lead = world.client("coaching_lead")
    assert "session" in text(lead.get("/coaching/"))
    assert "not linked to a person" not in text(lead.get("/coaching/"))


# -- 2. Focus competencies from competency frameworks only ---------------------------------------


def test_focus_competencies_leave_out_standards_frameworks(world: World) -> None:
    version = standards(world)
    item = standard_item(version)
    coach, paula = world.users["coach"], world.principal_person
    offered = selectors.focus_choices(coach, paula)
    assert offered, "the leadership competencies are still offered"
    assert all(i.version.framework.kind in COMPETENCY_KINDS for i in offered)
    assert item not in offered
    url = f"/coaching/new/?coachee={paula.pk}"
    client = world.client("coach")
    form = client.get(url).context["form"]
    assert item not in form.fields["focus"].queryset
    assert "Grade 3 Reading Standards" not in text(client.get(url))
    # A submitted standard is refused: the form, the API, the service.
    from trellis.coaching.models import CoachingSession

    before = CoachingSession.objects.count()
    posted = client.post(
        url,
        {"held_on": "2026-03-02", "minutes": 30, "mode": "virtual", "focus": [item.pk]},
    )
    # The form again with its errors is a 400 (eval7; it was 200), as on the evaluations pages.
    assert posted.status_code == 400 and posted.context["form"].errors.get("focus")
    api = client.post(
        "/api/v1/coaching/sessions",
        {
            "coachee_id": paula.pk,
            "held_on": "2026-03-02",
            "minutes": 30,
            "mode": "virtual",
            "focus": [item.pk],
        },
        content_type="application/json",
    )
    assert api.status_code == 400, api.content
    from trellis.coaching.services import session_log

    with pytest.raises(ValidationError):
        session_log(
            actor=coach,
            coachee=paula,
            held_on=__import__("datetime").date(2026, 3, 2),
            minutes=30,
            mode="virtual",
            protocol=None,
            focus=[item],
            notes="",
            next_steps=[],
        )
    assert CoachingSession.objects.count() == before


def test_video_comment_tags_leave_out_standards_frameworks(world: World) -> None:
    from trellis.coaching.models import CoachingSession

    item = standard_item(standards(world))
    session = CoachingSession.objects.get(pk=world.coaching["session"])

    class Video:  # what video_competency_choices reads of a video
        coachee = session.coachee
        session_id = None

    offered = selectors.video_competency_choices(world.users["coach"], Video())
    assert offered and item not in offered


# -- 3. The need profiles' refresh opened by GET -------------------------------------------------


def test_the_refresh_opened_by_get_goes_to_the_need_profiles(world: World) -> None:
    from trellis.core.models import AuditEvent

    url = "/coaching/support/schools/refresh/"
    admin = world.client("admin")
    before = AuditEvent.objects.count()
    for method in ("get", "head"):
        response = getattr(admin, method)(url)
        assert response.status_code == 302, method
        assert response["Location"] == "/coaching/support/schools/"
    assert AuditEvent.objects.count() == before  # nothing was read again
    assert admin.get(url, follow=True).status_code == 200
    assert admin.put(url).status_code == 405
    # A role that keeps no set-up is refused first, as before.
    assert world.client("leader").get(url).status_code == 403
