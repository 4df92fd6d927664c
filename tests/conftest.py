"""Shared fixtures: each concern lives in its own plugin module under tests/fixtures/.

Also the order the tests start in, for `make test`'s parallel run (see SLOWEST_FIRST)."""

from __future__ import annotations

import pytest
from hypothesis import settings

# No time limit per example: a loaded CI machine makes a 200 ms deadline a flaky timed
# assertion, and speed is measured in bench/, never asserted in the suite.
settings.register_profile("kyodo", deadline=None)
settings.load_profile("kyodo")

pytest_plugins = [
    "tests.fixtures.core",
    "tests.fixtures.cards",
    "tests.fixtures.stores",
    "tests.fixtures.line",
    "tests.fixtures.sandbox",
    "tests.fixtures.kyodo",
    "tests.fixtures.browser",
    "tests.fixtures.cli",
]

# The tests that take longest (`pytest --durations`), longest first. They start before all the
# others: xdist gives a worker its next test as it finishes one (`--maxschedchunk 1`, in
# pyproject.toml), so these spread over the workers at the start, and the end of the run is the
# short tests, instead of one worker still running a long one while the others sit idle.
# A node id prefix: a file, or one test of it (all its parameters).
SLOWEST_FIRST = (
    "tests/e2e/test_line_kill.py",
    "tests/e2e/test_kill.py",
    "tests/e2e/test_broadcast_e2e.py",
    "tests/e2e/test_make_run.py::test_a_second_run_on_the_same_store_answers_at_once",
    "tests/e2e/test_broadcast_control_e2e.py",
    "tests/e2e/test_replicas.py",
    "tests/core/test_hours_corpus.py::test_every_way_of_writing_hours",
    "tests/storage/test_no_copy_outlives.py",
    "tests/desk/test_demo.py",
    "tests/transport/test_sender.py::test_without_the_margin_the_strict_server_refuses_some",
    "tests/sandbox/test_line_fixture.py",
    "tests/transport/test_sender.py::test_a_strict_server_never_answers_429",
    "tests/storage/test_broadcasts_contract.py::test_a_large_chunk_is_queued_in_slices",
    "tests/e2e/test_make_run.py",
    "tests/transport/test_sender.py::test_an_answer_goes_out_before_a_bulk_backlog",
    "tests/e2e/test_cli.py::test_the_shell_speaks_japanese_to_a_japanese_terminal",
    "tests/sandbox/test_reference_and_fixture.py::test_the_fixture_fails_a_test_whose_bot",
    "tests/e2e/test_recovery.py",
    "tests/transport/test_parsers.py::test_garbage_never_crashes_either_parser",
    "tests/core/test_hours_corpus.py",
    "tests/core/test_late_presses.py",
    "tests/transport/test_sender.py::test_bulk_held_by_the_sender",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest tests first, in SLOWEST_FIRST's order; the rest as collected (a stable sort:
    every xdist worker collects the same order, as xdist requires)."""

    def rank(item: pytest.Item) -> int:
        for place, prefix in enumerate(SLOWEST_FIRST):
            if item.nodeid.startswith(prefix):
                return place
        return len(SLOWEST_FIRST)

    items.sort(key=rank)
