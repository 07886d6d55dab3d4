"""Where the delivery artefacts live in the repository."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DIR = REPO_ROOT / "deploy"
CHART_DIR = REPO_ROOT / "charts" / "aura-operator"
CRDS_DIR = REPO_ROOT / "crds"
ARGOCD_DIR = DEPLOY_DIR / "argocd"
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
REQUIREMENTS_LOCK = REPO_ROOT / "requirements.lock"
BUILD_REQUIREMENTS_LOCK = REPO_ROOT / "build-requirements.lock"
PYPROJECT = REPO_ROOT / "pyproject.toml"
# The runtime package (what the image installs) and the developer tools' distribution.
RUNTIME_PACKAGE = REPO_ROOT / "operator" / "aura_operator"
DEVTOOLS_DIR = REPO_ROOT / "devtools"
DEVTOOLS_PYPROJECT = DEVTOOLS_DIR / "pyproject.toml"
CONTRACTS = REPO_ROOT / "docs" / "contracts.md"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

# Where `make crds` puts byte-identical copies of every file in crds/.
CRD_COPY_DIRS = (DEPLOY_DIR / "crds", CHART_DIR / "files" / "crds")
