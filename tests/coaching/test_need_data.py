"""A school need profile's attendance rate and conditions score come from the data (issue 10,
the fixes after the browser walk): the attendance roll-ups and the school conditions survey,
read through the providers those apps register (coaching imports neither), with the source and
as-of date shown; a figure is entered by hand only where the data has none; the tiers (and their
history) follow the figures.

Hillcrest (tests/coaching/test_dosage.py): Ash has roll-ups and a surveyed staff of five; Birch,
no roll-ups (its entered 85% stays) and two respondents (too few: its score may be entered);
Cedar, roll-ups at 80% (rule 3: attendance below 90 → Intensive)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.coaching.test_dosage import hill  # noqa: F401 - the fixture
from tests.test_role_matrix import text_of
from trellis.coaching import selectors
from trellis.coaching.models import SchoolNeedProfile, SchoolTierPeriod
from trellis.coaching.services import need_profile_save, need_profiles_refresh
from trellis.core.models import AuditEvent

D = datetime.date


def roll_up(school: Any, day: datetime.date, enrolled: int, absent: int) -> None:
    from trellis.attendance.models import DailySchoolAttendance

    DailySchoolAttendance.objects.create(
        system_id=school.system_id, school=school, date=day, enrolled=enrolled, absent=absent
    )


def survey(system: Any, schools: dict[Any, list[int]], *, window: str, year: int) -> None:
    """A conditions instrument's administration with one item (agree, 1-4) answered so."""
    from trellis.surveys.models import Administration, Instrument, Item, Response, Submission

    instrument, _ = Instrument.objects.get_or_create(
        system=system, code="climate", defaults={"title": "Climate", "measures": "conditions"}
    )
    item, _ = Item.objects.get_or_create(
        instrument=instrument,
        code="C1",
        defaults={"text": "We plan together.", "scale": "agree4", "subscale": "Time"},
    )
    administration = Administration.objects.create(
        instrument=instrument, system=system, window=window, school_year=year, anonymous=True
    )
    at = timezone.make_aware(datetime.datetime(year, 5 if window == "eoy" else 9, 20, 12))
    for school, values in schools.items():
        for value in values:
            submission = Submission.objects.create(
                administration=administration, school=school, submitted_at=at
            )
            Response.objects.create(submission=submission, item=item, value=value)


