"""Doctors of a clinic from knowledge_base, cached for the clinic-config TTL and reloaded as soon as
the clinic's schedule changes (shared/freshness.py)."""

from __future__ import annotations

from typing import Any

from shared.freshness import FreshCache
from shared.service_client import ServiceClient


class DoctorDirectory:
    """A clinic's doctors in a stable order, as knowledge_base lists them."""

    def __init__(self, client: ServiceClient, ttl_seconds: float):
        self.client = client
        self.cache = FreshCache(client, ttl_seconds, lambda slug, _: slug)

    def doctors(self, clinic_slug: str) -> list[dict[str, Any]]:
        """The clinic's active doctors."""
        return self.cache.get_or_load(
            clinic_slug, lambda: self.client.get("knowledge_base", f"/kb/clinics/{clinic_slug}/doctors")
        )

    def find(self, clinic_slug: str, doctor_id: int) -> dict[str, Any] | None:
        """One of the clinic's doctors by id."""
        return next((doctor for doctor in self.doctors(clinic_slug) if doctor["id"] == doctor_id), None)
