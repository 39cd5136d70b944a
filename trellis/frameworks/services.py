"""Writes to frameworks: CASE import (and, in later work, editing, publishing, ratings)."""

from __future__ import annotations

import uuid
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
)
from trellis.orgs.models import System


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


def _require_manage(actor: Any, framework: Framework) -> None:
    if framework.system is None:
        if actor is not None and not actor.is_superuser:
            raise PermissionDenied
        return
    require(actor, Action.FRAMEWORKS_MANAGE, framework)


def framework_templates_install(*, actor: Any = None) -> list[FrameworkVersion]:
    """Install the built-in templates (installation-wide, published); idempotent."""
    from trellis.frameworks.builtin import TEMPLATES

    if actor is not None and not actor.is_superuser:
        raise PermissionDenied
    installed = []
    for template in TEMPLATES:
        identifier = template.identifier("document")
        existing = FrameworkVersion.objects.filter(
            framework__system__isnull=True, case_identifier=identifier
        ).first()
        if existing is not None:
            installed.append(existing)
            continue
        with transaction.atomic():
            framework = Framework.objects.create(
                system=None,
                title=template.title,
                kind=template.kind,
                subject_kind=template.subject_kind,
            )
            version = FrameworkVersion.objects.create(
                framework=framework,
                number=1,
                status=FrameworkVersion.Status.PUBLISHED,
                published_at=timezone.now(),
                case_identifier=identifier,
                document={
                    "creator": "Trellis",
                    "description": template.description,
                    "language": "en",
                },
            )
            levels = [
                PerformanceLevel.objects.create(version=version, position=i, name=name, score=score)
                for i, (name, score) in enumerate(template.levels, start=1)
            ]
            for d_index, (code, statement, competencies) in enumerate(template.domains, 1):
                domain = FrameworkItem.objects.create(
                    version=version,
                    position=d_index,
                    case_identifier=template.identifier(code),
                    human_coding_scheme=code,
                    full_statement=statement,
                    item_type="Domain",
                )
                children = FrameworkItem.objects.bulk_create(
                    [
                        FrameworkItem(
                            version=version,
                            parent=domain,
                            position=c_index,
                            case_identifier=template.identifier(c_code),
                            human_coding_scheme=c_code,
                            full_statement=c_statement,
                            item_type="Competency",
                        )
                        for c_index, (c_code, c_statement, _) in enumerate(competencies, 1)
                    ]
                )
                Descriptor.objects.bulk_create(
                    [
                        Descriptor(item=child, level=level, text=text)
                        for child, (_, _, texts) in zip(children, competencies, strict=True)
                        for level, text in zip(levels, texts, strict=True)
                    ]
                )
            audit_event_record(
                actor=actor,
                action="framework.template_install",
                obj=version,
                object_repr=template.title,
            )
        installed.append(version)
    return installed


def _copy_version(
    source: FrameworkVersion, target: FrameworkVersion, *, new_identifiers: bool
) -> None:
    """Copy the tree, levels and descriptors of one version into another (set-based)."""
    levels = {
        level.pk: PerformanceLevel.objects.create(
            version=target, position=level.position, name=level.name, score=level.score
        )
        for level in source.levels.all()
    }
    items = list(source.items.all())
    copies = FrameworkItem.objects.bulk_create(
        [
            FrameworkItem(
                version=target,
                position=item.position,
                case_identifier=str(uuid.uuid4()) if new_identifiers else item.case_identifier,
                case_uri="" if new_identifiers else item.case_uri,
                human_coding_scheme=item.human_coding_scheme,
                full_statement=item.full_statement,
                abbreviated_statement=item.abbreviated_statement,
                item_type=item.item_type,
                fields=item.fields,
                criterion_fields=item.criterion_fields,
            )
            for item in items
        ]
    )
    by_old = {item.pk: copy for item, copy in zip(items, copies, strict=True)}
    for item, copy in zip(items, copies, strict=True):
        if item.parent_id:
            copy.parent = by_old[item.parent_id]
    FrameworkItem.objects.bulk_update([c for c in copies if c.parent is not None], ["parent"])
    Descriptor.objects.bulk_create(
        [
            Descriptor(
                item=by_old[d.item_id], level=levels[d.level_id], text=d.text, fields=d.fields
            )
            for d in Descriptor.objects.filter(item__version=source)
        ]
    )


def framework_start_from(
    *, actor: Any, source: FrameworkVersion, system: System, title: str = ""
) -> FrameworkVersion:
    """A system's own framework, as a draft copied from a template or another framework."""
    require(actor, Action.FRAMEWORKS_MANAGE, system)
    with transaction.atomic():
        framework = Framework.objects.create(
            system=system,
            title=(title or source.framework.title.replace(" (Trellis template)", ""))[:500],
            kind=source.framework.kind,
            subject_kind=source.framework.subject_kind,
        )
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=1,
            case_identifier=str(uuid.uuid4()),
            document={k: v for k, v in source.document.items() if k in ("description", "language")},
        )
        _copy_version(source, version, new_identifiers=True)
        audit_event_record(
            actor=actor,
            action="framework.start",
            obj=version,
            system_id=system.pk,
            object_repr=str(framework),
            after={"from": str(source)},
        )
    return version


def version_publish(*, actor: Any, version: FrameworkVersion) -> FrameworkVersion:
    _require_manage(actor, version.framework)
    if version.is_published:
        raise ValidationError("This version is already published.")
    if not version.items.exists():
        raise ValidationError("A framework needs at least one item before it is published.")
    with transaction.atomic():
        version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
        version.status = FrameworkVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at", "updated_at"])
        audit_event_record(
            actor=actor,
            action="framework.publish",
            obj=version,
            system_id=version.framework.system_id,
        )
    return version


def version_new_draft(*, actor: Any, framework: Framework) -> FrameworkVersion:
    """The next version as a draft, copied from the latest published one. Competencies keep
    their identifiers, so ratings over versions line up."""
    _require_manage(actor, framework)
    if framework.versions.filter(status=FrameworkVersion.Status.DRAFT).exists():
        raise ValidationError("This framework already has a draft; publish or edit it.")
    source = (
        framework.versions.filter(status=FrameworkVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if source is None:
        raise ValidationError("There is no published version to start from.")
    with transaction.atomic():
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=source.number + 1,
            case_identifier=source.case_identifier,
            case_uri=source.case_uri,
            document=source.document,
            definitions=source.definitions,
        )
        _copy_version(source, version, new_identifiers=False)
        audit_event_record(
            actor=actor, action="framework.new_draft", obj=version, system_id=framework.system_id
        )
    return version


def _require_draft(actor: Any, version: FrameworkVersion) -> None:
    _require_manage(actor, version.framework)
    # Read the status from the database: the caller's copy may predate a publish.
    if FrameworkVersion.objects.filter(
        pk=version.pk, status=FrameworkVersion.Status.PUBLISHED
    ).exists():
        raise ValidationError("A published version is read-only; start a new draft to change it.")


def item_save(
    *,
    actor: Any,
    version: FrameworkVersion,
    item: FrameworkItem | None,
    parent: FrameworkItem | None,
    full_statement: str,
    human_coding_scheme: str,
    item_type: str,
    descriptors: dict[int, str],
) -> FrameworkItem:
    """Add an item (item=None) or change one, with its descriptor at each level."""
    _require_draft(actor, version)
    if parent is not None and parent.version_id != version.pk:
        raise ValidationError("The parent belongs to another version.")
    with transaction.atomic():
        if item is None:
            siblings = version.items.filter(parent=parent)
            item = FrameworkItem.objects.create(
                version=version,
                parent=parent,
                case_identifier=str(uuid.uuid4()),
                position=(max((s.position for s in siblings), default=0) + 1),
                full_statement=full_statement,
                human_coding_scheme=human_coding_scheme,
                item_type=item_type,
            )
            action = "framework.item_add"
        else:
            item.full_statement = full_statement
            item.human_coding_scheme = human_coding_scheme
            item.item_type = item_type
            item.save(update_fields=["full_statement", "human_coding_scheme", "item_type"])
            action = "framework.item_update"
        levels = {level.pk: level for level in version.levels.all()}
        for level_pk, text in descriptors.items():
            if level_pk not in levels:
                raise ValidationError("Unknown level.")
            if text.strip():
                Descriptor.objects.update_or_create(
                    item=item, level=levels[level_pk], defaults={"text": text.strip()}
                )
            else:
                Descriptor.objects.filter(item=item, level=levels[level_pk]).delete()
        audit_event_record(
            actor=actor,
            action=action,
            obj=version,
            system_id=version.framework.system_id,
            object_repr=f"{version}: {item}"[:200],
            after={"statement": full_statement, "code": human_coding_scheme},
        )
    return item


def item_delete(*, actor: Any, item: FrameworkItem) -> None:
    version = item.version
    _require_draft(actor, version)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="framework.item_delete",
            obj=version,
            system_id=version.framework.system_id,
            object_repr=f"{version}: {item}"[:200],
            before={"statement": item.full_statement, "children": item.children.count()},
        )
        item.delete()


CROSSWALK_TYPES = {"exactMatchOf": "Exact match", "isRelatedTo": "Related"}


def crosswalk_link(
    *, actor: Any, origin: FrameworkItem, destination: FrameworkItem, association_type: str
) -> Association:
    """Link a competency to one of another framework (an alignment, kept as a CASE
    association of the origin's version)."""
    framework = origin.version.framework
    _require_manage(actor, framework)
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
    _require_manage(actor, framework)
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


def framework_import_csv(
    *,
    actor: Any,
    system: System,
    title: str,
    raw: bytes,
    kind: str = Framework.Kind.OTHER,
    subject_kind: str = Framework.Subject.PERSON,
) -> FrameworkVersion:
    """A framework from a spreadsheet: columns code, parent_code, statement, type, then one
    column per performance level (its header is the level's name) holding the descriptors.
    Parents must be listed before their children. Imported as a draft; nothing is written
    when any row is wrong."""
    import csv
    import io

    require(actor, Action.FRAMEWORKS_MANAGE, system)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text.") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ValidationError("The file is empty.")
    header = [h.strip() for h in rows[0]]
    required = ["code", "parent_code", "statement", "type"]
    if [h.lower() for h in header[:4]] != required:
        raise ValidationError(
            f"The first columns must be {', '.join(required)}; found {', '.join(header[:4])}."
        )
    level_names = [h for h in header[4:] if h]
    problems: list[str] = []
    seen: dict[str, int] = {}
    parsed = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [c.strip() for c in row] + [""] * (len(header) - len(row))
        code, parent, statement, item_type = cells[:4]
        if not code:
            problems.append(f"Row {number}: the code is empty.")
        elif code in seen:
            problems.append(f"Row {number}: the code {code} is already used on row {seen[code]}.")
        if not statement:
            problems.append(f"Row {number}: the statement is empty.")
        if parent and parent not in seen:
            problems.append(
                f"Row {number}: the parent {parent} of {code or 'this item'} is not "
                "listed above it."
            )
        seen.setdefault(code, number)
        parsed.append((code, parent, statement, item_type, cells[4 : 4 + len(level_names)]))
    if not parsed:
        problems.append("The file has no rows after its header.")
    if problems:
        raise ValidationError(problems[:50])
    with transaction.atomic():
        framework = Framework.objects.create(
            system=system, title=title[:500], kind=kind, subject_kind=subject_kind
        )
        version = FrameworkVersion.objects.create(
            framework=framework, number=1, case_identifier=str(uuid.uuid4())
        )
        levels = [
            PerformanceLevel.objects.create(
                version=version, position=i, name=name[:200], score=float(i)
            )
            for i, name in enumerate(level_names, start=1)
        ]
        items: dict[str, FrameworkItem] = {}
        counters: dict[str, int] = {}
        for code, parent, statement, item_type, texts in parsed:
            counters[parent] = counters.get(parent, 0) + 1
            item = FrameworkItem.objects.create(
                version=version,
                parent=items.get(parent) if parent else None,
                position=counters[parent],
                case_identifier=str(uuid.uuid4()),
                human_coding_scheme=code[:200],
                full_statement=statement,
                item_type=item_type[:200],
            )
            items[code] = item
            Descriptor.objects.bulk_create(
                [
                    Descriptor(item=item, level=level, text=text)
                    for level, text in zip(levels, texts, strict=False)
                    if text
                ]
            )
        audit_event_record(
            actor=actor,
            action="framework.import_csv",
            obj=version,
            system_id=system.pk,
            object_repr=title[:200],
            after={"items": len(items), "levels": len(levels)},
        )
    return version


