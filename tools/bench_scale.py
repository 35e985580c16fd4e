"""`make bench-scale`: do the costs of a call stay flat as a clinic chain's history grows?

Builds a Postgres database (receptionist_bench_scale unless BENCH_SCALE_DATABASE_URL says otherwise)
holding, for each size asked for (default 10k, 100k and 1M appointments), a chain of 500 clinics and
5,000 doctors with that many appointments over two years, 75% booked, three doctors booked solid
(tools/scale_data.py), each chain in a schema of its own, loaded with generate_series. Then, with
the whole system in process on each chain (services calling each other through the route table),
it measures free slots in a window and nearest a time, booking, cancelling, phone lookups with and
without a clinic, the Twilio turns of whole booking calls (signed as Twilio signs them, answered as
the load test's callers answer), and
reminders passes (each starting with an empty doctor cache, as the CronJob does).

The sizes take turns request by request, so that other work on a shared machine slows them alike,
and of ROUNDS rounds the one with the lowest p95 counts. It prints p50/p95/p99 per
endpoint and size, the p95 growth from the smallest size to the largest, the query plans of the hot
paths at each size, and the machine; then drops the database (--keep leaves it).

    python -m tools.bench_scale [--sizes 10000,100000,1000000] [--samples 200] [--keep]
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from services.calendly.models import BOOKED
from services.calendly.outbox import dispatch_pending
from services.calendly.reminders import run_reminders
from services.messaging.senders import LocalOutboxSender
from shared.db import make_engine, migrate, utcnow
from shared.settings import LOCAL_INTERNAL_TOKEN
from tools import scale_data
from tools.bench import machine
from tools.bench_call import percentile
from tools.loadtest.callers import place_call
from tools.phone import PhoneCall
from tools.query_plans import explain, hot_paths

DEFAULT_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/receptionist_bench_scale"
SIZES = (10_000, 100_000, 1_000_000)
SAMPLED_DOCTORS = 100
REMINDER_PASSES = 5
ROUNDS = 3
AUTH = {"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}"}
REMINDERS = "reminders pass (cold doctor cache)"

Request = Callable[[], list[float]]  # makes one request (or a whole call) and returns what it timed


def size_name(size: int) -> str:
    """10000 -> "10k", 1000000 -> "1M"."""
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k"


@dataclass
class Results:
    """Latencies in milliseconds per endpoint and size, in the order endpoints were first measured."""

    sizes: list[int]
    figures: dict[str, dict[int, list[float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, endpoint: str, size: int, milliseconds: list[float]) -> None:
        """Record one endpoint's samples at one size."""
        self.figures.setdefault(endpoint, {})[size] = milliseconds

    def table(self) -> str:
        """p50 / p95 / p99 per size and the p95 growth from the first size to the last."""
        first, last = self.sizes[0], self.sizes[-1]
        columns = "".join(f"{size_name(size) + ' p50 / p95 / p99':>26}" for size in self.sizes)
        header = f"{'endpoint (ms)':<36}{columns}"
        lines = [header + f"{'p95 growth':>12}", "-" * (len(header) + 12)]
        for endpoint, by_size in self.figures.items():
            cells = "".join(f"{_triple(by_size[size]) if size in by_size else '-':>26}" for size in self.sizes)
            growth = (f"{percentile(by_size[last], 0.95) / percentile(by_size[first], 0.95):.2f}x"
                      if first in by_size and last in by_size and first != last else "-")
            lines.append(f"{endpoint:<36}{cells}{growth:>12}")
        return "\n".join(lines)


def _triple(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, share):.1f}" for share in (0.5, 0.95, 0.99))


