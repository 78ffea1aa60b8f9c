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

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(OUT)
