"""Shared fixtures: each concern lives in its own plugin module under tests/fixtures/."""

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
