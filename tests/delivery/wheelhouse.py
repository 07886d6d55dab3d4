"""A local folder of the wheels the image build installs, so replaying it needs no network.

Keyed by requirements.lock and build-requirements.lock: a changed lock gets a fresh
folder. The image test points pip at it (PIP_NO_INDEX, PIP_FIND_LINKS): the build script runs
unchanged, only where pip finds the same files differs, as with pip's own cache. It lives
under `.tools/` (git-ignored); a cold fill downloads about 40 wheels.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

from .paths import BUILD_REQUIREMENTS_LOCK, REPO_ROOT, REQUIREMENTS_LOCK

DEFAULT_CACHE_DIR = REPO_ROOT / ".tools" / "wheelhouse"


def ensure_wheelhouse(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    key = hashlib.sha256(REQUIREMENTS_LOCK.read_bytes() + BUILD_REQUIREMENTS_LOCK.read_bytes())
    target = cache_dir / key.hexdigest()[:16]
    if (target / ".complete").exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".fill-") as scratch:
        filling = Path(scratch) / "wheels"
        download = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(filling)]
        for lock in (REQUIREMENTS_LOCK, BUILD_REQUIREMENTS_LOCK):
            subprocess.run([*download, "--no-deps", "-r", str(lock)], check=True)
        (filling / ".complete").touch()
        try:
            filling.rename(target)
        except OSError:
            if not (target / ".complete").exists():  # not a concurrent fill: a real failure
                raise
    return target
