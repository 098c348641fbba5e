# Everything runs inside .venv in the repo root. `make demo` and `make test` set it up when needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL_STAMP := $(VENV)/.model-prepared

.PHONY: setup demo test bench fuzz lint browser dictionaries clean

setup: $(STAMP) $(MODEL_STAMP) dictionaries

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: this disk carries its CPU wheel; an unpinned torch pulls a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,ray]'
	touch $(STAMP)

$(MODEL_STAMP): $(STAMP) models/gemma-3-270m.toml
	$(BIN)/auditor models prepare gemma-3-270m
	touch $(MODEL_STAMP)

# Debian's Hunspell en_US dictionary for the spelling rules (AUD330/AUD331 stay silent without it).
dictionaries:
	@test -f /usr/share/hunspell/en_US.dic || { (apt-get update -qq && apt-get install -y -qq hunspell-en-us >/dev/null) || echo "warning: could not install hunspell-en-us"; }

# Debian's Chromium for the HTML report's browser test (skipped where it cannot be installed).
browser:
	@command -v chromium >/dev/null || { (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium"; }

demo: setup
	$(BIN)/auditor audit fixtures/article.en.txt --source fixtures/article.fr.txt

test: setup browser
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m benchmarks.run_all

# The long fuzz profile: at least 10,000 examples per target (tests/test_fuzz.py; `make test` runs 25 each).
fuzz: $(STAMP)
	AUDITOR_FUZZ_PROFILE=long OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q tests/test_fuzz.py --hypothesis-show-statistics

lint: $(STAMP)
	$(BIN)/ruff check auditor tests benchmarks
	$(BIN)/ruff format --check auditor tests benchmarks
	$(BIN)/mypy auditor benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