@pytest.fixture
def data(hill: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    ash, birch, cedar = hill["ash"], hill["birch"], hill["cedar"]
    roll_up(ash, D(2025, 6, 10), 200, 200)  # the school year before: not counted
    roll_up(ash, D(2025, 9, 2), 200, 10)
    roll_up(ash, D(2025, 9, 3), 200, 30)  # 360 / 400 present: 90.0%, as of Sep 3
    roll_up(cedar, D(2025, 9, 2), 50, 10)  # 40 / 50: 80.0%
    # 2024-25 at the end of the year (the latest): Ash 3, 3, 4, 4, 2 → 3.20; Birch two answers.
    survey(hill["system"], {ash: [1, 1, 1, 1, 1]}, window="boy", year=2025)
    survey(hill["system"], {ash: [3, 3, 4, 4, 2], birch: [4, 4]}, window="eoy", year=2025)
    return hill


def test_the_figures_come_from_the_providers(data: dict[str, Any]) -> None:
    found = selectors.need_data([data["ash"].pk, data["birch"].pk, data["cedar"].pk])
    ash = found["attendance_rate"][data["ash"].pk]
    assert (ash.value, ash.as_of) == (Decimal("90.0"), D(2025, 9, 3))
    assert "school year to date (Jul 1, 2025 to Sep 3, 2025)" in ash.basis
    assert found["attendance_rate"][data["cedar"].pk].value == Decimal("80.0")
    assert data["birch"].pk not in found["attendance_rate"]
    conditions = found["conditions_score"][data["ash"].pk]
    assert (conditions.value, conditions.as_of) == (Decimal("3.20"), D(2025, 5, 20))
    assert "end of year 2024-25, 5 respondents" in conditions.basis
    assert data["birch"].pk not in found["conditions_score"]  # two respondents: withheld


def test_a_figure_the_data_has_is_not_entered_by_hand(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="comes from the attendance roll-ups"):
        need_profile_save(
            actor=None, school=data["ash"], performance_band=1, attendance_rate=Decimal(97)
        )
    with pytest.raises(ValidationError, match="comes from the school conditions survey"):
        need_profile_save(
            actor=None, school=data["ash"], performance_band=1, conditions_score=Decimal(2)
        )
    with time_machine.travel(datetime.datetime(2025, 10, 1, 9, 0), tick=False):
        profile = need_profile_save(actor=None, school=data["ash"], performance_band=1)
        # Birch has neither: its figures are entered (and said to be).
        birch = need_profile_save(
            actor=None,
            school=data["birch"],
            performance_band=2,
            attendance_rate=Decimal(85),
            conditions_score=Decimal("2.5"),
        )
    assert (profile.attendance_rate, profile.attendance_source) == (Decimal("90.0"), "data")
    assert profile.attendance_as_of == D(2025, 9, 3)
    assert (profile.conditions_score, profile.conditions_source) == (Decimal("3.20"), "data")
    assert (birch.attendance_source, birch.conditions_source) == ("entered", "entered")
    # The 85% entered on Jan 1 and entered again keeps its day; the new score is of today.
    assert (birch.attendance_as_of, birch.conditions_as_of) == (D(2025, 1, 1), D(2025, 10, 1))


def test_the_page_shows_the_source_and_takes_only_what_the_data_lacks(
    data: dict[str, Any],
) -> None:
    from django.test import Client

    from tests.conftest import make_user
    from trellis.authz.roles import Role

    admin = make_user(
        data["system"], "admin@hill.example", Role.SYSTEM_ADMIN, system=data["system"]
    )
    client = Client()
    client.force_login(admin)
    url = f"/coaching/support/schools/{data['ash'].pk}/"
    page = text_of(client.get(url))
    assert 'name="attendance_rate"' not in page and 'name="conditions_score"' not in page
    assert "The data now says 90.0%" in page  # the profile is older than the roll-ups
    response = client.post(url, {"performance_band": "1", "attendance_rate": "99"})
    assert response.status_code == 302  # the field is not the form's: the data's figure is kept
    page = text_of(client.get(url))
    assert "90.0%: from attendance roll-ups, school year to date" in page
    assert "as of Sep 3, 2025" in page
    assert "school conditions survey, end of year 2024-25, 5 respondents" in page
    birch = text_of(client.get(f"/coaching/support/schools/{data['birch'].pk}/"))
    assert 'name="attendance_rate"' in birch and 'name="conditions_score"' in birch
    assert "85.0%: entered by hand" in birch
    assert "the attendance roll-ups have no figure for this school" in birch
    listing = text_of(client.get("/coaching/support/schools/?format=csv"))
    assert "from the data" in listing and "entered by hand" in listing


def test_refreshing_from_the_data_moves_tiers_and_keeps_their_history(
    data: dict[str, Any],
) -> None:
    """Cedar's roll-ups say 80%: rule 3 (attendance below 90) gives it Intensive from the day
    the figures are read."""
    with time_machine.travel(datetime.datetime(2025, 10, 1, 9, 0), tick=False):
        changed = need_profiles_refresh(actor=None, system=data["system"])
    assert changed == 2  # Ash and Cedar; Birch has no data and keeps what was entered
    cedar = SchoolNeedProfile.objects.get(school=data["cedar"])
    assert (cedar.attendance_rate, cedar.attendance_source) == (Decimal("80.0"), "data")
    birch = SchoolNeedProfile.objects.get(school=data["birch"])
    assert (birch.attendance_rate, birch.attendance_source) == (Decimal("85.0"), "entered")
    periods = list(
        SchoolTierPeriod.objects.filter(school=data["cedar"]).values_list(
            "tier_name", "starts_on", "ends_on"
        )
    )
    assert periods == [
        ("Universal", D(2025, 1, 1), D(2025, 9, 30)),
        ("Intensive", D(2025, 10, 1), None),
    ]
    history = AuditEvent.objects.filter(action="coaching.tier_history").latest("pk")
    assert (history.after or {})["cause"] == "figures from the data"
    refresh = AuditEvent.objects.filter(action="coaching.need_profiles_refresh").latest("pk")
    assert set((refresh.after or {})["schools"]) == {str(data["ash"].pk), str(data["cedar"].pk)}
    # The roll-ups gone, the figure from them goes too (nothing stands behind it).
    from trellis.attendance.models import DailySchoolAttendance

    DailySchoolAttendance.objects.filter(school=data["cedar"]).delete()
    with time_machine.travel(datetime.datetime(2025, 10, 2, 9, 0), tick=False):
        need_profiles_refresh(actor=None, system=data["system"])
    cedar.refresh_from_db()
    assert (cedar.attendance_rate, cedar.attendance_source) == (None, "")
