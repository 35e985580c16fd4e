"""The walking-skeleton calls run on the call tests' fixed clock, so no test depends on the hour."""

from tests.calls.conftest import clock  # noqa: F401 - the fixture, for this folder's tests
