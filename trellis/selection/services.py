"""Writes of the selection cycle. Each checks permission first, runs in one transaction and
leaves an audit event; e-mails (recommendation requests, invitations, letters) are sent inside
the transaction, so a failure to send saves nothing.

Who may do what: the program's managers (`programs.manage` on the cohort) configure the cycle,
its letters and invitations; the cohort's selection committee (`selection.deliberations`)
screens, schedules interviews, decides, sends letters and enrols those admitted; an applicant
applies, withdraws and asks for their recommendation; a recommender and an invited member of
staff act through their link alone.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from trellis.accounts.models import User
from trellis.accounts.services import account_create
from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record, changed, snapshot
from trellis.frameworks.models import FrameworkItem, FrameworkVersion, PerformanceLevel
from trellis.people.models import Person
from trellis.programs.models import Cohort
from trellis.programs.services import add_participant
from trellis.ratings.models import Purpose, RatingRound
from trellis.ratings.selectors import user_name
from trellis.ratings.services import round_advance, round_consensus_record, round_create
from trellis.selection.letters import PLACEHOLDERS, render_letter
from trellis.selection.models import (
    Application,
    ApplicationFile,
    Decision,
    Interview,
    Invitation,
    LetterTemplate,
    Recommendation,
    RecommendationScore,
    ScreeningNote,
    SelectionCycle,
)
from trellis.selection.selectors import principals_of_record
from trellis.selection.uploads import KINDS, check_upload

RECOMMENDATION_DAYS = 14
INVITATION_DAYS = 14
# How long after the interview its panel may still enter scores.
INTERVIEW_RATING_DAYS = 14

DEFAULT_LETTERS = {
    Decision.Outcome.ADMIT: (
        "Your application to {program}",
        "Dear {name},\n\nCongratulations: you have been admitted to {cohort}. The program team "
        "will write to you with the dates of the first sessions.\n\nThe {program} team",
    ),
    Decision.Outcome.WAITLIST: (
        "Your application to {program}",
        "Dear {name},\n\nThank you for applying to {cohort}. You are on the waiting list; we will "
        "write to you as soon as a place opens.\n\nThe {program} team",
    ),
    Decision.Outcome.DECLINE: (
        "Your application to {program}",
        "Dear {name},\n\nThank you for applying to {cohort}. We are not able to offer you a place "
        "this year, and we hope you will apply again.\n\nThe {program} team",
    ),
}


def day(value: datetime.date) -> str:
    """A day as the site writes it (“Nov 29, 2026”), in messages as in templates."""
    return f"{value:%b %-d, %Y}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def _system_id(cohort: Cohort) -> int | None:
    program = cohort.program
    if program.owner_system_id is not None:
        return int(program.owner_system_id)
    partner = program.owner_partner
    return partner.home_system_id if partner is not None else None


def _audit(actor: Any, action: str, obj: Any, cycle: SelectionCycle, **kwargs: Any) -> None:
    audit_event_record(
        actor=actor, action=action, obj=obj, system_id=_system_id(cycle.cohort), **kwargs
    )


# The cycle and its form ------------------------------------------------------------------


def _clean_form(questions: list[dict[str, Any]], uploads: list[dict[str, Any]]) -> None:
    for index, question in enumerate(questions, start=1):
        if not str(question.get("text", "")).strip():
            raise ValidationError({"questions": f"Question {index} has no text."})
    for index, upload in enumerate(uploads, start=1):
        if not str(upload.get("label", "")).strip():
            raise ValidationError({"uploads": f"Upload {index} has no name."})
        if upload.get("kind") not in KINDS:
            raise ValidationError({"uploads": f"Upload {index}: choose document or video."})


def _clean_items(version: FrameworkVersion, items: list[FrameworkItem]) -> None:
    strangers = [str(item) for item in items if item.version_id != version.pk]
    if strangers:
        raise ValidationError(
            {"recommendation_items": f"Not competencies of {version}: {', '.join(strangers)}."}
        )


def cycle_version(cohort: Cohort) -> FrameworkVersion:
    """The version a cycle rates against: the latest published version (with a rubric) of the
    framework the program develops."""
    framework_id = cohort.program.framework_id
    version = (
        FrameworkVersion.objects.filter(
            framework_id=framework_id,
            status=FrameworkVersion.Status.PUBLISHED,
            levels__isnull=False,
        )
        .order_by("-number")
        .first()
        if framework_id
        else None
    )
    if version is None:
        raise ValidationError(
            f"{cohort.program} has no published framework with a rubric: interviews and "
            "recommendations rate its competencies. Choose the program's framework first."
        )
    return version


def cycle_create(
    *,
    actor: Any,
    cohort: Cohort,
    title: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    questions: list[dict[str, Any]],
    uploads: list[dict[str, Any]],
    recommendation_items: list[FrameworkItem] | None = None,
    instructions: str = "",
) -> SelectionCycle:
    require(actor, Action.PROGRAMS_MANAGE, cohort)
    if SelectionCycle.objects.filter(cohort=cohort).exists():
        raise ValidationError({"cohort": f"{cohort.name} has a selection cycle already."})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "The last day to apply is before the first."})
    _clean_form(questions, uploads)
    version = cycle_version(cohort)
    items = list(recommendation_items or [])
    _clean_items(version, items)
    with transaction.atomic():
        cycle = SelectionCycle.objects.create(
            cohort=cohort,
            title=title.strip()[:200],
            opens_on=opens_on,
            closes_on=closes_on,
            questions=questions,
            uploads=uploads,
            version=version,
            instructions=instructions.strip(),
        )
        cycle.recommendation_items.set(items)
        LetterTemplate.objects.bulk_create(
            [
                LetterTemplate(cycle=cycle, outcome=outcome, subject=subject, body=body)
                for outcome, (subject, body) in DEFAULT_LETTERS.items()
            ]
        )
        _audit(
            actor,
            "selection.cycle_create",
            cycle,
            cycle,
            after={
                "cohort": cohort.pk,
                "window": [opens_on.isoformat(), closes_on.isoformat()],
                "questions": len(questions),
                "uploads": [u["label"] for u in uploads],
                "version": version.pk,
            },
        )
    return cycle


CYCLE_FIELDS = ("title", "opens_on", "closes_on", "questions", "uploads", "instructions")


def cycle_update(
    *,
    actor: Any,
    cycle: SelectionCycle,
    recommendation_items: list[FrameworkItem] | None = None,
    **fields: Any,
) -> SelectionCycle:
    require(actor, Action.PROGRAMS_MANAGE, cycle.cohort)
    unknown = set(fields) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"cycle_update cannot change {', '.join(sorted(unknown))}")
    _clean_form(fields.get("questions", cycle.questions), fields.get("uploads", cycle.uploads))
    if recommendation_items is not None:
        _clean_items(cycle.version, recommendation_items)
    with transaction.atomic():
        cycle = (
            SelectionCycle.objects.select_for_update(of=("self",))
            .select_related("cohort__program__owner_partner")
            .get(pk=cycle.pk)
        )
        before = snapshot(cycle, CYCLE_FIELDS)
        for key, value in fields.items():
            setattr(cycle, key, value.strip() if isinstance(value, str) else value)
        if cycle.closes_on < cycle.opens_on:
            raise ValidationError({"closes_on": "The last day to apply is before the first."})
        cycle.save()
        after = snapshot(cycle, CYCLE_FIELDS)
        diff = changed(before, after)
        if recommendation_items is not None:
            old = sorted(cycle.recommendation_items.values_list("pk", flat=True))
            new = sorted(item.pk for item in recommendation_items)
            if old != new:
                cycle.recommendation_items.set(recommendation_items)
                before["recommendation_items"], diff["recommendation_items"] = old, new
        if diff:
            _audit(
                actor,
                "selection.cycle_update",
                cycle,
                cycle,
                before={key: before[key] for key in diff},
                after=diff,
            )
    return cycle


def _placeholders_check(text: str, field: str) -> None:
    unknown = sorted(set(re.findall(r"\{([^{}]*)\}", text)) - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            {
                field: f"Unknown placeholder {', '.join('{' + u + '}' for u in unknown)}; "
                f"use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}."
            }
        )


def letters_update(
    *, actor: Any, cycle: SelectionCycle, letters: dict[str, tuple[str, str]]
) -> list[LetterTemplate]:
    """The program's managers edit the letter sent for each outcome."""
    require(actor, Action.PROGRAMS_MANAGE, cycle.cohort)
    for outcome, (subject, body) in letters.items():
        if outcome not in Decision.Outcome.values:
            raise ValidationError(f"Unknown outcome {outcome!r}.")
        if not subject.strip() or not body.strip():
            raise ValidationError({f"{outcome}_body": "A letter needs a subject and a text."})
        _placeholders_check(subject, f"{outcome}_subject")
        _placeholders_check(body, f"{outcome}_body")
    with transaction.atomic():
        templates = {t.outcome: t for t in LetterTemplate.objects.filter(cycle=cycle)}
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for outcome, (subject, body) in letters.items():
            template = templates.get(outcome) or LetterTemplate(cycle=cycle, outcome=outcome)
            if (template.subject, template.body) != (subject.strip(), body.strip()):
                before[outcome] = {"subject": template.subject, "body": template.body}
                template.subject, template.body = subject.strip(), body.strip()
                template.save()
                after[outcome] = {"subject": template.subject, "body": template.body}
            templates[outcome] = template
        if after:
            _audit(actor, "selection.letters_update", cycle, cycle, before=before, after=after)
    return list(templates.values())


