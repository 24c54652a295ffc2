from __future__ import annotations

import pytest
from hypothesis import settings

settings.register_profile("long", max_examples=5000, deadline=None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-fixtures",
        action="store_true",
        help="rewrite the expected sections of tests/fixtures/rules/*.txt from current output",
    )
    parser.addoption(
        "--long",
        action="store_true",
        help="run property tests with many more examples",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--long"):
        settings.load_profile("long")


@pytest.fixture
def update_fixtures(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-fixtures"))
