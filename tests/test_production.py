"""The production path: settings under TRELLIS_ENV=production, collectstatic, DEBUG off by default.

These run manage.py in a subprocess because settings are read once per process.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import World

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make") or "/usr/bin/make"
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
            return bool(response.status == 200)
    except OSError:
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _restore_default_signals() -> None:
    # As in a terminal: a job started by a non-interactive shell inherits ignored SIGINT.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def serve_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment for `make serve` on a migrated throwaway SQLite database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "DEBUG", "TRELLIS_DEBUG"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('serve')}/serve.sqlite3"
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    return env


@pytest.mark.parametrize(
    ("sig", "to_group"),
    [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGTERM, True)],
    ids=["ctrl-c", "sigterm-to-make", "sigterm-to-group"],
)
def test_item15_make_serve_stops_cleanly(
    serve_env: dict[str, str], sig: int, to_group: bool
) -> None:
    # Ctrl-C signals the terminal's whole foreground group; a process manager may signal make
    # alone. Before the fix make ended with "make: *** [...] Segmentation fault" (or never).
    env = serve_env
    port = _free_port()
    process = subprocess.Popen(
        # -o: never reinstall the (shared) virtualenv from inside a test.
        [MAKE, "--no-print-directory", "-o", ".venv/.runtime", "serve", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_restore_default_signals,
    )
    try:
        deadline = time.monotonic() + 90
        while not _answers(f"http://127.0.0.1:{port}/healthz"):
            assert process.poll() is None, process.communicate()[0][-3000:]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        if to_group:
            os.killpg(process.pid, sig)
        else:
            os.kill(process.pid, sig)
        output, _ = process.communicate(timeout=60)
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "make: ***" not in output and "Segmentation fault" not in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "Trellis stopped." in output
    deadline = time.monotonic() + 10
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _group_alive(process.pid), "the server or the worker kept running"


def test_item15_demo_reset_rebuilds_from_nothing_and_a_plain_demo_says_it_reuses() -> None:
    def dry_run(*args: str) -> str:
        env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL"}}
        result = subprocess.run(
            [MAKE, "--no-print-directory", "-n", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "rm -f var/trellis.sqlite3" in dry_run("demo", "FRESH=1")
    assert "rm -f var/trellis.sqlite3" in dry_run("demo-reset")
    plain = dry_run("demo")
    assert "rm -f var/trellis.sqlite3" not in plain
    assert "Using the existing var/trellis.sqlite3 (a demo in it is kept)" in plain
