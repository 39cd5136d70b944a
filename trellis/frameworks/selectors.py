from __future__ import annotations

import uuid
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.authz.policies import authorize, scope_for
from trellis.authz.roles import Action
from trellis.frameworks.case import (
    ASSOCIATION_FIELDS,
    CRITERION_FIELDS,
    DOCUMENT_FIELDS,
    ITEM_FIELDS,
    LEVEL_FIELDS,
    NAMESPACE,
    RUBRIC_FIELDS,
    TREE,
    case_datetime,
    case_definitions,
    case_members,
    case_uuid,
)
from trellis.frameworks.models import (
    Association,
    Descriptor,
    Framework,
    FrameworkItem,
    FrameworkVersion,
    PerformanceLevel,
)

# The kinds of framework meant as competency frameworks for people: a coaching session's focus,
# a video comment's tags and an evaluation cycle take competencies from these only: leadership
# and teacher-leader competencies, and "other", the kind of a framework a system builds or
# imports from a spreadsheet (its own competencies); never external or content standards (a
# CASE import's default kind) or the school and system scales (docs/decisions.md, coach5).
COMPETENCY_KINDS: frozenset[str] = frozenset(
    {Framework.Kind.LEADERSHIP, Framework.Kind.TEACHER_LEADERSHIP, Framework.Kind.OTHER}
)


def is_competency_framework(framework: Framework) -> bool:
    return framework.kind in COMPETENCY_KINDS and framework.subject_kind == Framework.Subject.PERSON


def visible_frameworks(user: Any, action: str = Action.FRAMEWORKS_VIEW) -> QuerySet[Framework]:
    scope = scope_for(user, action)
    if scope.everything:
        return Framework.objects.all()
    if not scope.reached_system_ids:
        return Framework.objects.none()
    return Framework.objects.filter(
        Q(system__isnull=True) | Q(system_id__in=scope.reached_system_ids)
    )


def framework_list(user: Any, *, query: str = "", kind: str = "") -> QuerySet[Framework]:
    frameworks = visible_frameworks(user).select_related("system")
    if query:
        frameworks = frameworks.filter(title__icontains=query)
    if kind:
        frameworks = frameworks.filter(kind=kind)
    latest = FrameworkVersion.objects.order_by("framework_id", "-number")
    return frameworks.prefetch_related(
        Prefetch("versions", queryset=latest, to_attr="version_list")
    ).order_by("title", "pk")


def version_get(framework: Framework, number: int | None) -> FrameworkVersion:
    """The version asked for, else the latest published one, else the latest draft."""
    versions = framework.versions.all()
    if number is not None:
        version = versions.filter(number=number).first()
        if version is None:
            raise Http404
        return version
    version = (
        versions.filter(status=FrameworkVersion.Status.PUBLISHED).order_by("-number").first()
        or versions.order_by("-number").first()
    )
    if version is None:
        raise Http404
    return version


def framework_get(user: Any, pk: int, action: str = Action.FRAMEWORKS_VIEW) -> Framework:
    framework = Framework.objects.select_related("system").filter(pk=pk).first()
    if framework is None:
        raise Http404
    authorize(user, action, framework)
    return framework


def version_by_case_identifier(identifier: str) -> FrameworkVersion | None:
    return (
        FrameworkVersion.objects.select_related("framework", "framework__system")
        .filter(case_identifier__iexact=identifier)
        .order_by("-number")
        .first()
    )


def framework_order(prefix: str = "") -> list[Any]:
    """The framework's own order, for `order_by` on items (or on rows that name an item through
    `prefix`, e.g. "item__" or "focus__"): a domain's competencies before the next domain's,
    each by its position within its parent, as the rubric grid walks the tree. So 1.1, 1.2, 2.1,
    never 1.1, 2.1, 1.2 (a competency's position counts within its domain). Exact for items of
    one depth (the competencies a session, goal, visit or evaluation names); every list of
    framework items in coaching and evaluations uses it, or `framework_order_key` in Python."""
    return [
        F(f"{prefix}parent__parent__position").asc(nulls_first=True),
        F(f"{prefix}parent__parent_id").asc(nulls_first=True),
        F(f"{prefix}parent__position").asc(nulls_first=True),
        F(f"{prefix}parent_id").asc(nulls_first=True),
        F(f"{prefix}position").asc(),
        F(f"{prefix}pk").asc(),
    ]


# For querysets whose items `framework_order_key` sorts: their parents come with them.
WITH_PARENTS = "parent__parent"


def framework_order_key(item: FrameworkItem) -> tuple[tuple[int, int], ...]:
    """The same order for items already loaded (select_related(WITH_PARENTS) spares the
    queries): the path of (position, id) from the tree's root down to the item."""
    path = []
    node: FrameworkItem | None = item
    while node is not None:
        path.append((node.position, node.pk))
        node = node.parent if node.parent_id else None
    return tuple(reversed(path))


