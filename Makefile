# Two commands for a new user: `make run` and `make test`. Each bootstraps .venv itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run full test lab book clean-cache

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,jax,book]'
	@touch $(STAMP)

run: $(STAMP)        ## the notebook series, quick profile (CPU, minutes) -> outputs/quick/
	$(PY) -m thesis_lib.cli run --profile quick

full: $(STAMP)       ## the notebook series with the thesis's settings (CUDA GPU) -> outputs/full/
	$(PY) -m pip install --quiet -e '.[test,gpu]'
	$(PY) -m thesis_lib.cli run --profile full

TEST_WORKERS ?= auto
PYTEST_ARGS  ?= --durations=15   # the slowest tests, at the end of every run (CI's log shows where its time goes)
test: $(STAMP)       ## the test suite (includes a papermill smoke run of the notebooks), one worker per core
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

book: $(STAMP)       ## the executed notebooks (make run first) and docs/ as a static site -> outputs/quick/book/_build/html/index.html
	$(PY) -m thesis_lib.cli book --profile $(or $(PROFILE),quick)

lab: $(STAMP)        ## JupyterLab on the notebooks (as root too: JupyterLab refuses root without --allow-root)
	$(VENV)/bin/jupyter lab notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

clean-cache:         ## drop the preprocessed-corpus cache (safe: it is rebuilt on demand)
	rm -rf data/cache
