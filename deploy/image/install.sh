#!/bin/sh
# Builds the operator's virtual environment from the pinned requirements.
# The image's build stage runs it (see the Dockerfile) and tests/delivery/test_image_build.py
# runs the Dockerfile's own RUN line in a fresh directory, so the two cannot drift.
# Usage: install.sh SOURCE_DIR VENV_DIR   (PYTHON picks the interpreter, default python3)
set -eu
src=$1
venv=$2
"${PYTHON:-python3}" -m venv "$venv"
pip="$venv/bin/python -m pip --disable-pip-version-check --no-input"
# Exactly the locked set: --no-deps installs nothing the lock does not name, `pip check` then
# proves the lock is complete.
$pip install --no-deps --requirement "$src/requirements.lock"
$pip install --no-deps "$src"
$pip check
# The running operator needs no installer.
$pip uninstall --yes pip setuptools
