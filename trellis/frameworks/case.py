"""CASE (1EdTech Competencies and Academic Standards Exchange) packages in and out.

Reading is lenient: CASE 1.0 and 1.1 packages, OpenSALT's quirks (string sequence numbers,
1.0 members such as CFDocumentURI, Markdown, non-BMP text) and the pre-final draft shape
(originNodeIdentifier, educationalLevel, ASN URLs as identifiers). Writing is strict CASE 1.1,
including CFRubrics. Fields Trellis does not model travel in JSON, so a round trip is lossless.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

# The members of each object that CASE 1.1 allows in a package (its schema forbids others).
DOCUMENT_FIELDS = (
    "frameworkType",
    "officialSourceURL",
    "publisher",
    "description",
    "subject",
    "subjectURI",
    "language",
    "version",
    "adoptionStatus",
    "statusStartDate",
    "statusEndDate",
    "licenseURI",
    "notes",
    "extensions",
)
ITEM_FIELDS = (
    "alternativeLabel",
    "CFItemTypeURI",
    "listEnumeration",
    "conceptKeywords",
    "conceptKeywordsURI",
    "notes",
    "subject",
    "subjectURI",
    "language",
    "educationLevel",
    "licenseURI",
    "statusStartDate",
    "statusEndDate",
    "extensions",
)
ASSOCIATION_FIELDS = ("CFAssociationGroupingURI", "notes", "extensions")
CRITERION_FIELDS = ("category", "description", "weight", "extensions")
LEVEL_FIELDS = ("feedback", "extensions")
RUBRIC_FIELDS = ("description", "extensions")
LINK_FIELDS = ("title", "identifier", "uri", "targetType")
TREE = "isChildOf"
# Trellis's own namespace for identifiers it has to make (deterministic: the same input gives
# the same identifier on every export).
NAMESPACE = uuid.UUID("6f1d2c3e-7a58-4b0e-9d4f-2b7c8e1a9f30")


class CaseError(ValueError):
    """A package that cannot be read; the message names the item at fault."""


@dataclass
class ParsedItem:
    identifier: str
    uri: str
    full_statement: str
    human_coding_scheme: str
    abbreviated_statement: str
    item_type: str
    fields: dict[str, Any]
    parent: str | None = None  # identifier of the parent item; None = top level
    position: int = 0
    placement_identifier: str = ""
    placement_fields: dict[str, Any] = field(default_factory=dict)
    criterion_identifier: str = ""
    criterion_fields: dict[str, Any] = field(default_factory=dict)
    descriptors: dict[int, tuple[str, str, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class ParsedPackage:
    identifier: str
    uri: str
    title: str
    document: dict[str, Any]
    definitions: dict[str, Any]
    items: list[ParsedItem]
    levels: list[tuple[int, str, float | None]]  # (position, name, score)
    associations: list[dict[str, Any]]
    rubric: dict[str, Any]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _node(association: dict[str, Any], end: str) -> tuple[str, dict[str, Any]]:
    """The identifier and LinkGenURI of an association's origin or destination."""
    link = association.get(f"{end}NodeURI")
    if isinstance(link, dict):
        identifier = _text(link.get("identifier"))
        clean = {k: link[k] for k in LINK_FIELDS if link.get(k) is not None}
    else:
        identifier, clean = "", {}
    # The draft shape carries the identifier beside the link.
    identifier = identifier or _text(association.get(f"{end}NodeIdentifier"))
    return identifier, clean


