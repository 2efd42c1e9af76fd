# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make lab    create .venv if needed and open the course in JupyterLab
#   make test   the same set-up, plus the test-only packages, then the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8888
# JupyterLab refuses to run as root unless told that it is on purpose.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: lab test venv venv-test lessons lint format bench bench-grading clean delete-grading

lab: venv
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=lessons --no-browser $(ROOT_FLAG)

# The browser tests run last and alone: they time the sliders as a student's machine would
# answer them, not while the other core runs a notebook.
test: venv-test lint
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not browser"
	$(BIN)/python -m pytest -m browser

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	$(BIN)/python -m pip check
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
