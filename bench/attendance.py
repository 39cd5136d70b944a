"""`make bench` (attendance): a day of positive attendance and the day's class submissions
ingested through the real import commands on PostgreSQL, against their plain-SQL floor
(bench/attendance_floor.sql: COPY into staging, set-based upserts, the day's per-school
roll-up); then the system's "this morning" page at district and metro size (query count and
median time, and their ratio).

    python bench/attendance.py --sizes district,metro

Each size is built in a fresh database (BENCH_ATTENDANCE_DB_PREFIX, default
trellis_bench_attendance) straight through the models' bulk paths: schools, students with their
enrolment windows, 25 homerooms a school, September's calendar and roll-ups before the day. The
day's files are written to var/bench/attendance-SIZE/.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
QUIET = {**os.environ, "PGOPTIONS": "--client-min-messages=warning"}
# (schools, students) per size (docs: product.md's scale table).
SIZES = {"demo": (12, 6_000), "district": (100, 60_000), "metro": (1_000, 500_000)}
HOMEROOMS = 25  # per school: 25,000 class submissions a day at metro size
DAY = datetime.date(2026, 9, 30)
SEPTEMBER = [
    datetime.date(2026, 9, d)
    for d in range(1, 31)
    if datetime.date(2026, 9, d).weekday() < 5 and d != 7
]
IMPORT_TARGET = 2.0
PAGE_TARGET = 1.2


def manage(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return elapsed, result.stdout


def stage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"bench/attendance.py {' '.join(args)} failed")
    return result.stdout


def psql(url: str, *args: str) -> None:
    subprocess.run(["psql", url, "-q", *args], check=True, env=QUIET, stdout=subprocess.DEVNULL)


def fresh_database(server: str, size: str) -> str:
    name = f"{os.environ.get('BENCH_ATTENDANCE_DB_PREFIX', 'trellis_bench_attendance')}_{size}"
    admin = server.rstrip("/") + "/postgres"
    psql(admin, "-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}")
    return server.rstrip("/") + f"/{name}"


# --- Stages run inside Django (one process per database) ---------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    import django

    django.setup()


def build(size: str, folder: Path) -> None:
    """The size's system and the day's two files."""
    _django()
    from trellis.accounts.services import account_create
    from trellis.attendance.models import CalendarDay, DailySchoolAttendance
    from trellis.authz.roles import Role
    from trellis.authz.services import grant_create
    from trellis.orgs.models import School
    from trellis.orgs.services import network_create, system_create
    from trellis.rosters.models import SchoolClass
    from trellis.students.models import Student
    from trellis.students.services import students_bulk_create

    rng = random.Random(12)  # noqa: S311 - synthetic bench data
    n_schools, n_students = SIZES[size]
    system = system_create(actor=None, code="riverbend", name="Riverbend Public Schools")
    networks = [
        network_create(actor=None, system=system, name=f"Network {i + 1}", code=f"n{i + 1}")
        for i in range(max(n_schools // 50, 1))
    ]
    School.objects.bulk_create(
        School(
            system=system,
            name=f"School {i:04d}",
            sourced_id=f"sch-{i:04d}",
            network=networks[i % len(networks)],
        )
        for i in range(n_schools)
    )
    schools = list(School.objects.filter(system=system).order_by("pk"))
    per_school = n_students // n_schools
    entry = datetime.date(2026, 8, 15)
    for chunk in range(0, n_schools, 50):
        students_bulk_create(
            actor=None,
            system=system,
            students=[
                Student(school=s, sourced_id=f"st-{s.sourced_id}-{k}", enrolled_on=entry)
                for s in schools[chunk : chunk + 50]
                for k in range(per_school)
            ],
        )
    SchoolClass.objects.bulk_create(
        (
            SchoolClass(
                system=system,
                sourced_id=f"hr-{s.sourced_id}-{k}",
                title=f"Homeroom {k + 1}",
                class_type=SchoolClass.Kind.HOMEROOM,
                school=s,
            )
            for s in schools
            for k in range(HOMEROOMS)
        ),
        batch_size=5000,
    )
    CalendarDay.objects.bulk_create(
        (CalendarDay(system=system, school=s, date=d) for s in schools for d in SEPTEMBER),
        batch_size=5000,
    )
    # The days before: each school's usual rate (the page compares today's with it).
    DailySchoolAttendance.objects.bulk_create(
        (
            DailySchoolAttendance(
                system=system,
                school=s,
                date=d,
                enrolled=per_school,
                absent=int(per_school * rng.uniform(0.04, 0.09)),
                expected_submissions=HOMEROOMS,
                submitted=HOMEROOMS,
                on_time=HOMEROOMS - rng.randint(0, 4),
            )
            for s in schools
            for d in SEPTEMBER
            if d < DAY
        ),
        batch_size=5000,
    )
    leader = account_create(actor=None, system=system, email="leader@riverbend.example")
    grant_create(actor=None, user=leader, role=Role.DISTRICT_LEADER, system=system, starts_on=entry)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "attendance.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "school", "date", "category", "class"])
        for s in schools:
            for k in range(per_school):
                roll = rng.random()
                category = (
                    "Unexcused Absence"
                    if roll < 0.04
                    else "Excused Absence"
                    if roll < 0.07
                    else "Tardy"
                    if roll < 0.09
                    else "In Attendance"
                )
                writer.writerow(
                    [
                        f"st-{s.sourced_id}-{k}",
                        s.sourced_id,
                        DAY.isoformat(),
                        category,
                        f"hr-{s.sourced_id}-{k % HOMEROOMS}",
                    ]
                )
    with (folder / "submissions.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["class", "date", "submitted_at"])
        for s in schools:
            for k in range(HOMEROOMS):
                minutes = rng.randint(7 * 60 + 30, 10 * 60 + 30)
                writer.writerow(
                    [
                        f"hr-{s.sourced_id}-{k}",
                        DAY.isoformat(),
                        f"{DAY}T{minutes // 60:02d}:{minutes % 60:02d}:00-04:00",
                    ]
                )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # bulk loads leave the planner without statistics
    print(json.dumps({"system_id": system.pk, "students": per_school * n_schools}))


def measure_page(url: str, runs: int = 7) -> None:
    """The leader's page: query count and median time (JSON out)."""
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from trellis.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="leader@riverbend.example"))
    assert client.get(url).status_code == 200  # warm caches and connections
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured.captured_queries)
    print(json.dumps({"url": url, "queries": queries, "ms": round(statistics.median(times), 1)}))