def parse_package(raw: bytes | str) -> ParsedPackage:
    try:
        package = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CaseError(f"The file is not valid JSON: {error}") from None
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise CaseError("The file is not a CASE package: it has no CFDocument.")
    document = package["CFDocument"]
    identifier = _text(document.get("identifier")).strip()
    title = _text(document.get("title")).strip()
    if not identifier:
        raise CaseError("The CFDocument has no identifier.")
    if not title:
        raise CaseError(f"The CFDocument {identifier} has no title.")
    kept = {
        k: document[k]
        for k in (*DOCUMENT_FIELDS, "creator", "lastChangeDateTime")
        if document.get(k) not in (None, "", [])
    }
    # Draft and 1.0 shapes: a single subject string, subjectURL for subjectURI.
    if isinstance(kept.get("subject"), str):
        kept["subject"] = [kept["subject"]]
    if "subjectURI" not in kept and isinstance(document.get("subjectURL"), list):
        kept["subjectURI"] = document["subjectURL"]

    items: dict[str, ParsedItem] = {}
    order: list[str] = []
    for index, raw_item in enumerate(package.get("CFItems") or []):
        if not isinstance(raw_item, dict):
            raise CaseError(f"CFItems[{index}] is not an object.")
        item_id = _text(raw_item.get("identifier")).strip()
        if not item_id:
            raise CaseError(f"CFItems[{index}] has no identifier.")
        key = item_id.lower()
        if key in items:
            raise CaseError(f"The item {item_id} appears twice.")
        statement = _text(raw_item.get("fullStatement")).strip()
        if not statement:
            raise CaseError(f"The item {item_id} has no fullStatement.")
        fields = {
            k: raw_item[k]
            for k in (*ITEM_FIELDS, "lastChangeDateTime")
            if raw_item.get(k) not in (None, "", [])
        }
        if "educationLevel" not in fields and raw_item.get("educationalLevel"):
            level = raw_item["educationalLevel"]
            fields["educationLevel"] = (
                level
                if isinstance(level, list)
                else [part.strip() for part in str(level).split(",") if part.strip()]
            )
        items[key] = ParsedItem(
            identifier=item_id,
            uri=_text(raw_item.get("uri")),
            full_statement=statement,
            human_coding_scheme=_text(raw_item.get("humanCodingScheme")),
            abbreviated_statement=_text(raw_item.get("abbreviatedStatement")),
            item_type=_text(raw_item.get("CFItemType")),
            fields=fields,
            position=index,
        )
        order.append(key)

    doc_key = identifier.lower()
    others: list[dict[str, Any]] = []
    seen_assoc: set[str] = set()
    for index, association in enumerate(package.get("CFAssociations") or []):
        if not isinstance(association, dict):
            raise CaseError(f"CFAssociations[{index}] is not an object.")
        assoc_id = _text(association.get("identifier")).strip()
        kind = _text(association.get("associationType")).strip()
        if not assoc_id or not kind:
            raise CaseError(f"CFAssociations[{index}] has no identifier or associationType.")
        if assoc_id.lower() in seen_assoc:
            raise CaseError(f"The association {assoc_id} appears twice.")
        seen_assoc.add(assoc_id.lower())
        origin_id, origin = _node(association, "origin")
        destination_id, destination = _node(association, "destination")
        fields = {
            k: association[k]
            for k in (*ASSOCIATION_FIELDS, "lastChangeDateTime", "uri")
            if association.get(k) not in (None, "")
        }
        sequence = _int(association.get("sequenceNumber"), -1)
        if kind == TREE:
            child = items.get(origin_id.lower())
            if child is None:
                raise CaseError(
                    f"The association {assoc_id} places {origin_id or '(nothing)'}, "
                    "which is not an item of this package."
                )
            parent_key = destination_id.lower()
            if parent_key != doc_key and parent_key not in items:
                raise CaseError(
                    f"The association {assoc_id} places {child.identifier} under "
                    f"{destination_id or '(nothing)'}, which is neither the document "
                    "nor an item of this package."
                )
            if child.placement_identifier:
                # An item under a second parent: kept as an association, the tree keeps the first.
                others.append(
                    {
                        "identifier": assoc_id,
                        "type": kind,
                        "origin": origin_id,
                        "destination": destination_id,
                        "origin_link": origin,
                        "destination_link": destination,
                        "sequence": sequence if sequence >= 0 else None,
                        "fields": fields,
                    }
                )
                continue
            child.parent = None if parent_key == doc_key else items[parent_key].identifier
            child.placement_identifier = assoc_id
            child.placement_fields = {
                **fields,
                "destination_link": destination,
                "origin_link": origin,
            }
            if sequence >= 0:
                child.position = sequence
            continue
        others.append(
            {
                "identifier": assoc_id,
                "type": kind,
                "origin": origin_id,
                "destination": destination_id,
                "origin_link": origin,
                "destination_link": destination,
                "sequence": sequence if sequence >= 0 else None,
                "fields": fields,
            }
        )

    # The tree must not loop back on itself.
    for key in order:
        seen: set[str] = set()
        current: str | None = items[key].identifier
        while current is not None:
            low = current.lower()
            if low in seen:
                raise CaseError(
                    f"The items under {items[key].identifier} form a cycle through {current}."
                )
            seen.add(low)
            current = items[low].parent

    levels: dict[int, tuple[str, float | None]] = {}
    rubric: dict[str, Any] = {}
    rubrics = package.get("CFRubrics") or []
    if rubrics:
        first = rubrics[0]
        rubric = {
            "identifier": _text(first.get("identifier")),
            "uri": _text(first.get("uri")),
            "title": _text(first.get("title")),
            "fields": {
                k: first[k]
                for k in (*RUBRIC_FIELDS, "lastChangeDateTime")
                if first.get(k) not in (None, "")
            },
        }
        for criterion in first.get("CFRubricCriteria") or []:
            link = criterion.get("CFItemURI") or {}
            target = items.get(_text(link.get("identifier")).lower())
            if target is None:
                raise CaseError(
                    f"The rubric criterion {criterion.get('identifier')} is for "
                    f"{link.get('identifier') or '(no item)'}, which is not an item "
                    "of this package."
                )
            target.criterion_identifier = _text(criterion.get("identifier"))
            target.criterion_fields = {
                k: criterion[k]
                for k in (*CRITERION_FIELDS, "lastChangeDateTime", "uri", "position")
                if criterion.get(k) not in (None, "")
            }
            for index, level in enumerate(criterion.get("CFRubricCriterionLevels") or []):
                position = _int(level.get("position"), index)
                name = _text(level.get("quality")) or f"Level {position}"
                score = level.get("score")
                known = levels.get(position)
                if known is not None and known[0] != name:
                    raise CaseError(
                        f"Rubric level {position} is called both '{known[0]}' and '{name}'."
                    )
                levels[position] = (name, float(score) if score is not None else None)
                target.descriptors[position] = (
                    _text(level.get("description")),
                    _text(level.get("identifier")),
                    {
                        k: level[k]
                        for k in (*LEVEL_FIELDS, "lastChangeDateTime", "uri")
                        if level.get(k) not in (None, "")
                    },
                )
    # Siblings keep their CASE order; ties keep file order.
    rank = {key: index for index, key in enumerate(order)}
    ordered = sorted(items.values(), key=lambda i: (i.position, rank[i.identifier.lower()]))
    return ParsedPackage(
        identifier=identifier,
        uri=_text(document.get("uri")),
        title=title,
        document=kept,
        definitions=package.get("CFDefinitions") or {},
        items=ordered,
        levels=sorted((p, n, s) for p, (n, s) in levels.items()),
        associations=others,
        rubric=rubric,
    )


