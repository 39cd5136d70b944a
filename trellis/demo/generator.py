"""A deterministic demo district, built through the same bulk services the imports use.

The same seed and the same `today` give the same district. Sizes follow product.md. Later
capabilities add their records here (programs, coaching, surveys, attendance).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from trellis.accounts.models import User
from trellis.accounts.services import account_create
from trellis.authz.roles import Role
from trellis.authz.services import grant_create
from trellis.demo.attendance import attendance_history, family_contact_history
from trellis.demo.coaching import coaching_history
from trellis.demo.coaching_video import video_history
from trellis.demo.evaluations import evaluation_history
from trellis.demo.impact import class_rosters, practice_history, previous_year_attendance
from trellis.demo.learning import (
    reported_students_history,
    session_surveys_and_consensus,
    survey_history,
)
from trellis.demo.pd import pd_history
from trellis.demo.selection import selection_history
from trellis.demo.support import support_from_data, support_history
from trellis.orgs.models import Network, Partner, School, System
from trellis.orgs.services import (
    network_create,
    partner_create,
    schools_bulk_create,
    system_create,
)
from trellis.people.models import Certification, Education, Person, Position, PositionKind
from trellis.people.services import people_bulk_create, staff_protection_decide
from trellis.rosters.services import position_end_reasons_infer
from trellis.students.models import Student
from trellis.students.services import students_bulk_create


@dataclass(frozen=True)
class Size:
    schools: int
    networks: int
    staff: int
    students: int
    years: int


SIZES = {
    "demo": Size(schools=12, networks=3, staff=400, students=6_000, years=3),
    "district": Size(schools=100, networks=10, staff=4_000, students=60_000, years=5),
    "metro": Size(schools=1_000, networks=100, staff=30_000, students=500_000, years=5),
}

SYSTEM_CODE = "riverbend"
SYSTEM_NAME = "Riverbend Public Schools"
DEMO_PASSWORD = "trellis-demo-2026"
# A fixed TOTP secret for the demo administrator only, so the demo can be signed in to at once.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

GIVEN = (
    "Aaliyah Adrian Aisha Alejandro Amara Andre Angela Ashley Ben Brianna Carlos Carmen Chen "
    "Chloe Daniel Darnell Deja Diego Elena Emeka Emily Fatima Gabriel Grace Hannah Hector Imani "
    "Isaac Jamal Jasmine Javier Jennifer Jordan Joseph Kayla Keisha Kevin Kim Latoya Laura Leon "
    "Lucia Malik Maria Marcus Maya Michael Miguel Mina Monique Nadia Naomi Nia Omar Patricia "
    "Priya Rachel Rashad Rosa Ryan Samuel Sara Sofia Tamika Terrence Thomas Tiana Victor "
    "Wei Xavier Yasmin Yusuf Zoe"
).split()
FAMILY = (
    "Adams Alvarez Baker Bell Brooks Brown Campbell Carter Chen Clark Coleman Cruz Davis Diaz "
    "Edwards Evans Flores Foster Garcia Gomez Gonzalez Gray Green Hall Harris Hayes Henderson "
    "Hernandez Hill Howard Hughes Jackson James Jenkins Johnson Jones Kim King Lee Lewis Lopez "
    "Martin Martinez Mitchell Moore Morales Morgan Murphy Nguyen Okafor Ortiz Patel Perez "
    "Peterson Phillips Price Ramirez Reed Reyes Richardson Rivera Roberts Robinson Rodriguez "
    "Ross Sanchez Scott Simmons Smith Stewart Sullivan Taylor Thomas Thompson Torres Turner "
    "Walker Washington Watson White Williams Wilson Wright Young"
).split()
PLACES = (
    "Oak Hill Riverside Maple Grove Cedar Park Lincoln Douglass Tubman King Carver Hillcrest "
    "Lakeview Parkside Westwood Eastgate Northside Southview Pine Ridge Willow Creek Harbor "
    "Sunrise Meadowbrook Brookfield Fairview Greenwood Highland Jefferson Madison Franklin "
    "Kennedy Roosevelt Chavez Mandela Parks Hamilton Wheatley Morrison Banneker Bethune"
).split()
NETWORK_NAMES = ["North", "South", "East", "West", "Central", "Riverside", "Uptown", "Lakeside"]
SUBJECTS = [
    "mathematics",
    "English language arts",
    "science",
    "social studies",
    "special education",
]
UNIVERSITIES = [
    "Riverbend State University",
    "Northfield College of Education",
    "Lakeshore University",
    "Eastern Teachers College",
]
GRADES: dict[str, list[str]] = {
    School.Level.ELEMENTARY: ["KG", "01", "02", "03", "04", "05"],
    School.Level.MIDDLE: ["06", "07", "08"],
    School.Level.HIGH: ["09", "10", "11", "12"],
    School.Level.K8: ["KG", "01", "02", "03", "04", "05", "06", "07", "08"],
}

DEMO_ACCOUNTS = [
    # (e-mail local part, role, where, description for the printed table)
    ("admin", Role.SYSTEM_ADMIN, "system", "system administrator (asks for a TOTP code)"),
    ("leader", Role.DISTRICT_LEADER, "system", "district leader / talent office"),
    ("programs", Role.PROGRAM_MANAGER, "system", "program manager"),
    ("supervisor", Role.SUPERVISOR, "network", "principal supervisor, first network"),
    ("coach", Role.COACH, "system", "coach"),
    ("principal", Role.PRINCIPAL, "school", "principal of the first school"),
    ("teacher", Role.TEACHER_LEADER, "school", "teacher leader at the first school"),
    ("interviewer", Role.INTERVIEWER, "system", "interviewer / recommender"),
    ("partner", Role.PARTNER_STAFF, "partner", "partner staff"),
    ("analyst", Role.ANALYST, "system", "analyst (aggregates only)"),
    (
        "coachlead",
        Role.COACHING_LEAD,
        "system",
        "coaching lead (protocol library, coaching and video settings, dosage)",
    ),
]


TRELLIS_ASSIGNED = {PositionKind.COACH, PositionKind.SUPERVISOR, PositionKind.TEACHER_LEADER}


@dataclass
class DemoResult:
    system: System
    created: bool
    accounts: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def school_year_start(day: datetime.date) -> datetime.date:
    year = day.year if day.month >= 8 else day.year - 1
    return datetime.date(year, 8, 1)


class Builder:
    def __init__(self, size: Size, seed: int, today: datetime.date) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.today = today
        self.year_start = school_year_start(today)
        self.history_start = self.year_start.replace(year=self.year_start.year - size.years + 1)
        self.people: list[Person] = []
        self.positions: list[Position] = []
        self.education: list[Education] = []
        self.certifications: list[Certification] = []
        self.serial = 0
        # Who could be supported, and by whom (the assignments part; see `assignments`).
        self.seed = seed
        self.principals: list[tuple[Person, School]] = []
        self.assistant_principals: list[tuple[Person, School]] = []
        self.supervisors: list[tuple[Person, Network]] = []
        self.coaches: list[Person] = []

    # -- helpers -------------------------------------------------------------------------
    def _person(self, *, active: bool = True) -> Person:
        self.serial += 1
        given = self.rng.choice(GIVEN)
        family = self.rng.choice(FAMILY)
        person = Person(
            given_name=given,
            family_name=family,
            email=f"{given}.{family}.{self.serial}@riverbend.example".lower(),
            identifier=f"E{self.serial:06d}",
            sourced_id=f"staff-{self.serial:06d}",
            is_active=active,
        )
        self.people.append(person)
        return person

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        span = max((end - start).days, 0)
        return start + datetime.timedelta(days=self.rng.randint(0, span))

    def _start_before_history(self) -> datetime.date:
        years_back = self.rng.randint(1, 12)
        return datetime.date(self.history_start.year - years_back, 8, 1)

    def _add(
        self,
        person: Person,
        kind: str,
        start: datetime.date,
        end: datetime.date | None,
        *,
        school: School | None = None,
        network: Network | None = None,
        title: str = "",
    ) -> None:
        # OneRoster has no coaches, supervisors or teacher leaders: Trellis assigns those
        # (rosters.models.RoleMapping), so a roster import never ends them.
        rostered = kind not in TRELLIS_ASSIGNED
        self.positions.append(
            Position(
                person=person,
                kind=kind,
                school=school,
                network=network,
                title=title,
                starts_on=start,
                ends_on=end,
                source=Position.Source.ROSTER if rostered else Position.Source.MANUAL,
                sourced_id=f"role-{len(self.positions) + 1:07d}" if rostered else "",
            )
        )

    def _leader_record(self, person: Person, *, doctorate: bool = False) -> None:
        self.education.append(
            Education(
                person=person,
                institution=self.rng.choice(UNIVERSITIES),
                degree=Education.Degree.BACHELOR,
                field_of_study=self.rng.choice(SUBJECTS),
                completed_year=self.rng.randint(1990, 2012),
            )
        )
        self.education.append(
            Education(
                person=person,
                institution=self.rng.choice(UNIVERSITIES),
                degree=Education.Degree.DOCTORATE if doctorate else Education.Degree.MASTER,
                field_of_study="Educational leadership",
                completed_year=self.rng.randint(2005, 2020),
                leadership_preparation=True,
            )
        )
        issued = datetime.date(self.rng.randint(2008, 2021), 7, 1)
        self.certifications.append(
            Certification(
                person=person,
                name="School leadership certificate",
                issuer="State Board of Education",
                number=f"L-{self.serial:06d}",
                issued_on=issued,
                expires_on=issued.replace(year=issued.year + 10),
            )
        )

    # -- the district ---------------------------------------------------------------------
    def schools_and_networks(self, system: System) -> tuple[list[Network], list[School]]:
        networks = [
            network_create(
                actor=None,
                system=system,
                name=f"{NETWORK_NAMES[i % len(NETWORK_NAMES)]} Cluster"
                + (f" {i // len(NETWORK_NAMES) + 1}" if i >= len(NETWORK_NAMES) else ""),
                code=f"network-{i + 1:02d}",
            )
            for i in range(self.size.networks)
        ]
        levels = [School.Level.ELEMENTARY] * 6 + [School.Level.MIDDLE] * 2 + [School.Level.HIGH] * 2
        levels += [School.Level.K8]
        pending = []
        used: set[str] = set()
        for i in range(self.size.schools):
            level = levels[i % len(levels)] if i else School.Level.ELEMENTARY
            suffix = {
                "elementary": "Elementary School",
                "middle": "Middle School",
                "high": "High School",
                "k8": "K-8 Academy",
            }[level]
            base = self.rng.choice(PLACES)
            name = f"{base} {suffix}"
            n = 2
            while name in used:
                name = f"{base} {suffix} {n}"
                n += 1
            used.add(name)
            pending.append(
                School(
                    name=name,
                    level=level,
                    network=networks[i % len(networks)],
                    identifier=f"13{i + 1:05d}",
                    sourced_id=f"school-{i + 1:05d}",
                    address=f"{self.rng.randint(10, 9999)} {self.rng.choice(PLACES)} Avenue",
                    city="Riverbend",
                    phone=f"555-{self.rng.randint(1000, 9999)}",
                )
            )
        schools = schools_bulk_create(actor=None, system=system, schools=pending)
        return networks, schools

    def staff(self, networks: list[Network], schools: list[School]) -> dict[str, Person]:
        """Current staff, plus people who held positions over the history window and left."""
        size = self.size
        anchors: dict[str, Person] = {}
        supervisors = max(len(networks), size.schools // 5)
        coaches = max(2, size.schools // 6)
        office = max(10, size.schools // 8)
        school_staff = size.staff - supervisors - coaches - office
        per_school = max(school_staff // size.schools, 8)

        for index, school in enumerate(schools):
            principal = self._person()
            anchors.setdefault("principal", principal)
            start = self._date_between(self.history_start, self.year_start)
            # Most principals were assistant principals first: the pipeline's history.
            if self.rng.random() < 0.7:
                ap_start = self._date_between(
                    datetime.date(start.year - 4, 8, 1), datetime.date(start.year - 2, 8, 1)
                )
                self._add(
                    principal,
                    PositionKind.ASSISTANT_PRINCIPAL,
                    ap_start,
                    start - datetime.timedelta(days=1),
                    school=self.rng.choice(schools),
                )
            self._add(principal, PositionKind.PRINCIPAL, start, None, school=school)
            self.principals.append((principal, school))
            self._leader_record(principal, doctorate=self.rng.random() < 0.15)
            # A principal who left during the history window.
            if start > self.history_start:
                former = self._person(active=False)
                self._add(
                    former,
                    PositionKind.PRINCIPAL,
                    self._start_before_history(),
                    start - datetime.timedelta(days=1),
                    school=school,
                )
                self._leader_record(former)
            aps = 1 if school.level == School.Level.ELEMENTARY else 2
            for _ in range(aps):
                ap = self._person()
                ap_start = self._date_between(self.history_start, self.year_start)
                self._add(
                    ap,
                    PositionKind.TEACHER,
                    self._start_before_history(),
                    ap_start - datetime.timedelta(days=1),
                    school=school,
                )
                self._add(ap, PositionKind.ASSISTANT_PRINCIPAL, ap_start, None, school=school)
                self.assistant_principals.append((ap, school))
                self._leader_record(ap)
            teachers = per_school - 1 - aps + self.rng.randint(-2, 2)
            for t in range(max(teachers, 4)):
                teacher = self._person()
                subject = self.rng.choice(SUBJECTS)
                start = (
                    self._start_before_history()
                    if self.rng.random() < 0.6
                    else self._date_between(self.history_start, self.year_start)
                )
                self._add(
                    teacher,
                    PositionKind.TEACHER,
                    start,
                    None,
                    school=school,
                    title=f"Teacher, {subject}",
                )
                self.education.append(
                    Education(
                        person=teacher,
                        institution=self.rng.choice(UNIVERSITIES),
                        degree=Education.Degree.BACHELOR,
                        field_of_study=subject,
                        completed_year=max(start.year - 1, 1980),
                    )
                )
                self.certifications.append(
                    Certification(
                        person=teacher,
                        name=f"Teaching certificate, {subject}",
                        issuer="State Board of Education",
                        number=f"T-{self.serial:06d}",
                        issued_on=datetime.date(max(start.year - 1, 1980), 6, 15),
                    )
                )
                if t < 3 or self.rng.random() < 0.08:
                    lead_start = self._date_between(max(start, self.history_start), self.year_start)
                    self._add(
                        teacher,
                        PositionKind.TEACHER_LEADER,
                        lead_start,
                        None,
                        school=school,
                        title=self.rng.choice(
                            [
                                "Content lead",
                                "Model teacher",
                                "Mentor teacher",
                                "Instructional coach",
                            ]
                        )
                        + f", {subject}",
                    )
                    if index == 0:
                        anchors.setdefault("teacher", teacher)
            # Teachers who left in earlier years (turnover for retention figures).
            for _ in range(max(1, teachers * size.years // 10)):
                leaver = self._person(active=False)
                begin = self._start_before_history()
                end = self._date_between(
                    self.history_start, self.year_start - datetime.timedelta(days=1)
                )
                self._add(leaver, PositionKind.TEACHER, begin, end, school=school)

        for i in range(supervisors):
            person = self._person()
            anchors.setdefault("supervisor", person)
            start = self._date_between(self.history_start, self.year_start)
            self._add(
                person,
                PositionKind.PRINCIPAL,
                self._start_before_history(),
                start - datetime.timedelta(days=1),
                school=self.rng.choice(schools),
            )
            self._add(
                person,
                PositionKind.SUPERVISOR,
                start,
                None,
                network=networks[i % len(networks)],
                title="Senior director",
            )
            self.supervisors.append((person, networks[i % len(networks)]))
            self._leader_record(person, doctorate=self.rng.random() < 0.3)
        for _ in range(coaches):
            person = self._person()
            anchors.setdefault("coach", person)
            self.coaches.append(person)
            self._add(
                person,
                PositionKind.COACH,
                self._date_between(self.history_start, self.year_start),
                None,
                title="Leadership coach",
            )
            self._leader_record(person)
        titles = [
            "Talent office specialist",
            "Program manager",
            "Data analyst",
            "Director of leadership development",
            "Chief academic officer",
        ]
        for i in range(office):
            person = self._person()
            self._add(
                person,
                PositionKind.DISTRICT_STAFF,
                self._start_before_history(),
                None,
                title=titles[i % len(titles)],
            )
            if i == 0:
                anchors.setdefault("leader", person)
            if i == 1:
                anchors.setdefault("programs", person)
            if i == 2:
                anchors.setdefault("analyst", person)
            if i == 3:
                anchors.setdefault("coachlead", person)  # the director of leadership development
        return anchors

    def students(self, schools: list[School], batch: int = 50_000) -> Iterator[list[Student]]:
        """Students in batches, so that a metro-size roster never sits in memory at once."""
        pending: list[Student] = []
        per_school = self.size.students // len(schools)
        serial = 0
        for school in schools:
            grades = GRADES.get(school.level, ["09"])
            for _ in range(per_school + self.rng.randint(-per_school // 10, per_school // 10)):
                serial += 1
                pending.append(
                    Student(
                        school=school,
                        sourced_id=f"stu-{serial:07d}",
                        given_name=self.rng.choice(GIVEN),
                        family_name=self.rng.choice(FAMILY),
                        grade=self.rng.choice(grades),
                        enrolled_on=self.year_start,
                    )
                )
                if len(pending) >= batch:
                    yield pending
                    pending = []
        if pending:
            yield pending


def build(*, size_name: str, seed: int, today: datetime.date) -> DemoResult:
    existing = System.objects.filter(code=SYSTEM_CODE).first()
    if existing is not None:
        return DemoResult(system=existing, created=False, accounts=demo_sign_ins(existing))
    size = SIZES[size_name]
    builder = Builder(size, seed, today)
    system = system_create(actor=None, code=SYSTEM_CODE, name=SYSTEM_NAME)
    networks, schools = builder.schools_and_networks(system)
    anchors = builder.staff(networks, schools)
    people_bulk_create(
        actor=None,
        system=system,
        people=builder.people,
        positions=builder.positions,
        education=builder.education,
        certifications=builder.certifications,
    )
    # Every ended position has a reason, inferred as the roster import infers it.
    position_end_reasons_infer(actor=None, system=system, run_date=today)
    student_count = sum(
        students_bulk_create(actor=None, system=system, students=batch)
        for batch in builder.students(schools)
    )
    partners = [
        partner_create(
            actor=None,
            name="Northstar Leadership Partners",
            kind=Partner.Kind.PD_PROVIDER,
            home_system=system,
            website="https://northstar.example",
        ),
        partner_create(
            actor=None,
            name="Riverbend State University Leadership Academy",
            kind=Partner.Kind.UNIVERSITY,
            home_system=system,
        ),
        partner_create(
            actor=None,
            name="Clearwater Resource Advisers",
            kind=Partner.Kind.RESOURCE_ADVISER,
            home_system=system,
        ),
    ]
    start = builder.history_start
    users: dict[str, User] = {}
    for local, role, where, _ in DEMO_ACCOUNTS:
        person = anchors.get(local)
        user = account_create(
            actor=None,
            system=system,
            email=f"{local}@riverbend.example",
            person=person,
            password=DEMO_PASSWORD,
            display_name=person.full_name if person else local.title(),
        )
        node = {
            "system": {"system": system},
            "network": {"network": networks[0]},
            "school": {"school": schools[0]},
            "partner": {"partner": partners[0]},
        }[where]
        grant_create(actor=None, user=user, role=role, starts_on=start, **node)  # type: ignore[arg-type]
        if role == Role.SYSTEM_ADMIN:
            TOTP.activate(user, DEMO_TOTP_SECRET)
        users[local] = user
    assignment_count = assignments(builder, system)
    frameworks(builder, system, anchors, users, today)
    program_counts = programs(
        system, seed=seed, today=today, manager=users.get("programs"), partner=partners[0]
    )
    program_counts.update(selection_history(system, seed=seed, today=today, users=users))
    program_counts.update(attendance_history(system, seed=seed, today=today, size_name=size_name))
    program_counts.update(
        family_contact_history(system, seed=seed, today=today, users=users.values())
    )
    program_counts.update(coaching_history(system, seed=seed, today=today))
    program_counts.update(evaluation_history(system, seed=seed, today=today))
    program_counts.update(video_history(system, seed=seed, today=today))
    program_counts.update(support_history(system, seed=seed, today=today, size_name=size_name))
    program_counts.update(survey_history(system, seed=seed, today=today))
    program_counts.update(pd_history(system, seed=seed, today=today))
    program_counts.update(session_surveys_and_consensus(system, seed=seed, today=today))
    # The impact report's levels 3 and 5: participants' progress ratings, last year's attendance.
    program_counts.update(practice_history(system, seed=seed, today=today))
    program_counts.update(
        previous_year_attendance(system, seed=seed, today=today, size_name=size_name)
    )
    # Class rosters (teachers and students in homerooms), so that reach counts students.
    program_counts.update(class_rosters(system, seed=seed, today=today, size_name=size_name))
    program_counts.update(reported_students_history(system, seed=seed, today=today))
    program_counts.update(support_from_data(system))
    # The closed readers' staff suppression, left to the task worker by the build's recounts,
    # is decided once here: the demo (and the bench built from it) opens with it made, whether
    # or not a worker runs.
    staff_protection_decide(system_id=system.pk)
    if connection.vendor == "postgresql":
        # Bulk loads leave the planner without statistics until autovacuum gets round to them
        # (never, where it is off): a metro district's pages then pick nested loops over
        # hundreds of thousands of rows. The roster import analyses its tables likewise.
        # Outside a transaction (the demo command), VACUUM too: it marks the pages all-visible,
        # so that counts read from an index (people.Person's `person_active`) need not visit
        # the table, as they would not once autovacuum has run on a live system.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    return DemoResult(
        system=system,
        created=True,
        accounts=demo_sign_ins(system),
        counts={
            "networks": len(networks),
            "schools": len(schools),
            "people": len(builder.people),
            "positions": len(builder.positions),
            "students": student_count,
            "assignments": assignment_count,
            **program_counts,
        },
    )


def assignments(builder: Builder, system: System) -> int:
    """Caseloads and coachees, so that every role's pages have real content: each network's
    principals are shared among its supervisors (about one in six left unassigned, at least one
    in the first network, so the caseload page lists some); coaches coach the first principal,
    about half the other principals and a third of the assistant principals, some with a coach
    last year too. Its own random stream: the rest of the demo does not move with it."""
    from trellis.assignments.models import Assignment
    from trellis.assignments.services import assignments_bulk_create
    from trellis.authz.roles import Relationship

    rng = random.Random(f"{builder.seed}-assignments")
    this_year = builder.year_start
    last_year = this_year.replace(year=this_year.year - 1)
    pending: list[Assignment] = []

    def add(
        kind: str,
        supporter: Person,
        assignee: Person,
        start: datetime.date,
        end: datetime.date | None = None,
    ) -> None:
        pending.append(
            Assignment(
                kind=kind, supporter=supporter, assignee=assignee, starts_on=start, ends_on=end
            )
        )

    by_network: dict[int, list[Person]] = {}
    for person, network in builder.supervisors:
        by_network.setdefault(network.pk, []).append(person)
    turn: dict[int, int] = {}
    first_network = builder.supervisors[0][1].pk if builder.supervisors else None
    in_first = [p for p, school in builder.principals if school.network_id == first_network]
    for principal, school in builder.principals:
        supervisors = by_network.get(school.network_id or 0)
        if not supervisors:
            continue
        first = principal is builder.principals[0][0]  # the demo principal has a supervisor
        if not first and ((in_first and principal is in_first[-1]) or rng.random() < 1 / 6):
            continue  # unassigned
        index = turn.get(school.network_id or 0, 0)
        turn[school.network_id or 0] = index + 1
        supervisor = supervisors[index % len(supervisors)]
        add(Relationship.SUPERVISION, supervisor, principal, this_year)

    coaches = builder.coaches
    if coaches:
        coachees = [p for p, _ in builder.principals[:1]]
        coachees += [p for p, _ in builder.principals[1:] if rng.random() < 0.5]
        coachees += [p for p, _ in builder.assistant_principals if rng.random() < 1 / 3]
        for n, person in enumerate(coachees):
            coach = coaches[n % len(coaches)]
            add(Relationship.COACHING, coach, person, this_year)
            if len(coaches) > 1 and rng.random() < 0.3:
                earlier = coaches[(n + 1) % len(coaches)]
                add(
                    Relationship.COACHING,
                    earlier,
                    person,
                    last_year,
                    this_year - datetime.timedelta(days=1),
                )
    return len(assignments_bulk_create(actor=None, system=system, assignments=pending))


def demo_sign_ins(system: System) -> list[tuple[str, str]]:
    emails = {f"{local}@riverbend.example": text for local, _, _, text in DEMO_ACCOUNTS}
    present = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    return [(email, text) for email, text in emails.items() if email in present]


def frameworks(
    builder: Builder,
    system: System,
    anchors: dict[str, Person],
    users: dict[str, User],
    today: datetime.date,
) -> None:
    """The built-in templates; the district's own leadership framework, published; and a
    year of the coach's progress ratings of the first principal, so the chart has history."""
    from trellis.frameworks.services import (
        framework_start_from,
        framework_templates_install,
        version_publish,
    )
    from trellis.ratings.models import Rating
    from trellis.ratings.services import ratings_record

    templates = framework_templates_install(actor=None)
    own = framework_start_from(
        actor=None, source=templates[0], system=system, title="Riverbend Leadership Framework"
    )
    own = version_publish(actor=None, version=own)
    principal = anchors.get("principal")
    if principal is None:
        return
    competencies = list(
        own.items.filter(descriptors__isnull=False)
        .distinct()
        .order_by("parent__position", "position")[:6]
    )
    levels = list(own.levels.all())
    for months_ago in (10, 7, 4, 1):
        day = today - datetime.timedelta(days=30 * months_ago)
        entries = []
        for item in competencies:
            step = builder.rng.choice([0, 0, 1])
            base = min(len(levels) - 1, (10 - months_ago) // 3 + step)
            entries.append((item, levels[base], "Observed in a school visit."))
        # the demo writes history as the command line, naming the coach as rater
        ratings = ratings_record(
            actor=None,
            subject=principal,
            version=own,
            purpose=Rating.Purpose.PROGRESS,
            rated_on=day,
            entries=entries,
        )
        Rating.objects.filter(pk__in=[r.pk for r in ratings]).update(
            rater=users.get("coach"), rater_label="Coach", rater_kind="coach"
        )
    # An open evaluation round of the first principal, run by the supervisor and rated by the
    # coach and the supervisor, so the rounds pages have content.
    from trellis.ratings.models import RatingRound
    from trellis.ratings.services import round_create

    if users.get("supervisor") and users.get("coach"):
        round_ = round_create(
            actor=None,
            title="Mid-year leadership review",
            purpose=Rating.Purpose.EVALUATION,
            version=own,
            subjects=[principal],
            raters=[users["coach"], users["supervisor"]],
            opens_on=today - datetime.timedelta(days=7),
            closes_on=today + datetime.timedelta(days=21),
        )
        # written as the command line, owned by the supervisor (as the ratings above)
        RatingRound.objects.filter(pk=round_.pk).update(
            owner=users["supervisor"], owner_label=str(users["supervisor"])
        )


# -- Programs (issue 9) -------------------------------------------------------------------------

EXPERIENCES = [
    ("Lead a grade-level data meeting", "Plan, lead and follow up a data meeting.", 45),
    ("Observe and debrief a teacher", "Two observations with written feedback.", 75),
    ("Build part of the master schedule", "With the principal, for one grade band.", 120),
    ("Run a family engagement event", "From invitation to follow-up.", 160),
    ("Manage a budget line", "Track and report one line for a semester.", 220),
    ("Lead a professional learning session", "For the whole staff or a team.", 280),
]
PROJECT_MEASURES = [
    ("Too few 3rd graders read on grade level.", "3rd-grade reading proficiency", 38, 50),
    ("Chronic absence is high in the 9th grade.", "9th-grade chronic absence", 24, 15),
    ("Math growth lags in the middle grades.", "Students meeting math growth targets", 44, 55),
    ("Office referrals cluster in two grades.", "Office referrals per 100 students", 31, 20),
]


def programs(
    system: System,
    *,
    seed: int,
    today: datetime.date,
    manager: User | None = None,
    partner: Partner | None = None,
    per_cohort: int = 6,
) -> dict[str, int]:
    """Two programs, each with three past cohorts (participants with experiences signed off by
    their coach, a school improvement project with milestones, completion and placements that
    became positions) and one cohort in selection now: an aspiring principal program of the
    system's assistant principals, and a teacher-leader fellowship run by `partner` (when given)
    for its teachers. `manager` gets a program-manager grant on both. Written through the
    programs services as the command line, from its own random stream (the rest of the demo
    does not move with it)."""
    from trellis.programs.models import Cohort, Program
    from trellis.programs.services import cohort_create, experience_create, program_create

    rng = random.Random(f"{seed}-programs")
    # Programs run by school year from July 1 to June 30 (Trellis's own `school_year_start`
    # for rosters begins in August).
    year = today.year if today.month >= 7 else today.year - 1
    schools = list(School.objects.filter(system=system, is_active=True).order_by("pk"))
    coaches = list(
        Person.objects.filter(
            system=system, positions__kind=PositionKind.COACH, positions__ends_on__isnull=True
        )
        .distinct()
        .order_by("pk")
    )

    def current(kind: str) -> list[tuple[Person, datetime.date]]:
        """People in a current position of this kind, with the day it began: a cohort takes
        only people whose position began before the cohort, so that a placement ends it."""
        rows = (
            Position.objects.filter(
                system=system, kind=kind, ends_on__isnull=True, person__is_active=True
            )
            .select_related("person")
            .order_by("person_id", "starts_on")
        )
        found: dict[int, tuple[Person, datetime.date]] = {}
        for position in rows:
            found.setdefault(position.person_id, (position.person, position.starts_on))
        return list(found.values())

    teachers = current(PositionKind.TEACHER)
    school_of = dict(
        Position.objects.filter(system=system, kind=PositionKind.TEACHER, ends_on__isnull=True)
        .order_by("person_id", "starts_on")
        .values_list("person_id", "school_id")
    )
    specs = [
        (
            "Aspiring Principals Program",
            Program.Kind.ASPIRING_PRINCIPAL,
            None,
            # Assistant principals first, then teacher leaders and half the teachers (the demo's
            # assistant principals mostly began their current spell lately).
            current(PositionKind.ASSISTANT_PRINCIPAL)
            + current(PositionKind.TEACHER_LEADER)
            + teachers[::2],
            "principal",
        ),
        (
            "Teacher Leadership Fellowship",
            Program.Kind.PARTNER_FELLOWSHIP if partner else Program.Kind.TEACHER_LEADER_FELLOWSHIP,
            partner,
            teachers[1::2],
            "assistant_principal",
        ),
    ]
    counts = {"programs": 0, "cohorts": 0, "participants": 0, "placements": 0}
    for name, kind, owner_partner, pool, placed_as in specs:
        program = program_create(
            actor=None,
            name=name,
            kind=kind,
            owner_system=None if owner_partner else system,
            owner_partner=owner_partner,
            systems=[system],
            description="Real at-bats: a school improvement project, essential experiences, "
            "coaching and a learning community.",
        )
        counts["programs"] += 1
        for title, text, days in EXPERIENCES:
            experience_create(
                actor=None, program=program, title=title, description=text, due_days=days
            )
        if manager is not None:
            grant_create(
                actor=None,
                user=manager,
                role=Role.PROGRAM_MANAGER,
                program=program,
                starts_on=datetime.date(year - 3, 7, 1),
                note="Runs the program (demo).",
            )
        # The assistant principals stay first: the program draws on them before the others.
        # Three completed cohorts, the cohort of this school year (under way: records up to
        # today) and next summer's, in selection now.
        for offset in (3, 2, 1, 0):
            start = datetime.date(year - offset, 7, 1)
            cohort = cohort_create(
                actor=None,
                program=program,
                name=f"Cohort {4 - offset}",
                school_year=year - offset,
                starts_on=start,
                ends_on=datetime.date(year - offset + 1, 6, 30),
                state=Cohort.State.ACTIVE if offset == 0 else Cohort.State.COMPLETED,
            )
            counts["cohorts"] += 1
            eligible = [person for person, began in pool if began < start]
            members = eligible[:per_cohort]
            if kind != Program.Kind.ASPIRING_PRINCIPAL:
                # A fellowship's cohort is a school's team of teachers (the first school with
                # enough of them), so that the school's use of new practice has figures.
                by_school: dict[Any, list[Person]] = {}
                for person in eligible:
                    by_school.setdefault(school_of.get(person.pk), []).append(person)
                whole = next((g for g in by_school.values() if len(g) >= per_cohort), None)
                members = (whole or eligible)[:per_cohort]
            pool = [(person, began) for person, began in pool if person not in members]
            added, placed = cohort_history(
                cohort,
                members,
                rng=rng,
                coaches=coaches,
                schools=schools,
                placed_as=placed_as,
                finish=offset > 0,
                today=today,
            )
            counts["participants"] += added
            counts["placements"] += placed
        # Choosing next summer's cohort now (the selection cycle's applications hang on it).
        cohort_create(
            actor=None,
            program=program,
            name="Cohort 5",
            school_year=year + 1,
            starts_on=datetime.date(year + 1, 7, 1),
            ends_on=datetime.date(year + 2, 6, 30),
            state=Cohort.State.SELECTION,
        )
        counts["cohorts"] += 1
    return counts


def principal_vacancy(
    schools: list[School], *, rng: random.Random, on: datetime.date, successor: Person
) -> School | None:
    """A school for a new principal placed from `on`: one whose principal has not been placed
    there by a program (a school has one principal), and never the first school (the demo
    principal's, who signs in). Its principal retires the day before, as a vacancy opens in a
    district, and the successor takes over the supervision and coaching the demo gave the
    principal from then on; None when no school has such a vacancy."""
    from trellis.assignments.models import Assignment
    from trellis.people.models import EndReason
    from trellis.people.services import position_end

    placed = set(
        Position.objects.filter(
            school__in=schools, kind=PositionKind.PRINCIPAL, placement__isnull=False
        ).values_list("school_id", flat=True)
    )
    day_before = on - datetime.timedelta(days=1)
    # A school whose principal began after `on` (the roster's spells begin on various days)
    # would have two at once.
    later = set(
        Position.objects.filter(
            school__in=schools, kind=PositionKind.PRINCIPAL, starts_on__gt=day_before
        ).values_list("school_id", flat=True)
    )
    open_ = [school for school in schools[1:] if school.pk not in placed | later]
    if not open_:
        return None
    school = open_[rng.randrange(len(open_))]
    incumbents = Position.objects.filter(
        school=school, kind=PositionKind.PRINCIPAL, starts_on__lte=day_before
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    retired = set()
    for position in incumbents.select_related("person"):
        position_end(
            actor=None, position=position, ends_on=day_before, end_reason=EndReason.RETIRED
        )
        retired.add(position.person_id)
    # The demo's caseloads were drawn before its programs ran (`assignments`): what they give
    # the retired principal after the day goes to the successor.
    theirs = Assignment.objects.filter(assignee_id__in=retired)
    theirs.filter(starts_on__gte=on).update(assignee=successor)
    theirs.filter(starts_on__lt=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on)).update(
        ends_on=day_before
    )
    return school


def cohort_history(
    cohort: Any,
    members: list[Person],
    *,
    rng: random.Random,
    coaches: list[Person],
    schools: list[School],
    placed_as: str,
    finish: bool = True,
    today: datetime.date | None = None,
) -> tuple[int, int]:
    """A cohort's year, as records, never after `today`: each member joins and is coached by a
    coach (an assignment for the cohort's dates, or until they leave), records evidence for each
    experience on the checklist due by then (their coach signs off most), writes a project with
    two milestones (done once their day has passed), and, when `finish`, completes (about one in
    eight withdraws, and has nothing recorded after leaving) and is placed (three in four), which
    starts a position. Returns (participants, placements)."""
    from trellis.assignments.models import Assignment
    from trellis.assignments.services import assignments_bulk_create
    from trellis.authz.roles import Relationship
    from trellis.programs.models import Milestone, Participant
    from trellis.programs.services import (
        add_participant,
        evidence_submit,
        experience_sign_off,
        milestone_add,
        participant_status_set,
        placement_record,
        project_save,
    )

    today = today or timezone.localdate()
    checklist = list(cohort.program.experiences.order_by("position", "due_days", "pk"))
    start = cohort.starts_on
    placements = 0
    coaching: list[Assignment] = []
    for n, person in enumerate(members):
        participant = add_participant(
            actor=None,
            cohort=cohort,
            person=person,
            career_goal=f"{PositionKind(placed_as).label} within two years",
        )
        coach = coaches[n % len(coaches)] if coaches else None
        # Who withdraws, and when, is known first: nothing is recorded after they leave.
        left_on = (
            start + datetime.timedelta(days=rng.randint(60, 200))
            if finish and rng.random() < 0.12
            else None
        )
        # Records stop at the last day there was: today, the day they left, or the cohort's end.
        until = min(d for d in (today, left_on, cohort.ends_on) if d is not None)
        # Someone already coached (the demo coaches some assistant principals) keeps that coach:
        # the program covers only the days their coaching does not, with the same coach, so
        # nobody has two coaching assignments at once nor two coaches.
        spells: list[tuple[datetime.date, datetime.date | None, Person]] = []
        if coach is not None:
            last = left_on or cohort.ends_on
            held = list(
                Assignment.objects.filter(
                    Q(ends_on__isnull=True) | Q(ends_on__gte=start),
                    kind=Relationship.COACHING,
                    assignee=person,
                    starts_on__lte=last,
                )
                .select_related("supporter")
                .order_by("starts_on")
            )
            if held:
                coach = held[0].supporter
            spells = [(a.starts_on, a.ends_on, a.supporter) for a in held]
            cursor: datetime.date | None = start
            for begins, ends, _who in list(spells):
                if cursor is not None and begins > cursor:
                    coaching.append(
                        Assignment(
                            kind=Relationship.COACHING,
                            supporter=coach,
                            assignee=person,
                            starts_on=cursor,
                            ends_on=min(last, begins - datetime.timedelta(days=1)),
                        )
                    )
                    spells.append((cursor, min(last, begins - datetime.timedelta(days=1)), coach))
                if ends is None:
                    cursor = None
                elif cursor is not None:
                    cursor = max(cursor, ends + datetime.timedelta(days=1))
            if cursor is not None and cursor <= last:
                coaching.append(
                    Assignment(
                        kind=Relationship.COACHING,
                        supporter=coach,
                        assignee=person,
                        starts_on=cursor,
                        ends_on=last,
                    )
                )
                spells.append((cursor, last, coach))

        def coach_on(
            day: datetime.date,
            spells: list[tuple[datetime.date, datetime.date | None, Person]] = spells,
        ) -> Person | None:
            for begins, ends, who in spells:
                if begins <= day and (ends is None or day <= ends):
                    return who
            return None

        # Most finish every experience; some leave one or two unsigned.
        done = len(checklist) - (rng.random() < 0.3) - (rng.random() < 0.1)
        for index, experience in enumerate(checklist):
            due = start + datetime.timedelta(days=experience.due_days)
            submitted = due - datetime.timedelta(days=rng.randint(3, 20))
            signed = due - datetime.timedelta(days=rng.randint(0, 2))
            if submitted > until:
                continue
            evidence_submit(
                actor=None,
                participant=participant,
                experience=experience,
                text=f"{experience.title}: done with my team; notes in the binder.",
                on=submitted,
            )
            if coach_on(max(signed, submitted)) and index < done and signed <= until:
                experience_sign_off(
                    actor=None,
                    participant=participant,
                    experience=experience,
                    on=max(signed, submitted),
                    signed_by=coach_on(max(signed, submitted)),
                )
        problem, measure, baseline, target = rng.choice(PROJECT_MEASURES)
        reached = baseline + (target - baseline) * rng.choice([0.4, 0.7, 1.0, 1.2])
        project = project_save(
            actor=None,
            participant=participant,
            title=measure.capitalize(),
            problem_statement=problem,
            measure=measure,
            baseline=f"{baseline}%",
            target=f"{target}%",
            result=f"Reached {reached:.0f}% by the spring." if finish and not left_on else "",
        )
        for months, title in ((2, "Baseline and root cause"), (6, "Mid-year check")):
            due_on = start + datetime.timedelta(days=30 * months)
            done_on = due_on - datetime.timedelta(days=3)
            reached_it = done_on <= until
            milestone_add(
                actor=None,
                project=project,
                title=title,
                due_on=due_on,
                status=Milestone.Status.DONE
                if reached_it
                else Milestone.Status.IN_PROGRESS
                if due_on - today < datetime.timedelta(days=60)
                else Milestone.Status.PLANNED,
                done_on=done_on if reached_it else None,
            )
        if not finish:
            continue
        if left_on is not None:
            participant_status_set(
                actor=None,
                participant=participant,
                status=Participant.Status.WITHDRAWN,
                on=left_on,
            )
            continue
        participant_status_set(
            actor=None, participant=participant, status="completed", on=cohort.ends_on
        )
        if schools and rng.random() < 0.75:
            starts_on = cohort.ends_on + datetime.timedelta(days=1)
            school: School | None = schools[rng.randrange(len(schools))]
            if placed_as == PositionKind.PRINCIPAL:
                school = principal_vacancy(
                    schools, rng=rng, on=starts_on, successor=participant.person
                )
            if school is None:
                continue
            placement_record(
                actor=None,
                participant=participant,
                role=placed_as,
                school=school,
                starts_on=starts_on,
            )
            placements += 1
    if coaching:
        assignments_bulk_create(actor=None, system=members[0].system, assignments=coaching)
    return len(members), placements
