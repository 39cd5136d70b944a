"""Issue 12, the third browser walk (branch att3): chronic absence suppressed the same on every
page a district role reaches (no grade cell recovered by subtracting the shown cells of the other
schools from the system's or a network's grade total), the network's chronic figures, the
day steps that stop at today, the contact before the school year, the weekend warning of the
calendar editor and the district's home panel.

On top of the hand-computed month (data.py: Oak Hill and Pine Ridge, whose grades are all under
5 students), six schools of the North Cluster get roll-ups on 30 September: grade 05 has 3
students who count at "Extra 0" (1 chronically absent) and 40 (6) at each other; grade 06 has
40 (5) at each.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest

from tests.attendance.world import add_attendance, schools_by_grade
from tests.conftest import World
from trellis.attendance import selectors
from trellis.attendance.models import CalendarDay, DailySchoolAttendance
from trellis.orgs.models import School

DAY = "2026-09-30"
D30 = datetime.date(2026, 9, 30)
CELLS = {"05": [(3, 1), *[(40, 6)] * 5], "06": [(40, 5)] * 6}


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    schools_by_grade(
        world,
        D30,
        {f"Extra {i}": {g: CELLS[g][i] for g in CELLS} for i in range(6)},
        absent={f"Extra {i}": 2 for i in range(6)},
    )
    return world


def _rows(w: World, who: str, url: str) -> list[list[str]]:
    response = w.client(who).get(url)
    assert response.status_code == 200, (url, response.status_code)
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]


def _number(text: str) -> int | None:
    text = text.replace(",", "")
    return int(text) if text.isdigit() else None


def _grades(rows: list[list[str]]) -> dict[str, tuple[int | None, int | None]]:
    return {r[1]: (_number(r[2]), _number(r[3])) for r in rows if r[0] == "Grade"}


def test_no_grade_cell_is_recovered_from_the_system_and_network_totals(w: World) -> None:
    """What a district leader (and an analyst) can read from the exports of the system page,
    the network's page and every school's page: for each grade, the total shown on a page over
    several schools less the shown cells of those schools never leaves exactly one hidden cell
    (which would then be known), and a hidden cell stays hidden on every page."""
    extra = list(School.objects.filter(name__startswith="Extra").order_by("name"))
    schools = [w.school, w.other_school, *extra]
    for who in ("leader", "analyst"):
        system = _grades(_rows(w, who, f"/attendance/chronic/?date={DAY}&format=csv"))
        north = _grades(
            _rows(w, who, f"/attendance/chronic/?date={DAY}&network={w.network.pk}&format=csv")
        )
        cells = {
            s.pk: _grades(
                _rows(w, who, f"/attendance/schools/{s.pk}/chronic/?date={DAY}&format=csv")
            )
            for s in schools
        }
        api = w.client(who).get(f"/api/v1/attendance/chronic?system=riverbend&date={DAY}").json()
        for label in ("Grade 05", "Grade 06"):
            grade = label.split()[1]
            for index, measure in ((0, "chronic_counted"), (1, "chronic_absent")):
                # The API's grade total is the system page's.
                assert api["grades"][grade][measure] == system[label][index]
                for total, members in (
                    (system[label][index], schools),
                    (north[label][index], [s for s in schools if s.network_id == w.network.pk]),
                ):
                    if total is None:
                        continue
                    hidden = [
                        s
                        for s in members
                        if label in cells[s.pk] and cells[s.pk][label][index] is None
                    ]
                    assert len(hidden) != 1, (who, label, measure, total)
        # Extra 0's 3 students of grade 05 are hidden on its own page, and the cell is not
        # given back: the system's grade 05 total less the others' shown cells is not 3.
        assert cells[extra[0].pk]["Grade 05"] == (None, None)
        shown = sum(
            cells[s.pk]["Grade 05"][0] or 0 for s in extra[1:] if cells[s.pk]["Grade 05"][0]
        )
        assert system["Grade 05"][0] is None or system["Grade 05"][0] - shown != 3


def test_every_page_decides_the_same_cells(w: World) -> None:
    """The system page, the network's, a school's and the API read one decision: a school's
    figures hidden on one are hidden on all."""
    leader = w.users["leader"]
    everything = selectors.chronic(leader, D30)
    north = selectors.chronic(leader, D30, group=("network", w.network.pk))
    by_school = {r.school.pk: r for r in everything.schools if r.school}
    for r in north.schools:
        assert r.school is not None
        other = by_school[r.school.pk]
        assert (r.counted.shown, r.chronic.shown) == (other.counted.shown, other.chronic.shown)
        own = selectors.chronic(leader, D30, group=("school", r.school.pk)).total
        assert (own.counted.shown, own.chronic.shown) == (other.counted.shown, other.chronic.shown)
    report = w.client("leader").get(f"/api/v1/attendance/report?system=riverbend&date={DAY}")
    for key, entry in report.json()["schools"].items():
        school = School.objects.get(system=w.system, sourced_id=key) if key[:4] == "sch-" else None
        if school is not None:
            assert entry["chronic_absent"] == by_school[school.pk].chronic.shown


def _cells_of(rows: Any) -> dict[str, Any]:
    return {r.label: (r.counted.shown, r.chronic.shown) for r in rows}


def _html(w: World, who: str, url: str) -> str:
    response = w.client(who).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_day_steps_stop_at_today_and_say_today_only_then(w: World) -> None:
    import time_machine

    # 30 September, 11:00 in New York: the page of today has no next day to step to.
    with time_machine.travel(datetime.datetime(2026, 9, 30, 15, 0, tzinfo=datetime.UTC)):
        school = f"/attendance/schools/{w.school.pk}/?date="
        today = _html(w, "principal", school + DAY)
        assert ">Next day</a>" not in today and "Today is the latest day" in today
        assert "Enrolled today" in today and 'max="2026-09-30"' in today
        before = _html(w, "principal", school + "2026-09-29")
        assert f'href="?date={DAY}">Next day</a>' in before
        assert "Enrolled on Sep 29" in before and "Enrolled today" not in before
        for url in (f"/attendance/?date={DAY}", f"/attendance/chronic/?date={DAY}"):
            assert ">Next day</a>" not in _html(w, "admin", url)
        # A day in the future asked for by hand: still no step further.
        assert ">Next day</a>" not in _html(w, "admin", "/attendance/?date=2026-10-05")


def test_the_networks_chronic_figures_are_the_networks(w: World) -> None:
    north = w.network
    morning = _html(w, "admin", f"/attendance/networks/{north.pk}/?date={DAY}")
    link = f"/attendance/chronic/?date={DAY}&amp;network={north.pk}"
    assert link in morning
    html = _html(w, "admin", link.replace("&amp;", "&"))
    assert "Chronic absence in North Cluster" in html
    # Pine Ridge (South Cluster) holds the only grade 07: not in the network's grades, nor in
    # its headline (Oak Hill 7 who count and the six schools' 566).
    assert "Grade 07" not in html and "Pine Ridge" not in html
    seen = selectors.chronic(w.users["admin"], D30, group=("network", north.pk))
    assert seen.total.counted.value == 7 + 43 + 5 * 80
    assert f'<p class="stat mb-0">{seen.total.counted.value}</p>' in html.replace(",", "")
    rows = _rows(w, "admin", f"/attendance/chronic/?date={DAY}&network={north.pk}&format=csv")
    assert ["Total", "North Cluster", "450", str(seen.total.chronic.value)] == rows[-2][:4]
    # The day's steps keep the network.
    assert f"&amp;network={north.pk}" in html.split("Previous day")[0]


def test_the_chronic_page_explains_its_totals_and_names_its_columns(w: World) -> None:
    html = _html(w, "admin", f"/attendance/chronic/?date={DAY}")
    assert "can therefore add up to more than the total" in html
    assert ">Count<" not in html and ">Chronic<" not in html
    assert "Students enrolled at least 10 days</th>" in html
    assert "Chronically absent</th>" in html
    rows = _rows(w, "admin", f"/attendance/chronic/?date={DAY}&format=csv")
    assert rows[-1][0] == "Note" and "count them once" in rows[-1][1]
    # The statement of the school year is the code's (rollups.school_year_start).
    from trellis.attendance.rollups import school_year_start

    assert school_year_start(D30) == datetime.date(2026, 7, 1)
    assert "a school year runs from July 1 to June 30" in html


def test_a_contact_dated_before_the_school_year_or_the_enrolment_is_refused(w: World) -> None:
    import time_machine
    from django.core.exceptions import ValidationError

    from trellis.attendance.models import FamilyContact
    from trellis.attendance.services import family_contact_log
    from trellis.students.models import Student

    a1 = Student.objects.get(system=w.system, sourced_id="a1")
    t = Student.objects.get(system=w.system, sourced_id="t")
    with time_machine.travel(datetime.datetime(2026, 9, 30, 15, 0, tzinfo=datetime.UTC)):
        client = w.client("principal")
        url = f"/attendance/schools/{w.school.pk}/students/{a1.pk}/contact/?date={DAY}"
        earlier = client.post(
            url, {"contacted_on": "2025-09-30", "method": "call", "outcome": "reached"}
        )
        text = earlier.content.decode()
        assert earlier.status_code == 200 and "in an earlier school year" in text
        assert "from Jul 1, 2026" in text
        june = client.post(
            url, {"contacted_on": "2026-06-30", "method": "call", "outcome": "reached"}
        )
        assert "in an earlier school year" in june.content.decode()
        # t enrolled at Pine Ridge from 16 September: a contact there on the 10th is refused.
        with pytest.raises(ValidationError) as refused:
            family_contact_log(
                actor=None,
                school=w.other_school,
                student=t,
                contacted_on=datetime.date(2026, 9, 10),
                method=FamilyContact.Method.CALL,
                outcome=FamilyContact.Outcome.REACHED,
            )
        assert "before the student's enrolment at Pine Ridge Middle began (Sep 16, 2026)" in str(
            refused.value
        )
        assert not FamilyContact.objects.exists()
        # The first day of the year and of the enrolment are accepted.
        assert (
            client.post(
                url, {"contacted_on": "2026-09-01", "method": "call", "outcome": "reached"}
            ).status_code
            == 302
        )
        family_contact_log(
            actor=None,
            school=w.other_school,
            student=t,
            contacted_on=datetime.date(2026, 9, 16),
            method=FamilyContact.Method.CALL,
            outcome=FamilyContact.Outcome.REACHED,
        )
        assert FamilyContact.objects.count() == 2


def test_adding_a_weekend_day_asks_first(w: World) -> None:
    client = w.client("admin")
    url = f"/attendance/schools/{w.school.pk}/calendar/?year=2026"
    saturday = datetime.date(2026, 10, 3)
    refused = client.post(url, {"change": "add", "start": "2026-10-03"})
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "Saturday, Oct 3, 2026 is a weekend day" in text
    assert "Yes, add the weekend days" in text
    assert not CalendarDay.objects.filter(school=w.school, date=saturday).exists()
    # A range of every day (weekdays only unticked) holding a weekend asks too.
    client.post(url, {"change": "add", "start": "2026-10-02", "end": "2026-10-05"})
    assert not CalendarDay.objects.filter(school=w.school, date__gte=datetime.date(2026, 10, 2))
    confirmed = client.post(url, {"change": "add", "start": "2026-10-03", "confirm_weekend": "on"})
    assert confirmed.status_code == 302
    assert CalendarDay.objects.filter(school=w.school, date=saturday).exists()
    # A weekday needs no confirmation.
    assert client.post(url, {"change": "add", "start": "2026-10-05"}).status_code == 302


def test_district_roles_home_page_has_the_systems_morning(w: World) -> None:
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 9, 30, 15, 0, tzinfo=datetime.UTC)):
        for who in ("leader", "analyst", "admin"):
            home = _html(w, who, "/")
            assert "Attendance this morning in your system" in home, who
            # The system's total of the day: Oak Hill, Pine Ridge and the six schools.
            seen = selectors.morning_page(w.users[who], D30)
            assert f"of {seen.total.enrolled} students absent" in home
        principal = _html(w, "principal", "/")
        assert "Attendance this morning</h2>" in principal
        # No panel for someone whose role reads no attendance.
        assert "Attendance this morning" not in _html(w, "teacher", "/")


def test_no_months_figure_is_recovered_from_the_systems_trend(w: World) -> None:
    """The month-end trend: the system's month (its page and export) less the schools' shown
    months (each school's page) never leaves hidden months adding up to fewer than 5."""
    extra = list(School.objects.filter(name__startswith="Extra").order_by("name"))
    schools = [w.school, w.other_school, *extra]
    truth = {
        s.pk: selectors.chronic(w.users["admin"], D30, group=("school", s.pk)).trend[-1].row
        for s in schools
    }

    def months(rows: list[list[str]]) -> dict[str, tuple[int | None, int | None]]:
        return {r[1]: (_number(r[2]), _number(r[3])) for r in rows if r[0].startswith("Month")}

    for who in ("leader", "analyst"):
        system = months(_rows(w, who, f"/attendance/chronic/?date={DAY}&format=csv"))
        own = {
            s.pk: months(
                _rows(w, who, f"/attendance/schools/{s.pk}/chronic/?date={DAY}&format=csv")
            )
            for s in schools
        }
        for index, measure in ((0, "counted"), (1, "chronic")):
            if system["September 2026"][index] is None:
                continue
            hidden = [s for s in schools if own[s.pk]["September 2026"][index] is None]
            exact = sum(getattr(truth[s.pk], measure).value for s in hidden)
            assert not hidden or exact >= 5, (who, measure, [s.name for s in hidden], exact)


def _absent_card(html: str) -> int | None:
    import re

    found = re.search(
        r'>Absent (?:today|on [A-Z][a-z]{2} \d+)</p><p class="stat mb-0">([^<]*)<', html
    )
    assert found is not None
    return _number(found.group(1))


def test_no_schools_absent_count_is_recovered_across_the_morning_pages(w: World) -> None:
    """The morning pages of the system, each network and each school, as a district leader reads
    them: a total shown on one page less the counts shown on the schools' own pages never
    leaves one hidden count, or hidden counts adding up to fewer than 5. (Pine Ridge, alone in
    the South Cluster, has 10 absent here: the system page hides it to protect Oak Hill's 2,
    and its own page must hide it too.)"""
    DailySchoolAttendance.objects.filter(school=w.other_school, date=D30).update(absent=10)
    DailySchoolAttendance.objects.filter(school__name__startswith="Extra", date=D30).update(
        absent=30
    )
    schools = list(School.objects.filter(system=w.system).order_by("name"))
    truth = dict(DailySchoolAttendance.objects.filter(date=D30).values_list("school_id", "absent"))
    own = {
        s.pk: _absent_card(_html(w, "leader", f"/attendance/schools/{s.pk}/?date={DAY}"))
        for s in schools
        if s.pk in truth
    }
    pages = [(f"/attendance/?date={DAY}", [pk for pk in own])]
    for network in (w.network, w.other_network):
        pages.append(
            (
                f"/attendance/networks/{network.pk}/?date={DAY}",
                [s.pk for s in schools if s.network_id == network.pk and s.pk in own],
            )
        )
    for url, members in pages:
        total = _absent_card(_html(w, "leader", url))
        if total is None:
            continue
        hidden = [pk for pk in members if own[pk] is None]
        assert not hidden or (len(hidden) > 1 and sum(truth[pk] for pk in hidden) >= 5), (
            url,
            hidden,
        )
    # The same school hidden on every page that shows it: the API's report too.
    assert own[w.other_school.pk] is None
    report = w.client("leader").get(f"/api/v1/attendance/report?system=riverbend&date={DAY}")
    assert report.json()["schools"]["sch-b"]["absent"] is None


def test_a_day_still_to_come_is_not_shown_as_if_it_had_attendance(w: World) -> None:
    """Fourth walk: `?date=` a day after today showed "today still open" and the API gave
    figures for it. Pages show today instead; the API says the date is after today."""
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 9, 30, 15, 0, tzinfo=datetime.UTC)):
        for who, url in (
            ("admin", "/attendance/?date=2026-10-05"),
            ("principal", f"/attendance/schools/{w.school.pk}/?date=2026-10-05"),
            ("admin", "/attendance/chronic/?date=2026-10-05"),
        ):
            html = _html(w, who, url)
            # Named once, in the warning that says why today is shown instead.
            assert html.count("Oct 5, 2026") == 1, url
            assert "Oct 5, 2026 is still to come" in html, url
            assert "Wednesday, Sep 30, 2026" in html, url
            assert "Today is the latest day" in html, url
        for api in ("report", "chronic"):
            answer = w.client("leader").get(
                f"/api/v1/attendance/{api}?system=riverbend&date=2026-10-05"
            )
            assert answer.status_code == 400, api
            assert "after today" in answer.json()["detail"]
            ok = w.client("leader").get(f"/api/v1/attendance/{api}?system=riverbend&date={DAY}")
            assert ok.status_code == 200, api