# Invitations -----------------------------------------------------------------------------


def invitations_send(
    *, actor: Any, cycle: SelectionCycle, emails: list[str], link_base: str
) -> tuple[list[Invitation], list[str]]:
    """Invite members of staff who have no account to apply: each gets an e-mailed link (once,
    for INVITATION_DAYS days) to choose a password. Returns the invitations and a problem for
    each address that names nobody who could be invited."""
    require(actor, Action.PROGRAMS_MANAGE, cycle.cohort)
    program = cycle.cohort.program
    systems = list(program.systems.values_list("pk", flat=True))
    wanted = [e.strip().lower() for e in emails if e.strip()]
    people: dict[str, Person] = {
        p.email.lower(): p
        for p in Person.objects.annotate(address=Lower("email"))
        .filter(system_id__in=systems, is_active=True, address__in=wanted)
        .select_related("account")
    }
    problems: list[str] = []
    found: list[Person] = []
    for email in dict.fromkeys(wanted):
        match = people.get(email)
        if match is None:
            problems.append(f"{email}: nobody on the staff of the program's systems.")
        elif getattr(match, "account", None) is not None:
            problems.append(f"{email}: {match.full_name} has an account; they apply signed in.")
        else:
            found.append(match)
    if problems:
        return [], problems
    now = timezone.now()
    made: list[Invitation] = []
    with transaction.atomic():
        for person in found:
            token, digest = _new_token()
            invitation = Invitation.objects.create(
                cycle=cycle,
                person=person,
                email=person.email.lower(),
                token_digest=digest,
                expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
                invited_by_label=user_name(actor),
            )
            send_mail(
                f"You are invited to apply to {program}",
                f"Dear {person.full_name},\n\n{user_name(actor)} invites you to apply to "
                f"{cycle.cohort.name} of {program}. Applications close on "
                f"{cycle.closes_on:%A, %b %-d, %Y}.\n\nChoose a password for your Trellis account "
                f"here (the link works once, until {invitation.expires_at:%b %-d, %Y}):\n"
                f"{link_base.rstrip('/')}/selection/invitations/{token}/\n",
                None,
                [person.email],
            )
            made.append(invitation)
        _audit(
            actor,
            "selection.invite",
            cycle,
            cycle,
            after={"invited": [p.email for p in found]},
        )
    return made, []


