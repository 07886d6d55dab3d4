#!/bin/sh
# Rewrites requirements.lock: the full, pinned set of the operator's runtime dependencies
# (pyproject.toml [project] dependencies, resolved for CPython 3.11 on Linux, the image's base).
# Run it from the repository root after changing a dependency in pyproject.toml:
#   sh deploy/image/lock-requirements.sh
set -eu
python=${PYTHON:-python3.11}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
"$work/venv/bin/python" - pyproject.toml > "$work/direct.txt" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))
PY
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$work/direct.txt"
{
  echo "# The operator's runtime dependencies, fully pinned: the image installs exactly these."
  echo "# Generated from pyproject.toml for CPython 3.11 on Linux by deploy/image/lock-requirements.sh."
  "$work/venv/bin/python" -m pip freeze --disable-pip-version-check
} > requirements.lock
