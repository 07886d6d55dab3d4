# `make test` and `make demo` work on a fresh clone with only Python 3.11 and pip:
# they create .venv and install the operator and its developer tools (devtools/) into it, again
# when either pyproject.toml changes.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit controlplane demo simulator crds chart-readme image bench clean

$(STAMP): pyproject.toml devtools/pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -e ./devtools
	touch $(STAMP)

test: lint typecheck controlplane unit

lint: $(STAMP)
	$(BIN)/ruff check operator devtools tests bench
	$(BIN)/ruff format --check operator devtools tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# The real-API-server tier (tests/cluster) runs etcd, kube-apiserver and kube-controller-manager
# built from Go modules, once per version, into ~/.cache/aura-operator/controlplane (linked from
# .tools/controlplane). Without Go the tier is skipped (pytest says so); .ci/run requires it.
controlplane:
	@if command -v go >/dev/null 2>&1; then tests/cluster/controlplane/build.sh; fi

simulator: $(STAMP)
	$(BIN)/aura-operator-dev simulator --host 127.0.0.1 --port 8787

demo: $(STAMP)
	$(BIN)/aura-operator-dev demo

# Regenerate the CRD from the API models and copy it where kustomize and Helm need it.
crds: $(STAMP)
	$(BIN)/aura-operator crds --output-dir crds
	cp crds/*.yaml deploy/crds/
	cp crds/*.yaml charts/aura-operator/files/crds/

# The image, labelled with the version from pyproject.toml and the git revision and source
# (credentials stripped from the remote's URL). IMAGE=<registry>/aura-operator to push it.
IMAGE ?= aura-operator
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
image:
	docker build --build-arg VERSION=$(VERSION) \
		--build-arg REVISION=$$(git rev-parse HEAD) \
		--build-arg SOURCE=$$(git config --get remote.origin.url | sed -e 's#://[^/@]*@#://#') \
		-t $(IMAGE):$(VERSION) .

# Regenerate the values table of charts/aura-operator/README.md from values.yaml's comments.
chart-readme: $(STAMP)
	$(BIN)/python tests/delivery/chart_readme.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
