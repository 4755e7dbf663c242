# eligo: two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS := embed-build,cards,mlops,dev
LINT_DIRS := $(wildcard src tests bench scripts)
# torch==2.13.0 (CPU) lies in /opt/wheels on our machines; any other torch spec downloads gigabytes.
PIP_FIND_LINKS_FLAG := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
export MLFLOW_DISABLE_TELEMETRY := true
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: help install system-deps lint type test test-fast run models ocr-models lock clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: $(STAMP)  ## create .venv and install eligo with everything it needs (idempotent)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q $(PIP_FIND_LINKS_FLAG) -c requirements.lock -e ".[$(EXTRAS)]"
	@$(MAKE) --no-print-directory system-deps
	@touch $(STAMP)

system-deps:  ## Debian packages the card scanner uses (tesseract); skipped when present
	@if ! command -v tesseract >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr >/dev/null) \
	      || echo "warning: could not install tesseract-ocr; card re-reads will use one engine"; \
	  else echo "note: tesseract-ocr not installed; card re-reads will use one engine"; fi; \
	fi

lock:  ## re-pin requirements.lock from the current environment
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^eligo' > requirements.lock

lint: install  ## ruff
	$(BIN)/ruff check $(LINT_DIRS)

type: install  ## mypy (strict on src/)
	$(BIN)/mypy

test: install ocr-models  ## ruff, mypy and the whole suite (PostgreSQL too when ELIGO_TEST_POSTGRES_URL is set)
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider

ocr-models: install  ## derive the faster card OCR models from rapidocr's unless current (~1 min, once)
	$(BIN)/eligo cards build-ocr-models

models: install ocr-models  ## build the embedding, eligibility and OCR models unless present (a few minutes, once)
	@if [ -f var/models/eligibility/model.json ]; then echo "eligibility model present (rm -r var/models to rebuild)"; \
	else $(BIN)/eligo train embedding && $(BIN)/eligo train eligibility; fi

run: install models  ## migrate, seed a demo tenant and key, serve http://127.0.0.1:8000
	$(BIN)/eligo db upgrade
	$(BIN)/eligo demo seed
	@echo "docs: http://127.0.0.1:8000/docs"
	$(BIN)/eligo serve --host 127.0.0.1 --port 8000

clean:  ## remove the venv and local state
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
