# Phone receptionist for clinics. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8080
WEB_THREADS ?= 16

.PHONY: help install lint run call test bench bench-scale migrate load-demo clean tts-warm eval-nlu bench-nlu reminders sms-worker dispatcher infra-check k8s-manifests calendly-sync sample-pdfs loadtest chaos

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@tools/ensure_python.sh $(PYTHON) $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

# checkov pins dependencies that clash with the test tools, so it gets a virtualenv of its own.
$(VENV)/checkov/.installed: requirements-infra.txt $(VENV)/.installed
	@tools/ensure_python.sh $(PYTHON) $(VENV)/checkov
	$(VENV)/checkov/bin/pip install --quiet -r requirements-infra.txt
	@touch $@

install: $(VENV)/.installed $(VENV)/checkov/.installed ## Create .venv (and .venv/checkov) with the pinned dependencies

migrate: install ## Apply database migrations to DATABASE_URL (default: the local SQLite file)
	$(BIN)/python -m tools.manage migrate

load-demo: migrate ## Load the demo clinics (Riverside Family Clinic, Harbor Dental)
	$(BIN)/python -m tools.manage load-demo

run: load-demo ## Serve all eight services in one process on PORT (default 8080), embedded defaults
	$(BIN)/gunicorn --workers 1 --threads $(WEB_THREADS) --bind 0.0.0.0:$(PORT) \
		--access-logfile - 'services.wsgi:create_wsgi_app()'

call: install ## Dial the running system from the terminal as Twilio would (ARGS=--script "1|1|..." for no prompts)
	$(BIN)/python -m tools.phone --url http://127.0.0.1:$(PORT) $(ARGS)

lint: install ## Lint: syntax errors, undefined names, unused imports and variables (ruff)
	$(BIN)/ruff check --select E9,F63,F7,F82,F401,F841 services shared tools tests

test: install lint ## Lint, then run the whole suite on real Postgres and Redis (started or installed when missing)
	tools/ensure_backends.sh
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

tts-warm: install ## Pre-render every clinic's static prompts in its ElevenLabs voice (needs ELEVENLABS_API_KEY)
	$(BIN)/python -m services.tts.warm $(ARGS)

eval-nlu: install ## Accuracy per kind of the receptionist_agent interpreters on tests/data/nlu (DATA=dir another set, SHOW=1 lists misses)
	$(BIN)/python -m tools.eval_nlu $(if $(DATA),--data $(DATA)) $(if $(SHOW),--show-failures)

bench-nlu: install ## Interpretation latency percentiles in-process (and dateparser for comparison)
	$(BIN)/python -m tools.bench_nlu

reminders: migrate ## Record and hand over due appointment reminders once (a CronJob in the cluster)
	$(BIN)/python -m services.calendly.reminders

sms-worker: migrate ## Run the messaging worker: SQS intake, retries with backoff, reconciliation (ARGS=--once)
	$(BIN)/python -m services.messaging.worker $(ARGS)

dispatcher: migrate ## Run the outbox dispatcher: undelivered notifications to messaging (ARGS=--once)
	$(BIN)/python -m services.calendly.dispatcher $(ARGS)

calendly-sync: migrate ## Push queued bookings/cancellations to Calendly until stopped (CALENDLY_TOKEN; ARGS=--once for one pass)
	$(BIN)/python -m services.calendly.sync_runner $(ARGS)

sample-pdfs: install ## Regenerate the synthetic schedule PDFs in services/knowledge_base/sample_pdfs
	$(BIN)/python -m tools.make_sample_schedules

loadtest: install ## Split deployment under 1,000 Locust callers, capacity vs a Flask baseline (LOADTEST_ARGS=--short for CI)
	tools/ensure_backends.sh
	$(BIN)/python -m tools.loadtest $(LOADTEST_ARGS)

chaos: install ## Fault tests: Redis/Postgres outages, vendor failures, killed workers, slow services
	tools/ensure_backends.sh
	$(BIN)/python -m pytest tests/chaos -v $(PYTEST_ARGS)

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache
