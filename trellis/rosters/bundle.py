"""Opening a OneRoster bundle (a zip or a folder) safely, and reading its manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from trellis.rosters import spec

# Zips whose files expand to more than this many times their compressed size are refused:
# a ratio no CSV reaches, and the mark of a zip bomb.
MAX_COMPRESSION_RATIO = 200

ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str
    reason: str
    # "error": storing would be wrong or dangling, nothing is written. "warning": Trellis reads
    # the data unambiguously (or does not use it); shown in the preview and report, not blocking.
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
            "severity": self.severity,
        }


class BundleRejected(Exception):
    """`problems` are the errors; `warnings` what would not have blocked on its own."""

    def __init__(self, problems: list[Problem], *, warnings: list[Problem] | None = None) -> None:
        super().__init__("; ".join(p.reason for p in problems[:3]))
        self.problems = problems
        self.warnings = warnings or []


@dataclass
class Bundle:
    folder: Path
    files: dict[str, Path]  # manifest name (e.g. "academicSessions") → the CSV file
    version: str
    modes: dict[str, str]  # manifest name → bulk | delta | absent
    digest: str
    notes: list[str] = field(default_factory=list)
    only_targets: frozenset[str] | None = None
    # What the manifest gets wrong about files Trellis does not read: reported, not blocking.
    warnings: list[Problem] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def mode(self) -> str:
        used = {mode for mode in self.modes.values() if mode != "absent"}
        return used.pop() if len(used) == 1 else ("mixed" if used else "empty")


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    paths = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for item in paths:
        digest.update(item.name.lower().encode())
        with item.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _extract(path: Path, max_bytes: int) -> tuple[Path, tempfile.TemporaryDirectory[str]]:
    if not zipfile.is_zipfile(path):
        raise BundleRejected([Problem(path.name, None, "", "The file is not a zip archive.")])
    tmp = tempfile.TemporaryDirectory(prefix="trellis-roster-")
    root = Path(tmp.name)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            total = 0
            for member in members:
                name = PurePosixPath(member.filename.replace("\\", "/"))
                if name.is_absolute() or ".." in name.parts:
                    raise BundleRejected(
                        [
                            Problem(
                                member.filename,
                                None,
                                "",
                                "The zip holds a path leading outside its folder; refused.",
                            )
                        ]
                    )
                total += member.file_size
                if total > max_bytes:
                    raise BundleRejected(
                        [
                            Problem(
                                path.name,
                                None,
                                "",
                                f"The bundle expands past the limit of {max_bytes:,} bytes.",
                            )
                        ]
                    )
                if (
                    member.compress_size
                    and member.file_size / member.compress_size > MAX_COMPRESSION_RATIO
                ):
                    raise BundleRejected(
                        [
                            Problem(
                                member.filename,
                                None,
                                "",
                                "The file is compressed far beyond any CSV (a zip bomb?); refused.",
                            )
                        ]
                    )
            for member in members:
                name = PurePosixPath(member.filename.replace("\\", "/"))
                if name.name.startswith(".") or "__MACOSX" in name.parts:
                    continue
                # Files belong at the root; a single enclosing folder is tolerated.
                target = root / name.name
                if target.exists():
                    raise BundleRejected(
                        [
                            Problem(
                                member.filename,
                                None,
                                "",
                                f"The zip holds {name.name} twice; keep one of them.",
                            )
                        ]
                    )
                with archive.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
    except zipfile.BadZipFile as error:
        tmp.cleanup()
        raise BundleRejected(
            [Problem(path.name, None, "", f"The zip is damaged: {error}")]
        ) from None
    except BundleRejected:
        tmp.cleanup()
        raise
    return root, tmp


def open_bundle(path: Path, *, max_bytes: int) -> Bundle:
    """Open a zip or a folder; refuse anything unsafe or any manifest that is wrong."""
    if not path.exists():
        raise BundleRejected([Problem(str(path), None, "", "There is no file or folder here.")])
    tmp = None
    if path.is_dir():
        folder = path
        size = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
        if size > max_bytes:
            raise BundleRejected(
                [
                    Problem(
                        path.name,
                        None,
                        "",
                        f"The bundle is larger than the limit of {max_bytes:,} bytes.",
                    )
                ]
            )
    else:
        if path.stat().st_size > max_bytes:
            raise BundleRejected(
                [
                    Problem(
                        path.name,
                        None,
                        "",
                        f"The file is larger than the limit of {max_bytes:,} bytes.",
                    )
                ]
            )
        folder, tmp = _extract(path, max_bytes)
    try:
        bundle = _read_manifest(folder, file_digest(path))
    except BundleRejected:
        if tmp is not None:
            tmp.cleanup()
        raise
    bundle._tmp = tmp
    return bundle


def _csv_files(folder: Path) -> dict[str, Path]:
    """CSV files by lower-case name without extension (file names are matched in any case)."""
    found: dict[str, Path] = {}
    for item in sorted(folder.iterdir()):
        if item.is_file() and item.suffix.lower() == ".csv":
            key = item.stem.lower()
            if key in found:
                raise BundleRejected(
                    [
                        Problem(
                            item.name,
                            None,
                            "",
                            f"The bundle holds both {found[key].name} and {item.name}; "
                            "keep one of them.",
                        )
                    ]
                )
            found[key] = item
    return found


def _read_manifest(folder: Path, digest: str) -> Bundle:
    csv_files = _csv_files(folder)
    manifest_path = csv_files.pop("manifest", None)
    if manifest_path is None:
        raise BundleRejected(
            [
                Problem(
                    "manifest.csv",
                    None,
                    "",
                    "The bundle has no manifest.csv: OneRoster 1.1 and 1.2 bundles need one "
                    "(OneRoster 1.0 is not supported).",
                )
            ]
        )
    problems: list[Problem] = []
    values: dict[str, str] = {}
    line = 0
    try:
        for line, row in enumerate(read_rows(manifest_path), start=1):
            if line == 1:
                if [c.strip() for c in row[:2]] != ["propertyName", "value"]:
                    problems.append(
                        Problem(
                            manifest_path.name,
                            1,
                            "",
                            "The manifest's header must be propertyName,value.",
                        )
                    )
                continue
            if not row or not row[0].strip():
                continue
            values[row[0].strip()] = row[1].strip() if len(row) > 1 else ""
    except UnicodeDecodeError:
        # Issue 7 item 18: a UTF-16 manifest used to end the run "Failed" with a traceback.
        raise BundleRejected(
            [Problem(manifest_path.name, line + 1, "", not_utf8_reason(manifest_path))]
        ) from None
    except csv.Error as error:
        raise BundleRejected(
            [Problem(manifest_path.name, line + 1, "", f"The CSV cannot be read here: {error}")]
        ) from None
    version = values.get("oneroster.version", "")
    if values.get("manifest.version") != "1.0":
        problems.append(
            Problem(
                "manifest.csv",
                None,
                "manifest.version",
                f"manifest.version must be 1.0, not '{values.get('manifest.version', '')}'.",
            )
        )
    if version not in ("1.1", "1.2"):
        raise BundleRejected(
            [
                *problems,
                Problem(
                    "manifest.csv",
                    None,
                    "oneroster.version",
                    f"oneroster.version must be 1.1 or 1.2, not '{version}'.",
                ),
            ]
        )
    declared = spec.MANIFEST_FILES_11 if version == "1.1" else spec.MANIFEST_FILES_12
    by_lower = {name.lower(): name for name in declared}
    read = {f.name for f in (spec.FILES_11 if version == "1.1" else spec.FILES_12)}
    warnings: list[Problem] = []
    modes: dict[str, str] = {}
    manifest = manifest_path.name
    for name in declared:
        mode = values.get(f"file.{name}")
        if mode not in spec.MODES and name not in read:
            # Issue 7 item 17: a file Trellis never reads cannot change what is stored.
            said = "does not say" if not mode else f"says '{mode}'"
            warnings.append(
                Problem(
                    manifest,
                    None,
                    f"file.{name}",
                    f"The manifest {said} for {name}.csv, a file Trellis does not read: read "
                    f"as absent. Fix: write file.{name},absent (or bulk or delta).",
                    WARNING,
                )
            )
            modes[name] = "absent"
            continue
        if mode is None or mode == "":
            problems.append(
                Problem(
                    manifest,
                    None,
                    f"file.{name}",
                    f"The manifest does not say whether {name}.csv is absent, bulk or delta. "
                    f"Fix: write file.{name},absent (or bulk or delta) in manifest.csv.",
                )
            )
            continue
        if mode not in spec.MODES:
            problems.append(
                Problem(
                    manifest,
                    None,
                    f"file.{name}",
                    f"file.{name} must be absent, bulk or delta, not '{mode}'.",
                )
            )
            continue
        modes[name] = mode
    files: dict[str, Path] = {}
    for lower, file_path in csv_files.items():
        found = by_lower.get(lower)
        if found is None or found not in read:
            what = (
                f"is not a OneRoster {version} file"
                if found is None
                else "is a file Trellis does not read"
            )
            warnings.append(
                Problem(
                    file_path.name,
                    None,
                    "",
                    f"{file_path.name} {what}: ignored. Fix: leave it out of the bundle.",
                    WARNING,
                )
            )
            continue
        name = found
        if modes.get(name, "absent") == "absent":
            problems.append(
                Problem(
                    file_path.name,
                    None,
                    "",
                    f"The manifest says {name}.csv is absent, but the bundle holds it. Fix: "
                    f"write file.{name},bulk (or delta) in manifest.csv, or leave the file out.",
                )
            )
        files[name] = file_path
    for name, mode in modes.items():
        if mode != "absent" and name not in files and name in read:
            problems.append(
                Problem(
                    f"{name}.csv",
                    None,
                    "",
                    f"The manifest says {name}.csv is {mode}, but the bundle has no such file.",
                )
            )
        elif mode != "absent" and name not in files:
            warnings.append(
                Problem(
                    f"{name}.csv",
                    None,
                    "",
                    f"The manifest says {name}.csv is {mode}, but the bundle has no such file; "
                    "Trellis does not read it. Fix: write file."
                    f"{name},absent in manifest.csv.",
                    WARNING,
                )
            )
    if problems:
        raise BundleRejected(problems, warnings=warnings)
    return Bundle(
        folder=folder,
        files=files,
        version=version,
        modes=modes,
        digest=digest,
        warnings=warnings,
    )


def not_utf8_reason(path: Path) -> str:
    """Why a file could not be decoded, and the fix, in words a district administrator can use."""
    with path.open("rb") as raw:
        start = raw.read(4)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(start) > 1 and b"\x00" in start[:4]):
        return (
            "The file is UTF-16 text, not UTF-8: save it again as CSV UTF-8 "
            "(in Excel: Save As → CSV UTF-8)."
        )
    return "The file is not UTF-8 text: save it again as CSV UTF-8 (in Excel: Save As → CSV UTF-8)."


def read_rows(path: Path) -> Iterator[list[str]]:
    """The rows of a CSV file in UTF-8, with or without a byte-order mark."""
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        yield from csv.reader(text)
