"""`make bench`: build each demo size in a fresh database, then time the main pages.

Prints the build time per size, and per page the query count and median time at each size with
their ratio. On PostgreSQL (BENCH_DATABASE_URL, default the local server) unless told otherwise.
`--reuse` (BENCH_REUSE=1 in the Makefile) keeps a database that an earlier bench built to the end
for the same size, seed and day (migrated again, not rebuilt): a metro build takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Repairs issue, item 29: every main page within 1.2x of its district-size time at metro size.
MAX_RATIO = 1.2


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


def psql(admin: str, sql: str) -> str:
    return subprocess.run(
        ["psql", admin, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"},
    ).stdout.strip()


class Database:
    """A bench database for one size. `built` is the mark of a demo built to the end with these
    arguments (a database comment on PostgreSQL, a file beside it on SQLite): the demo is not
    one transaction, so a build stopped half-way leaves a district that `demo` would call built.
    """

    def __init__(self, server: str, size: str, built: str) -> None:
        self.server, self.built = server, built
        if server.startswith("sqlite"):
            self.path = ROOT / "var" / f"bench-{size}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            # BENCH_DB_PREFIX keeps two benches on one server (several worktrees) apart.
            self.name = f"{os.environ.get('BENCH_DB_PREFIX', 'trellis_bench')}_{size}"
            self.admin = server.rstrip("/") + "/postgres"
            self.url = server.rstrip("/") + f"/{self.name}"

    def is_built(self) -> bool:
        if self.server.startswith("sqlite"):
            mark = Path(f"{self.path}.built")
            return mark.exists() and mark.read_text() == self.built
        described = psql(
            self.admin,
            "SELECT datname || '|' || COALESCE(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database",
        )
        return f"{self.name}|{self.built}" in described.splitlines()

    def fresh(self) -> None:
        if self.server.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm", ".built"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return
        psql(self.admin, f"DROP DATABASE IF EXISTS {self.name}")
        psql(self.admin, f"CREATE DATABASE {self.name}")

    def mark_built(self) -> None:
        if self.server.startswith("sqlite"):
            Path(f"{self.path}.built").write_text(self.built)
            return
        psql(self.admin, f"COMMENT ON DATABASE {self.name} IS '{self.built}'")


def median_of(measures: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    """One page's measures over the rounds: the median of their medians."""
    page = dict(measures[0])
    for key in ("ms", "cpu_ms"):
        if all(key in measure for measure in measures):
            page[key] = round(statistics.median(measure[key] for measure in measures), 1)
    return page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="district,metro")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--today", default="2026-10-01")
    parser.add_argument(
        "--reuse",
        action="store_true",
        default=os.environ.get("BENCH_REUSE", "") not in ("", "0"),
        help="keep a database an earlier bench built for the same size, seed and day",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("BENCH_ROUNDS", "1")),
        help="measure the sizes in turn this many times and take each page's median: on a "
        "shared machine, other work then weighs on every size alike",
    )
    options = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    sizes = options.sizes.split(",")
    environments: dict[str, dict[str, str]] = {}
    for size in sizes:
        demo = ["demo", "--size", size, "--seed", options.seed, "--today", options.today]
        database = Database(server, size, built="trellis bench: " + " ".join(demo))
        env = {**os.environ, "DATABASE_URL": database.url}
        if options.reuse and database.is_built():
            run(["migrate", "--noinput"], env)
            print(f"{size}: reused the database built before ({database.url})")
        else:
            database.fresh()
            run(["migrate", "--noinput"], env)
            started = time.monotonic()
            built = run(demo, env)
            database.mark_built()
            print(f"{size}: built in {time.monotonic() - started:.1f} s ({built.splitlines()[0]})")
        environments[size] = env
    rounds: dict[str, list[list[dict[str, Any]]]] = {size: [] for size in sizes}
    for _ in range(max(options.rounds, 1)):
        for size in sizes:
            rounds[size].append(json.loads(run(["measure_pages"], environments[size])))
    measured = {
        size: [median_of(pages) for pages in zip(*rounds[size], strict=True)] for size in sizes
    }
    first, last = sizes[0], sizes[-1]
    cpu = all("cpu_ms" in page for pages in measured.values() for page in pages)
    print(
        f"\n{'page':<44}{'queries ' + first:>18}{'queries ' + last:>16}"
        f"{'ms ' + first:>14}{'ms ' + last:>10}{'ratio':>8}"
        + (f"{'cpu ' + first:>14}{'cpu ' + last:>10}{'ratio':>8}" if cpu else "")
    )
    flat = True
    slower = []
    for small, large in zip(measured[first], measured[last], strict=True):
        label = f"{small['account']} {small['url']}"
        ratio = float(large["ms"]) / max(float(small["ms"]), 0.1)
        flat &= small["queries"] == large["queries"]
        if ratio > MAX_RATIO:
            slower.append(f"{label} ({ratio:.2f}x)")
        line = (
            f"{label[:43]:<44}{small['queries']:>18}{large['queries']:>16}"
            f"{small['ms']:>14}{large['ms']:>10}{ratio:>8.2f}"
        )
        if cpu:
            cpu_ratio = float(large["cpu_ms"]) / max(float(small["cpu_ms"]), 0.1)
            line += f"{small['cpu_ms']:>14}{large['cpu_ms']:>10}{cpu_ratio:>8.2f}"
        print(line)
    if cpu:
        # On an idle machine a page's time is its CPU time (the data is in memory); on a busy
        # one `ms` also holds the time spent waiting for a core, which `cpu` leaves out.
        print("\ncpu: CPU time of the request and of its PostgreSQL process (median)")
    print("\nquery counts equal at every size" if flat else "\nQUERY COUNTS DIFFER between sizes")
    if slower:
        # Not a failure: times are medians on a shared machine; the figures are for reading.
        print(f"over {MAX_RATIO}x from {first} to {last}: " + "; ".join(slower))
    else:
        print(f"every page within {MAX_RATIO}x from {first} to {last}")
    if not flat:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
