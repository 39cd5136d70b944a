"""Writes to frameworks: CASE import (and, in later work, editing, publishing, ratings)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.frameworks.case import CaseError, parse_package
from trellis.frameworks.models import (
    Association,
    Descriptor,
    Framework,
    FrameworkItem,
    FrameworkVersion,
    PerformanceLevel,
    Rating,
)
from trellis.orgs.models import System
from trellis.people.models import Person


def framework_import_case(
    *,
    actor: Any,
    system: System | None,
    raw: bytes | str,
    kind: str = Framework.Kind.STANDARDS,
    subject_kind: str = Framework.Subject.PERSON,
) -> FrameworkVersion:
    """Import a CASE package as a new, published framework of the system (or a template).

    The whole package is read and checked before anything is written; it is written in one
    transaction with set-based inserts (a 700-item framework is a handful of statements).
    """
    if system is not None:
        require(actor, Action.FRAMEWORKS_MANAGE, system)
    elif actor is not None and not actor.is_superuser:
        raise PermissionDenied
    try:
        package = parse_package(raw)
    except CaseError as error:
        raise ValidationError(str(error)) from None
    taken = (
        FrameworkVersion.objects.filter(
            framework__system=system, case_identifier__iexact=package.identifier
        )
        .select_related("framework")
        .first()
    )
    if taken is not None:
        raise ValidationError(
            f"This package ({package.identifier}) is already imported as “{taken.framework}”."
        )
    with transaction.atomic():
        framework = Framework.objects.create(
            system=system, title=package.title[:500], kind=kind, subject_kind=subject_kind
        )
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=1,
            status=FrameworkVersion.Status.PUBLISHED,
            published_at=timezone.now(),
            case_identifier=package.identifier,
            case_uri=package.uri,
            document=package.document,
            definitions=package.definitions,
            rubric_identifier=package.rubric.get("identifier", ""),
            rubric_uri=package.rubric.get("uri", ""),
            rubric_title=package.rubric.get("title", ""),
            rubric_fields=package.rubric.get("fields", {}),
        )
        rows = FrameworkItem.objects.bulk_create(
            [
                FrameworkItem(
                    version=version,
                    position=item.position,
                    case_identifier=item.identifier,
                    case_uri=item.uri,
                    human_coding_scheme=item.human_coding_scheme[:200],
                    full_statement=item.full_statement,
                    abbreviated_statement=item.abbreviated_statement,
                    item_type=item.item_type[:200],
                    fields=item.fields,
                    placement_identifier=item.placement_identifier,
                    placement_fields=item.placement_fields,
                    criterion_identifier=item.criterion_identifier,
                    criterion_fields=item.criterion_fields,
                )
                for item in package.items
            ],
            batch_size=1000,
        )
        by_id = {row.case_identifier.lower(): row for row in rows}
        parented = []
        for item in package.items:
            if item.parent is not None:
                row = by_id[item.identifier.lower()]
                row.parent = by_id[item.parent.lower()]
                parented.append(row)
        FrameworkItem.objects.bulk_update(parented, ["parent"], batch_size=1000)
        levels = {
            position: PerformanceLevel.objects.create(
                version=version, position=position, name=name[:200], score=score
            )
            for position, name, score in package.levels
        }
        Descriptor.objects.bulk_create(
            [
                Descriptor(
                    item=by_id[item.identifier.lower()],
                    level=levels[position],
                    text=text,
                    case_identifier=identifier,
                    fields=fields,
                )
                for item in package.items
                for position, (text, identifier, fields) in item.descriptors.items()
            ],
            batch_size=1000,
        )
        Association.objects.bulk_create(
            [
                Association(
                    version=version,
                    case_identifier=a["identifier"],
                    association_type=a["type"],
                    origin_item=by_id.get(a["origin"].lower()),
                    destination_item=by_id.get(a["destination"].lower()),
                    origin=a["origin_link"],
                    destination=a["destination_link"],
                    sequence_number=a["sequence"],
                    fields=a["fields"],
                )
                for a in package.associations
            ],
            batch_size=1000,
        )
        audit_event_record(
            actor=actor,
            action="framework.import_case",
            obj=version,
            system_id=system.pk if system else None,
            object_repr=str(framework)[:200],
            after={
                "identifier": package.identifier,
                "items": len(rows),
                "levels": len(levels),
                "associations": len(package.associations),
            },
        )
    return version


def ratings_record(
    *,
    actor: Any,
    subject: Person,
    version: FrameworkVersion,
    purpose: str,
    rated_on: datetime.date,
    entries: list[tuple[FrameworkItem, PerformanceLevel, str]],
) -> list[Rating]:
    """Record one rater's ratings of a person on several competencies at once."""
    if purpose == Rating.Purpose.SELF_ASSESSMENT:
        if actor is not None and actor.person_id != subject.pk:
            raise PermissionDenied
    elif purpose == Rating.Purpose.PROGRESS:
        require(actor, Action.RATINGS_PROGRESS, subject)
    elif purpose == Rating.Purpose.EVALUATION:
        require(actor, Action.RATINGS_EVALUATION, subject)
    else:
        raise ValidationError(
            {"purpose": "People are rated for progress, evaluation or self-assessment."}
        )
    if not version.is_published:
        raise ValidationError("Ratings are made against a published version of a framework.")
    if not entries:
        raise ValidationError("Choose a level for at least one competency.")
    for item, level, _evidence in entries:
        if item.version_id != version.pk or level.version_id != version.pk:
            raise ValidationError(f"“{item}” and its level must come from {version}.")
    if rated_on > timezone.localdate():
        raise ValidationError({"rated_on": "A rating cannot be dated in the future."})
    label = actor.email if actor is not None else "command line"
    with transaction.atomic():
        ratings = Rating.objects.bulk_create(
            [
                Rating(
                    system_id=subject.system_id,
                    version=version,
                    item=item,
                    level=level,
                    purpose=purpose,
                    rater=actor,
                    rater_label=label,
                    subject_person=subject,
                    rated_on=rated_on,
                    evidence=evidence.strip(),
                )
                for item, level, evidence in entries
            ]
        )
        audit_event_record(
            actor=actor,
            action="rating.record",
            obj=subject,
            object_repr=f"{subject}: {len(ratings)} {purpose} ratings on {version.framework}",
            after={
                "purpose": purpose,
                "version": version.pk,
                "rated_on": rated_on.isoformat(),
                "ratings": {str(item.pk): level.position for item, level, _ in entries},
            },
        )
    return ratings
