"""The production path: settings under TRELLIS_ENV=production, collectstatic, DEBUG off by default.

These run manage.py in a subprocess because settings are read once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import World

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "TRELLIS_ENV": "production",
    "SECRET_KEY": "production-test-only-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
    "ALLOWED_HOSTS": "trellis.example.org",
}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TRELLIS_DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "trellis.settings", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_item27_collectstatic_succeeds_under_production_settings(tmp_path: Path) -> None:
    # Before the fix five vendored files named .map files that are not in the repository and
    # the manifest storage stopped with MissingFileError.
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "static")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_item27_no_vendored_file_points_to_a_missing_source_map() -> None:
    static = ROOT / "trellis" / "static"
    missing = []
    for path in [*static.rglob("*.js"), *static.rglob("*.css")]:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[-3:]:
            if "sourceMappingURL=" in line:
                target = line.split("sourceMappingURL=", 1)[1].split()[0].rstrip("*/")
                if not (path.parent / target).exists():
                    missing.append(f"{path.relative_to(ROOT)} -> {target}")
    assert not missing, missing


def test_item14_debug_is_off_unless_a_developer_sets_trellis_debug() -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    assert run_python(code, {}).stdout.strip() == "False"
    assert run_python(code, {"TRELLIS_DEBUG": "1"}).stdout.strip() == "True"
    assert run_python(code, {**PRODUCTION_ENV, "TRELLIS_DEBUG": "1"}).stdout.strip() == "False"


def test_item14_refused_and_bad_requests_log_no_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    client = world.client("teacher")
    assert client.get("/audit/").status_code == 403
    assert client.get("/schools/?page=abc").status_code == 400
    assert client.get("/no-such-page/").status_code == 404
    logged = [r for r in caplog.records if r.name.startswith("django.request")]
    assert not logged, [r.getMessage() for r in logged]


def test_item14_error_pages_are_the_layouts_own(world: World) -> None:
    client = world.client("teacher")
    for url, status in (("/no-such-page/", 404), ("/schools/?page=abc", 400), ("/audit/", 403)):
        response = client.get(url)
        assert response.status_code == status
        body = response.content.decode()
        assert 'href="#main"' in body  # the layout's skip link: base.html, not a debug page
        assert "Traceback" not in body and "URLconf" not in body
