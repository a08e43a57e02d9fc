# ClassHub onboarding portal. Two commands matter: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint bench bench-identify install chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when a requirements file changed.
$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python scripts/run_demo.py

test: install chromium
	$(BIN)/python -m pytest

# The browser tests (tests/browser/) drive Debian's Chromium, never a browser Playwright downloads: installed
# here when missing, like wrk for bench-identify.
chromium:
	@test -x /usr/bin/chromium || { echo "Chromium is missing: apt-get install -y chromium"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null) \
		|| { echo "Could not install Chromium; install it with: sudo apt-get install -y chromium"; exit 1; }; }

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

# The device identify API under gunicorn vs a minimal DRF lookup (README "Device identify API"):
# `make bench-identify` (1M students), `make bench-identify STUDENTS=100000`, options of
# `python -m bench.identify --help` in ARGS. Needs wrk (Debian's package), installed here when missing.
bench-identify: install
	@command -v wrk >/dev/null 2>&1 || { echo "wrk is missing: apt-get install -y wrk"; \
		apt-get install -y wrk >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y wrk >/dev/null) \
		|| { echo "Could not install wrk; install it with: sudo apt-get install -y wrk"; exit 1; }; }
	$(BIN)/python -m bench.identify $(if $(STUDENTS),--students $(STUDENTS)) $(ARGS)

clean:
	rm -rf $(VENV) data staticfiles
