# Two entry points for a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= akershus-demo

.PHONY: demo test install bench clean

$(BIN)/akershus-archive: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/akershus-archive

demo: install
	$(BIN)/akershus-archive demo --out $(OUT)

# pywb, the replay tool the tests prove our WARCs against, in a virtualenv of its own.
.venv-pywb/bin/wayback:
	$(PYTHON) -m venv .venv-pywb
	.venv-pywb/bin/pip install --quiet 'pywb>=2.8'

test: install .venv-pywb/bin/wayback
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .venv-pywb $(OUT)

# Benchmarks (bench/RESULTS.md); `make bench QUICK=1` finishes in a few minutes.
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py $(if $(QUICK),--quick)
