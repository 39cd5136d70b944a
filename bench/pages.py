"""`make bench`: build each demo size in a fresh database, then time the main pages.

Prints the build time per size, and per page the query count and median time at each size with
their ratio. On PostgreSQL (BENCH_DATABASE_URL, default the local server) unless told otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return result.stdout


def fresh_database(server: str, size: str) -> str:
    if server.startswith("sqlite"):
        path = ROOT / "var" / f"bench-{size}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = f"trellis_bench_{size}"
    admin = server.rstrip("/") + "/postgres"
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(
            ["psql", admin, "-qc", sql],
            check=True,
            env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"},
        )
    return server.rstrip("/") + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="demo,district")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--today", default="2026-10-01")
    options = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    sizes = options.sizes.split(",")
    measured: dict[str, list[dict[str, object]]] = {}
    for size in sizes:
        env = {**os.environ, "DATABASE_URL": fresh_database(server, size)}
        run(["migrate", "--noinput"], env)
        started = time.monotonic()
        built = run(["demo", "--size", size, "--seed", options.seed, "--today", options.today], env)
        print(f"{size}: built in {time.monotonic() - started:.1f} s ({built.splitlines()[0]})")
        measured[size] = json.loads(run(["measure_pages"], env))
    first, last = sizes[0], sizes[-1]
    print(
        f"\n{'page':<44}{'queries ' + first:>16}{'queries ' + last:>18}"
        f"{'ms ' + first:>12}{'ms ' + last:>14}{'time ratio':>12}"
    )
    flat = True
    for small, large in zip(measured[first], measured[last], strict=True):
        label = f"{small['account']} {small['url']}"
        ratio = float(large["ms"]) / max(float(small["ms"]), 0.1)  # type: ignore[arg-type]
        flat &= small["queries"] == large["queries"]
        print(
            f"{label[:43]:<44}{small['queries']:>16}{large['queries']:>18}"
            f"{small['ms']:>12}{large['ms']:>14}{ratio:>12.2f}"
        )
    print("\nquery counts equal at every size" if flat else "\nQUERY COUNTS DIFFER between sizes")
    if not flat:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