# -- export ---------------------------------------------------------------------------------


def case_uuid(identifier: str) -> str:
    """A CASE 1.1 identifier: the stored one when it is a UUID, else one derived from it."""
    try:
        return str(uuid.UUID(identifier))
    except (ValueError, AttributeError, TypeError):
        return str(uuid.uuid5(NAMESPACE, identifier))


def case_datetime(value: Any, fallback: datetime.datetime) -> str:
    text = _text(value)
    for candidate in (text, text + "+00:00"):
        try:
            parsed = datetime.datetime.fromisoformat(candidate.replace("Z", "+00:00"))
        except ValueError:
            continue
        if parsed.tzinfo is not None:
            return parsed.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return fallback.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


# CFDefinitions in CASE 1.1: allowed members and the defaults that fill required ones.
DEFINITION_SHAPES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "CFConcepts": (
        (
            "identifier",
            "uri",
            "title",
            "keywords",
            "hierarchyCode",
            "description",
            "lastChangeDateTime",
            "extensions",
        ),
        {"hierarchyCode": "1"},
    ),
    "CFSubjects": (
        (
            "identifier",
            "uri",
            "title",
            "hierarchyCode",
            "description",
            "lastChangeDateTime",
            "extensions",
        ),
        {"hierarchyCode": "1"},
    ),
    "CFLicenses": (
        (
            "identifier",
            "uri",
            "title",
            "description",
            "licenseText",
            "lastChangeDateTime",
            "extensions",
        ),
        {"licenseText": ""},
    ),
    "CFItemTypes": (
        (
            "identifier",
            "uri",
            "title",
            "description",
            "hierarchyCode",
            "typeCode",
            "lastChangeDateTime",
            "extensions",
        ),
        {"hierarchyCode": "1"},
    ),
    "CFAssociationGroupings": (
        ("identifier", "uri", "title", "description", "lastChangeDateTime", "extensions"),
        {},
    ),
}


