# Phone receptionist for clinics. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
WEB_THREADS ?= 16

.PHONY: help runtime install lock audit lint run call test bench bench-scale migrate load-demo clean tts-warm eval-nlu bench-nlu reminders retention reencrypt sms-worker dispatcher infra-check k8s-manifests calendly-sync sample-pdfs loadtest chaos fuzz openapi mutate

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

# Hashed lock files, written by `make lock` from the .in files: requirements.txt is what the services
# import (make run and the image install only that), requirements-dev.txt adds the test and benchmark
# tools, requirements-infra.txt is checkov, requirements-uv.txt the installer. uv installs them (pip
# would take ten times as long); bytecode is compiled on first import, not at install.
UV := $(BIN)/uv
UV_INSTALL := $(UV) pip install --quiet --require-hashes

$(VENV)/.uv: requirements-uv.txt
	@tools/ensure_python.sh $(PYTHON) $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-uv.txt
	@touch $@

$(VENV)/.runtime: requirements.txt $(VENV)/.uv
	$(UV_INSTALL) --python $(BIN)/python -r requirements.txt
	@touch $@

$(VENV)/.installed: requirements-dev.txt $(VENV)/.runtime
	$(UV_INSTALL) --python $(BIN)/python -r requirements-dev.txt
	@touch $@

# checkov pins dependencies that clash with the test tools, so it gets a virtualenv of its own.
$(VENV)/checkov/.installed: requirements-infra.txt $(VENV)/.installed
	@tools/ensure_python.sh $(PYTHON) $(VENV)/checkov
	$(UV_INSTALL) --python $(VENV)/checkov/bin/python -r requirements-infra.txt
	@touch $@

runtime: $(VENV)/.runtime ## Create .venv with the runtime dependencies only (what make run needs)

install: $(VENV)/.installed $(VENV)/checkov/.installed ## Create .venv (and .venv/checkov) with everything: runtime, test and infra tools

# The lock files keep their current pins unless the .in files ask otherwise, so a re-run changes only
# what changed (after merging branches: take either side's lock files, then make lock).
# UPGRADE=1 moves every package to the newest version allowed.
LOCK = $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: $(VENV)/.uv ## Rewrite the hashed lock files from requirements*.in (UPGRADE=1: newest allowed versions)
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in --constraint requirements.txt -o requirements-dev.txt
	$(LOCK) requirements-infra.in -o requirements-infra.txt
	$(LOCK) requirements-uv.in -o requirements-uv.txt

AUDIT := $(BIN)/pip-audit --progress-spinner off --strict --require-hashes --disable-pip

audit: install ## pip-audit the lock files (needs the network); CycloneDX SBOM of the runtime set in var/sbom
	$(AUDIT) -r requirements.txt
	$(AUDIT) -r requirements-dev.txt
	@mkdir -p var/sbom
	$(AUDIT) -r requirements.txt --format cyclonedx-json --output var/sbom/runtime.cdx.json

migrate: runtime ## Apply database migrations to DATABASE_URL (default: the local SQLite file)
	$(BIN)/python -m tools.manage migrate

load-demo: migrate ## Load the demo clinics (Riverside Family Clinic, Harbor Dental)
	$(BIN)/python -m tools.manage load-demo

run: load-demo ## Serve all nine services in one process on HOST:PORT (default 127.0.0.1:8080), embedded defaults; prints the staff console's demo logins
	@$(BIN)/python -m tools.manage demo-staff
	@echo "Staff console: http://$(HOST):$(PORT)/staff/"
	$(BIN)/gunicorn --workers 1 --threads $(WEB_THREADS) --bind $(HOST):$(PORT) \
		--worker-class shared.gunicorn_worker.JsonErrorWorker \
		--access-logfile - --logger-class shared.log.GunicornLogger 'services.wsgi:create_wsgi_app()'

call: runtime ## Dial the running system from the terminal as Twilio would (ARGS=--script "1|1|..." for no prompts)
	$(BIN)/python -m tools.phone --url http://$(HOST):$(PORT) $(ARGS)

# The rules live in pyproject.toml ([tool.ruff.lint], [tool.mypy]); CI's lint job runs this target, so
# the rule set and the tool versions (requirements-dev.txt) are the same everywhere.
lint: $(VENV)/.installed ## Lint: ruff with the pyproject.toml rules, then mypy (pydantic plugin) on shared and the call services
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install lint ## Lint, then run the whole suite on real Postgres and Redis (started or installed when missing) and Debian's chromium
	tools/ensure_backends.sh
	tools/ensure_chromium.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

