"""Role-matrix Cases of the surveys pages, the impact report and its API (added to
tests/matrix.py's CASES). Riverbend holds its own instrument, "Riverbend Climate Pulse", given
to its staff at the beginning of 2017-18 (`surveyed`, run before the probes)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tests.conftest import World
from tests.matrix import Case
from tests.surveys.world import TITLE, surveyed, web_open


def instrument_id(w: World) -> int:
    from trellis.surveys.models import Instrument

    return Instrument.objects.get(title=TITLE).pk


def administration_id(w: World) -> int:
    from trellis.surveys.models import Administration

    return Administration.objects.get(instrument__title=TITLE).pk


def answer(w: World) -> dict[str, Any]:
    from trellis.surveys.models import Item

    return {"submit": "1", f"item_{Item.objects.get(instrument__title=TITLE).pk}": "3"}


def give_data(w: World) -> dict[str, Any]:
    """Riverbend's pulse for Oak Hill's staff in this school year's middle window, its web form
    open from today for up to two weeks (within the school year: the matrix asks on any day)."""
    from trellis.surveys.selectors import school_year_of

    today = timezone.localdate()
    year = school_year_of(today)
    closes = min(today + datetime.timedelta(days=14), datetime.date(year, 6, 30))
    return {
        "system": w.system.pk,
        "population": "school",
        "school": w.school.pk,
        "window": "moy",
        "school_year": str(year),
        "anonymous": "on",
        "opens_on": today.isoformat(),
        "closes_on": closes.isoformat(),
    }


def _common(**extra: Any) -> dict[str, Any]:
    return {"setup": surveyed, **extra}


SURVEY_CASES: list[Case] = [
    Case(
        "instrument_list",
        lambda w: "/surveys/",
        right="leader",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: TITLE,
        exports=("csv", "xlsx"),
        **_common(),
    ),
    Case(
        "instrument_detail",
        lambda w: f"/surveys/instruments/{instrument_id(w)}/",
        right="analyst",
        wrong="principal",
        outsider="admin_b",
        exports=("csv", "xlsx"),
        **_common(),
    ),
    Case(
        "administration_list",
        lambda w: "/surveys/administrations/",
        right="programs",
        wrong="teacher",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: TITLE,
        exports=("csv", "xlsx"),
        **_common(),
    ),
    Case(
        "administration_detail",
        lambda w: f"/surveys/administrations/{administration_id(w)}/",
        right="leader",
        wrong="supervisor",
        outsider="admin_b",
        **_common(),
    ),
    Case(
        "impact_report",
        lambda w: "/impact/?system=riverbend&year=2018",
        right="leader",
        wrong="coach",
        outsider="admin_b",
        label="a system's report",
        **_common(),
    ),
    Case(
        "impact_report",
        lambda w: f"/impact/?system=riverbend&year=2018&program={w.program_id}",
        right="pm",
        wrong="principal",
        outsider="pm_other",
        label="a program's report",
        **_common(),
    ),
    Case(
        "impact_schools",
        lambda w: "/impact/schools/?system=riverbend&year=2018&level=conditions",
        right="analyst",
        wrong="teacher",
        outsider="leader_b",
        exports=("csv", "xlsx"),
        **_common(),
    ),
    Case(
        "impact_report",
        lambda w: "/impact/?system=riverbend&year=2018&format=pdf",
        right="leader",
        wrong="coach",
        outsider="admin_b",
        label="the report as PDF",
        **_common(),
    ),
    # The people behind the knowledge figures: administrators and district leaders of the
    # system; an analyst (the report's figures, never names) is refused.
    Case(
        "impact_people",
        lambda w: "/impact/people/?system=riverbend&year=2018&level=knowledge",
        right="leader",
        wrong="analyst",
        outsider="leader_b",
        exports=("csv", "xlsx"),
        **_common(),
    ),
    # The use of new practice (progress ratings): its schools for whoever reads the report; its
    # people for those who list people (an analyst is refused).
    Case(
        "impact_schools",
        lambda w: "/impact/schools/?system=riverbend&year=2018&level=practice",
        right="analyst",
        wrong="teacher",
        outsider="leader_b",
        exports=("csv", "xlsx"),
        label="practice",
        **_common(),
    ),
    Case(
        "impact_people",
        lambda w: "/impact/people/?system=riverbend&year=2018&level=practice",
        right="leader",
        wrong="analyst",
        outsider="leader_b",
        exports=("csv", "xlsx"),
        label="practice",
        **_common(),
    ),
    Case(
        "api:get_impact",
        lambda w: "/api/v1/impact?system=riverbend&year=2018",
        right="leader",
        wrong="coach",
        outsider="admin_b",
        api=True,
        **_common(),
    ),
    Case(
        "administration_window",
        lambda w: f"/surveys/administrations/{administration_id(w)}/window/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"opens_on": "2017-09-01", "closes_on": "2017-09-30"},
        right_status=302,
        get_status=200,
        **_common(),
    ),
    # Giving an instrument: whoever manages the population's surveys. A program manager (the
    # right role) manages their program's participants only: Oak Hill's staff lie outside
    # their reach (404).
    Case(
        "administration_new",
        lambda w: f"/surveys/instruments/{instrument_id(w)}/give/",
        right="admin",
        wrong="teacher",
        outsider="admin_b",
        method="POST",
        data=give_data,
        right_status=302,
        get_status=200,
        unrelated="pm",
        **_common(),
    ),
    # Anyone the administration asks answers it (a signed-in page): someone it does not ask,
    # in the system or not, finds nothing there.
    Case(
        "survey_respond",
        lambda w: f"/surveys/administrations/{administration_id(w)}/respond/",
        right="teacher",
        wrong="nobody",
        wrong_status=404,
        outsider="admin_b",
        setup=web_open,
    ),
    Case(
        "survey_respond",
        lambda w: f"/surveys/administrations/{administration_id(w)}/respond/",
        right="teacher",
        wrong="nobody",
        wrong_status=404,
        outsider="admin_b",
        method="POST",
        data=answer,
        right_status=302,
        get_status=200,
        setup=web_open,
    ),
]


def session_survey_data(w: World) -> dict[str, Any]:
    """A satisfaction survey for Oak Hill's "questioning routines" (next week), open for two
    weeks from its day."""
    import datetime

    from django.utils import timezone

    from trellis.learning.models import PDSession
    from trellis.surveys.models import Instrument

    day = timezone.localtime(PDSession.objects.get(pk=w.learning["oak"]).starts_at).date()
    last = datetime.date(day.year + 1 if day.month >= 7 else day.year, 6, 30)
    return {
        "instrument": Instrument.objects.get(code="pd-satisfaction", system__isnull=True).pk,
        "window": "moy",
        "anonymous": "on",
        "opens_on": day.isoformat(),
        "closes_on": min(day + datetime.timedelta(days=14), last).isoformat(),
    }


# A satisfaction survey for a PD session's attendees is given by whoever manages the session
# (as its edit page): Paula for Oak Hill's; Tomas sees the session and may not (403); a program
# manager does not see it (404); another system's administrator neither.
SURVEY_CASES.append(
    Case(
        "session_survey_new",
        lambda w: f"/surveys/sessions/{w.learning['oak']}/new/",
        right="principal",
        wrong="teacher",
        outsider="admin_b",
        method="POST",
        data=session_survey_data,
        right_status=302,
        get_status=200,
        unrelated="pm",
    )
)


def past_session_surveyed(w: World) -> None:
    """The built-in satisfaction survey given to Oak Hill's "feedback loops" (ten days ago),
    with no web form yet (it asks no one: other Cases' pages stay as they were)."""
    from trellis.learning.models import PDSession
    from trellis.surveys.models import Administration, Instrument
    from trellis.surveys.selectors import school_year_of

    session = PDSession.objects.get(pk=w.learning["past"])
    Administration.objects.get_or_create(
        session=session,
        instrument=Instrument.objects.get(code="pd-satisfaction", system__isnull=True),
        defaults={
            "system_id": session.system_id,
            "school_id": session.school_id,
            "window": "moy",
            "school_year": school_year_of(timezone.localtime(session.starts_at).date()),
            "anonymous": True,
        },
    )


def past_session_survey_id(w: World) -> int:
    from trellis.surveys.models import Administration

    return Administration.objects.get(session_id=w.learning["past"]).pk


def past_session_window_data(w: World) -> dict[str, Any]:
    """Open from today for a week, within the session's school year."""
    from trellis.surveys.selectors import school_year_of

    today = timezone.localdate()
    last = datetime.date(school_year_of(today), 6, 30)
    return {
        "opens_on": today.isoformat(),
        "closes_on": min(today + datetime.timedelta(days=7), last).isoformat(),
    }


# The days of a PD session's survey are moved by whoever manages the session (as for giving
# it): Paula for Oak Hill's; Tomas, who attended, sees the session and may not (403); the
# manager of another program's sessions does not see it (404); another system's administrator
# neither.
SURVEY_CASES.append(
    Case(
        "session_survey_window",
        lambda w: f"/surveys/sessions/surveys/{past_session_survey_id(w)}/window/",
        right="principal",
        wrong="teacher",
        outsider="admin_b",
        method="POST",
        data=past_session_window_data,
        right_status=302,
        get_status=200,
        unrelated="pm",
        setup=past_session_surveyed,
    )
)


def consensus_data(w: World) -> dict[str, Any]:
    return {
        "year": 2026,
        "window": "boy",
        **{f"dimension_{i}": v for i, v in enumerate((3, 3, 2, 4))},
    }


# A school leadership team's consensus rating of its school's conditions: recorded by the team
# (Paula leads Oak Hill's); a district leader who sees the team is not on it (403); another
# system's administrator, and a coach who sees none of Oak Hill's communities, find nothing.
SURVEY_CASES.append(
    Case(
        "conditions_consensus",
        lambda w: f"/surveys/teams/{w.learning['leadership']}/conditions/",
        right="principal",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=consensus_data,
        right_status=302,
        get_status=200,
        unrelated="coach",
    )
)


def oak_rated(w: World) -> None:
    """Oak Hill's leadership team's consensus at the end of 2024-25 (the consensus Case rates
    the beginning of 2025-26)."""
    from trellis.learning.models import Community
    from trellis.surveys.builtin import CONDITIONS_DIMENSIONS
    from trellis.surveys.models import ConsensusRating

    team = Community.objects.get(pk=w.learning["leadership"])
    for dimension in CONDITIONS_DIMENSIONS:
        ConsensusRating.objects.get_or_create(
            school=w.school,  # Oak Hill, the team's
            school_year=2025,
            window="eoy",
            dimension=dimension,
            defaults={"system_id": team.system_id, "team": team, "value": 3},
        )


# Removing a consensus rating: the team, as for recording it (the same refusals).
SURVEY_CASES.append(
    Case(
        "conditions_consensus_remove",
        lambda w: (
            f"/surveys/teams/{w.learning['leadership']}/conditions/remove/?year=2025&window=eoy"
        ),
        right="principal",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"year": 2025, "window": "eoy"},
        right_status=302,
        get_status=200,
        unrelated="coach",
        setup=oak_rated,
    )
)


def alumni_answer_data(w: World) -> dict[str, Any]:
    return {"person": w.teacher_person.pk, "answered_on": "2025-09-01", "in_education": "yes"}


def _placed(w: World) -> None:
    """Tomas placed (tests/programs/cases.py: once, whoever asks first)."""
    from tests.programs.cases import placed

    placed(w)


# The alumni survey's answers: whoever manages the system's surveys (a program manager of the
# system) records them; a district leader reads the report only (403); another system's
# administrator does not reach Riverbend (404). Tomas is an alumnus (placed at Pine Ridge).
SURVEY_CASES.append(
    Case(
        "alumni_answers",
        lambda w: "/surveys/alumni/?system=riverbend",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=alumni_answer_data,
        right_status=302,
        get_status=200,
        setup=_placed,
    )
)