def invitation_for(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("person", "cycle__cohort__program")
        .filter(token_digest=token_digest(token))
        .first()
    )


def invitation_accept(*, token: str, password: str) -> User:
    """An invited member of staff chooses their password: their account is made and linked to
    their person record. The link is the authority (it was sent by a program manager to the
    person's own address), so the account is made as the command line would make it."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("person__system", "cycle__cohort__program__owner_partner")
            .filter(token_digest=token_digest(token))
            .first()
        )
        if invitation is None:
            raise PermissionDenied
        if invitation.used_at is not None:
            raise ValidationError("This invitation has been used already: sign in instead.")
        if invitation.expires_at < timezone.now():
            raise ValidationError("This invitation has expired.")
        person = invitation.person
        validate_password(password)
        user = account_create(
            actor=None,
            system=person.system,
            email=invitation.email,
            person=person,
            password=password,
        )
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at", "updated_at"])
        _audit(
            None,
            "selection.invitation_accept",
            invitation,
            invitation.cycle,
            actor_label=invitation.email,
            after={"account": user.pk},
        )
    return user


# Applications ----------------------------------------------------------------------------


def _send_recommendation_request(
    application: Application, recommendation: Recommendation, token: str, link_base: str
) -> None:
    cycle = application.cycle
    send_mail(
        f"A recommendation for {application.applicant.full_name}",
        f"Dear {recommendation.recommender_name},\n\n{application.applicant.full_name} has "
        f"applied to {cycle.cohort.name} of {cycle.cohort.program} and names you as their "
        f"principal. Please write your recommendation here; you need no account:\n"
        f"{link_base.rstrip('/')}/recommend/{token}/\n\nThe link works once and expires on "
        f"{recommendation.expires_at:%b %-d, %Y}.\n",
        None,
        [recommendation.recommender_email],
    )


def window_check(cycle: SelectionCycle, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if today < cycle.opens_on:
        raise ValidationError(
            f"Applications open on {cycle.opens_on:%A, %b %-d, %Y}; come back then."
        )
    if today > cycle.closes_on:
        raise ValidationError(
            f"The deadline has passed: applications closed on {cycle.closes_on:%A, %b %-d, %Y} "
            "(the last day to apply)."
        )


class PrincipalMismatch(ValidationError):
    """The recommender named is not the applicant's principal of record."""