infra-check: install ## Only the infrastructure checks: kustomize, schemas, checkov, hadolint, actionlint, Terraform
	$(BIN)/python -m pytest tests/infra $(PYTEST_ARGS)

k8s-manifests: install ## Regenerate k8s/base from tools/k8s_manifests.py and the route table
	$(BIN)/python -m tools.k8s_manifests

bench: install ## Run the benchmarks and print their figures with the machine they ran on
	tools/ensure_backends.sh
	$(BIN)/python -m tools.bench

bench-scale: install ## Latency per endpoint as a 500-clinic chain grows to 10k/100k/1M appointments (Postgres; ARGS=--sizes ...)
	tools/ensure_backends.sh
	$(BIN)/python -m tools.bench_scale $(ARGS)

tts-warm: runtime ## Pre-render every clinic's static prompts in its ElevenLabs voice (needs ELEVENLABS_API_KEY)
	$(BIN)/python -m services.tts.warm $(ARGS)

eval-nlu: install ## Accuracy per kind of the receptionist_agent interpreters on tests/data/nlu (DATA=dir another set, SHOW=1 lists misses)
	$(BIN)/python -m tools.eval_nlu $(if $(DATA),--data $(DATA)) $(if $(SHOW),--show-failures)

bench-nlu: install ## Interpretation latency percentiles in-process (and dateparser for comparison)
	$(BIN)/python -m tools.bench_nlu

reminders: migrate ## Record and hand over due appointment reminders once (a CronJob in the cluster)
	$(BIN)/python -m services.calendly.reminders

retention: migrate ## Empty texts' bodies and delete one-time codes past their retention periods, once (daily CronJobs in the cluster)
	$(BIN)/python -m services.messaging.retention
	$(BIN)/python -m services.calendly.retention

reencrypt: migrate ## Re-encrypt and re-index patient data under the current keys after a rotation (resumable; ARGS=--batch-size N)
	$(BIN)/python -m tools.manage reencrypt $(ARGS)

sms-worker: migrate ## Run the messaging worker: SQS intake, retries with backoff, reconciliation (ARGS=--once)
	$(BIN)/python -m services.messaging.worker $(ARGS)

dispatcher: migrate ## Run the outbox dispatcher: undelivered notifications to messaging (ARGS=--once)
	$(BIN)/python -m services.calendly.dispatcher $(ARGS)

calendly-sync: migrate ## Push queued bookings/cancellations to Calendly until stopped (CALENDLY_TOKEN; ARGS=--once for one pass)
	$(BIN)/python -m services.calendly.sync_runner $(ARGS)

sample-pdfs: install ## Regenerate the sample schedule PDFs (fpdf2, and Word/Excel through LibreOffice, installed when missing)
	tools/ensure_libreoffice.sh
	$(BIN)/python -m tools.make_sample_schedules

loadtest: install ## Split deployment under 1,000 Locust callers, capacity vs a Flask baseline (LOADTEST_ARGS=--short for CI)
	tools/ensure_backends.sh
	$(BIN)/python -m tools.loadtest $(LOADTEST_ARGS)

fuzz: install ## Fuzz every internal, staff and Twilio route with 10,000 generated requests (FUZZ_REQUESTS=N); prints the counts
	tools/ensure_backends.sh
	FUZZ_REQUESTS=$${FUZZ_REQUESTS:-10000} FUZZ_RANDOM=1 $(BIN)/python -m pytest tests/fuzz -k generated_requests -s -q -p no:cacheprovider $(PYTEST_ARGS)

openapi: runtime ## Regenerate docs/openapi.json (the internal and staff APIs) from the route table and request models
	$(BIN)/python -m tools.openapi

chaos: install ## Fault tests: Redis/Postgres outages, vendor failures, killed workers, slow services
	tools/ensure_backends.sh
	$(BIN)/python -m pytest tests/chaos -v $(PYTEST_ARGS)

mutate: install ## Mutation testing of the security, redaction, booking, SMS, webhook and TTS-key code; scores per module (slow; ARGS=--target NAME)
	tools/ensure_backends.sh
	$(BIN)/python -m tools.mutation $(ARGS)

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache
