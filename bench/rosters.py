"""`make bench` (rosters): a metro OneRoster bundle imported on PostgreSQL against its floor.

Prints the floor (bench/oneroster_floor.sql: COPY and set-based upserts in plain SQL), the
Trellis import of the same bundle, an unchanged re-import, their ratios and the import's peak
memory. The bundle is written once to var/bench/ by the demo generator.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
QUIET = {**os.environ, "PGOPTIONS": "--client-min-messages=warning"}


def psql(url: str, *args: str) -> None:
    subprocess.run(
        ["psql", url, "-q", *args],
        check=True,
        env=QUIET,
        stdout=subprocess.DEVNULL,
    )


def manage(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return elapsed, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="metro")
    parser.add_argument("--version", default="1.2")
    options = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    bundle = ROOT / "var" / "bench" / f"{options.size}-{options.version}"
    env = {**os.environ}
    if not (bundle / "manifest.csv").exists():
        # The synthetic metro bundle (trellis.demo.oneroster_bundle.write_bundle): written
        # straight to disk, no district built in a database first.
        _seconds, out = manage(
            env,
            "shell",
            "-c",
            "from pathlib import Path; from trellis.demo.oneroster_bundle import write_bundle; "
            f"print(write_bundle(Path({str(bundle)!r}), size_name={options.size!r}, "
            f"version={options.version!r}))",
        )
        print(out.strip())
    # Several people (or helpers) may bench on one server: BENCH_ROSTER_DB names the database.
    name = os.environ.get("BENCH_ROSTER_DB", "trellis_bench_rosters")
    url = f"{server.rstrip('/')}/{name}"
    psql(
        f"{server.rstrip('/')}/postgres",
        "-c",
        f"DROP DATABASE IF EXISTS {name}",
        "-c",
        f"CREATE DATABASE {name}",
    )
    env["DATABASE_URL"] = url
    manage(env, "migrate", "--noinput")
    manage(
        env,
        "shell",
        "-c",
        "from trellis.orgs.services import system_create; "
        "system_create(actor=None, code='riverbend', name='Riverbend Public Schools')",
    )
    started = time.monotonic()
    psql(url, "-v", f"dir={bundle}", "-f", str(ROOT / "bench" / "oneroster_floor.sql"))
    floor = time.monotonic() - started
    psql(url, "-c", "DROP SCHEMA floor CASCADE")
    first, out = manage(env, "import_oneroster", str(bundle), "--system", "riverbend", "-v", "2")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(out.rstrip())
    again, out = manage(env, "import_oneroster", str(bundle), "--system", "riverbend", "-v", "2")
    print(out.rstrip())
    print(f"\nOneRoster {options.version} bulk import, {options.size} size, PostgreSQL")
    print(f"  floor (plain SQL: COPY + upserts)  {floor:8.1f} s")
    print(
        f"  Trellis import                     {first:8.1f} s   {first / floor:5.2f} x floor"
        "   (target: at most 1.5 x)"
    )
    print(
        f"  unchanged re-import                {again:8.1f} s   {again / first:5.2f} x import"
        "  (target: at most 0.4 x)"
    )
    print(f"  peak memory of the import          {peak_mb:8.0f} MB  (target: under 2,048 MB)")


if __name__ == "__main__":
    main()
