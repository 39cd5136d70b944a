"""The floors of the house (issue 8, part 5): the import-linter contracts in pyproject.toml,
run by `make test`, cover every app."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Floors that are not domain apps: they have their own place in the layers contract.
NOT_DOMAIN = {"core", "authz", "api", "demo", "site", "static", "templates"}


def contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def test_every_domain_app_is_on_a_floor_and_used_only_through_its_public_modules() -> None:
    apps = {
        path.parent.name
        for path in (ROOT / "trellis").glob("*/apps.py")
        if path.parent.name not in NOT_DOMAIN
    }
    layers = next(c for c in contracts() if c["id"] == "layers")["layers"]
    on_a_floor = {
        name.strip("() ").removeprefix("trellis.")
        for layer in layers
        for name in layer.replace("|", ":").split(":")
    }
    assert apps <= on_a_floor, f"add {sorted(apps - on_a_floor)} to the layers contract"
    public = {c["id"].removesuffix("-public") for c in contracts() if c["id"].endswith("-public")}
    assert apps <= public, f"add an '<app>-public' contract for {sorted(apps - public)}"


def test_core_imports_no_other_app() -> None:
    for path in (ROOT / "trellis" / "core").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for line in path.read_text().splitlines():
            words = line.split()
            if words[:1] in (["from"], ["import"]) and words[1].startswith("trellis."):
                assert words[1].startswith("trellis.core"), f"{path}: {line}"
