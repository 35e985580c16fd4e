"""A synthetic clinic chain in Postgres, loaded in bulk with generate_series: clinics with numbers and
opening hours, doctors working weekdays 09:00-17:00 local, and appointments over two years (all but
the last HORIZON_DAYS in the past) on distinct 30-minute slots, 75% booked, each patient phone with
three appointments, every appointment with its delivered confirmation in the outbox, and a few
doctors booked solid.

Chains of different sizes have the same shape: the random appointments take slots in the order of a
fixed permutation (a smaller chain holds a prefix of a larger one's), each phone has three, and the
fully booked doctors' calendars reach further back the larger the chain, up to the whole two years
from FULL_HISTORY_AT appointments on (below it their history is cut to the chain's share of it).
Patient data is stored as the services store it: names and numbers encrypted, numbers with their
blind index, under the process's keyring (shared/patient_data.py), computed here once per number and
loaded with COPY (every row has the same synthetic name, stored as one ciphertext).

Used by `make bench-scale` (tools/bench_scale.py) and by the query-plan tests.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from shared import patient_data
from shared.db import blocking_driver

CLINICS = 500
DOCTORS = 5_000
FULLY_BOOKED = 3  # doctors 1..3 (clinic 1): every slot of the period taken
SPAN_WEEKS = 104
HORIZON_DAYS = 60
SLOTS_PER_DAY = 16  # 09:00-17:00 in 30-minute slots
TIMEZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
FULL_HISTORY_AT = 1_000_000  # the fully booked doctors have their whole two years from this size on
_PERMUTATION_PRIME = 1_000_003  # coprime with the slot count, so i -> i * P mod slots never repeats

WEEKDAY_HOURS = [{"day": day, "start": "09:00", "end": "17:00"} for day in ("mon", "tue", "wed", "thu", "fri")]
OPENING_HOURS = [{"day": day, "start": "08:00", "end": "18:00"} for day in ("mon", "tue", "wed", "thu", "fri")]


@dataclass(frozen=True)
class Chain:
    """Where the chain's calendar starts, relative to the `now` it was built for."""

    now: datetime
    first_monday: date

    @classmethod
    def for_now(cls, now: datetime) -> Chain:
        """A calendar of SPAN_WEEKS weeks of weekdays ending HORIZON_DAYS after `now`."""
        last = now.date() + timedelta(days=HORIZON_DAYS)
        first = last - timedelta(weeks=SPAN_WEEKS) + timedelta(days=1)
        return cls(now, first - timedelta(days=first.weekday()))

    @property
    def weekdays(self) -> int:
        """Working days in the calendar."""
        return SPAN_WEEKS * 5

    @property
    def today_index(self) -> int:
        """The weekday index of the first working day from today on."""
        days = (self.now.date() - self.first_monday).days
        return days // 7 * 5 + min(days % 7, 5)

    def weekday(self, index: int) -> date:
        """The date of weekday number `index`."""
        return self.first_monday + timedelta(days=index // 5 * 7 + index % 5)

    def fully_booked_from(self, size: int) -> int:
        """The first weekday the fully booked doctors are booked solid at a chain of `size` appointments."""
        return self.today_index - round(self.today_index * min(1.0, size / FULL_HISTORY_AT))

    def fully_booked_rows(self, size: int) -> int:
        """How many of `size` appointments belong to the fully booked doctors."""
        return FULLY_BOOKED * SLOTS_PER_DAY * (self.weekdays - self.fully_booked_from(size))


def clinic_of(doctor_id: int) -> int:
    """Each clinic has DOCTORS / CLINICS doctors, numbered in order."""
    return (doctor_id - 1) // (DOCTORS // CLINICS) + 1


def clinic_number(clinic_id: int) -> str:
    """The Twilio number that rings a clinic of the chain."""
    return f"+1555{clinic_id:07d}"


def patient_phone(index: int) -> str:
    """The phone of random appointment `index` (three appointments a phone; valid numbers, so texts go out)."""
    return f"+1212{2_000_000 + index // 3}"


def random_doctor(chain: Chain, index: int) -> int:
    """The doctor of random appointment `index` (as the loader places it)."""
    slot = index * _PERMUTATION_PRIME % _random_slots(chain)
    return FULLY_BOOKED + 1 + slot % (DOCTORS - FULLY_BOOKED)


def _random_slots(chain: Chain) -> int:
    return (DOCTORS - FULLY_BOOKED) * chain.weekdays * SLOTS_PER_DAY


def create_chain(engine: Engine, chain: Chain) -> None:
    """Clinics, their numbers and doctors (ids 1..N), on an empty migrated database."""
    per_clinic = DOCTORS // CLINICS
    with engine.begin() as db:
        db.execute(text("""
            INSERT INTO clinics (id, slug, name, timezone, staff_number, voice, slot_minutes, min_lead_minutes,
                                 horizon_days, options, opening_hours, closures, country, department_synonyms,
                                 created_at, updated_at)
            SELECT g, 'chain-' || g, 'Chain Clinic ' || g, (CAST(:zones AS text[]))[1 + g % 4],
                   '+1556' || lpad(g::text, 7, '0'), '{}', 30, 120, :horizon, '{}', CAST(:opening AS json), '[]',
                   'US', '{}', :now, :now
            FROM generate_series(1, :clinics) AS g
        """), {"zones": list(TIMEZONES), "horizon": HORIZON_DAYS, "opening": json.dumps(OPENING_HOURS),
               "now": chain.now, "clinics": CLINICS})
        db.execute(text("""
            INSERT INTO clinic_numbers (number, clinic_id)
            SELECT '+1555' || lpad(g::text, 7, '0'), g FROM generate_series(1, :clinics) AS g
        """), {"clinics": CLINICS})
        db.execute(text("""
            INSERT INTO doctors (id, clinic_id, name, department, aliases, weekly_hours, exceptions, active,
                                 created_at, updated_at)
            SELECT g, (g - 1) / :per_clinic + 1, 'Dr. Chain ' || g, 'General Practice',
                   json_build_array('Doctor Chain ' || g), CAST(:hours AS json), '[]', true, :now, :now
            FROM generate_series(1, :doctors) AS g
        """), {"per_clinic": per_clinic, "hours": json.dumps(WEEKDAY_HOURS), "now": chain.now, "doctors": DOCTORS})
        for table, last in (("clinics", CLINICS), ("doctors", DOCTORS)):
            db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :last)"), {"last": last})


