"""The kinds of import the pipeline knows. Each app registers its own in AppConfig.ready().

A kind reads and checks a file and says what it would change (`check`, which writes nothing),
and applies it (`apply`, which the pipeline runs inside the one transaction that also records
the run's status, report and audit event). Problems are raised as ImportProblems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trellis.orgs.models import System

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Context:
    """What a kind's check and apply steps get."""

    system: System
    path: Path  # the file (or folder) on the server
    source_name: str  # the name the user knows it by: use it in every message
    options: dict[str, Any]
    actor: Any  # the user who asked (None on the command line)
    progress: Progress
    # In apply: opens the pipeline's transaction (see ImportKind.opens_transaction).
    begin: Callable[[], None] = lambda: None


@dataclass
class Result:
    """What a check found or an apply did, per record kind."""

    # {record kind: {"added": n, "changed": n, "removed": n, "soft_deleted": n,
    #                "reactivated": n, "unchanged": n}}: any of these keys
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # record kind → source file
    notes: list[str] = field(default_factory=list)
    # Problems that do not block: [{"file", "row", "column", "reason", "severity": "warning"}]
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warning_count: int = 0
    version: str = ""  # e.g. "1.2" for OneRoster
    mode: str = ""  # e.g. bulk / delta
    digest: str = ""  # the file's SHA-256, to recognise the same file coming again
    # {record kind: number active before}: the denominators of the mass-removal guard
    guarded: dict[str, int] = field(default_factory=dict)
    # After apply: where the result lives (e.g. the framework imported), for the report; after
    # check, what the file is compared with (e.g. the framework it becomes a new version of).
    outcome_url: str = ""
    outcome_label: str = ""
    # The records behind the counts, the first ones of each kind and change:
    # [{"records": "items", "change": "changed", "label": "1.A …", "fields": ["statement"]}]
    changes: list[dict[str, Any]] = field(default_factory=list)


class ImportProblems(Exception):
    """The file cannot be imported: nothing was written. Problems are dicts with file, row,
    column, reason and severity ("error" blocks; "warning" is reported)."""

    def __init__(self, problems: list[dict[str, Any]], count: int | None = None) -> None:
        super().__init__("; ".join(str(p.get("reason", "")) for p in problems[:3]))
        self.problems = problems
        self.count = max(count or 0, len(problems))


@dataclass(frozen=True)
class Option:
    """A choice the user makes besides the file (e.g. the people CSV's delta or bulk), or a
    short text when there are no choices (e.g. a spreadsheet framework's title)."""

    name: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    default: str = ""
    required: bool = False


@dataclass(frozen=True)
class ImportKind:
    code: str
    label: str
    accepts: tuple[str, ...]  # file name endings, e.g. (".zip",)
    permission: str  # the Action needed to start, see and commit it
    check: Callable[[Context], Result]
    apply: Callable[[Context], Result]
    help_text: str = ""
    folders: bool = False  # may be read from a folder in the system's drop folder
    options: tuple[Option, ...] = ()
    # Rosters commit an unchanged bulk file (it still says the roster was seen complete on that
    # day); a framework file that changes nothing would only add an identical version.
    commit_unchanged: bool = True
    # False: the pipeline opens its transaction before apply. True: apply reads the file first,
    # outside any transaction (a metro roster's staging is faster so), and calls
    # context.begin() before its first write; the pipeline refuses an apply that did not.
    opens_transaction: bool = False


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    _KINDS[kind.code] = kind


def get(code: str) -> ImportKind | None:
    return _KINDS.get(code)


def kinds() -> list[ImportKind]:
    return list(_KINDS.values())


def kind_label(code: str) -> str:
    kind = _KINDS.get(code)
    return kind.label if kind else code


def actions() -> set[str]:
    return {kind.permission for kind in _KINDS.values()}
