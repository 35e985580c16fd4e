"""Tables knowledge_base owns: clinics, their phone numbers, doctors, uploaded documents and the
schedule versions applied from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, utcnow


class Clinic(Base):
    """A clinic: its identity, timezone, staff line, voice and scheduling settings."""

    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    staff_number: Mapped[str] = mapped_column(String(20))
    greeting: Mapped[str | None] = mapped_column(Text)
    voice: Mapped[dict[str, Any]] = mapped_column(default=dict)
    slot_minutes: Mapped[int] = mapped_column(default=30)
    min_lead_minutes: Mapped[int] = mapped_column(default=120)
    horizon_days: Mapped[int] = mapped_column(default=60)
    booking_email: Mapped[str | None] = mapped_column(String(254))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # When someone answers the phone: weekly rules and dated closures, read by shared/working_hours.py.
    opening_hours: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    closures: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    country: Mapped[str] = mapped_column(String(2), default="US", server_default="US")
    # The clinic's own words for its departments, on top of the built-in specialty synonyms.
    department_synonyms: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # The id of the clinic's latest schedule version (0: none yet): a preview is applied only while it
    # is unchanged, and other services' caches of this clinic revalidate against it.
    schedule_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    numbers: Mapped[list[ClinicNumber]] = relationship(back_populates="clinic", cascade="all, delete-orphan")
    doctors: Mapped[list[Doctor]] = relationship(back_populates="clinic", order_by="Doctor.id")


class ClinicNumber(Base):
    """A Twilio number that rings one clinic; the dialled `To` number picks the clinic."""

    __tablename__ = "clinic_numbers"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))

    clinic: Mapped[Clinic] = relationship(back_populates="numbers")


class Doctor(Base):
    """A doctor with department, spoken aliases, weekly hours and dated exceptions."""

    __tablename__ = "doctors"
    __table_args__ = (UniqueConstraint("clinic_id", "name", name="uq_doctors_clinic_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    weekly_hours: Mapped[list[Any]] = mapped_column(default=list)
    exceptions: Mapped[list[Any]] = mapped_column(default=list)
    calendly_event_type: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    clinic: Mapped[Clinic] = relationship(back_populates="doctors")


class Document(Base):
    """An uploaded schedule PDF: where it is stored, its hash, and how parsing went; a previewed one
    also keeps the doctors it would leave the clinic with (`plan`), what would change (`report`) and
    the schedule version that was compared against (`base_version`)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("clinic_id", "sha256", name="uq_documents_clinic_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    page_count: Mapped[int | None]
    errors: Mapped[list[Any]] = mapped_column(default=list)
    base_version: Mapped[int | None]
    plan: Mapped[list[Any] | None]
    report: Mapped[dict[str, Any] | None]
    uploaded_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScheduleVersion(Base):
    """One schedule a clinic had: every doctor as it was right after a document was applied (or an
    earlier version restored), kept so that any of them can be brought back."""

    __tablename__ = "schedule_versions"
    __table_args__ = (UniqueConstraint("clinic_id", "number", name="uq_schedule_versions_clinic_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    number: Mapped[int]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20))
    restored_from: Mapped[int | None]
    doctors: Mapped[list[Any]]
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