def _recommender(
    person: Person,
    principal_name: str,
    principal_email: str,
    recommender: Person | None,
    command_line: bool = False,
) -> tuple[str, str, Person | None]:
    """Whom the recommendation is asked of (docs/decisions.md, "the applicant's principal"):
    the applicant's principal of record (a current principal of a school where the applicant
    holds a current position) by default; another address is refused while there is one. An
    applicant without a principal of record names someone, and the committee sees the
    recommendation flagged as not from a principal of record."""
    if recommender is not None:  # the command line names the record
        return recommender.full_name, recommender.email.lower(), recommender
    if command_line and principal_email.strip():
        # The command line writes history: whom it names was asked (not a principal of record).
        return principal_name.strip(), principal_email.strip().lower(), None
    principals = principals_of_record(person.pk)
    wanted = principal_email.strip().lower()
    if principals:
        if not wanted:
            chosen = principals[0]
            return chosen.full_name, chosen.email.lower(), chosen
        for principal in principals:
            if principal.email.lower() == wanted:
                return principal.full_name, principal.email.lower(), principal
        named = " or ".join(f"{p.full_name} <{p.email}>" for p in principals)
        raise PrincipalMismatch(
            {
                "principal_email": f"The recommendation is asked of your principal: {named} by "
                "the school's staff record. If that record is wrong, ask your school system's "
                "administrator to correct it before you submit."
            }
        )
    errors: dict[str, str] = {}
    if not principal_name.strip():
        errors["principal_name"] = "Name your principal (no principal is on record for you)."
    if not wanted:
        errors["principal_email"] = "Give your principal's e-mail address."
    if errors:
        raise ValidationError(errors)
    return principal_name.strip(), wanted, None


