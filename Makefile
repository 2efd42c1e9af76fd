# Two commands do all the set-up on a fresh machine with Python 3.11, 3.12 or 3.13 and make:
#   make lab    create .venv if needed and open the course in JupyterLab, as a student
#   make test   the same set-up, plus the test-only packages, then the whole suite
# Without make, the README gives the same steps as plain `python -m` commands.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || \
	command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Google Colab's stack (scripts/lock.py lists its versions), for running the solutions there.
COLAB := $(VENV)/colab
PORT ?= 8888

.PHONY: lab lab-instructor test test-colab venv venv-test venv-colab lessons lint format bench \
	bench-grading clean delete-grading

# nnlib.lab writes each role's Jupyter configuration into the environment and starts
# JupyterLab with it: the student's has nbgrader's Validate button and none of its instructor
# tools; the instructor's has them all.
lab: venv
	$(BIN)/python -m nnlib.lab --port $(PORT)

lab-instructor: venv
	$(BIN)/python -m nnlib.lab --instructor --port $(PORT)

# The browser tests run last and alone: they time the sliders as a student's machine would
# answer them, not while the other core runs a notebook.
test: venv-test lint test-colab
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not browser"
	$(BIN)/python -m pytest -m browser

# Every solution notebook, run with nbval on Colab's versions of ipywidgets, IPython,
# ipykernel, numpy and matplotlib (the conventions are in tests/test_solutions_nbval.py).
# Colab's matplotlib draws other pixels: the sanitize file leaves figures' PNG data out of the
# comparison (nbval never compares image/png outputs), and keeps their alt text in it.
test-colab: venv-colab
	$(COLAB)/bin/python -m pytest -p no:cacheprovider -n 2 --dist loadfile --nbval \
		--nbval-current-env --nbval-sanitize-with=tests/nbval_sanitize.cfg \
		--nbval-cell-timeout=120 $(sort $(wildcard solutions/*/[0-9]*.ipynb))

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test
venv-colab: $(COLAB)/.installed

CHECK_PYTHON = import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13), \
	"Python 3.11, 3.12 or 3.13 is required, found " + sys.version.split()[0] + \
	": install one, or name it with make PYTHON=/path/to/python3.12"

$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c '$(CHECK_PYTHON)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	$(BIN)/python -m pip check
	touch $@

# A second environment, inside the first, with the same Python.
$(COLAB)/.installed: requirements-colab.txt pyproject.toml $(VENV)/.installed
	test -x $(COLAB)/bin/python || $(BIN)/python -m venv $(COLAB)
	$(COLAB)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-colab.txt
	$(COLAB)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--no-build-isolation -e .
	$(COLAB)/bin/python -m pip check
	touch $@

# After editing a solution: run it (refreshing the outputs nbval compares), then release.
lessons: venv
	$(BIN)/python -m grader release --execute

lint: venv-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: venv-test
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: venv-test
	$(BIN)/python benchmarks/train_speed.py

bench-grading: venv
	$(BIN)/python benchmarks/grading_speed.py

# The environment and caches only. grading/ holds the gradebook and every submission: a term's
# grades are never one keystroke away (see delete-grading).
clean:
	rm -rf $(VENV) .pytest_cache

# Deletes grading/: the gradebook, every collected submission, autograded notebook and
# feedback page. It asks to be told twice.
delete-grading:
	@if [ "$(CONFIRM)" != "yes" ]; then \
		echo "This deletes grading/: the gradebook (every grade), the submissions, the"; \
		echo "autograded notebooks and the feedback pages. To do it: make delete-grading CONFIRM=yes"; \
		exit 1; fi
	rm -rf grading
