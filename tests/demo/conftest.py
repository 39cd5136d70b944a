"""The demo district, built once for the whole package and shared by its tests.

A build of the demo takes a minute or more; each test of the demo used to build its own, and
those builds were most of the suite's time. Here the demo (seed 1, today 2026-10-01, the clock
on that day while it is built) is built inside a transaction that stays open for the package
and is rolled back after it (`rolled_back_after`); each test still runs in its own savepoint.
The package is one module (test_the_demo.py), so that `make test`'s workers (--dist loadfile)
run it on one of them and the demo is built once per run.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from tests.conftest import rolled_back_after
from trellis.demo.generator import DemoResult, build

TODAY = datetime.date(2026, 10, 1)
SEED = 1


@pytest.fixture(scope="package")
def _demo_built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    with rolled_back_after(django_db_blocker):
        with (
            django_db_blocker.unblock(),
            time_machine.travel(datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)),
        ):
            result = build(size_name="demo", seed=SEED, today=TODAY)
        yield result


@pytest.fixture
def demo(_demo_built: DemoResult, db: Any) -> DemoResult:
    return _demo_built
