"""Tests of the walking skeleton: one booking across all eight services."""
