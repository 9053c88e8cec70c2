# One entry point for people and CI. `make book` and `make test` set everything up themselves.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= 2
# warm: kernels forked from a preloaded process, the fastest executor on one machine (the runner
# falls back to ordinary kernels by itself where forking is unavailable); spawn: ordinary kernels
KERNEL ?= warm

.PHONY: book test lint run build validate clean help benchmark

help:
	@echo "make book   - set up, validate data, run the notebook grid, build _build/html (offline)"
	@echo "make test   - set up, then ruff + the whole pytest suite"
	@echo "make benchmark - time the runner (ordinary/warm kernels, Dask), the no-op rerun, the book build"
	@echo "                 and a synthetic scaling series against a plain papermill loop"

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

validate: $(STAMP)
	$(PY) -m analysis validate

run: $(STAMP)
	$(PY) -m analysis run --jobs $(JOBS) --kernel $(KERNEL)

build: $(STAMP)
	$(PY) -m analysis build

book: $(STAMP)
	$(PY) -m analysis validate
	$(PY) -m analysis run --jobs $(JOBS) --kernel $(KERNEL)
	$(PY) -m analysis build

lint: $(STAMP)
	$(PY) -m ruff check .

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest

benchmark: $(STAMP)
	$(PY) benchmarks/bench_runner.py

clean:
	rm -rf _build book/.failed book/.cache
