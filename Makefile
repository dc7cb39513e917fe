# Roundtable: `make run` starts the embedded app with demo data; `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := run  # a bare `make` starts the app, as the README says

.PHONY: run test lint typecheck pytest browser gettext static-vendor bench bench-pipeline bench-scheduler bench-video faults clean

# Browser libraries come from the npm registry at set-up (package-lock.json pins them) and are
# copied into frontend_static/vendor/ (git-ignored): no CDN at run time.
VENDOR := frontend_static/vendor/markdown-it.esm.min.mjs
static-vendor: $(VENDOR)
$(VENDOR): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; \
	  else echo "The static set-up needs npm: sudo apt-get install npm"; exit 1; fi; }
	npm ci --ignore-scripts --no-audit --no-fund --silent
	mkdir -p frontend_static/vendor
	cp node_modules/markdown-it/dist/browser/markdown-it.esm.min.mjs* node_modules/markdown-it/LICENSE frontend_static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js* frontend_static/vendor/
	cp node_modules/chart.js/LICENSE.md frontend_static/vendor/chart.js.LICENSE.md
	cp node_modules/fullcalendar/index.global.min.js frontend_static/vendor/fullcalendar.global.min.js
	cp node_modules/@fullcalendar/core/locales/ru.global.min.js frontend_static/vendor/fullcalendar.ru.global.min.js
	cp node_modules/fullcalendar/LICENSE.md frontend_static/vendor/fullcalendar.LICENSE.md
	cp node_modules/tus-js-client/dist/tus.min.js node_modules/tus-js-client/dist/tus.min.js.map frontend_static/vendor/
	cp node_modules/tus-js-client/LICENSE frontend_static/vendor/tus-js-client.LICENSE
	touch $@

# The pinned requirements are installed by uv (a few times faster than pip on a fresh
# machine, from the same registry); where uv cannot reach its index (a mirror configured for
# pip alone), pip installs the same pins.
UV_VERSION := 0.13.9
INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python -r $(1) || $(BIN)/pip install --quiet -r $(1)
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv==$(UV_VERSION)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(call INSTALL,requirements.txt)
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(call INSTALL,requirements-dev.txt)
	touch $@

# Translations: the .po catalogues (root locale/ and each app's locale/) are committed; the
# compiled .mo files are not, they are made here from every catalogue by compilemessages,
# which needs gettext's msgfmt (installed with apt when missing, as root).
COMPILEMESSAGES := $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; \
	  else echo "Compiling the translations needs gettext: sudo apt-get install gettext"; exit 1; fi; }

run: $(VENV)/.installed $(VENDOR) gettext
	$(COMPILEMESSAGES)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

# Debian's chromium drives the browser tests (nothing downloads a browser at run time), and
# Debian's nginx checks deploy/nginx.conf (`nginx -t`); neither is started as a service.
browser:
	@{ command -v chromium && { command -v nginx || [ -x /usr/sbin/nginx ]; }; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core nginx-light; \
	  else echo "The tests need Debian's chromium and nginx: sudo apt-get install chromium nginx-light"; exit 1; fi; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy --strict arbiter candidates/lifecycle.py interviews/one_way.py scheduling/availability.py scheduling/matching.py video_interviews/rules.py video_interviews/ranges.py video_interviews/tus.py

# The arbiter's own suite runs first with its coverage floor (branch coverage >= 95 %). Both
# runs use two pytest-xdist workers (the machine's two cores): every worker has its own test
# database, cache keys and channel groups, and its own shared e2e stack, started when its first
# browser test needs it. `--dist loadfile` keeps a module on one worker, so a module-scoped
# daphne or stack starts once (`loadgroup` cannot: xdist 3.8 renames the items through
# `item._nodeid`, which pytest 9 no longer reads). The files go out in the order collected
# (`--no-loadscope-reorder`; xdist would put the files with the most tests first): the long
# ones first (tests/conftest.py), so no worker is left with one at the end.
PYTEST_WORKERS ?= 2
pytest: $(VENV)/.installed-dev browser gettext $(VENDOR)
	$(COMPILEMESSAGES)
	$(BIN)/python -m pytest tests/arbiter -q -n $(PYTEST_WORKERS) --cov=arbiter --cov-branch --cov-report=term --cov-fail-under=95
	$(BIN)/python -m pytest --ignore=tests/arbiter -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=25

test: lint typecheck pytest

# The live session under load (one and two daphne processes, PostgreSQL, a private Redis) side
# by side with a bare websockets baseline; writes bench/results/latest.json and
# docs/benchmarks.md. BENCH_ARGS=--small for a quick run. bench/command_steps.py times each step
# of one command (lock, apply, update, commit, publish, …) against the machine's PostgreSQL and
# Redis (bench/results/command_steps.json).
bench: $(VENV)/.installed-dev
	mkdir -p bench/results
	$(BIN)/python bench/arbiter_bench.py --json bench/results/arbiter.json
	$(BIN)/python bench/command_steps.py --json bench/results/command_steps.json
	$(BIN)/python bench/fanout_bench.py --json bench/results/fanout.json
	$(BIN)/python bench/live_bench.py $(BENCH_ARGS)
	$(BIN)/python bench/pipeline_bench.py
	$(BIN)/python bench/scheduler_bench.py
	$(BIN)/python bench/video_bench.py
	$(BIN)/python bench/upload_bench.py

# The pipeline's pages with 10,000 candidates and 50,000 rounds only (bench/results/pipeline.json).
bench-pipeline: $(VENV)/.installed-dev
	mkdir -p bench/results
	$(BIN)/python bench/pipeline_bench.py $(PIPELINE_ARGS)

# The scheduler's matching only: 500 × 50 × 40 and 2,000 × 200 × 80 against networkx and first
# fit (bench/results/scheduler.json and its section of docs/benchmarks.md).
bench-scheduler: $(VENV)/.installed-dev
	mkdir -p bench/results
	$(BIN)/python bench/scheduler_bench.py $(SCHEDULER_ARGS)

# An answer's processing only: a minute of Chrome's VP8/Opus WebM at 480p and 720p to H.264/AAC
# (bench/results/video.json and its section of docs/benchmarks.md); then 20 recordings uploaded
# at once by tus, each cut once (bench/results/upload.json, "Video uploads").
bench-video: $(VENV)/.installed-dev
	mkdir -p bench/results
	$(BIN)/python bench/video_bench.py $(VIDEO_ARGS)
	$(BIN)/python bench/upload_bench.py $(UPLOAD_ARGS)

# kill -9 of a daphne, a Redis restart and 5 s without PostgreSQL, under load; writes
# bench/results/faults.json and the faults part of docs/benchmarks.md.
faults: $(VENV)/.installed-dev
	mkdir -p bench/results
	$(BIN)/python bench/faults.py $(FAULTS_ARGS)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