_SLOT_START = """((CAST(:first_monday AS date) + ({day} / 5 * 7 + {day} % 5)::int)::timestamp
                  + interval '9 hours' + {slot} * interval '30 minutes') AT TIME ZONE c.timezone"""


def _fully_booked_phone(doctor_id: int, day: int, slot: int) -> str:
    return f"+1313{2_000_000 + doctor_id * 100_000 + day * SLOTS_PER_DAY + slot}"


def _load_phones(db, chain: Chain, random_rows: int, first_full_day: int) -> None:
    """A temporary table of every patient number of the chain with its stored (encrypted) form and blind
    index, as the services would write them."""
    keyring = patient_data.active()
    phones = {patient_phone(index) for index in range(0, random_rows, 3)}
    phones.update(_fully_booked_phone(doctor, day, slot) for doctor in range(1, FULLY_BOOKED + 1)
                  for day in range(first_full_day, chain.weekdays) for slot in range(SLOTS_PER_DAY))
    rows = io.StringIO("".join(f"{phone}\t{keyring.encrypt(phone, 'appointments.patient_phone')}\t"
                               f"{keyring.blind_index(phone)}\n" for phone in phones))
    db.execute(text("CREATE TEMPORARY TABLE chain_phones (phone text PRIMARY KEY, stored text, hash text) "
                    "ON COMMIT DROP"))
    with blocking_driver(), db.connection.driver_connection.cursor() as cursor:
        cursor.copy_expert("COPY chain_phones FROM STDIN", rows)


