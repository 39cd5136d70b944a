"""Crosswalks: links from a competency to one of another framework (alignments, kept as CASE
associations of the origin's version; they may be added to a published version)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from trellis.core.services import audit_event_record
from trellis.frameworks.editing import require_manage
from trellis.frameworks.models import Association, FrameworkItem

CROSSWALK_TYPES = {"exactMatchOf": "Exact match", "isRelatedTo": "Related"}


def crosswalk_link(
    *, actor: Any, origin: FrameworkItem, destination: FrameworkItem, association_type: str
) -> Association:
    """Link a competency to one of another framework (an alignment, kept as a CASE
    association of the origin's version)."""
    framework = origin.version.framework
    require_manage(actor, framework)
    if association_type not in CROSSWALK_TYPES:
        raise ValidationError({"association_type": "Choose exact match or related."})
    if destination.version.framework_id == framework.pk:
        raise ValidationError("A crosswalk links two different frameworks.")
    if Association.objects.filter(
        origin_item=origin, destination_item=destination, association_type=association_type
    ).exists():
        raise ValidationError("These two competencies are already linked that way.")
    with transaction.atomic():
        link = Association.objects.create(
            version=origin.version,
            case_identifier=str(uuid.uuid4()),
            association_type=association_type,
            origin_item=origin,
            destination_item=destination,
            origin={
                "title": origin.full_statement[:1000],
                "identifier": origin.case_identifier,
                "uri": origin.case_uri,
            },
            destination={
                "title": destination.full_statement[:1000],
                "identifier": destination.case_identifier,
                "uri": destination.case_uri,
            },
        )
        audit_event_record(
            actor=actor,
            action="framework.crosswalk_link",
            obj=origin.version,
            system_id=framework.system_id,
            object_repr=f"{origin} {association_type} {destination}"[:200],
        )
    return link


def crosswalk_unlink(*, actor: Any, link: Association) -> None:
    framework = link.version.framework
    require_manage(actor, framework)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="framework.crosswalk_unlink",
            obj=link.version,
            system_id=framework.system_id,
            before={
                "type": link.association_type,
                "origin": link.origin.get("identifier"),
                "destination": link.destination.get("identifier"),
            },
        )
        link.delete()
