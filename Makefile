# Phone receptionist for clinics. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8080
WEB_THREADS ?= 16

.PHONY: help install run call test bench migrate load-demo clean sample-pdfs

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@tools/ensure_python.sh $(PYTHON) $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned dependencies

migrate: install ## Apply database migrations to DATABASE_URL (default: the local SQLite file)
	$(BIN)/python -m tools.manage migrate

load-demo: migrate ## Load the demo clinics (Riverside Family Clinic, Harbor Dental)
	$(BIN)/python -m tools.manage load-demo

run: load-demo ## Serve all eight services in one process on PORT (default 8080), embedded defaults
	$(BIN)/gunicorn --workers 1 --threads $(WEB_THREADS) --bind 0.0.0.0:$(PORT) \
		--access-logfile - 'services.wsgi:create_wsgi_app()'

call: install ## Dial the running system from the terminal as Twilio would (ARGS="--script 1,2,..." for no prompts)
	$(BIN)/python -m tools.phone --url http://127.0.0.1:$(PORT) $(ARGS)

test: install ## Run the whole suite on real Postgres and Redis (started or installed when missing)
	tools/ensure_backends.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install ## Run the benchmarks and print their figures with the machine they ran on
	tools/ensure_backends.sh
	$(BIN)/python -m tools.bench

sample-pdfs: install ## Regenerate the synthetic schedule PDFs in services/knowledge_base/sample_pdfs
	$(BIN)/python -m tools.make_sample_schedules

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache
