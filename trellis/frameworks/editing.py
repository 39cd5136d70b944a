"""Editing a framework: drafts from templates or from nothing, items and levels of a draft,
new drafts and publishing. A published version is read-only; every change here is refused on
one (the pages refuse to open their forms too)."""

from __future__ import annotations

import uuid
from itertools import pairwise
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.frameworks.models import (
    Descriptor,
    Framework,
    FrameworkItem,
    FrameworkVersion,
    PerformanceLevel,
)
from trellis.orgs.models import System


def require_manage(actor: Any, framework: Framework) -> None:
    if framework.system is None:
        if actor is not None and not actor.is_superuser:
            raise PermissionDenied
        return
    require(actor, Action.FRAMEWORKS_MANAGE, framework)


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
    require_manage(actor, version.framework)
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
    require_manage(actor, framework)
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


def require_draft(actor: Any, version: FrameworkVersion) -> None:
    require_manage(actor, version.framework)
    # Read the status from the database: the caller's copy may predate a publish.
    if FrameworkVersion.objects.filter(
        pk=version.pk, status=FrameworkVersion.Status.PUBLISHED
    ).exists():
        raise ValidationError("A published version is read-only; start a new draft to change it.")


def code_taken(version: FrameworkVersion, code: str, item: FrameworkItem | None) -> None:
    """Codes name competencies on every page and in every rating: one code, one item of a
    version (the database holds the same rule)."""
    if not code:
        return
    others = version.items.filter(human_coding_scheme=code)
    if item is not None:
        others = others.exclude(pk=item.pk)
    other = others.first()
    if other is not None:
        raise ValidationError(
            {"human_coding_scheme": f"The code {code} is already used by “{other}”."}
        )


def scores_problem(scores: list[float | None]) -> str:
    """Why these level scores (lowest level first) cannot be saved, or "" when they can: either
    no level has a score, or every level has one and each is higher than the one below."""
    if all(score is None for score in scores):
        return ""
    if any(score is None for score in scores):
        return "Give every level a score, or none of them."
    for lower, higher in pairwise(scores):
        if higher <= lower:  # type: ignore[operator]
            return (
                "Each level's score must be higher than the score of the level below it "
                f"({higher:g} is not higher than {lower:g})."
            )
    return ""


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
    require_draft(actor, version)
    if parent is not None and parent.version_id != version.pk:
        raise ValidationError("The parent belongs to another version.")
    code_taken(version, human_coding_scheme, item)
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
    require_draft(actor, version)
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
    require_draft(actor, item.version)
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
    require_draft(actor, version)
    levels = {level.pk: level for level in version.levels.all()}
    final = [names.get(pk, (level.name, level.score))[0].strip() for pk, level in levels.items()]
    if new_name.strip():
        final.append(new_name.strip())
    if any(not name for name in final):
        raise ValidationError("Every level needs a name.")
    if len(set(final)) != len(final):
        raise ValidationError("Each level needs its own name.")
    scores = [names.get(pk, (level.name, level.score))[1] for pk, level in levels.items()]
    # A level added at the top scores one more than the highest (when levels are scored).
    top_score = None if not scores or scores[-1] is None else float(scores[-1]) + 1
    problem = scores_problem(scores)
    if problem:
        raise ValidationError(problem)
    with transaction.atomic():
        for pk, (name, score) in names.items():
            if pk in levels:
                levels[pk].name, levels[pk].score = name.strip()[:200], score
        PerformanceLevel.objects.bulk_update(list(levels.values()), ["name", "score"])
        if new_name.strip():
            top = max((level.position for level in levels.values()), default=0) + 1
            PerformanceLevel.objects.create(
                version=version,
                position=top,
                name=new_name.strip()[:200],
                score=top_score if levels else 1.0,
            )
        audit_event_record(
            actor=actor,
            action="framework.levels",
            obj=version,
            system_id=version.framework.system_id,
            after={"levels": final},
        )