class ChainBench:
    """The in-process system on one chain, and the requests measured against it."""

    def __init__(self, url: str, chain: scale_data.Chain, size: int, samples: int, data_dir: str):
        self.chain, self.size, self.samples = chain, size, samples
        self.engine = make_engine(url)
        # one data folder for every chain: its generated keys encrypt all of them (one keyring per process)
        self.app = create_all_in_one({"database_url": url, "local_data_dir": data_dir}, engine=self.engine,
                                     sms_sender=LocalOutboxSender(io.StringIO()))
        self.http = Client(self.app)
        self.calendly = self.app.apps["calendly"].extensions["receptionist"]
        self.new_phones = iter(range(10**7))
        self.booked: list[int] = []
        self.calls, self.unbooked_calls = 0, []
        rng = self.rng = random.Random(2024)  # the same doctors, times and phones in every chain
        self.doctors = rng.sample(range(scale_data.FULLY_BOOKED + 1, scale_data.DOCTORS + 1), SAMPLED_DOCTORS)
        self.full = list(range(1, scale_data.FULLY_BOOKED + 1))
        self.rows = [rng.randrange(scale_data.random_count(chain, size)) for _ in range(samples)]
        self.near = [(doctor, self._future_start(doctor).isoformat()) for doctor in self._cycle(self.doctors, samples)]

    def endpoints(self) -> dict[str, list[Request]]:
        """What is measured, by name: one round of requests each, not yet made."""
        return {
            "availability (window)": [self._get("/calendly/availability", doctor_id=doctor, limit=3)
                                      for doctor in self._cycle(self.doctors, self.samples)],
            "availability, fully booked doctor": [self._get("/calendly/availability", doctor_id=doctor, limit=3)
                                                  for doctor in self._cycle(self.full, self.samples // 2)],
            "nearest slots": [self._get("/calendly/availability", doctor_id=doctor, near=target, limit=3)
                              for doctor, target in self.near],
            "phone lookup (SMS reply, no clinic)": [
                self._search(phone=scale_data.patient_phone(index), status=BOOKED, upcoming=True)
                for index in self.rows],
            "phone lookup in a clinic (call)": [
                self._search(phone=scale_data.patient_phone(index), status=BOOKED, upcoming=True,
                             clinic_id=scale_data.clinic_of(scale_data.random_doctor(self.chain, index)))
                for index in self.rows],
            "booking": [lambda d=doctor: self._book(d) for doctor in self._cycle(self.doctors, self.samples // 2)],
            "cancel": [self._cancel] * (self.samples // 2),
            "booking call: each Twilio turn": [self._call] * max(self.samples // 10, 5),
        }

    def warm(self) -> None:
        """Fill the doctor cache and Postgres' buffers as a running system has them."""
        for doctor in self.doctors + self.full:
            self.get("/calendly/availability", doctor_id=doctor, limit=3)

    def timed(self, request: Callable[[], Any]) -> tuple[float, Any]:
        """Milliseconds one request took, and its answer."""
        started = time.perf_counter()
        answer = request()
        return (time.perf_counter() - started) * 1000, answer

    def get(self, path: str, **query: Any):
        """An internal GET with the service token; anything but 200 stops the benchmark."""
        response = self.http.get(path, query_string=query, headers=AUTH)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
        return response

    def _get(self, path: str, **query: Any) -> Request:
        return lambda: [self.timed(lambda: self.get(path, **query))[0]]

    def _search(self, **body: Any) -> Request:
        return lambda: [self.timed(lambda: self._post("/calendly/appointments/search", body, (200,)))[0]]

    def _post(self, path: str, body: dict[str, Any], expected: tuple[int, ...] = (200, 201)):
        response = self.http.post(path, json=body, headers=AUTH)
        assert response.status_code in expected, (path, response.status_code, response.get_data(as_text=True)[:300])
        return response

    @staticmethod
    def _cycle(items: list[int], count: int) -> list[int]:
        return [items[index % len(items)] for index in range(count)]

    def _future_start(self, doctor: int) -> datetime:
        """A slot start (not necessarily free) 3 to 50 days ahead, on a weekday, in the doctor's hours."""
        day = self.chain.now.date() + timedelta(days=self.rng.randint(3, 50))
        while day.weekday() > 4:
            day += timedelta(days=1)
        return scale_data.local_start(self.chain, doctor, day, self.rng.randint(9, 16))

    def _book(self, doctor: int) -> list[float]:
        """Book a free slot (found first, untimed), timing the booking; the appointment is kept to cancel."""
        near = self._future_start(doctor).isoformat()
        slot = self.get("/calendly/availability", doctor_id=doctor, near=near, limit=1).get_json()["slots"][0]
        body = {"doctor_id": doctor, "start": slot["start"],
                "patient": {"name": "Bench Caller", "phone": f"+1415{2_000_000 + next(self.new_phones)}"}}
        elapsed, response = self.timed(lambda: self._post("/calendly/appointments", body, (201,)))
        self.booked.append(response.get_json()["id"])
        return [elapsed]

    def _cancel(self) -> list[float]:
        appointment = self.booked.pop()
        return [self.timed(lambda: self._post(f"/calendly/appointments/{appointment}/cancel", {"reason": "bench"}))[0]]

    def _call(self) -> list[float]:
        """A whole booking call, answered as the load test's callers answer (tools/loadtest/callers.py, which
        follows the conversation's steps), to a random clinic's number; each Twilio turn timed."""
        turns: list[float] = []

        def transport(url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str, str]:
            elapsed, response = self.timed(lambda: self.http.post(url, data=params, headers=headers))
            turns.append(elapsed)
            return response.status_code, response.headers.get("Content-Type", ""), response.get_data(as_text=True)

        clinic = self.rng.randint(2, scale_data.CLINICS)  # clinic 1 has the fully booked doctors
        call = PhoneCall(transport, "http://localhost", to=scale_data.clinic_number(clinic),
                         caller=f"+1646{2_000_000 + next(self.new_phones)}")
        result = place_call(call, "book", self.rng)
        self.calls += 1
        if result.outcome != "booked":
            self.unbooked_calls.append(f"{result.outcome}: {result.detail or result.heard[-1:]}"[:200])
        return turns

    def catch_up_reminders(self, now: datetime) -> None:
        """Record and hand over the reminders already due (untimed): what earlier passes would have done."""
        deps = self.calendly
        run_reminders(deps, now=now)
        while dispatch_pending(db_factory=deps.db, publisher=deps.publisher, now=now, limit=500):
            pass

    def reminders_pass(self, now: datetime) -> tuple[float, Any]:
        """One timed pass, starting with an empty doctor cache as a CronJob's process does."""
        self.calendly.doctors.cache.clear()
        return self.timed(lambda: run_reminders(self.calendly, now=now))

    def plans(self) -> list[str]:
        """EXPLAIN ANALYZE of the hot paths on this chain (rolled back)."""
        rng = random.Random(self.size)
        index = rng.randrange(scale_data.random_count(self.chain, self.size))
        doctor = scale_data.random_doctor(self.chain, index)
        with Session(self.engine) as db:
            paths = hot_paths(phone=scale_data.patient_phone(index), clinic_id=scale_data.clinic_of(doctor),
                              doctor_id=1, appointment_id=index + 1, now=utcnow())
            lines = [explain(db, path, analyze=True).summary() for path in paths]
            db.rollback()
        return lines


def _admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _drop_database(url: str) -> None:
    admin = _admin(url)
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _create_database(url: str) -> None:
    _drop_database(url)
    admin = _admin(url)
    with admin.connect() as db:
        db.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as db:  # in public, which every chain's search path ends with
        db.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
    engine.dispose()


def _chain_url(url: str, size: int) -> str:
    """The database URL whose sessions work in this size's schema (created here)."""
    schema = f"chain_{size}"
    engine = create_engine(url)
    with engine.begin() as db:
        db.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema},public"}).render_as_string(
        hide_password=False)


def build(url: str, sizes: list[int], samples: int) -> dict[int, ChainBench]:
    """One migrated, loaded chain per size, each printed with its load time and query plans."""
    chain = scale_data.Chain.for_now(datetime.now(UTC))
    data_dir = tempfile.mkdtemp()
    benches = {}
    for size in sizes:
        started = time.perf_counter()
        chain_url = _chain_url(url, size)
        migrate(chain_url)
        bench = benches[size] = ChainBench(chain_url, chain, size, samples, data_dir)
        scale_data.create_chain(bench.engine, chain)
        scale_data.add_appointments(bench.engine, chain, size)
        print(f"\n{size_name(size)}: {scale_data.appointment_count(bench.engine):,} appointments loaded in "
              f"{time.perf_counter() - started:.0f} s; hot-path plans:", flush=True)
        for line in bench.plans():
            print("  " + line)
    return benches


def _one_round(benches: dict[int, ChainBench], endpoint: str) -> dict[int, list[float]]:
    """One round of an endpoint's requests on every chain, a request per size in turn."""
    requests = {size: bench.endpoints()[endpoint] for size, bench in benches.items()}
    samples: dict[int, list[float]] = {size: [] for size in benches}
    for turn in zip(*requests.values(), strict=False):  # the round ends with the shortest list
        for size, request in zip(requests, turn, strict=True):
            samples[size] += request()
    return samples


def measure(benches: dict[int, ChainBench]) -> Results:
    """Every endpoint on every chain, request by request in turns across the sizes, so that whatever
    else the machine is doing at a moment slows every size alike; best of ROUNDS rounds by p95."""
    results = Results(sizes=sorted(benches))
    for bench in benches.values():
        bench.warm()
    for endpoint in next(iter(benches.values())).endpoints():
        rounds: dict[int, list[list[float]]] = {size: [] for size in benches}
        for _ in range(ROUNDS):
            for size, measured in _one_round(benches, endpoint).items():
                rounds[size].append(measured)
        for size, measured in rounds.items():
            results.add(endpoint, size, min(measured, key=lambda values: percentile(values, 0.95)))
    now = utcnow()
    for bench in benches.values():
        bench.catch_up_reminders(now)
    passes: dict[int, list[float]] = {size: [] for size in benches}
    for minute in range(1, REMINDER_PASSES + 1):
        for size, bench in benches.items():
            passes[size].append(bench.reminders_pass(now + timedelta(minutes=minute))[0])
    for size, measured in passes.items():
        results.add(REMINDERS, size, measured)
    for size, bench in benches.items():
        if bench.unbooked_calls:
            results.notes.append(f"{size_name(size)}: {len(bench.unbooked_calls)} of {bench.calls} scripted booking "
                                 f"calls did not book; first: {bench.unbooked_calls[0]}")
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the scale benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench_scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="appointment counts, comma-separated")
    parser.add_argument("--samples", type=int, default=200, help="requests per endpoint, size and round")
    parser.add_argument("--keep", action="store_true", help="leave the database for inspection")
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    url = os.environ.get("BENCH_SCALE_DATABASE_URL", DEFAULT_URL)
    logging.disable(logging.WARNING)
    print(f"machine: {machine()}")
    _create_database(url)
    try:
        benches = build(url, sizes, args.samples)
        with next(iter(benches.values())).engine.connect() as db:
            print(f"\npostgres {db.execute(text('SHOW server_version')).scalar_one()}, shared_buffers "
                  f"{db.execute(text('SHOW shared_buffers')).scalar_one()}; chains of {scale_data.CLINICS} clinics, "
                  f"{scale_data.DOCTORS:,} doctors ({scale_data.FULLY_BOOKED} booked solid), {scale_data.SPAN_WEEKS} "
                  f"weeks ending {scale_data.HORIZON_DAYS} days ahead, 75% booked; in process, one thread; "
                  f"{args.samples} requests per endpoint, size and round, best of {ROUNDS} rounds by p95; "
                  f"{REMINDER_PASSES} reminders passes per size", flush=True)
        results = measure(benches)
        for bench in benches.values():
            bench.engine.dispose()
    finally:
        if not args.keep:
            _drop_database(url)
    print("\n" + results.table())
    for note in results.notes:
        print("note: " + note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
