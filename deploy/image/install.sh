#!/bin/sh
# Builds the operator's virtual environment from the pinned, hashed requirements, in two steps
# so that the image caches the first as its own layer (a code change reinstalls no dependency):
#   install.sh deps SOURCE_DIR VENV_DIR       the environment and requirements.lock
#   install.sh operator SOURCE_DIR VENV_DIR   the operator itself, then no installer left
# The image's build stage runs both (see the Dockerfile) and tests/delivery/test_image_build.py
# runs the Dockerfile's own RUN lines in a fresh directory, so the two cannot drift.
# PYTHON picks the interpreter (default python3).
set -eu
step=$1
src=$2
venv=$3
pip="$venv/bin/python -m pip --disable-pip-version-check --no-input"
case "$step" in
deps)
  "${PYTHON:-python3}" -m venv "$venv"
  # Exactly the locked set, each file checked against its hash: --no-deps installs nothing the
  # lock does not name (`pip check` below proves the lock complete).
  $pip install --no-deps --require-hashes --requirement "$src/requirements.lock"
  ;;
operator)
  # The build backend from its own hashed lock, then the operator built without fetching
  # anything else; the backend and pip go again: the running operator needs no installer.
  $pip install --no-deps --require-hashes --requirement "$src/build-requirements.lock"
  $pip install --no-deps --no-build-isolation "$src"
  $pip check
  $pip uninstall --yes setuptools wheel packaging pip
  ;;
*)
  echo "usage: install.sh deps|operator SOURCE_DIR VENV_DIR" >&2
  exit 2
  ;;
esac