def rubric_grid(
    version: FrameworkVersion, *, query: str = ""
) -> tuple[list[PerformanceLevel], list[dict[str, Any]]]:
    """The rubric as rows (items in tree order, with depth) by level columns, in 3 queries."""
    levels = list(version.levels.all())
    items = list(
        version.items.prefetch_related(
            Prefetch("descriptors", queryset=Descriptor.objects.only("item_id", "level_id", "text"))
        )
    )
    children: dict[int | None, list[FrameworkItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    rows: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for item in children.get(parent, []):
            by_level = {d.level_id: d.text for d in item.descriptors.all()}
            rows.append(
                {
                    "item": item,
                    "depth": depth,
                    "cells": [by_level.get(level.pk, "") for level in levels],
                    "has_descriptors": bool(by_level),
                }
            )
            walk(item.pk, depth + 1)

    walk(None, 0)
    if query:
        needle = query.lower()
        rows = [
            row
            for row in rows
            if needle in row["item"].full_statement.lower()
            or needle in row["item"].human_coding_scheme.lower()
            or any(needle in cell.lower() for cell in row["cells"])
        ]
    return levels, rows


def _link(title: str, identifier: str, uri: str) -> dict[str, str]:
    return {"title": title[:1000] or identifier, "identifier": identifier, "uri": uri}


def build_package(version: FrameworkVersion, *, base_uri: str) -> dict[str, Any]:
    """The version as a CASE 1.1 CFPackage (valid against the official package schema).

    Identifiers are kept; any that is not a UUID (the pre-final draft used URLs) is replaced by
    a UUID derived from it, the same on every export.
    """
    now = timezone.now()
    base = base_uri.rstrip("/")

    def uri(kind: str, stored: str, identifier: str) -> str:
        return stored or f"{base}/uri/{identifier}"

    doc_id = case_uuid(version.case_identifier)
    stored_doc = version.document
    document: dict[str, Any] = {
        "identifier": doc_id,
        "uri": uri("CFDocuments", version.case_uri, doc_id),
        "creator": stored_doc.get("creator")
        or (version.framework.system.name if version.framework.system else "Trellis"),
        "title": version.framework.title,
        "lastChangeDateTime": case_datetime(stored_doc.get("lastChangeDateTime"), now),
        "caseVersion": "1.1",
    }
    document.update(case_members(stored_doc, DOCUMENT_FIELDS, base=base))
    if version.is_published and "version" not in document:
        document["version"] = str(version.number)
    items = list(version.items.all())
    by_pk = {item.pk: item for item in items}
    ids = {item.pk: case_uuid(item.case_identifier) for item in items}
    cf_items = []
    for item in items:
        entry: dict[str, Any] = {
            "identifier": ids[item.pk],
            "fullStatement": item.full_statement,
            "uri": uri("CFItems", item.case_uri, ids[item.pk]),
            "lastChangeDateTime": case_datetime(item.fields.get("lastChangeDateTime"), now),
        }
        if item.human_coding_scheme:
            entry["humanCodingScheme"] = item.human_coding_scheme
        if item.abbreviated_statement:
            entry["abbreviatedStatement"] = item.abbreviated_statement
        if item.item_type:
            entry["CFItemType"] = item.item_type
        entry.update(case_members(item.fields, ITEM_FIELDS, base=base))
        cf_items.append(entry)
    doc_link = _link(document["title"], doc_id, document["uri"])
    associations = []
    for item in items:
        parent = by_pk.get(item.parent_id) if item.parent_id else None
        if item.placement_identifier:
            assoc_id = case_uuid(item.placement_identifier)
        else:
            where = parent.case_identifier if parent else version.case_identifier
            assoc_id = str(uuid.uuid5(NAMESPACE, f"placement|{item.case_identifier}|{where}"))
        origin = _link(
            item.full_statement, ids[item.pk], uri("CFItems", item.case_uri, ids[item.pk])
        )
        destination = (
            _link(
                parent.full_statement,
                ids[parent.pk],
                uri("CFItems", parent.case_uri, ids[parent.pk]),
            )
            if parent
            else doc_link
        )
        entry = {
            "identifier": assoc_id,
            "associationType": TREE,
            "sequenceNumber": item.position,
            "uri": item.placement_fields.get("uri") or f"{base}/uri/{assoc_id}",
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": case_datetime(
                item.placement_fields.get("lastChangeDateTime"), now
            ),
        }
        entry.update(case_members(item.placement_fields, ASSOCIATION_FIELDS, base=base))
        associations.append(entry)
    for association in version.associations.all():
        assoc_id = case_uuid(association.case_identifier)
        ends = []
        for linked, stored in (
            (association.origin_item_id, association.origin),
            (association.destination_item_id, association.destination),
        ):
            if linked and linked in by_pk:
                node = by_pk[linked]
                ends.append(
                    _link(
                        node.full_statement, ids[linked], uri("CFItems", node.case_uri, ids[linked])
                    )
                )
            else:
                link = {
                    k: stored[k]
                    for k in ("title", "identifier", "uri", "targetType")
                    if stored.get(k) is not None
                }
                link.setdefault("title", link.get("identifier", ""))
                if link.get("identifier") == version.case_identifier:
                    link = dict(doc_link)
                ends.append(link)
        entry = {
            "identifier": assoc_id,
            "associationType": association.association_type,
            "uri": association.fields.get("uri") or f"{base}/uri/{assoc_id}",
            "originNodeURI": ends[0],
            "destinationNodeURI": ends[1],
            "lastChangeDateTime": case_datetime(association.fields.get("lastChangeDateTime"), now),
        }
        if association.sequence_number is not None:
            entry["sequenceNumber"] = association.sequence_number
        entry.update(case_members(association.fields, ASSOCIATION_FIELDS, base=base))
        associations.append(entry)
    package: dict[str, Any] = {
        "CFDocument": document,
        "CFItems": cf_items,
        "CFAssociations": associations,
    }
    definitions = case_definitions(version.definitions, base=base, now=now)
    if definitions:
        package["CFDefinitions"] = definitions
    levels = list(version.levels.all())
    if levels:
        package["CFRubrics"] = [_rubric(version, items, ids, levels, base, now)]
    return package


def _rubric(
    version: FrameworkVersion,
    items: list[FrameworkItem],
    ids: dict[int, str],
    levels: list[PerformanceLevel],
    base: str,
    now: Any,
) -> dict[str, Any]:
    rubric_id = (
        case_uuid(version.rubric_identifier)
        if version.rubric_identifier
        else str(uuid.uuid5(NAMESPACE, f"rubric|{version.case_identifier}"))
    )
    descriptors: dict[int, list[Descriptor]] = {}
    for descriptor in Descriptor.objects.filter(item__version=version).select_related("level"):
        descriptors.setdefault(descriptor.item_id, []).append(descriptor)
    criteria = []
    for position, item in enumerate(i for i in items if i.pk in descriptors):
        criterion_id = (
            case_uuid(item.criterion_identifier)
            if item.criterion_identifier
            else str(uuid.uuid5(NAMESPACE, f"criterion|{item.case_identifier}"))
        )
        fields = item.criterion_fields
        criterion_levels = []
        for descriptor in sorted(descriptors[item.pk], key=lambda d: d.level.position):
            level_id = (
                case_uuid(descriptor.case_identifier)
                if descriptor.case_identifier
                else str(
                    uuid.uuid5(
                        NAMESPACE, f"level|{item.case_identifier}|{descriptor.level.position}"
                    )
                )
            )
            entry: dict[str, Any] = {
                "identifier": level_id,
                "uri": descriptor.fields.get("uri") or f"{base}/uri/{level_id}",
                "description": descriptor.text,
                "quality": descriptor.level.name,
                "position": descriptor.level.position,
                "rubricCriterionId": criterion_id,
                "lastChangeDateTime": case_datetime(
                    descriptor.fields.get("lastChangeDateTime"), now
                ),
            }
            if descriptor.level.score is not None:
                entry["score"] = descriptor.level.score
            for key in LEVEL_FIELDS:
                if key in descriptor.fields:
                    entry[key] = descriptor.fields[key]
            criterion_levels.append(entry)
        criterion: dict[str, Any] = {
            "identifier": criterion_id,
            "uri": fields.get("uri") or f"{base}/uri/{criterion_id}",
            "CFItemURI": _link(
                item.full_statement, ids[item.pk], item.case_uri or f"{base}/uri/{ids[item.pk]}"
            ),
            "position": fields.get("position", position),
            "rubricId": rubric_id,
            "lastChangeDateTime": case_datetime(fields.get("lastChangeDateTime"), now),
            "CFRubricCriterionLevels": criterion_levels,
        }
        for key in CRITERION_FIELDS:
            if key in fields:
                criterion[key] = fields[key]
        criteria.append(criterion)
    rubric: dict[str, Any] = {
        "identifier": rubric_id,
        "uri": version.rubric_uri or f"{base}/uri/{rubric_id}",
        "title": version.rubric_title or f"{version.framework.title} rubric",
        "lastChangeDateTime": case_datetime(version.rubric_fields.get("lastChangeDateTime"), now),
        "CFRubricCriteria": criteria,
    }
    for key in RUBRIC_FIELDS:
        if key in version.rubric_fields:
            rubric[key] = version.rubric_fields[key]
    return rubric


def crosswalk(version: FrameworkVersion, other: FrameworkVersion) -> list[dict[str, Any]]:
    """This version's items in tree order, each with its links into the other version."""
    _levels, rows = rubric_grid(version)
    links: dict[int, list[Association]] = {}
    for link in Association.objects.filter(
        origin_item__version=version, destination_item__version=other
    ).select_related("destination_item"):
        links.setdefault(link.origin_item_id or 0, []).append(link)
    return [
        {"item": row["item"], "depth": row["depth"], "links": links.get(row["item"].pk, [])}
        for row in rows
    ]


def descendant_count(item: FrameworkItem) -> int:
    """How many items sit under this one, at any depth (one query per level of the tree)."""
    total, frontier = 0, [item.pk]
    while frontier:
        frontier = list(
            FrameworkItem.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        total += len(frontier)
    return total
