# The platform repo's entry points. `make synth` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# ENV, PLATFORM, OUT... are common names that shells and CI export for other purposes (ENV is a POSIX sh
# startup file, PLATFORM a Visual Studio setting). Only values given on the make command line count.
$(foreach v,PLATFORM OUT STACK ENV SYNTH_ARGS DEPLOY_ARGS JOBS VERSION BUMP DRY_RUN PUBLISH RELEASE_ARGS,$(if $(filter environment,$(origin $(v))),$(eval undefine $(v))))

PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
CHECKOV    := .venv-checkov
# the registry: empty means infra's own rule ($INFRA_PLATFORM, else ./platform.yaml, else the embedded default)
PLATFORM   ?=
P_ARG       = $(if $(PLATFORM),--platform $(PLATFORM))
INFRA      := $(BIN)/infra
OUT        ?= cdktf.out
# extra `infra synth` flags, e.g. SYNTH_ARGS=--hcl (also write the HCL form; needs the provider mirror)
SYNTH_ARGS ?=
STACK      ?= state-backend
# environment of a per-environment stack (none today: the state backend serves every environment)
ENV        ?=
PYTEST_ARGS ?=
# pytest-xdist workers; the suite is sized for the 2-core CI machine.
JOBS       ?= 2

export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export CHECKPOINT_DISABLE := 1

# GNU make exits 2 for any failed recipe; INFRA_EXPLAIN_EXIT makes infra print its own exit code and what it
# means before make's "Error N" line (docs/deploying.md). Only for the targets that run infra: `make test` does
# not pass it on to the suite.
synth modules release deploy render: export INFRA_EXPLAIN_EXIT := 1

.PHONY: help setup synth modules release test test-fast bench deploy render lint fmt lock cdktf-cli cdktf-synth clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: $(VENV)/.installed $(CHECKOV)/.installed ## create .venv (project) and .venv-checkov (checkov, isolated)

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[synth,dev]'
	@touch $@

$(CHECKOV)/.installed: requirements-checkov.lock
	@test -x $(CHECKOV)/bin/python || $(PYTHON) -m venv $(CHECKOV)
	$(CHECKOV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.lock
	@touch $@

synth: $(VENV)/.installed ## synthesize every stack (PLATFORM=file to use another registry) and render templates
	$(INFRA) synth $(P_ARG) --out $(OUT) $(SYNTH_ARGS)
	$(INFRA) render $(P_ARG)

modules: $(VENV)/.installed ## regenerate modules_out/ (the module catalog) from the constructs; commit the result
	$(INFRA) modules export $(P_ARG)

# make release [VERSION=1.2.0 | BUMP=minor] [DRY_RUN=1] [PUBLISH=1] [RELEASE_ARGS=--branch release/1.x]
release: $(VENV)/.installed ## cut a catalog release (semver tag); DRY_RUN=1 shows it all and changes nothing
	$(INFRA) release $(P_ARG) $(if $(VERSION),--version $(VERSION)) $(if $(BUMP),--bump $(BUMP)) $(if $(DRY_RUN),--dry-run) $(if $(PUBLISH),--publish) $(RELEASE_ARGS)

test: setup ## run the whole test suite (unit, synth, terraform, moto, checkov)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup $(PYTEST_ARGS)

test-fast: $(VENV)/.installed ## only the fast layers (no jsii, no Terraform)
	$(BIN)/python -m pytest -m "not synth and not terraform and not moto and not checkov and not slow" $(PYTEST_ARGS)

bench: setup ## print the benchmark figures (synth, catalog export, policy check of 10k resources)
	$(BIN)/python scripts/bench.py $(P_ARG)

deploy: $(VENV)/.installed ## init, plan, confirm, apply: make deploy STACK=state-backend [ENV=dev] [DEPLOY_ARGS=--plan-only]
	$(INFRA) deploy $(STACK) $(if $(ENV),--env $(ENV)) $(P_ARG) --out $(OUT) $(DEPLOY_ARGS)

render: $(VENV)/.installed ## render service-repo files (backend.tf, infra-checks.yml, infracost.yml, CODEOWNERS) and GitHub rulesets into build/
	$(INFRA) render $(P_ARG)

lint: $(VENV)/.installed ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(VENV)/.installed ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## re-pin requirements*.lock from the current environments (keeps each file's header comment)
	{ grep '^#' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable | sed '/^acme-platform-infra/d'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	{ grep '^#' requirements-checkov.lock; $(CHECKOV)/bin/python -m pip freeze; } > requirements-checkov.lock.new
	mv requirements-checkov.lock.new requirements-checkov.lock

cdktf-cli: $(VENV)/.installed ## install the official cdktf CLI (npm, ~400 MB) into .tools/cdktf-cli
	bash scripts/install-cdktf-cli.sh

cdktf-synth: cdktf-cli ## run `cdktf synth` through the official CLI (same output as make synth)
	bash scripts/cdktf.sh synth

clean: ## remove generated output (keeps the environments and .state/)
	rm -rf $(OUT) build .pytest_cache
