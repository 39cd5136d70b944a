"""CASE (1EdTech Competencies and Academic Standards Exchange): the members Trellis keeps and
how it writes them. Reading and checking a package is `case_read`; comparing it with what is
stored is `case_diff`; writing it is `case_import`.

Writing is strict CASE 1.1, including CFRubrics. Fields Trellis does not model travel in JSON,
so a round trip is lossless.
"""

from __future__ import annotations

import datetime
import uuid
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


# -- export ---------------------------------------------------------------------------------


def case_uuid(identifier: str) -> str:
    """A CASE 1.1 identifier: the stored one when it is a UUID, else one derived from it."""
    try:
        return str(uuid.UUID(identifier))
    except (ValueError, AttributeError, TypeError):
        return str(uuid.uuid5(NAMESPACE, identifier))


def case_datetime(value: Any, fallback: datetime.datetime) -> str:
    text = "" if value is None else str(value)
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
    if not isinstance(definitions, dict):
        return out  # stored before imports checked their shape (e.g. a list): nothing to keep
    for key, (allowed, defaults) in DEFINITION_SHAPES.items():
        entries = []
        members = definitions.get(key)
        for entry in members if isinstance(members, list) else []:
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
