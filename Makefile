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

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/cubegraph --store $(DEMO_STORE) demo --data $(DEMO_DIR)

test: install
	$(BIN)/python -m pytest

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache
