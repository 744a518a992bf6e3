# The two commands: `make run` and `make test`. Both set themselves up from a fresh clone.
# `make run PORT=8600` picks the port; `make serve WORKERS=N` runs N app processes behind nginx for a big room (see README).
PYTHON ?= python3
WORKERS ?= 2
PORT    ?= 8501
WORKER_PORT ?= 8511
SERVE_DIR ?= data/serve
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run serve test test-postgres setup db demo validate bench clean

run: setup
	$(BIN)/python -m maturity init --address http://localhost:$(PORT)
	$(BIN)/streamlit run app.py --server.port $(PORT)

serve: setup
	bash .ci/install-system-packages.sh nginx
	$(BIN)/python -m maturity serve --workers $(WORKERS) --port $(PORT) --first-worker-port $(WORKER_PORT) --run-dir $(SERVE_DIR)

test: setup
	bash .ci/install-system-packages.sh chromium nginx
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The whole suite again with every test on its own PostgreSQL database (MATURITY_TEST_PG_URL's server).
test-postgres:
	MATURITY_TEST_DB=postgresql $(MAKE) test

# Phones per app process against the real server (bench/phones.py); BENCH_ARGS="--phones 150 --mode lockstep".
bench: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/phones.py $(BENCH_ARGS)

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

db: setup
	$(BIN)/python -m maturity migrate

demo: db
	$(BIN)/python -m maturity demo

validate: setup
	$(BIN)/python -m maturity validate

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
