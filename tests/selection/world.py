"""The selection cycle every test world holds (for the role matrix, the URL walker and the
query counts).

Riverbend's "Leadership Residency" program (rated on the world's published framework) has a
cohort in selection: its cycle is open. The committee member (`committee`, with a person record)
holds `selection_committee` on the cohort; the system's program manager (`programs`) manages
the program but is not on the committee; the chair (`chair`) manages the program and sits on the
committee. Tomas Teller (`teacher`) has applied, passed screening
and has an interview whose panel is `panel_a` and `panel_b` (`panel_a` has submitted); his
principal's link is fresh (its token is `selection["token"]`). Cora Colleague has applied too;
her interview panel is `panel_other` and `panel_b` (`panel_other` interviews another applicant
than Tomas). `pm_other` manages another program (tests/programs/world.py).
"""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone

if TYPE_CHECKING:
    from tests.conftest import World

PDF = b"%PDF-1.4\n% a small test file\n"
TOKEN = "world-recommendation-token"


def pdf(name: str = "resume.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def competencies(version: Any) -> list[Any]:
    return list(version.items.filter(descriptors__isnull=False).distinct().order_by("pk"))


def add_selection(world: World) -> None:
    from tests.conftest import make_user
    from trellis.authz.roles import Role
    from trellis.authz.services import grant_create
    from trellis.frameworks.models import Framework
    from trellis.people.models import Person
    from trellis.people.services import person_create
    from trellis.programs.models import Program
    from trellis.programs.services import cohort_create, program_create
    from trellis.ratings.models import RoundSubject
    from trellis.ratings.services import round_ratings_save
    from trellis.selection.models import Recommendation
    from trellis.selection.services import (
        application_submit,
        cycle_create,
        cycle_version,
        interview_schedule,
        screening_record,
    )

    today = timezone.localdate()
    framework = Framework.objects.get(pk=world.framework_id)
    program = program_create(
        actor=None,
        name="Leadership Residency",
        kind=Program.Kind.ASPIRING_AP,
        owner_system=world.system,
        systems=[world.system],
        framework=framework,
    )
    year = today.year

    def cohort_of(owner: Any, name: str) -> Any:
        return cohort_create(
            actor=None,
            program=owner,
            name=name,
            school_year=year + 1,
            # Next July: the cohort has not started (interviews are held before it does).
            starts_on=datetime.date(year + 1, 7, 1),
            ends_on=datetime.date(year + 2, 6, 30),
        )

    cohort = cohort_of(program, f"Cohort {year + 1}")

    def staff(given: str, family: str) -> Person:
        return person_create(
            actor=None,
            system=world.system,
            given_name=given,
            family_name=family,
            email=f"{given}.{family}@example.org".lower(),
        )

    u = world.users
    u["committee"] = make_user(
        world.system,
        "committee@riverbend.test",
        Role.SELECTION_COMMITTEE,
        person=staff("Carla", "Committee"),
        cohort=cohort,
    )
    for key, given in (("panel_a", "Pat"), ("panel_b", "Pia"), ("panel_other", "Otto")):
        u[key] = make_user(
            world.system,
            f"{key}@riverbend.test",
            Role.INTERVIEWER,
            person=staff(given, "Panel"),
            system=world.system,
        )
    # The chair runs the program and sits on its committee: they admit into the cohort.
    u["chair"] = make_user(
        world.system, "chair@riverbend.test", Role.PROGRAM_MANAGER, program=program
    )
    grant_create(actor=None, user=u["chair"], role=Role.SELECTION_COMMITTEE, cohort=cohort)
    opens_on = today - datetime.timedelta(days=10)
    closes_on = today + datetime.timedelta(days=20)
    cycle = cycle_create(
        actor=None,
        cohort=cohort,
        title=f"Leadership Residency selection {year + 1}",
        questions=[
            {"text": "Why do you want to lead a school?", "required": True},
            {"text": "Anything else we should know?", "required": False},
        ],
        uploads=[{"label": "Résumé", "kind": "document", "required": True}],
        recommendation_items=competencies(cycle_version(cohort))[:2],
        opens_on=opens_on,
        closes_on=closes_on,
    )

    def apply(person: Person) -> Any:
        return application_submit(
            actor=None,
            applicant=person,
            cycle=cycle,
            answers={"0": "To make every classroom a place where students thrive."},
            track_record="Reading proficiency in my classes rose from 41% to 63% in two years.",
            principal_name="",
            principal_email="",
            recommender=world.principal_person,  # Oak Hill's principal of record
            files={0: pdf()},
            link_base="http://testserver/",
        )

    # The world is built before any test: its applications' requests go to no outbox.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        tomas = apply(world.teacher_person)
        cora = apply(world.colleague)
    for application in (tomas, cora):
        screening_record(actor=None, application=application, outcome="pass", note="Strong.")
    interview = interview_schedule(
        actor=u["committee"],
        application=tomas,
        raters=[u["panel_a"], u["panel_b"]],
        held_on=today,
    )
    interview_schedule(
        actor=u["committee"],
        application=cora,
        raters=[u["panel_other"], u["panel_b"]],
        held_on=today,
    )
    # A known token for Tomas's recommendation link (only its digest is stored).
    Recommendation.objects.filter(application=tomas).update(
        token_digest=hashlib.sha256(TOKEN.encode()).hexdigest()
    )
    version = cycle.version
    subject = RoundSubject.objects.get(round=interview.round)
    round_ratings_save(
        actor=u["panel_a"],
        round_=interview.round,
        subject=subject,
        entries=[(competencies(version)[0], version.levels.get(position=3), "Clear data story.")],
        submit=True,
    )
    world.selection = {
        "program": program.pk,
        "cohort": cohort.pk,
        "cycle": cycle.pk,
        "application": tomas.pk,
        "other_application": cora.pk,
        "file": tomas.files.get().pk,
        "round": interview.round_id,
        "round_subject": subject.pk,
        "token": TOKEN,
    }


def grow_selection(world: World, scale: int, tag: str) -> None:
    """Applications in proportion (for the query counts): `scale` more members of staff apply,
    pass screening and are interviewed by the world's panel, who submit scores; half are
    decided and every other principal has written the recommendation."""
    from trellis.people.models import Person
    from trellis.ratings.models import RoundSubject
    from trellis.ratings.services import round_ratings_save
    from trellis.selection.models import Application, Recommendation, SelectionCycle
    from trellis.selection.services import (
        application_submit,
        decision_record,
        interview_schedule,
        screening_record,
    )

    cycle = SelectionCycle.objects.select_related("version").get(pk=world.selection["cycle"])
    version = cycle.version
    items = competencies(version)
    levels = list(version.levels.order_by("position"))
    applied = Application.objects.filter(cycle=cycle).values("applicant_id")
    people = (
        Person.objects.filter(system=world.system, is_active=True)
        .exclude(pk__in=applied)
        .exclude(account__isnull=False)
        .order_by("pk")[:scale]
    )
    for number, person in enumerate(people):
        application = application_submit(
            actor=None,
            applicant=person,
            cycle=cycle,
            answers={"0": f"Reason {tag} {number}."},
            track_record="Attendance up 6 points in two years.",
            principal_name="A Principal",
            principal_email=f"principal.{tag}.{number}@example.org",
            files={0: pdf()},
            link_base="http://testserver/",
        )
        screening_record(actor=None, application=application, outcome="pass", note="Fine.")
        interview = interview_schedule(
            actor=world.users["committee"],
            application=application,
            raters=[world.users["panel_a"], world.users["panel_b"]],
            held_on=timezone.localdate(),
        )
        subject = RoundSubject.objects.get(round=interview.round)
        for shift, key in enumerate(("panel_a", "panel_b")):
            round_ratings_save(
                actor=world.users[key],
                round_=interview.round,
                subject=subject,
                entries=[
                    (item, levels[(i + shift + number) % len(levels)], "")
                    for i, item in enumerate(items)
                ],
                submit=True,
            )
        if number % 2 == 0:
            decision_record(
                actor=None,
                application=application,
                outcome="waitlist",
                reason="Strong.",
                seen_version=0,
            )
            Recommendation.objects.filter(application=application).update(
                used_at=timezone.now(), text="Recommended."
            )