def case_definitions(
    definitions: dict[str, Any], *, base: str, now: datetime.datetime
) -> dict[str, Any]:
    """CFDefinitions as CASE 1.1 wants them: empty members dropped, required ones filled
    (a CFItemType's description defaults to its title), identifiers as UUIDs."""
    out: dict[str, Any] = {}
    for key, (allowed, defaults) in DEFINITION_SHAPES.items():
        entries = []
        for entry in definitions.get(key) or []:
            if not isinstance(entry, dict) or not entry.get("identifier"):
                continue
            clean = {k: entry[k] for k in allowed if entry.get(k) is not None}
            clean["identifier"] = case_uuid(str(entry["identifier"]))
            clean["uri"] = str(entry.get("uri") or f"{base}/uri/{clean['identifier']}")
            clean["title"] = str(entry.get("title") or clean["identifier"])
            clean["lastChangeDateTime"] = case_datetime(entry.get("lastChangeDateTime"), now)
            for field_name, default in defaults.items():
                clean.setdefault(field_name, default)
            if key == "CFItemTypes":
                clean.setdefault("description", clean["title"])
            entries.append(clean)
        if entries:
            out[key] = entries
    return out


LINK_MEMBERS = {
    "CFItemTypeURI",
    "conceptKeywordsURI",
    "licenseURI",
    "subjectURI",
    "CFAssociationGroupingURI",
}


def case_link(value: Any, *, base: str) -> Any:
    """A LinkURI (title, identifier as a UUID, uri), or a list of them, as CASE 1.1 wants."""
    if isinstance(value, list):
        return [case_link(v, base=base) for v in value if isinstance(v, dict)]
    if not isinstance(value, dict):
        return value
    identifier = case_uuid(str(value.get("identifier") or value.get("uri") or value.get("title")))
    return {
        "title": str(value.get("title") or identifier),
        "identifier": identifier,
        "uri": str(value.get("uri") or f"{base}/uri/{identifier}"),
    }


def case_members(stored: dict[str, Any], allowed: tuple[str, ...], *, base: str) -> dict[str, Any]:
    """The stored members CASE 1.1 allows, with their links in the 1.1 shape."""
    out = {}
    for key in allowed:
        if key in stored:
            out[key] = case_link(stored[key], base=base) if key in LINK_MEMBERS else stored[key]
    return out