def application_save(
    *,
    actor: Any,
    cycle: SelectionCycle,
    answers: dict[str, str],
    track_record: str,
    principal_name: str,
    principal_email: str,
    files: dict[int, UploadedFile],
    link_base: str,
    submit: bool = True,
    applicant: Person | None = None,
    recommender: Person | None = None,
) -> Application:
    """A member of staff applies, signed in as themselves: `submit=False` saves a draft (only
    the applicant sees it; come back before the deadline), `submit=True` checks everything the
    form requires and submits, and their principal is asked for a recommendation by e-mail at
    once. Files of a draft are kept (a new upload for a slot replaces it). The command line
    (actor None: the demo generator) names the `applicant` and may name the `recommender`'s
    record instead."""
    person_id = applicant.pk if actor is None and applicant is not None else None
    if actor is not None:
        person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise ValidationError(
            "Your account is not linked to a staff record; ask your administrator to link it."
        )
    person = Person.objects.select_related("system").get(pk=person_id)
    program = cycle.cohort.program
    if not program.systems.filter(pk=person.system_id).exists():
        raise PermissionDenied
    window_check(cycle)
    existing = Application.objects.filter(cycle=cycle, applicant=person).first()
    if existing is not None and not existing.is_draft:
        raise ValidationError("You have applied in this cycle already.")
    stored = (
        set(ApplicationFile.objects.filter(application=existing).values_list("slot", flat=True))
        if existing is not None
        else set()
    )
    errors: dict[str, list[str]] = {}
    content_types: dict[int, str] = {}
    for index, slot in enumerate(cycle.uploads):
        upload = files.get(index)
        if upload is None:
            if submit and slot.get("required") and index not in stored:
                errors.setdefault(f"file_{index}", []).append(f"Upload your {slot['label']}.")
            continue
        try:
            content_types[index] = check_upload(slot["label"], slot["kind"], upload)
        except ValidationError as error:
            errors.setdefault(f"file_{index}", []).extend(error.messages)
    if submit:
        for index, question in enumerate(cycle.questions):
            if question.get("required") and not answers.get(str(index), "").strip():
                errors.setdefault(f"answer_{index}", []).append("Answer this question.")
        if not track_record.strip():
            errors.setdefault("track_record", []).append(
                "Describe your students' outcomes: the evidence of your track record."
            )
    recommender_name, recommender_email, recommender_person = "", "", None
    if submit:
        try:
            recommender_name, recommender_email, recommender_person = _recommender(
                person, principal_name, principal_email, recommender, actor is None
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    values = {
        "answers": {key: value.strip() for key, value in answers.items()},
        "track_record": track_record.strip(),
        "principal_name": (recommender_name or principal_name.strip())[:200],
        "principal_email": recommender_email or principal_email.strip().lower(),
        "status": Application.Status.SUBMITTED if submit else Application.Status.DRAFT,
        "submitted_at": now if submit else None,
    }
    with transaction.atomic():
        if existing is None:
            try:
                with transaction.atomic():
                    application = Application.objects.create(
                        cycle=cycle,
                        applicant=person,
                        account=actor if actor is not None else getattr(person, "account", None),
                        **values,
                    )
            except IntegrityError as error:
                raise ValidationError("You have applied in this cycle already.") from error
        else:
            application = Application.objects.select_for_update().get(pk=existing.pk)
            if not application.is_draft:
                raise ValidationError("You have applied in this cycle already.")
            for key, value in values.items():
                setattr(application, key, value)
            application.save()
        for index, upload in files.items():
            if index not in content_types:
                continue
            ApplicationFile.objects.filter(application=application, slot=index).delete()
            ApplicationFile.objects.create(
                application=application,
                slot=index,
                label=cycle.uploads[index]["label"],
                file=upload,
                original_name=(upload.name or "upload")[:255],
                size=int(upload.size or 0),
                content_type=content_types[index],
            )
        files_now = sorted(
            ApplicationFile.objects.filter(application=application).values_list("label", flat=True)
        )
        if not submit:
            _audit(
                actor,
                "selection.draft",
                application,
                cycle,
                object_repr=f"{person.full_name}: {cycle}"[:200],
                after={"status": "draft", "files": files_now},
            )
            return application
        token, digest = _new_token()
        recommendation = Recommendation.objects.create(
            application=application,
            recommender_name=application.principal_name,
            recommender_email=application.principal_email,
            recommender_person=recommender_person,
            token_digest=digest,
            requested_at=now,
            expires_at=now + datetime.timedelta(days=RECOMMENDATION_DAYS),
        )
        _audit(
            actor,
            "selection.apply",
            application,
            cycle,
            object_repr=f"{person.full_name}: {cycle}"[:200],
            after={
                "files": files_now,
                "recommender": application.principal_email,
                "principal_of_record": recommender_person is not None,
            },
        )
        _send_recommendation_request(application, recommendation, token, link_base)
    return application


def application_submit(**kwargs: Any) -> Application:
    """`application_save` with `submit=True` (the demo, the tests, the API)."""
    return application_save(submit=True, **kwargs)


def _require_applicant(actor: Any, application: Application) -> None:
    if actor is None:
        return
    if actor.person_id != application.applicant_id:
        raise PermissionDenied


def application_withdraw(*, actor: Any, application: Application) -> Application:
    """The applicant withdraws: the record stays, marked withdrawn."""
    _require_applicant(actor, application)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.is_withdrawn:
            raise ValidationError("You withdrew this application already.")
        if application.is_draft:
            raise ValidationError("This application is a draft: it has not been submitted.")
        if Decision.objects.filter(application=application, enrolled_at__isnull=False).exists():
            raise ValidationError(
                "You are a participant of the cohort now: ask the program team to withdraw you."
            )
        application.status = Application.Status.WITHDRAWN
        application.withdrawn_at = timezone.now()
        application.save(update_fields=["status", "withdrawn_at", "updated_at"])
        cycle = SelectionCycle.objects.select_related("cohort__program").get(
            pk=application.cycle_id
        )
        _audit(
            actor,
            "selection.withdraw",
            application,
            cycle,
            before={"status": Application.Status.SUBMITTED},
            after={"status": Application.Status.WITHDRAWN},
        )
    return application


def recommendation_request_again(
    *, actor: Any, application: Application, link_base: str
) -> Recommendation:
    """The applicant asks their principal again (a new link; the old one stops working)."""
    _require_applicant(actor, application)
    if application.is_withdrawn:
        raise ValidationError("This application was withdrawn.")
    if application.is_draft:
        raise ValidationError("Submit your application first: then your principal is asked.")
    now = timezone.now()
    token, digest = _new_token()
    with transaction.atomic():
        recommendation = Recommendation.objects.select_for_update().get(application=application)
        if recommendation.used_at is not None:
            raise ValidationError("Your principal has written their recommendation already.")
        recommendation.token_digest = digest
        recommendation.requested_at = now
        recommendation.expires_at = now + datetime.timedelta(days=RECOMMENDATION_DAYS)
        recommendation.save(
            update_fields=["token_digest", "requested_at", "expires_at", "updated_at"]
        )
        _audit(
            actor,
            "selection.recommendation_request",
            application,
            application.cycle,
            after={"recommender": recommendation.recommender_email},
        )
        _send_recommendation_request(application, recommendation, token, link_base)
    return recommendation


def recommendation_for(token: str) -> Recommendation | None:
    return (
        Recommendation.objects.select_related(
            "application__applicant", "application__cycle__cohort__program"
        )
        .filter(token_digest=token_digest(token))
        .first()
    )


def recommendation_submit(
    *,
    token: str,
    text: str,
    scores: list[tuple[FrameworkItem, PerformanceLevel]],
    recommendation: Recommendation | None = None,
) -> Recommendation:
    """The principal writes the recommendation through the link, once, before it expires. The
    command line (the demo generator), which holds no token, names the `recommendation`."""
    with transaction.atomic():
        # Only the recommendation's row is locked: PostgreSQL locks no row on the nullable side
        # of an outer join (the program's partner owner).
        found = Recommendation.objects.select_for_update(of=("self",)).select_related(
            "application__cycle__cohort__program__owner_partner"
        )
        if recommendation is not None and not token:
            recommendation = found.filter(pk=recommendation.pk).first()
        else:
            recommendation = found.filter(token_digest=token_digest(token)).first()
        if recommendation is None:
            raise PermissionDenied
        if recommendation.used_at is not None:
            raise ValidationError("This link has been used already.")
        if recommendation.expires_at < timezone.now():
            raise ValidationError("This link has expired.")
        cycle = recommendation.application.cycle
        allowed = set(cycle.recommendation_items.values_list("pk", flat=True))
        for item, level in scores:
            if item.pk not in allowed or level.version_id != cycle.version_id:
                raise ValidationError(f"“{item}” is not rated in this recommendation.")
        if not text.strip():
            raise ValidationError({"text": "Write your recommendation."})
        recommendation.text = text.strip()
        recommendation.used_at = timezone.now()
        recommendation.save(update_fields=["text", "used_at", "updated_at"])
        RecommendationScore.objects.bulk_create(
            [
                RecommendationScore(recommendation=recommendation, item=item, level=level)
                for item, level in scores
            ]
        )
        _audit(
            None,
            "selection.recommend",
            recommendation.application,
            cycle,
            actor_label=f"{recommendation.recommender_name} <{recommendation.recommender_email}>",
            after={"scores": {str(item.pk): level.position for item, level in scores}},
        )
    return recommendation


# The committee ---------------------------------------------------------------------------


def _committee_application(actor: Any, application: Application) -> Application:
    require(actor, Action.SELECTION_DELIBERATIONS, application)
    return application


def screening_record(
    *, actor: Any, application: Application, outcome: str, note: str
) -> ScreeningNote:
    """A committee member screens an application: pass, hold or decline, with a note."""
    _committee_application(actor, application)
    if outcome not in (
        Application.Screening.PASS,
        Application.Screening.HOLD,
        Application.Screening.DECLINE,
    ):
        raise ValidationError({"outcome": "Choose pass, hold or decline."})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.is_withdrawn:
            raise ValidationError("This application was withdrawn.")
        if locked.is_draft:
            raise ValidationError("This application has not been submitted.")
        before = locked.screening
        locked.screening = outcome
        locked.save(update_fields=["screening", "updated_at"])
        made = ScreeningNote.objects.create(
            application=locked,
            author=actor,
            author_label=user_name(actor),
            outcome=outcome,
            text=note.strip(),
        )
        _audit(
            actor,
            "selection.screen",
            locked,
            application.cycle,
            before={"screening": before},
            after={"screening": outcome, "note": made.text},
        )
    return made


def interview_schedule(
    *, actor: Any, application: Application, raters: list[Any], held_on: datetime.date
) -> Interview:
    """A committee member schedules an interview of a screened applicant by a panel: a rating
    round of the cycle's framework whose one subject is the applicant, run by the actor."""
    _committee_application(actor, application)
    current = Application.objects.only("status", "screening").get(pk=application.pk)
    if current.is_withdrawn:
        raise ValidationError("This application was withdrawn.")
    if current.is_draft:
        raise ValidationError("This application has not been submitted.")
    if current.screening != Application.Screening.PASS:
        raise ValidationError("Interview applicants who passed screening.")
    if len(raters) < 2:
        raise ValidationError({"raters": "An interview panel has at least two raters."})
    if any(r.person_id == application.applicant_id for r in raters):
        raise ValidationError({"raters": "The applicant cannot sit on their own panel."})
    cycle = application.cycle
    today = timezone.localdate()
    if actor is not None:
        # The command line (the demo, an import of past interviews) records interviews on the
        # day they were held; a committee member schedules one from today on, within the cycle:
        # not before applications open, and before the cohort starts.
        if held_on < today:
            raise ValidationError(
                {
                    "held_on": f"An interview cannot be held in the past: choose {day(today)} "
                    "or a later day."
                }
            )
        first, last = cycle.opens_on, cycle.cohort.starts_on - datetime.timedelta(days=1)
        if not first <= held_on <= last:
            raise ValidationError(
                {
                    "held_on": f"Interviews of this cycle are held from {day(first)} (applications "
                    f"open) to {day(last)} (the day before {cycle.cohort.name} starts)."
                }
            )
    with transaction.atomic():
        round_ = round_create(
            actor=actor,
            title=f"Interview: {application.applicant.full_name} ({cycle.cohort.name})"[:200],
            purpose=Purpose.SELECTION,
            version=cycle.version,
            subjects=[application.applicant],
            raters=raters,
            opens_on=min(today, held_on),
            closes_on=held_on + datetime.timedelta(days=INTERVIEW_RATING_DAYS),
            authority=(Action.SELECTION_DELIBERATIONS, application),
        )
        interview = Interview.objects.create(application=application, round=round_, held_on=held_on)
        _audit(
            actor,
            "selection.interview",
            application,
            cycle,
            after={
                "held_on": held_on.isoformat(),
                "round": round_.pk,
                "raters": [user_name(r) for r in raters],
            },
        )
    return interview


# The interview's consensus: any member of the committee -------------------------------------


class ConsensusConflict(ValidationError):
    """Another committee member recorded the interview's consensus since the form was opened."""

    def __init__(self, interview: Interview) -> None:
        when = timezone.localtime(interview.consensus_at) if interview.consensus_at else None
        super().__init__(
            f"{interview.consensus_by_label} recorded the consensus"
            + (f" at {when:%H:%M on %b %-d, %Y}" if when else "")
            + " while you were entering yours. Nothing of yours was saved: the form shows "
            "their consensus; change it only if the committee agrees."
        )
        self.interview = interview


def _committee_interview(actor: Any, interview: Interview) -> Application:
    application = Application.objects.select_related(
        "cycle__cohort__program__owner_partner", "applicant"
    ).get(pk=interview.application_id)
    require(actor, Action.SELECTION_DELIBERATIONS, application)
    return application


def interview_advance(*, actor: Any, interview: Interview, seen_state: str) -> Interview:
    """Any member of the committee moves an interview's round on: open → consensus (the panel
    stops scoring; unsubmitted drafts are discarded) → locked. `seen_state` is the state the
    member saw, so that two clicks (or two members) never move it two steps."""
    application = _committee_interview(actor, interview)
    with transaction.atomic():
        locked = (
            Interview.objects.select_for_update(of=("self",))
            .select_related("round")
            .get(pk=interview.pk)
        )
        round_ = locked.round
        if round_.state != seen_state:
            raise ValidationError(
                f"The interview has moved on already: it is now “{round_.get_state_display()}”."
            )
        if round_.state == RatingRound.State.LOCKED:
            raise ValidationError("The interview's scores are locked.")
        round_ = round_advance(
            actor=actor, round_=round_, authority=(Action.SELECTION_DELIBERATIONS, application)
        )
        _audit(
            actor,
            "selection.interview_state",
            application,
            application.cycle,
            before={"state": seen_state},
            after={"state": round_.state, "interview": locked.pk},
        )
        locked.round = round_
    return locked


def interview_consensus_record(
    *,
    actor: Any,
    interview: Interview,
    entries: list[tuple[FrameworkItem, PerformanceLevel, str]],
    seen_version: int,
) -> Interview:
    """Any member of the committee records the consensus of an interview in consensus (it
    replaces an earlier one). `seen_version` is the consensus version the member saw: when
    somebody recorded one in between, ConsensusConflict names them and nothing changes. The
    interview's row is locked for the check."""
    application = _committee_interview(actor, interview)
    with transaction.atomic():
        locked = (
            Interview.objects.select_for_update(of=("self",))
            .select_related("round")
            .get(pk=interview.pk)
        )
        if locked.consensus_version != seen_version:
            raise ConsensusConflict(locked)
        round_ = locked.round
        subject = round_.subjects.get()
        round_consensus_record(
            actor=actor,
            round_=round_,
            subject=subject,
            entries=entries,
            authority=(Action.SELECTION_DELIBERATIONS, application),
        )
        locked.consensus_version += 1
        locked.consensus_by_label = user_name(actor)
        locked.consensus_at = timezone.now()
        locked.save(
            update_fields=["consensus_version", "consensus_by_label", "consensus_at", "updated_at"]
        )
        _audit(
            actor,
            "selection.consensus",
            application,
            application.cycle,
            after={
                "interview": locked.pk,
                "version": locked.consensus_version,
                "consensus": {str(item): level.name for item, level, _ in entries},
            },
        )
    return locked


class DecisionConflict(ValidationError):
    """Somebody else decided (or changed the decision) since the form was opened."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(
            f"{decision.decided_by_label} decided “{decision.get_outcome_display()}” at "
            f"{timezone.localtime(decision.decided_at):%H:%M on %b %-d, %Y} while you were "
            f"deciding (their reason: {decision.reason}). Nothing of yours was saved: review "
            "their decision, and change it only if the committee agrees."
        )
        self.decision = decision


def decision_record(
    *, actor: Any, application: Application, outcome: str, reason: str, seen_version: int
) -> Decision:
    """The committee's decision on an application. `seen_version` is the decision's version
    the actor saw (0: none yet): when somebody decided in between, DecisionConflict names their
    decision and nothing changes. The application's row is locked for the check."""
    _committee_application(actor, application)
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": "Choose admit, waitlist or decline."})
    if not reason.strip():
        raise ValidationError({"reason": "Give the committee's reason."})
    now = timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.is_withdrawn:
            raise ValidationError("This application was withdrawn.")
        if locked.is_draft:
            raise ValidationError("This application has not been submitted.")
        current = Decision.objects.filter(application=locked).first()
        if current is not None and current.version != seen_version:
            raise DecisionConflict(current)
        if current is not None and current.is_final:
            raise ValidationError("The letter has been sent: this decision is final.")
        before = snapshot(current, ["outcome", "reason"]) if current else {}
        if current is None:
            try:
                with transaction.atomic():
                    decision = Decision.objects.create(
                        application=locked,
                        outcome=outcome,
                        reason=reason.strip(),
                        decided_by=actor,
                        decided_by_label=user_name(actor),
                        decided_at=now,
                    )
            except IntegrityError:
                # Another committee member's first decision committed between the check and
                # the insert (only possible where the row lock is no lock at all).
                raise DecisionConflict(Decision.objects.get(application=locked)) from None
        else:
            decision = current
            decision.outcome = outcome
            decision.reason = reason.strip()
            decision.version += 1
            decision.decided_by = actor
            decision.decided_by_label = user_name(actor)
            decision.decided_at = now
            decision.save()
        _audit(
            actor,
            "selection.decide",
            locked,
            application.cycle,
            before=before or None,
            after={"outcome": outcome, "reason": decision.reason, "version": decision.version},
        )
    return decision


def letters_send(*, actor: Any, cycle: SelectionCycle) -> int:
    """Send the decision letter of every decided application whose letter has not gone yet
    (withdrawn applications get none); the decisions are final from then on."""
    require(actor, Action.SELECTION_DELIBERATIONS, cycle)
    templates = {t.outcome: t for t in LetterTemplate.objects.filter(cycle=cycle)}
    now = timezone.now()
    with transaction.atomic():
        decisions = list(
            Decision.objects.select_for_update(of=("self",))
            .select_related("application__applicant", "application__account")
            .filter(
                application__cycle=cycle,
                letter_sent_at__isnull=True,
                application__status=Application.Status.SUBMITTED,
            )
            .order_by("pk")
        )
        sent: list[int] = []
        for decision in decisions:
            application = decision.application
            application.cycle = cycle
            address = application.applicant.email or (
                application.account.email if application.account else ""
            )
            if not address:
                continue
            subject, body = render_letter(templates[decision.outcome], application, decision.reason)
            send_mail(subject, body, None, [address])
            sent.append(decision.pk)
            # Kept as sent: the applicant reads it on their application's page.
            decision.letter_subject, decision.letter_body = subject[:200], body
            decision.letter_sent_at = decision.updated_at = now
        Decision.objects.bulk_update(
            [d for d in decisions if d.pk in set(sent)],
            ["letter_sent_at", "letter_subject", "letter_body", "updated_at"],
        )
        if sent:
            _audit(actor, "selection.letters_send", cycle, cycle, after={"letters": len(sent)})
    return len(sent)


def admitted_enrol(*, actor: Any, cycle: SelectionCycle) -> int:
    """Admitted applicants whose letter has gone become participants of the cohort (through the
    programs app: the actor must also manage the cohort)."""
    require(actor, Action.SELECTION_DELIBERATIONS, cycle)
    require(actor, Action.PROGRAMS_MANAGE, cycle.cohort)
    now = timezone.now()
    with transaction.atomic():
        decisions = list(
            Decision.objects.select_for_update(of=("self",))
            .select_related("application__applicant")
            .filter(
                application__cycle=cycle,
                outcome=Decision.Outcome.ADMIT,
                letter_sent_at__isnull=False,
                enrolled_at__isnull=True,
                application__status=Application.Status.SUBMITTED,
            )
            .order_by("pk")
        )
        for decision in decisions:
            add_participant(
                actor=actor,
                cohort=cycle.cohort,
                person=decision.application.applicant,
                note=f"admitted from application {decision.application_id}",
            )
        Decision.objects.filter(pk__in=[d.pk for d in decisions]).update(
            enrolled_at=now, updated_at=now
        )
        if decisions:
            _audit(
                actor,
                "selection.enrol",
                cycle,
                cycle,
                after={"participants": [d.application.applicant.full_name for d in decisions]},
            )
    return len(decisions)
