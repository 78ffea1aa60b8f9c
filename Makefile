# Two entry points for a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= akershus-demo

.PHONY: demo test install bench clean system-deps lint

# The install ends by writing bytecode for the project's own modules, as pip does for
# installed packages: an editable install gets none, and where PYTHONDONTWRITEBYTECODE
# is set Python never writes it, so every start compiled them again (0.04 s of CPU).
$(BIN)/akershus-archive: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q crawler archive render akershus_archive replica
	touch $@

install: $(BIN)/akershus-archive

demo: install
	$(BIN)/akershus-archive demo --out $(OUT)

# pywb, the replay tool the tests prove our WARCs against, in a virtualenv of its own.
.venv-pywb/bin/wayback:
	$(PYTHON) -m venv .venv-pywb
	.venv-pywb/bin/pip install --quiet 'pywb>=2.8'

# Frictionless, FastWARC and pandas, which the tests check our outputs with, in a virtualenv
# of their own.
.venv-interop/bin/frictionless:
	$(PYTHON) -m venv .venv-interop
	.venv-interop/bin/pip install --quiet 'frictionless[json]>=5' 'fastwarc>=0.14' 'pandas>=2'

# ReplayWeb.page as its npm package ships it (prebuilt ui.js and sw.js; `npm pack`
# fetches the package alone, none of its build dependencies).
REPLAYWEB_VERSION ?= 2.5.3
.npm-interop/package/ui.js:
	mkdir -p .npm-interop
	cd .npm-interop && npm pack --silent replaywebpage@$(REPLAYWEB_VERSION) >/dev/null && \
	    tar xzf replaywebpage-$(REPLAYWEB_VERSION).tgz && rm replaywebpage-$(REPLAYWEB_VERSION).tgz
	touch $@

# axe-core, the accessibility checker the browser tests run in Chromium (WCAG 2.1 AA),
# as its npm package ships it (prebuilt axe.min.js).
AXE_VERSION ?= 4.10.2
.npm-interop/axe-core/axe.min.js:
	mkdir -p .npm-interop/axe-core
	cd .npm-interop && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
	    tar xzf axe-core-$(AXE_VERSION).tgz -C axe-core --strip-components=1 && \
	    rm axe-core-$(AXE_VERSION).tgz
	touch $@

# Debian packages the tests use: Chromium (browser tests), redis-server (distributed crawl),
# npm (fetches ReplayWeb.page).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1 || \
	    ! command -v npm >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver redis-server npm >/dev/null; \
	    else \
	        echo "Install Debian's chromium, redis-server and npm (sudo apt-get install chromium redis-server npm)"; exit 1; \
	    fi; \
	fi

test: install .venv-pywb/bin/wayback .venv-interop/bin/frictionless system-deps .npm-interop/package/ui.js \
    .npm-interop/axe-core/axe.min.js lint
	$(BIN)/python -m pytest -q

# ruff's rule set and mypy's packages: pyproject.toml (both versions pinned in the test extras).
lint: install
	$(BIN)/ruff check crawler archive render akershus_archive replica bench tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .venv-pywb .venv-interop .npm-interop $(OUT)

# Benchmarks (bench/RESULTS.md); `make bench QUICK=1` finishes in a few minutes.
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py $(if $(QUICK),--quick)

# PDF text extraction against PDFium's plain text and pdftotext (issue 17; needs poppler-utils):
# 1 000 generated PDFs, its section of bench/RESULTS.md.
.PHONY: bench-pdf
bench-pdf: install
	$(BIN)/python bench/pdf_bench.py --write
