from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aura_operator.api.crd import CRD_FILENAME

from .crd_validation import CrdValidator

REPO = Path(__file__).resolve().parents[2]
CRD_DIR = REPO / "crds"
SAMPLES_DIR = REPO / "deploy" / "samples"


def load_sample_documents() -> list[tuple[str, dict[str, Any]]]:
    """(file name, document) for every YAML document under deploy/samples."""
    documents = []
    for path in sorted(SAMPLES_DIR.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document is not None:
                documents.append((path.name, document))
    return documents


@pytest.fixture(scope="session")
def committed_crd() -> dict[str, Any]:
    crd: dict[str, Any] = yaml.safe_load((CRD_DIR / CRD_FILENAME).read_text(encoding="utf-8"))
    return crd


@pytest.fixture(scope="session")
def validator(committed_crd: dict[str, Any]) -> CrdValidator:
    """Validates against the committed CRD file: what users actually install."""
    return CrdValidator(committed_crd)
