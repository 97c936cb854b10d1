# The two commands of the README:
#   make demo   - set up .venv, then run the whole job end to end on the embedded store
#   make test   - set up .venv, then run the test suite
# Everything is installed by these targets; nothing is expected on the machine beforehand
# but python3 (with venv) and, for the reasoner, Java 17.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= data/demo
DEMO_STORE ?= data/store

.PHONY: install system-deps demo test bench clean

# Browser tests drive Debian's Chromium (no browser downloads: the network is closed).
# Installed when missing and we may (root); otherwise those tests skip with a reason.
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "note: /usr/bin/chromium is missing and cannot be installed here: browser tests will skip"; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/cubegraph --store $(DEMO_STORE) demo --data $(DEMO_DIR)

test: install system-deps
	$(BIN)/python -m pytest

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache
