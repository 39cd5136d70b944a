"""What an import would change: a checked package compared with the version already stored.

Both sides are reduced to the same plain records (items by identifier, levels by position,
associations by identifier, the document), so the comparison is a dictionary comparison. Only
reads; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trellis.frameworks.case_read import CasePackage
from trellis.frameworks.models import Association, Descriptor, Framework, FrameworkVersion
from trellis.frameworks.problems import Problem
from trellis.orgs.models import System


@dataclass
class Change:
    key: str
    label: str
    fields: list[str] = field(default_factory=list)


@dataclass
class KindChanges:
    kind: str  # "document", "items", "levels", "associations"
    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass
class ImportPreview:
    """What applying a package does. `framework` is the framework it becomes a new version of
    (None: a new framework); `base` the version it was compared with."""

    title: str
    framework: Framework | None
    base: FrameworkVersion | None
    number: int
    kinds: list[KindChanges]
    identical: bool
    warnings: list[Problem] = field(default_factory=list)

    def kind(self, name: str) -> KindChanges:
        return next(k for k in self.kinds if k.kind == name)

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            k.kind: {
                "added": len(k.added),
                "changed": len(k.changed),
                "removed": len(k.removed),
            }
            for k in self.kinds
        }


Records = dict[str, dict[str, Any]]


def _item_label(code: str, statement: str) -> str:
    return f"{code} {statement[:80]}".strip() if code else statement[:80]


def package_records(package: CasePackage) -> dict[str, Records]:
    """The package as plain records, shaped as `version_records` shapes a stored version."""
    items: Records = {}
    for item in package.items:
        record: dict[str, Any] = {
            "label": _item_label(item.human_coding_scheme, item.full_statement),
            "statement": item.full_statement,
            "code": item.human_coding_scheme,
            "abbreviated statement": item.abbreviated_statement,
            "type": item.item_type,
            "uri": item.uri,
            "parent": (item.parent or "").lower(),
            "position": item.position,
            "other CASE fields": item.fields,
            "placement": (item.placement_identifier, item.placement_fields),
            "rubric criterion": (item.criterion_identifier, item.criterion_fields),
        }
        for position, (text, identifier, fields) in item.descriptors.items():
            record[f"descriptor at level {position}"] = (text, identifier, fields)
        items[item.identifier.lower()] = record
    return {
        "document": {
            "document": {
                "label": package.title,
                "title": package.title,
                "uri": package.uri,
                "document fields": package.document,
                "definitions": package.definitions,
                "rubric": (
                    package.rubric.get("identifier", ""),
                    package.rubric.get("uri", ""),
                    package.rubric.get("title", ""),
                    package.rubric.get("fields", {}),
                ),
            }
        },
        "items": items,
        "levels": {
            str(position): {"label": name, "name": name, "score": score}
            for position, name, score in package.levels
        },
        "associations": {
            a["identifier"].lower(): {
                "label": f"{a['type']} {a['identifier']}",
                "type": a["type"],
                "origin": a["origin_link"],
                "destination": a["destination_link"],
                "sequence": a["sequence"],
                "fields": a["fields"],
            }
            for a in package.associations
        },
    }


def package_associations(version: FrameworkVersion) -> list[Association]:
    """The version's associations that came with its package: crosswalk links made in Trellis
    (to an item of another framework's version) are alignments, not content."""
    return [
        a
        for a in version.associations.select_related("destination_item")
        if a.destination_item is None or a.destination_item.version_id == version.pk
    ]


def version_records(version: FrameworkVersion) -> dict[str, Records]:
    levels = list(version.levels.all())
    by_level = {level.pk: level for level in levels}
    item_rows = list(version.items.all())
    identifiers = {item.pk: item.case_identifier for item in item_rows}
    items: Records = {}
    for item in item_rows:
        items[item.case_identifier.lower()] = {
            "label": _item_label(item.human_coding_scheme, item.full_statement),
            "statement": item.full_statement,
            "code": item.human_coding_scheme,
            "abbreviated statement": item.abbreviated_statement,
            "type": item.item_type,
            "uri": item.case_uri,
            "parent": identifiers[item.parent_id].lower() if item.parent_id else "",
            "position": item.position,
            "other CASE fields": item.fields,
            "placement": (item.placement_identifier, item.placement_fields),
            "rubric criterion": (item.criterion_identifier, item.criterion_fields),
        }
    for descriptor in Descriptor.objects.filter(item__version=version):
        record = items[identifiers[descriptor.item_id].lower()]
        # By position, so that renaming a level does not read as every descriptor changing.
        record[f"descriptor at level {by_level[descriptor.level_id].position}"] = (
            descriptor.text,
            descriptor.case_identifier,
            descriptor.fields,
        )
    return {
        "document": {
            "document": {
                "label": version.framework.title,
                "title": version.framework.title,
                "uri": version.case_uri,
                "document fields": version.document,
                "definitions": version.definitions,
                "rubric": (
                    version.rubric_identifier,
                    version.rubric_uri,
                    version.rubric_title,
                    version.rubric_fields,
                ),
            }
        },
        "items": items,
        "levels": {
            str(level.position): {"label": level.name, "name": level.name, "score": level.score}
            for level in levels
        },
        "associations": {
            a.case_identifier.lower(): {
                "label": f"{a.association_type} {a.case_identifier}",
                "type": a.association_type,
                "origin": a.origin,
                "destination": a.destination,
                "sequence": a.sequence_number,
                "fields": a.fields,
            }
            for a in package_associations(version)
        },
    }


def compare(old: dict[str, Records], new: dict[str, Records]) -> list[KindChanges]:
    kinds = []
    for kind in ("document", "items", "levels", "associations"):
        before, after = old.get(kind, {}), new.get(kind, {})
        result = KindChanges(kind)
        for key, record in after.items():
            if key not in before:
                result.added.append(Change(key, record["label"]))
                continue
            was = before[key]
            names = [
                name
                for name in dict.fromkeys([*was, *record])
                if name != "label" and was.get(name) != record.get(name)
            ]
            if names:
                result.changed.append(Change(key, record["label"], names))
        result.removed = [
            Change(key, rec["label"]) for key, rec in before.items() if key not in after
        ]
        kinds.append(result)
    return kinds


def existing_framework(system: System | None, identifier: str) -> Framework | None:
    """The system's framework imported from this CFDocument (templates when system is None)."""
    version = (
        FrameworkVersion.objects.filter(
            framework__system=system, case_identifier__iexact=identifier
        )
        .select_related("framework")
        .order_by("-number")
        .first()
    )
    return version.framework if version is not None else None


def preview_case(*, system: System | None, package: CasePackage) -> ImportPreview:
    """What importing the package into the system would change; writes nothing. A package whose
    CFDocument is already there becomes a new version of that framework (unless identical)."""
    framework = existing_framework(system, package.identifier)
    new = package_records(package)
    if framework is None:
        return ImportPreview(
            title=package.title,
            framework=None,
            base=None,
            number=1,
            kinds=compare({}, new),
            identical=False,
            warnings=package.warnings,
        )
    versions = list(framework.versions.order_by("-number"))
    base = next((v for v in versions if v.is_published), versions[0])
    kinds = compare(version_records(base), new)
    identical = not any(k.any for k in kinds)
    warnings = list(package.warnings)
    drafts = [v for v in versions if not v.is_published]
    if drafts and not identical:
        warnings.append(
            Problem(
                "",
                f"Version {drafts[0].number} is a draft made in Trellis; it stays a draft and "
                "does not include this edition.",
                "warning",
            )
        )
    return ImportPreview(
        title=package.title,
        framework=framework,
        base=base,
        number=versions[0].number + 1,
        kinds=kinds,
        identical=identical,
        warnings=warnings,
    )
