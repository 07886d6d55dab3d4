"""Pin the k8s.io staging modules to the release that matches K8S_VERSION.

`k8s.io/kubernetes` requires its staging modules (`k8s.io/api`, `k8s.io/client-go`, ...) at
`v0.0.0` and replaces them with `./staging/src/...` paths that only exist in its own tree. A module
that depends on it needs one `replace k8s.io/<name> => k8s.io/<name> v0.<minor>.<patch>` per
staging module. This script derives that list from the pinned version's own go.mod (fetched
through the Go module proxy with `go mod download`) and writes it with `go mod edit`, so nothing
is typed by hand.

Run from this directory: `python3 pin_staging.py v1.37.2 && go mod tidy`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def staging_modules(kubernetes_version: str) -> list[str]:
    """The modules k8s.io/kubernetes@version requires at v0.0.0 and replaces with a staging path."""
    download = _go("mod", "download", "-json", f"k8s.io/kubernetes@{kubernetes_version}")
    gomod = json.loads(download)["GoMod"]
    parsed = json.loads(_go("mod", "edit", "-json", gomod))
    staged = {
        entry["Old"]["Path"]
        for entry in parsed.get("Replace") or []
        if entry["New"]["Path"].startswith("./staging/")
    }
    required = {req["Path"] for req in parsed["Require"] if req["Version"] == "v0.0.0"}
    unresolved = required - staged
    if unresolved:
        raise SystemExit(f"required at v0.0.0 without a staging replace: {sorted(unresolved)}")
    return sorted(required)


def staging_version(kubernetes_version: str) -> str:
    """v1.37.2 -> v0.37.2: the staging modules are tagged with the major version zeroed."""
    major, minor, patch = kubernetes_version.removeprefix("v").split(".")
    if major != "1":
        raise SystemExit(f"unexpected Kubernetes version {kubernetes_version}")
    return f"v0.{minor}.{patch}"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    kubernetes_version = argv[1]
    pinned = staging_version(kubernetes_version)
    edits = [
        f"-replace={module}={module}@{pinned}" for module in staging_modules(kubernetes_version)
    ]
    _go("mod", "edit", *edits)
    print(f"pinned {len(edits)} staging modules to {pinned}")
    return 0


def _go(*args: str) -> str:
    return subprocess.run(
        ["go", *args], cwd=HERE, check=True, capture_output=True, text=True
    ).stdout


if __name__ == "__main__":
    sys.exit(main(sys.argv))
