# ClassHub onboarding portal. Two commands matter: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when a requirements file changed.
$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python scripts/run_demo.py

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The roster sync benchmark (README "Benchmark"): `make bench`, `make bench STUDENTS=1000000`,
# `make bench DATABASE=postgres`, and any option of `python -m bench --help` in ARGS.
STUDENTS ?=
DATABASE ?= sqlite
ARGS ?=
bench: install
	$(BIN)/python -m bench $(if $(STUDENTS),--students $(STUDENTS)) $(if $(filter postgres,$(DATABASE)),--postgres) $(ARGS)


clean:
	rm -rf $(VENV) data staticfiles
