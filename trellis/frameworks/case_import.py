"""Writing a checked CASE package: a new framework, or a new version of the framework imported
from the same CFDocument before (its items keep their identifiers, so ratings line up across
versions). One transaction, set-based inserts, one audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.frameworks.case_diff import package_associations, preview_case
from trellis.frameworks.case_read import CasePackage
from trellis.frameworks.models import (
    Association,
    Descriptor,
    Framework,
    FrameworkItem,
    FrameworkVersion,
    PerformanceLevel,
)
from trellis.orgs.models import System


def require_import(actor: Any, system: System | None) -> None:
    """Frameworks of a system are imported by those who manage them; templates (no system)
    only from the command line or by a superuser."""
    if system is not None:
        require(actor, Action.FRAMEWORKS_MANAGE, system)
    elif actor is not None and not actor.is_superuser:
        raise PermissionDenied


def apply_case(
    *,
    actor: Any,
    system: System | None,
    package: CasePackage,
    kind: str | None = None,
    subject_kind: str | None = None,
) -> FrameworkVersion:
    """Import a checked package as a published version. An identical package changes nothing
    and returns the version already there; a changed one becomes the framework's next version.
    `kind` and `subject_kind` apply to a new framework (a new version keeps its framework's)."""
    require_import(actor, system)
    with transaction.atomic():
        preview = preview_case(system=system, package=package)
        if preview.identical and preview.base is not None:
            return preview.base
        framework = preview.framework
        if framework is None:
            framework = Framework.objects.create(
                system=system,
                title=package.title,
                kind=kind or Framework.Kind.STANDARDS,
                subject_kind=subject_kind or Framework.Subject.PERSON,
            )
            number = 1
        else:
            # Lock the framework so that two imports cannot both take the next number.
            framework = Framework.objects.select_for_update().get(pk=framework.pk)
            number = max(framework.versions.values_list("number", flat=True), default=0) + 1
            if framework.title != package.title:
                framework.title = package.title
                framework.save(update_fields=["title", "updated_at"])
        version = write_package(framework, number, package)
        if preview.base is not None:
            carry_crosswalks(preview.base, version)
        audit_event_record(
            actor=actor,
            action="framework.import_case",
            obj=version,
            system_id=system.pk if system else None,
            object_repr=str(version)[:200],
            after={
                "identifier": package.identifier,
                "file": package.filename[:200],
                "version": number,
                "changes": preview.counts(),
            },
        )
    return version


def write_package(framework: Framework, number: int, package: CasePackage) -> FrameworkVersion:
    """The package's rows, as version `number` of the framework (inside the caller's
    transaction)."""
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=number,
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
                human_coding_scheme=item.human_coding_scheme,
                full_statement=item.full_statement,
                abbreviated_statement=item.abbreviated_statement,
                item_type=item.item_type,
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
            version=version, position=position, name=name, score=score
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
    return version


def carry_crosswalks(base: FrameworkVersion, version: FrameworkVersion) -> None:
    """Crosswalk links made in Trellis are alignments, not package content: they follow their
    competency (by identifier) into the new version."""
    content = {a.pk for a in package_associations(base)}
    links = [
        a
        for a in base.associations.select_related("origin_item")
        if a.pk not in content and a.origin_item is not None
    ]
    if not links:
        return
    items = {
        i.case_identifier.lower(): i
        for i in version.items.filter(
            case_identifier__in=[a.origin_item.case_identifier for a in links if a.origin_item]
        )
    }
    Association.objects.bulk_create(
        [
            Association(
                version=version,
                case_identifier=a.case_identifier,
                association_type=a.association_type,
                origin_item=items[a.origin_item.case_identifier.lower()],
                destination_item_id=a.destination_item_id,
                origin=a.origin,
                destination=a.destination,
                sequence_number=a.sequence_number,
                fields=a.fields,
            )
            for a in links
            if a.origin_item is not None and a.origin_item.case_identifier.lower() in items
        ]
    )
