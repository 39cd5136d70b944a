"""The demo district, built once for the whole package and shared by its tests.

A build of the demo takes a minute or more; each test of the demo used to build its own, and
those builds were most of the suite's time. Here the demo (seed 1, today 2026-10-01, the clock
on that day while it is built) is built inside a transaction that stays open for the package
and is rolled back after it; each test still runs in its own savepoint, rolled back after it
(as conftest's module_world). The package is one module (test_the_demo.py), so that `make
test`'s workers (--dist loadfile) run it on one of them and the demo is built once per run.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction

from trellis.demo.generator import DemoResult, build

TODAY = datetime.date(2026, 10, 1)
SEED = 1


@pytest.fixture(scope="package")
def _demo_built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        with time_machine.travel(datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)):
            result = build(size_name="demo", seed=SEED, today=TODAY)
    try:
        yield result
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_built: DemoResult, db: Any) -> DemoResult:
    return _demo_built
