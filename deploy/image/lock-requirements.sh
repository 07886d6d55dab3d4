#!/bin/sh
# Rewrites requirements.lock and build-requirements.lock: the full, pinned set of the operator's
# runtime dependencies (pyproject.toml [project] dependencies, resolved for CPython 3.11 on Linux,
# the image's base) and the build backend that turns the operator into a wheel, each pin with the
# sha256 of every wheel pip may pick for the image (x86_64 and arm64), so that the image build
# installs with --require-hashes. Run it from the repository root after changing a dependency or
# the build-system requirements in pyproject.toml:
#   sh deploy/image/lock-requirements.sh
set -eu
python=${PYTHON:-python3.11}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
"$work/venv/bin/python" - pyproject.toml "$work" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    data = tomllib.load(f)
with open(f"{sys.argv[2]}/direct.txt", "w") as out:
    out.write("\n".join(data["project"]["dependencies"]) + "\n")
with open(f"{sys.argv[2]}/build.txt", "w") as out:
    out.write("\n".join(data["build-system"]["requires"]) + "\n")
PY
pip="$work/venv/bin/python -m pip --disable-pip-version-check --quiet"
$pip install -r "$work/direct.txt"
$pip freeze --exclude pip --exclude setuptools --exclude wheel > "$work/runtime.pins"
# The build backend alone, as the image's build stage installs it (into the same environment).
"$python" -m venv "$work/build-venv"
"$work/build-venv/bin/python" -m pip --disable-pip-version-check --quiet install \
  --upgrade --ignore-installed -r "$work/build.txt"
"$work/build-venv/bin/python" -m pip --disable-pip-version-check --quiet freeze --all \
  | grep -E '^(setuptools|wheel|packaging)==' > "$work/build.pins"

# Every wheel the image may install: CPython 3.11 on glibc Linux, x86_64 and arm64.
for pins in runtime build; do
  for platform in x86_64 aarch64; do
    $pip download --no-deps --only-binary=:all: --dest "$work/wheels-$pins" \
      --implementation cp --python-version 3.11 --abi cp311 --abi abi3 --abi none \
      --platform "manylinux2014_$platform" --platform "manylinux_2_17_$platform" \
      --platform "manylinux_2_28_$platform" --platform any \
      -r "$work/$pins.pins"
  done
done

"$work/venv/bin/python" - "$work" <<'PY'
import hashlib, re, sys
from pathlib import Path

work = Path(sys.argv[1])
HEADER = {
    "runtime": [
        "# The operator's runtime dependencies, fully pinned: the image installs exactly these.",
    ],
    "build": [
        "# The build backend the image's build stage installs (then removes) to build the operator.",
    ],
}
TARGET = {"runtime": "requirements.lock", "build": "build-requirements.lock"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


for kind in ("runtime", "build"):
    hashes: dict[str, set[str]] = {}
    for wheel in (work / f"wheels-{kind}").glob("*.whl"):
        name = canonical(wheel.name.split("-")[0])
        hashes.setdefault(name, set()).add(hashlib.sha256(wheel.read_bytes()).hexdigest())
    lines = HEADER[kind] + [
        "# Generated from pyproject.toml for CPython 3.11 on Linux by deploy/image/lock-requirements.sh;",
        "# the hashes are those of every wheel for x86_64 and arm64 (pip install --require-hashes).",
    ]
    for pin in sorted((work / f"{kind}.pins").read_text().split(), key=str.lower):
        name = canonical(pin.split("==")[0])
        if name not in hashes:
            sys.exit(f"no wheel downloaded for {pin}")
        lines.append(pin + " \\")
        lines += [f"    --hash=sha256:{h} \\" for h in sorted(hashes[name])]
        lines[-1] = lines[-1].removesuffix(" \\")
    Path(TARGET[kind]).write_text("\n".join(lines) + "\n")
PY