def framework_create(
    *, actor: Any, system: System, title: str, kind: str, subject_kind: str, level_names: list[str]
) -> FrameworkVersion:
    """A new, empty framework of the system: a draft with its named performance levels."""
    require(actor, Action.FRAMEWORKS_MANAGE, system)
    names = [name.strip() for name in level_names if name.strip()]
    if len(names) < 2:
        raise ValidationError({"levels": "Name at least two performance levels."})
    if len(set(names)) != len(names):
        raise ValidationError({"levels": "Each level needs its own name."})
    with transaction.atomic():
        framework = Framework.objects.create(
            system=system, title=title[:500], kind=kind, subject_kind=subject_kind
        )
        version = FrameworkVersion.objects.create(
            framework=framework, number=1, case_identifier=str(uuid.uuid4())
        )
        PerformanceLevel.objects.bulk_create(
            [
                PerformanceLevel(version=version, position=i, name=name[:200], score=float(i))
                for i, name in enumerate(names, start=1)
            ]
        )
        audit_event_record(
            actor=actor,
            action="framework.create",
            obj=version,
            system_id=system.pk,
            object_repr=title[:200],
            after={"levels": names},
        )
    return version


def item_move(*, actor: Any, item: FrameworkItem, direction: int) -> FrameworkItem:
    """Move an item one place up (-1) or down (+1) among its siblings."""
    _require_draft(actor, item.version)
    siblings = list(item.version.items.filter(parent_id=item.parent_id).order_by("position", "pk"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index + direction
    if direction not in (-1, 1) or not 0 <= other < len(siblings):
        return item
    siblings[index], siblings[other] = siblings[other], siblings[index]
    with transaction.atomic():
        for position, sibling in enumerate(siblings, start=1):
            sibling.position = position
        FrameworkItem.objects.bulk_update(siblings, ["position"])
        audit_event_record(
            actor=actor,
            action="framework.item_move",
            obj=item.version,
            system_id=item.version.framework.system_id,
            object_repr=f"{item.version}: {item}"[:200],
            after={"direction": direction},
        )
    return item


def levels_save(
    *,
    actor: Any,
    version: FrameworkVersion,
    names: dict[int, tuple[str, float | None]],
    new_name: str = "",
) -> None:
    """Rename and rescore a draft's performance levels, and add one at the top."""
    _require_draft(actor, version)
    levels = {level.pk: level for level in version.levels.all()}
    final = [names.get(pk, (level.name, level.score))[0].strip() for pk, level in levels.items()]
    if new_name.strip():
        final.append(new_name.strip())
    if any(not name for name in final):
        raise ValidationError("Every level needs a name.")
    if len(set(final)) != len(final):
        raise ValidationError("Each level needs its own name.")
    with transaction.atomic():
        for pk, (name, score) in names.items():
            if pk in levels:
                levels[pk].name, levels[pk].score = name.strip()[:200], score
        PerformanceLevel.objects.bulk_update(list(levels.values()), ["name", "score"])
        if new_name.strip():
            top = max((level.position for level in levels.values()), default=0) + 1
            PerformanceLevel.objects.create(
                version=version, position=top, name=new_name.strip()[:200], score=float(top)
            )
        audit_event_record(
            actor=actor,
            action="framework.levels",
            obj=version,
            system_id=version.framework.system_id,
            after={"levels": final},
        )
