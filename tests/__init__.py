"""The test suite: runs on real Postgres and Redis (see tests/conftest.py)."""