# --- The bench ---------------------------------------------------------------------------------


def run_size(server: str, size: str) -> dict[str, Any]:
    url = fresh_database(server, size)
    env = {**os.environ, "DATABASE_URL": url}
    manage(env, "migrate", "--noinput")
    folder = ROOT / "var" / "bench" / f"attendance-{size}"
    started = time.monotonic()
    built = json.loads(stage(env, "--build", size, "--dir", str(folder)))
    print(f"{size}: built in {time.monotonic() - started:.0f} s ({built['students']:,} students)")
    started = time.monotonic()
    psql(
        url,
        "-v",
        f"dir={folder}",
        "-v",
        f"system={built['system_id']}",
        "-v",
        f"day={DAY}",
        "-f",
        str(ROOT / "bench" / "attendance_floor.sql"),
    )
    floor = time.monotonic() - started
    psql(url, "-c", "DROP SCHEMA attendance_floor CASCADE")
    attendance, out = manage(
        env,
        "import_attendance",
        str(folder / "attendance.csv"),
        "--system",
        "riverbend",
        "--positive",
    )
    submissions, out2 = manage(
        env, "import_submissions", str(folder / "submissions.csv"), "--system", "riverbend"
    )
    again, out3 = manage(
        env,
        "import_attendance",
        str(folder / "attendance.csv"),
        "--system",
        "riverbend",
        "--positive",
    )
    pages = [
        json.loads(stage(env, "--page", f"/attendance/?date={DAY}")),
        json.loads(stage(env, "--page", f"/attendance/networks/{_first_network(url)}/?date={DAY}")),
        # Sorted by a figure over every school (in SQL over the roll-up), second page.
        json.loads(stage(env, "--page", f"/attendance/?date={DAY}&sort=absence_rate&page=2")),
    ]
    return {
        "floor": floor,
        "attendance": attendance,
        "submissions": submissions,
        "again": again,
        "pages": pages,
        "report": (out + out2 + out3).strip(),
    }


def _first_network(url: str) -> int:
    result = subprocess.run(
        ["psql", url, "-qAtc", "SELECT min(id) FROM orgs_network"],
        check=True,
        env=QUIET,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="district,metro")
    parser.add_argument("--build")
    parser.add_argument("--dir")
    parser.add_argument("--page")
    options = parser.parse_args()
    if options.build:
        build(options.build, Path(options.dir))
        return
    if options.page:
        measure_page(options.page)
        return
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    sizes = options.sizes.split(",")
    found = {size: run_size(server, size) for size in sizes}
    for size, got in found.items():
        floor, total = float(got["floor"]), float(got["attendance"]) + float(got["submissions"])
        print(f"\nAttendance import, {size} size, PostgreSQL")
        print(f"  floor (plain SQL: COPY + upserts + roll-up)   {floor:8.1f} s")
        print(f"  import_attendance --positive (one day)         {float(got['attendance']):8.1f} s")
        print(
            f"  import_submissions (the day's classes)         {float(got['submissions']):8.1f} s"
        )
        print(
            f"  Trellis, both imports                          {total:8.1f} s   "
            f"{total / floor:5.2f} x floor   (target: at most {IMPORT_TARGET} x)"
        )
        print(f"  the same day again (nothing changes)           {float(got['again']):8.1f} s")
    first, last = sizes[0], sizes[-1]
    if first != last:
        print(
            f"\n{'page (leader)':<48}{'queries ' + first:>18}{'queries ' + last:>16}"
            f"{'ms ' + first:>14}{'ms ' + last:>10}{'ratio':>8}"
        )
        for small, large in zip(found[first]["pages"], found[last]["pages"], strict=True):
            ratio = float(large["ms"]) / max(float(small["ms"]), 0.1)
            label = small["url"].replace(f"?date={DAY}&", "?").replace(f"?date={DAY}", "")
            print(
                f"{label:<48}{small['queries']:>18}{large['queries']:>16}"
                f"{small['ms']:>14}{large['ms']:>10}{ratio:>8.2f}   (target: same queries, "
                f"at most {PAGE_TARGET} x)"
            )


if __name__ == "__main__":
    main()
