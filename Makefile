# Two commands a learner or maintainer needs:  make lab   and   make test
# Both create .venv and install the pinned, tested versions (constraints.txt) the first time,
# and skip that step afterwards unless pyproject.toml or constraints.txt changed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# nbgrader runs `alembic` and Jupyter finds kernels by PATH: put the venv first.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup lab test quick full site regen lint assignments bench release clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)            ## open the course map in JupyterLab
	$(BIN)/dlcourse lab

test: $(STAMP)           ## the whole suite over every core, ending with the time of each test group
	$(BIN)/python -m pytest -ra --durations=10 -n auto --dist loadgroup

quick: $(STAMP)          ## execute every notebook in quick mode, with the table
	$(BIN)/python ci/run_notebooks.py --quick

full: $(STAMP)           ## execute every notebook at full settings, into docs/full-results.md
	$(BIN)/python ci/run_notebooks.py --full --artifacts artifacts/full; \
	$(BIN)/python ci/regen.py --measured artifacts/full/results.json

# The website's notebooks: a full-mode run's when there is one (a release), else the quick copies.
SITE_NOTEBOOKS ?= $(if $(wildcard artifacts/full/course),artifacts/full,artifacts/notebooks)

site: $(STAMP)           ## the course website from the executed notebooks, offline, into artifacts/site/html
	$(BIN)/python ci/build_site.py --notebooks $(SITE_NOTEBOOKS) --jobs 2

regen: $(STAMP)          ## rewrite what the catalog generates: README table, browser gallery, results page
	$(BIN)/python ci/regen.py

lint: $(STAMP)
	$(BIN)/python ci/lint_notebooks.py

assignments: $(STAMP)    ## regenerate assignments/ from solutions/ with nbgrader
	$(BIN)/python ci/assignments.py --write

bench: $(STAMP)          ## training-helper overhead against a hand-written loop
	$(BIN)/python ci/bench_train.py

clean:
	rm -rf artifacts .pytest_cache
