"""Writes of the surveys app: permission first, one transaction, audited.

Files reach these through the import pipeline (import_kinds.py), which runs them inside its own
transaction with the run's report and audit event.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.learning.models import Community, PDSession
from trellis.programs.models import Placement
from trellis.surveys.builtin import CONDITIONS_DIMENSIONS, INSTRUMENTS
from trellis.surveys.models import (
    Administration,
    AlumniAnswer,
    ConsensusRating,
    Instrument,
    Item,
    Measures,
    Participation,
    Response,
    Submission,
    Window,
    school_year_label,
)
from trellis.surveys.plans import (
    Answer,
    InstrumentPlan,
    Respondent,
    ResponsesPlan,
    compare,
    year_bounds,
)
from trellis.surveys.selectors import (
    administration_same,
    alumni_of,
    on_leadership_team,
    school_year_of,
)


def instruments_install() -> list[Instrument]:
    """The built-in instruments (shared by every system); safe to repeat."""
    out = []
    with transaction.atomic():
        for spec in INSTRUMENTS:
            instrument, created = Instrument.objects.get_or_create(
                system=None,
                code=spec.code,
                defaults={"title": spec.title, "measures": spec.measures},
            )
            if created:
                Item.objects.bulk_create(
                    Item(
                        instrument=instrument,
                        code=code,
                        text=text,
                        scale=scale,
                        subscale=subscale,
                        reverse=reverse,
                        position=position,
                    )
                    for position, (code, text, scale, subscale, reverse) in enumerate(spec.items)
                )
                audit_event_record(
                    actor=None,
                    action="instrument.install",
                    obj=instrument,
                    actor_label="install",
                    after={"code": spec.code, "items": len(spec.items)},
                )
            out.append(instrument)
    return out


def instrument_import(*, actor: Any, plan: InstrumentPlan) -> Instrument:
    """Create the instrument of the plan, or bring its items in line with the file."""
    require(actor, Action.SURVEYS_MANAGE, plan.system)
    with transaction.atomic():
        instrument = plan.instrument
        if instrument is None:
            instrument = Instrument.objects.create(
                system=plan.system, code=plan.code, title=plan.title, measures=plan.measures
            )
        elif plan.title_changed:
            instrument.title = plan.title
            instrument.save(update_fields=["title", "updated_at"])
        existing = {i.code: i for i in instrument.items.all()}
        Item.objects.filter(instrument=instrument, code__in=plan.removed).delete()
        for position, row in enumerate(plan.items):
            old = existing.get(row.code)
            fields = {
                "text": row.text,
                "scale": row.scale,
                "subscale": row.subscale,
                "reverse": row.reverse,
                "position": position,
            }
            if old is None:
                Item.objects.create(instrument=instrument, code=row.code, **fields)
            elif any(getattr(old, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(old, k, v)
                old.save()
        audit_event_record(
            actor=actor,
            action="instrument.import",
            obj=instrument,
            system_id=plan.system.pk,
            after={"code": plan.code, "summary": plan.summary()},
        )
    return instrument


def responses_import(*, actor: Any, plan: ResponsesPlan) -> Administration:
    """Write a response file's answers: the administration (created when there is none), one
    submission per respondent. An identified respondent's answers replace their earlier ones;
    an anonymous file replaces the administration's answers as a whole (nobody is named)."""
    require(actor, Action.SURVEYS_MANAGE, plan.system)
    with transaction.atomic():
        administration = plan.administration
        if administration is None:
            administration = Administration.objects.create(
                instrument=plan.instrument,
                system=plan.system,
                program=plan.program,
                window=plan.window,
                school_year=plan.year,
                anonymous=plan.anonymous,
            )
        if plan.anonymous:
            if (
                plan.summary["respondents"]["unchanged"] != len(plan.respondents)
                or (plan.summary["respondents"]["removed"])
            ):
                # The file replaces the answers files gave (not those of the web form).
                from_files = administration.submissions.filter(source=Submission.Source.FILE)
                Response.objects.filter(submission__in=from_files).delete()
                from_files.delete()
                _write(administration, plan, people=False)
        else:
            people = [r.person.pk for r in plan.respondents if r.person is not None]
            Response.objects.filter(
                submission__administration=administration, submission__person_id__in=people
            ).delete()
            Submission.objects.filter(administration=administration, person_id__in=people).delete()
            _write(administration, plan, people=True)
        audit_event_record(
            actor=actor,
            action="responses.import",
            obj=administration,
            system_id=plan.system.pk,
            after={"administration": str(administration), "summary": plan.summary},
        )
    return administration


