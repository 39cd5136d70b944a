"""The drill-down from the knowledge figures to the people behind them: each person's pre and
post score per subject, only for viewers allowed to see those people's results (the system's
administrators and district leaders), only from identified assessments, never for anonymous
surveys; a subject whose people the viewer sees only in part is withheld when the hidden ones
could be worked out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.surveys.data import build

PEOPLE = "/impact/people/?system=metro&year=2018&level=knowledge"


@pytest.fixture
def district(db: Any, tmp_path: Path) -> dict[str, Any]:
    from tests.conftest import make_user
    from trellis.authz.roles import Role

    d = build(tmp_path)
    system = d["system"]
    d["users"] = {
        "leader": make_user(system, "leader@metro.test", Role.DISTRICT_LEADER, system=system),
        "analyst": make_user(system, "analyst@metro.test", Role.ANALYST, system=system),
    }
    return d


def client(d: dict[str, Any], key: str) -> Client:
    c = Client()
    c.force_login(d["users"][key])
    return c


def test_a_leader_sees_each_persons_pre_and_post_scores(district: dict[str, Any]) -> None:
    c = client(district, "leader")
    report = c.get("/impact/?system=metro&year=2018").content.decode()
    link = "/impact/people/?system=metro&amp;year=2018&amp;level=knowledge"
    assert f'href="{link}"' in report
    # The page's "Download PDF".
    assert 'href="/impact/?system=metro&amp;year=2018&amp;format=pdf"' in report
    pdf = c.get("/impact/?system=metro&year=2018&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="impact-metro-2018.pdf"'
    assert pdf.content.startswith(b"%PDF")
    page = c.get(PEOPLE).content.decode()
    assert "The people behind the knowledge figures" in page
    # P1: ELA 25 -> 75, math 0 -> 50; P7 only a pre score, P8 only a post score.
    rows = c.get(PEOPLE + "&format=csv")
    csv = b"".join(rows.streaming_content).decode()
    # (The export quotes a name with a comma, and a cell starting with + or - as text.)
    assert '"Teacher, P1",School S1,ELA,25.0,75.0,+50.0' in csv
    assert '"Teacher, P1",School S1,Math,0.0,50.0,+50.0' in csv
    assert '"Teacher, P7",School S5,ELA,50.0,—,—' in csv
    assert '"Teacher, P8",School S5,ELA,—,100.0,—' in csv
    assert '"Teacher, P4",School S3,Math,50.0,—,—' in csv
    # ELA: P1..P8; math: P1..P4 (P4 only a pre score).
    assert csv.count(",ELA,") == 8 and csv.count(",Math,") == 4
    # Search and the subject filter.
    only = c.get(PEOPLE + "&subject=Math&q=P2").content.decode()
    assert "Teacher, P2" in only and "Teacher, P1" not in only


def test_anonymous_surveys_have_no_people_behind_them(district: dict[str, Any]) -> None:
    c = client(district, "leader")
    for level in ("conditions", "beliefs", "satisfaction"):
        assert c.get(PEOPLE.replace("knowledge", level)).status_code == 404
    page = c.get(PEOPLE).content.decode()
    # The anonymous surveys' respondent tokens are never shown.
    assert "S1-x" not in page and ">r1<" not in page


def test_a_role_without_the_drill_down_gets_403_and_no_link(district: dict[str, Any]) -> None:
    c = client(district, "analyst")
    report = c.get("/impact/?system=metro&year=2018").content.decode()
    assert "/impact/people/" not in report
    assert c.get(PEOPLE).status_code == 403
    assert c.get(PEOPLE + "&format=csv").status_code == 403


def test_another_system_is_404(district: dict[str, Any]) -> None:
    from tests.conftest import make_user
    from trellis.authz.roles import Role
    from trellis.orgs.services import system_create

    other = system_create(actor=None, code="other", name="Other")
    outsider = make_user(other, "leader@other.test", Role.DISTRICT_LEADER, system=other)
    c = Client()
    c.force_login(outsider)
    assert c.get(PEOPLE).status_code == 404


def test_a_subject_seen_only_in_part_is_withheld(district: dict[str, Any]) -> None:
    """A viewer who sees P1 and P2 only (today every role with the drill-down sees a whole
    system, so the rule is checked on the selector): ELA has six people with both scores, four
    hidden (fewer than 5, with the mean change shown): withheld. Math has three people with
    both (its figures are suppressed anyway): P1's and P2's own scores are shown."""
    from django.db.models import Q

    from trellis.surveys.impact import Scope, knowledge_people

    people = district["people"]
    visible = Q(pk__in=[people["P1"].pk, people["P2"].pk])
    rows, withheld = knowledge_people(Scope(district["system"], 2018), visible)
    assert withheld == ["ELA"]
    assert [(r.name, r.subject, r.pre, r.post) for r in rows] == [
        ("Teacher, P1", "Math", 0.0, 50.0),
        ("Teacher, P2", "Math", 50.0, 100.0),
    ]