def test_chronic_exports_write_counts_as_plain_numbers(w: World) -> None:
    """Fourth walk: the CSV wrote "6,141" (text to a spreadsheet). Counts are plain integers; a
    withheld count is its label."""
    from trellis.attendance import chronic_views
    from trellis.core.suppression import Count

    assert chronic_views._cell(Count(6141)) == 6141
    assert chronic_views._cell(Count(3)) == "fewer than 5"
    for row in _rows(w, "admin", f"/attendance/chronic/?date={DAY}&format=csv")[:-1]:
        for cell in row[2:4]:
            assert cell.isdigit() or cell in ("fewer than 5", "not shown"), row


def test_a_viewers_part_of_a_network_is_not_called_the_network(w: World) -> None:
    """A viewer who sees part of a network (here Oak Hill's principal; in the demo a supervisor
    whose caseload crosses networks): the network's chronic page and export are those schools'
    figures, headed as the part of the network they are (issue 12 walk)."""
    from trellis.orgs.models import School

    north = w.network
    whole = School.objects.filter(network=north).count()
    assert whole > 1
    part = f"North Cluster (the 1 of its {whole} schools you see)"
    url = f"/attendance/chronic/?date={DAY}&network={north.pk}"
    assert f"Chronic absence in {part}</h1>" in _html(w, "principal", url)
    assert _rows(w, "principal", url + "&format=csv")[-2][:2] == ["Total", part]
    # For whom the network is whole, it keeps its name.
    assert "Chronic absence in North Cluster</h1>" in _html(w, "admin", url)