def _add_random(db, chain: Chain, count: int, name: str) -> None:
    """Random appointments number 0..count-1: distinct slots of the doctors not booked solid."""
    db.execute(text(f"""
        INSERT INTO appointments (clinic_id, doctor_id, patient_name, patient_phone, patient_phone_hash, starts_at,
                                  ends_at, status, source, version, created_at, updated_at)
        SELECT c.id, p.doctor, :name, ph.stored, ph.hash, s.starts_at,
               s.starts_at + interval '30 minutes', CASE WHEN p.i % 4 = 3 THEN 'cancelled' ELSE 'booked' END,
               'phone', 1, s.created_at, s.created_at
        FROM (SELECT i, :full + 1 + k % :doctors AS doctor, k / :doctors / :per_day AS day,
                     k / :doctors % :per_day AS slot
              FROM (SELECT i, i * :prime % :slots AS k FROM generate_series(CAST(0 AS bigint), :count - 1) AS i)
                   AS permuted) AS p
        JOIN clinics c ON c.id = (p.doctor - 1) / :per_clinic + 1
        JOIN chain_phones ph ON ph.phone = '+1212' || (2000000 + p.i / 3)
        CROSS JOIN LATERAL (SELECT {_SLOT_START.format(day="p.day", slot="p.slot")} AS starts_at) AS t
        CROSS JOIN LATERAL (SELECT t.starts_at,
                                   least(t.starts_at - (1 + p.i % 30) * interval '1 day',
                                         CAST(:now AS timestamptz) - interval '1 hour') AS created_at) AS s
    """), {"full": FULLY_BOOKED, "doctors": DOCTORS - FULLY_BOOKED, "per_day": SLOTS_PER_DAY,
           "prime": _PERMUTATION_PRIME, "slots": _random_slots(chain), "count": count,
           "per_clinic": DOCTORS // CLINICS, "first_monday": chain.first_monday, "now": chain.now, "name": name})


def _add_fully_booked(db, chain: Chain, first_day: int, name: str) -> None:
    """Every slot of the fully booked doctors from weekday `first_day` to the end of the calendar."""
    db.execute(text(f"""
        INSERT INTO appointments (clinic_id, doctor_id, patient_name, patient_phone, patient_phone_hash, starts_at,
                                  ends_at, status, source, version, created_at, updated_at)
        SELECT c.id, d.id, :name, ph.stored, ph.hash,
               t.starts_at, t.starts_at + interval '30 minutes', 'booked', 'phone', 1,
               least(t.starts_at - interval '7 days', CAST(:now AS timestamptz) - interval '1 hour'),
               least(t.starts_at - interval '7 days', CAST(:now AS timestamptz) - interval '1 hour')
        FROM doctors d JOIN clinics c ON c.id = d.clinic_id
        CROSS JOIN generate_series(:first_day, :last_day - 1) AS day
        CROSS JOIN generate_series(0, :per_day - 1) AS slot
        JOIN chain_phones ph ON ph.phone = '+1313' || (2000000 + d.id * 100000 + day * 16 + slot)
        CROSS JOIN LATERAL (SELECT {_SLOT_START.format(day="day", slot="slot")} AS starts_at) AS t
        WHERE d.id <= :full
    """), {"first_day": first_day, "last_day": chain.weekdays, "per_day": SLOTS_PER_DAY, "full": FULLY_BOOKED,
           "first_monday": chain.first_monday, "now": chain.now, "name": name})


def appointment_count(engine: Engine) -> int:
    """Appointments in the chain."""
    with engine.connect() as db:
        return db.execute(text("SELECT count(*) FROM appointments")).scalar_one()


def random_count(chain: Chain, size: int) -> int:
    """How many random appointments a chain of `size` holds."""
    return size - chain.fully_booked_rows(size)


def add_appointments(engine: Engine, chain: Chain, size: int) -> None:
    """Give the chain its `size` appointments with their outbox rows, then VACUUM ANALYZE so the
    planner and index-only scans know them."""
    keyring = patient_data.active()
    # one ciphertext for every row's equal synthetic name (and payload): equal plaintexts under one nonce
    # reveal only that they are equal, which is what synthetic data is
    name = keyring.encrypt("Chain Patient", "appointments.patient_name")
    with engine.begin() as db:
        _load_phones(db, chain, random_count(chain, size), chain.fully_booked_from(size))
        _add_fully_booked(db, chain, chain.fully_booked_from(size), name)
        _add_random(db, chain, random_count(chain, size), name)
        db.execute(text("""
            INSERT INTO notification_outbox (idempotency_key, appointment_id, kind, payload, attempts, delivered_at,
                                             created_at, updated_at)
            SELECT 'appointment:' || id || ':booking_confirmation:v1', id, 'booking_confirmation', :payload, 1,
                   created_at, created_at, created_at
            FROM appointments
        """), {"payload": keyring.encrypt("{}", "notification_outbox.payload")})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(text("VACUUM ANALYZE appointments"))
        db.execute(text("VACUUM ANALYZE notification_outbox"))


def local_start(chain: Chain, doctor_id: int, day: date, hour: int) -> datetime:
    """A doctor's slot start on a local date and hour, as an aware datetime in the clinic's timezone."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(TIMEZONES[clinic_of(doctor_id) % 4]))
