"""Writes to frameworks, and the one place other apps call them from.

The work itself lives by job: CASE import (`case_read` → `case_diff` → `case_import`),
spreadsheets (`spreadsheets`), editing drafts and publishing (`editing`), crosswalks
(`crosswalks`); the built-in templates are here. Ratings live in `trellis/ratings`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.frameworks.case_import import apply_case, require_import
from trellis.frameworks.case_read import read_case
from trellis.frameworks.crosswalks import CROSSWALK_TYPES, crosswalk_link, crosswalk_unlink
from trellis.frameworks.editing import (
    framework_create,
    framework_start_from,
    item_delete,
    item_move,
    item_save,
    levels_save,
    version_new_draft,
    version_publish,
)
from trellis.frameworks.models import (
    Descriptor,
    Framework,
    FrameworkItem,
    FrameworkVersion,
    PerformanceLevel,
)
from trellis.frameworks.spreadsheets import apply_spreadsheet, read_spreadsheet
from trellis.orgs.models import System

# The writes that live in their own modules, offered here to the other apps.
__all__ = [
    "CROSSWALK_TYPES",
    "crosswalk_link",
    "crosswalk_unlink",
    "framework_create",
    "framework_start_from",
    "item_delete",
    "item_move",
    "item_save",
    "levels_save",
    "version_new_draft",
    "version_publish",
]


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


def framework_import_case(
    *,
    actor: Any,
    system: System | None,
    raw: bytes | str,
    kind: str = Framework.Kind.STANDARDS,
    subject_kind: str = Framework.Subject.PERSON,
    filename: str = "package.json",
) -> FrameworkVersion:
    """Read, check and import a CASE package in one call (the command line and tests; the
    upload page shows the preview between the two)."""
    require_import(actor, system)
    data = raw.encode() if isinstance(raw, str) else raw
    return apply_case(
        actor=actor,
        system=system,
        package=read_case(data, filename=filename),
        kind=kind,
        subject_kind=subject_kind,
    )


def framework_import_csv(
    *,
    actor: Any,
    system: System,
    title: str,
    raw: bytes,
    kind: str = Framework.Kind.OTHER,
    subject_kind: str = Framework.Subject.PERSON,
    filename: str = "framework.csv",
) -> FrameworkVersion:
    """Read, check and import a spreadsheet as a new draft framework in one call."""
    require(actor, Action.FRAMEWORKS_MANAGE, system)
    return apply_spreadsheet(
        actor=actor,
        system=system,
        package=read_spreadsheet(raw, filename=filename),
        title=title,
        kind=kind,
        subject_kind=subject_kind,
    )
