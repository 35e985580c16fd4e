"""The calls tests' fixed clock, shared here."""

from tests.calls.conftest import clock  # noqa: F401 - a fixture, used by name