def administration_load(
    *,
    actor: Any,
    system: Any,
    instrument: Instrument,
    window: str,
    year: int,
    answers: list[tuple[Any, Any, dict[Item, Decimal]]],
    anonymous: bool,
    program: Any = None,
    session: Any = None,
) -> Administration:
    """Answers built in code (the demo generator) through the same write as a response file:
    the administration of that instrument, window, year and population, created if needed
    (a PD session's survey: the one given to its attendees, session_survey_create).
    `answers` holds one (school, person or None, {item: value}) per respondent."""
    respondents = [
        Respondent(
            school=school,
            person=None if anonymous else person,
            answers={item.pk: Answer(item, value, "") for item, value in values.items()},
        )
        for school, person, values in answers
    ]
    found = Administration.objects.filter(
        instrument=instrument, system=system, window=window, school_year=year
    )
    if session is not None:
        administration = found.filter(session=session).first()
        if administration is None:
            raise ValidationError("Give the session its survey first (session_survey_create).")
        program = administration.program
    else:
        administration = found.filter(
            program=program, school__isnull=True, session__isnull=True
        ).first()
    plan = ResponsesPlan(
        system, instrument, program, window, year, anonymous, administration, respondents
    )
    plan.summary = compare(plan)
    return responses_import(actor=actor, plan=plan)


def _write(administration: Administration, plan: ResponsesPlan, *, people: bool) -> None:
    now = timezone.localdate()
    submissions = Submission.objects.bulk_create(
        Submission(
            administration=administration,
            school=r.school,
            person=r.person if people else None,
            submitted_at=now,
        )
        for r in plan.respondents
    )
    Response.objects.bulk_create(
        Response(submission=sub, item=a.item, value=a.value, text=a.text)
        for sub, r in zip(submissions, plan.respondents, strict=True)
        for a in r.answers.values()
    )


def _check_form_days(year: int, opens_on: Any, closes_on: Any) -> None:
    if (opens_on is None) != (closes_on is None):
        raise ValidationError("Give both days, or neither to close the web form.")
    if opens_on is not None and closes_on < opens_on:
        raise ValidationError({"closes_on": "The form closes after it opens."})
    if opens_on is not None:
        # Answers count in their administration's school year: a form open outside it would
        # take answers for a year already reported (or not begun).
        first, last = year_bounds(year)
        span = (
            f"The web form of a {school_year_label(year)} administration is open within its "
            f"school year, {first:%B} {first.day}, {first.year} to {last:%B} {last.day}, "
            f"{last.year}."
        )
        errors = {
            name: span
            for name, day in (("opens_on", opens_on), ("closes_on", closes_on))
            if not first <= day <= last
        }
        if errors:
            raise ValidationError(errors)


def administration_window_set(
    *, actor: Any, administration: Administration, opens_on: Any, closes_on: Any
) -> Administration:
    """Open the web form from one day to another (both empty: answers only by file)."""
    require(actor, Action.SURVEYS_MANAGE, administration)
    _check_form_days(administration.school_year, opens_on, closes_on)
    return _window_write(actor, administration, opens_on, closes_on)


def _check_not_closed(closes_on: Any) -> None:
    # A session's survey given (or moved) to days already past opens closed and asks no one
    # (the walk of issue 11): nothing would ever tell its manager why nobody answered.
    today = timezone.localdate()
    if closes_on is not None and closes_on < today:
        raise ValidationError(
            {
                "closes_on": (
                    "This day has passed: the form would be closed from the start and ask no "
                    f"one. Close it today ({today:%B} {today.day}, {today.year}) or later."
                )
            }
        )


class AlreadyGiven(ValidationError):
    """The instrument has been given to that population in that window and year: the page
    links to the administration there is (a response file fills the same one)."""

    def __init__(self, administration: Administration) -> None:
        super().__init__(
            {
                "window": (
                    f"“{administration}” is already given to {administration.population_label}: "
                    "answers by the web form and by file go to that one administration."
                )
            }
        )
        self.administration = administration


POPULATIONS = ("staff", "program", "school")


def administration_create(
    *,
    actor: Any,
    instrument: Instrument,
    system: Any,
    population: str,
    program: Any = None,
    school: Any = None,
    window: str,
    school_year: int,
    anonymous: bool,
    opens_on: Any,
    closes_on: Any,
) -> Administration:
    """Give an instrument (the system's own or a built-in one, which stays as it is) to a
    population of the system, the system's staff, a program's participants or a school's
    staff, in a window of this school year, with the days its web form takes answers. One
    administration per instrument, system, window, year and population (AlreadyGiven)."""
    if population not in POPULATIONS:
        raise ValidationError({"population": "Choose the system's staff, a program or a school."})
    program = program if population == "program" else None
    school = school if population == "school" else None
    administration = Administration(
        instrument=instrument,
        system=system,
        program=program,
        school=school,
        window=window,
        school_year=school_year,
        anonymous=anonymous,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    # Who gives: whoever manages the surveys of that population (a program manager: their
    # program's participants only; surveys.scopes).
    require(actor, Action.SURVEYS_MANAGE, administration)
    errors: dict[str, str] = {}
    if instrument.system_id not in (None, system.pk):
        errors["system"] = f"“{instrument.title}” belongs to another system."
    if population == "program" and program is None:
        errors["program"] = "Choose the program whose participants answer."
    elif program is not None and not (
        program.owner_system_id == system.pk or program.systems.filter(pk=system.pk).exists()
    ):
        errors["program"] = f"{program.name} does not serve {system.name}."
    if population == "school" and school is None:
        errors["school"] = "Choose the school whose staff answer."
    elif school is not None and school.system_id != system.pk:
        errors["school"] = f"{school.name} is not a school of {system.name}."
    if window not in Window.values:
        errors["window"] = "Choose the beginning, middle or end of the year."
    current = school_year_of(timezone.localdate())
    if school_year > current:
        errors["school_year"] = (
            f"That school year has not begun: give this one ({current}, "
            f"{school_year_label(current)})."
        )
    elif school_year < current:
        errors["school_year"] = (
            f"The school year {school_year_label(school_year)} has ended: its web form could "
            f"take no answers (give this one, {current}, or bring past answers by file)."
        )
    if opens_on is None or closes_on is None:
        for name, day in (("opens_on", opens_on), ("closes_on", closes_on)):
            if day is None:
                errors[name] = "Give the day."
    if errors:
        raise ValidationError(errors)
    _check_form_days(school_year, opens_on, closes_on)
    _check_not_closed(closes_on)
    with transaction.atomic():
        # The lock on the instrument serialises two managers giving it at once (built-in ones
        # too: the row is only locked, never written).
        Instrument.objects.select_for_update().filter(pk=instrument.pk).first()
        existing = administration_same(
            instrument=instrument,
            system=system,
            window=window,
            year=school_year,
            program=program,
            school=school,
        )
        if existing is not None:
            raise AlreadyGiven(existing)
        administration.save()
        audit_event_record(
            actor=actor,
            action="administration.create",
            obj=administration,
            system_id=system.pk,
            after={
                "instrument": instrument.code,
                "population": population,
                "program": getattr(program, "pk", None),
                "school": getattr(school, "pk", None),
                "window": window,
                "school_year": school_year,
                "anonymous": anonymous,
                "opens_on": str(opens_on),
                "closes_on": str(closes_on),
            },
        )
    return administration


def session_survey_window_set(
    *, actor: Any, administration: Administration, opens_on: Any, closes_on: Any
) -> Administration:
    """Move the days a PD session's survey takes web answers (whoever manages the session,
    as the one who gave it): within its school year, and not closing before today."""
    if administration.session_id is None:
        raise PermissionDenied
    require(actor, Action.LEARNING_MANAGE, administration.session)
    _check_form_days(administration.school_year, opens_on, closes_on)
    _check_not_closed(closes_on)
    return _window_write(actor, administration, opens_on, closes_on)


def _window_write(
    actor: Any, administration: Administration, opens_on: Any, closes_on: Any
) -> Administration:
    with transaction.atomic():
        before = {
            "opens_on": str(administration.opens_on),
            "closes_on": str(administration.closes_on),
        }
        administration.opens_on, administration.closes_on = opens_on, closes_on
        administration.save(update_fields=["opens_on", "closes_on", "updated_at"])
        audit_event_record(
            actor=actor,
            action="administration.window",
            obj=administration,
            system_id=administration.system_id,
            before=before,
            after={"opens_on": str(opens_on), "closes_on": str(closes_on)},
        )
    return administration


def web_answers_save(
    *,
    actor: Any,
    administration: Administration,
    school: Any,
    answers: dict[Item, tuple[Decimal | None, str]],
    submit: bool,
) -> Submission:
    """A respondent's answers from the web form: a draft (`submit=False`, counted nowhere) or
    submitted. Identified: a second answer replaces the first (one submission per person and
    administration). Anonymous: the draft holds its person until it is submitted; submitting
    deletes it and writes the answers with no person and no moment, and records apart, with
    nothing linking the two, that the person has answered (a Participation); a second
    submission is refused, since nothing could tell which answers to replace. The audit events
    of an anonymous administration name no one and carry nothing of the answers."""
    from trellis.surveys.selectors import in_population

    person = actor.person
    today = timezone.localdate()
    if not in_population(administration, person, today) or not administration.open_on(today):
        raise PermissionDenied
    with transaction.atomic():
        if administration.anonymous:
            submission = _anonymous_save(administration, person, school, answers, submit, today)
        else:
            submission, _ = Submission.objects.select_for_update().get_or_create(
                administration=administration,
                person=person,
                defaults={"school": school, "source": Submission.Source.WEB},
            )
            if not submit and submission.submitted_at is not None:
                raise ValidationError(
                    "Your answers are submitted: submit your changes "
                    "(they cannot go back to a draft)."
                )
            submission.school = school
            submission.source = Submission.Source.WEB
            if submit:
                submission.submitted_at = today
            submission.save()
            _answers_write(submission, answers)
        audit_event_record(
            actor=None if administration.anonymous else actor,
            actor_label="anonymous respondent" if administration.anonymous else None,
            action="responses.submit" if submit else "responses.draft",
            obj=administration,
            system_id=administration.system_id,
            # Anonymous: nothing of the answers (not even how many), which a submission matches.
            after=None if administration.anonymous else {"answers": len(answers)},
        )
    return submission


ANSWERED_ANONYMOUSLY = (
    "You have already answered this anonymous survey. Your answers are kept without your "
    "name, so they can be neither shown to you nor changed."
)


def _anonymous_save(
    administration: Administration,
    person: Any,
    school: Any,
    answers: dict[Item, tuple[Decimal | None, str]],
    submit: bool,
    today: Any,
) -> Submission:
    # The lock on the administration serialises one person's two tabs (and everyone's
    # submissions to it, which are short).
    Administration.objects.select_for_update().filter(pk=administration.pk).first()
    if Participation.objects.filter(administration=administration, person=person).exists():
        raise ValidationError(ANSWERED_ANONYMOUSLY)
    draft = Submission.objects.filter(administration=administration, person=person).first()
    if not submit:
        if draft is None:
            draft = Submission.objects.create(
                administration=administration,
                person=person,
                school=school,
                source=Submission.Source.WEB,
            )
        elif draft.school != school:
            draft.school = school
            draft.save(update_fields=["school"])
        _answers_write(draft, answers)
        return draft
    if draft is not None:
        draft.delete()  # its answers go with it (cascade)
    submission = Submission.objects.create(
        administration=administration,
        person=None,
        school=school,
        source=Submission.Source.WEB,
        submitted_at=today,
    )
    _answers_write(submission, answers)
    Participation.objects.create(administration=administration, person=person)
    return submission


def _answers_write(submission: Submission, answers: dict[Item, tuple[Decimal | None, str]]) -> None:
    submission.responses.all().delete()
    Response.objects.bulk_create(
        Response(submission=submission, item=item, value=value, text=text)
        for item, (value, text) in answers.items()
        if value is not None or text
    )


def session_survey_create(
    *,
    actor: Any,
    session: PDSession,
    instrument: Instrument,
    window: str,
    anonymous: bool,
    opens_on: Any,
    closes_on: Any,
) -> Administration:
    """Give a satisfaction instrument to the attendees of a PD session (the session's
    manager: whoever may edit the session). The administration repeats the session's audience
    (its program or school) and falls in the school year of the session's day; its web form
    asks only those marked present (surveys.selectors.in_population). One per session and
    instrument."""
    require(actor, Action.LEARNING_MANAGE, session)
    if instrument.measures != Measures.SATISFACTION:
        raise ValidationError({"instrument": "Choose a satisfaction instrument."})
    if instrument.system_id not in (None, session.system_id):
        raise ValidationError({"instrument": "Choose one of this system's instruments."})
    if window not in Window.values:
        raise ValidationError({"window": "Choose the beginning, middle or end of the year."})
    year = school_year_of(timezone.localtime(session.starts_at).date())
    _check_form_days(year, opens_on, closes_on)
    _check_not_closed(closes_on)
    with transaction.atomic():
        if Administration.objects.filter(session=session, instrument=instrument).exists():
            raise ValidationError(
                {"instrument": "This session's attendees have been given this instrument."}
            )
        administration = Administration.objects.create(
            instrument=instrument,
            system_id=session.system_id,
            program_id=session.program_id,
            school_id=session.school_id,
            session=session,
            window=window,
            school_year=year,
            anonymous=anonymous,
            opens_on=opens_on,
            closes_on=closes_on,
        )
        audit_event_record(
            actor=actor,
            action="administration.create",
            obj=administration,
            system_id=session.system_id,
            after={
                "session": session.pk,
                "instrument": instrument.code,
                "window": window,
                "school_year": year,
                "anonymous": anonymous,
                "opens_on": str(opens_on),
                "closes_on": str(closes_on),
            },
        )
    return administration


def consensus_record(
    *, actor: Any, team: Community, year: int, window: str, ratings: dict[str, int]
) -> list[ConsensusRating]:
    """Record a school leadership team's consensus rating of its school's conditions, one value
    (1-4) per dimension, for the beginning or the end of a school year. Every dimension is
    rated at once (the school's score is the mean of all four). A window rated before is
    rated again: the new values replace the old, and the audit event keeps both."""
    if actor is not None and not on_leadership_team(actor, team):
        raise PermissionDenied
    school_id = team.school_id
    if school_id is None:  # a leadership team has a school (community_leadership_has_school)
        raise PermissionDenied
    errors: dict[str, str] = {}
    if window not in (Window.BOY, Window.EOY):
        errors["window"] = "Choose the beginning or the end of the year."
    current = school_year_of(timezone.localdate())
    if not 2000 <= year <= 2100:
        errors["year"] = "Give the school year as the year it ends (2018 is 2017-18)."
    elif year > current:
        errors["year"] = (
            f"That school year has not begun: give this one ({current}, "
            f"{school_year_label(current)}) or an earlier one."
        )
    for position, dimension in enumerate(CONDITIONS_DIMENSIONS):
        value = ratings.get(dimension)
        if value is None or value not in (1, 2, 3, 4):
            errors[f"dimension_{position}"] = f"Rate “{dimension}” from 1 to 4."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = {
            r.dimension: r
            for r in ConsensusRating.objects.select_for_update().filter(
                school_id=school_id, school_year=year, window=window
            )
        }
        before = {d: r.value for d, r in existing.items()}
        out = []
        for dimension in CONDITIONS_DIMENSIONS:
            rating = existing.get(dimension)
            if rating is None:
                rating = ConsensusRating.objects.create(
                    system_id=team.system_id,
                    school_id=school_id,
                    team=team,
                    school_year=year,
                    window=window,
                    dimension=dimension,
                    value=ratings[dimension],
                )
            elif rating.value != ratings[dimension] or rating.team_id != team.pk:
                rating.value, rating.team = ratings[dimension], team
                rating.save(update_fields=["value", "team", "updated_at"])
            out.append(rating)
        audit_event_record(
            actor=actor,
            action="conditions.consensus",
            obj=team,
            system_id=team.system_id,
            before={"year": year, "window": window, "ratings": before} if before else None,
            after={"year": year, "window": window, "ratings": dict(ratings)},
        )
    return out


def consensus_remove(*, actor: Any, team: Community, year: int, window: str) -> None:
    """Remove a window's consensus rating of the team's school (the same people who record
    it): the school's score for that window falls back on its conditions survey. The audit
    event keeps the ratings removed."""
    if actor is not None and not on_leadership_team(actor, team):
        raise PermissionDenied
    if team.school_id is None:  # a leadership team has a school (community_leadership_has_school)
        raise PermissionDenied
    with transaction.atomic():
        ratings = ConsensusRating.objects.select_for_update().filter(
            school_id=team.school_id, school_year=year, window=window
        )
        before = dict(ratings.values_list("dimension", "value"))
        if not before:
            raise ValidationError("The team has recorded no rating for that window.")
        ratings.delete()
        audit_event_record(
            actor=actor,
            action="conditions.consensus_removed",
            obj=team,
            system_id=team.system_id,
            before={"year": year, "window": window, "ratings": before},
        )


def alumni_answer_record(
    *, actor: Any, system: Any, person: Any, answered_on: Any, in_education: bool
) -> AlumniAnswer:
    """Record an alumnus's answer to the alumni survey ("Are you currently working in
    education?") with the day it was given: whoever manages the system's surveys. An answer of
    the same day replaces the earlier one (the audit event keeps both)."""
    require(actor, Action.SURVEYS_MANAGE, system)
    if person is None or not alumni_of(system).filter(pk=person.pk).exists():
        raise ValidationError({"person": "Choose an alumnus of one of the system's programs."})
    if answered_on > timezone.localdate():
        raise ValidationError({"answered_on": "The answer cannot have been given in the future."})
    # Before their placement the person was no alumnus: the answer would count in no year's
    # retention (docs/decisions.md, 2026-12-01), so it is refused rather than kept unseen.
    placed_on = (
        Placement.objects.filter(participant__person=person)
        .order_by("starts_on")
        .values_list("starts_on", flat=True)
        .first()
    )
    if placed_on is not None and answered_on < placed_on:
        raise ValidationError(
            {
                "answered_on": (
                    f"{person.full_name} was placed on {placed_on:%B} {placed_on.day}, "
                    f"{placed_on.year}: give a day from then on (the alumni survey asks those "
                    "placed after a program)."
                )
            }
        )
    with transaction.atomic():
        answer = (
            AlumniAnswer.objects.select_for_update()
            .filter(person=person, answered_on=answered_on)
            .first()
        )
        before = None if answer is None else {"in_education": answer.in_education}
        if answer is None:
            answer = AlumniAnswer.objects.create(
                system=system, person=person, answered_on=answered_on, in_education=in_education
            )
        elif answer.in_education != in_education:
            answer.in_education = in_education
            answer.save(update_fields=["in_education", "updated_at"])
        audit_event_record(
            actor=actor,
            action="alumni.answer",
            obj=answer,
            system_id=system.pk,
            before=before,
            after={
                "person": person.pk,
                "answered_on": str(answered_on),
                "in_education": in_education,
            },
        )
    return answer
