"""Renders the manifests with the real `kubectl kustomize` and `helm`."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .fetch_tools import KubeTools

Manifest = dict[str, Any]


class RenderError(Exception):
    """A tool exited non-zero; the message carries its stderr."""


def load_documents(text: str) -> list[Manifest]:
    return [document for document in yaml.safe_load_all(text) if document]


@dataclass(frozen=True)
class Renderer:
    tools: KubeTools
    # Helm's cache/config/data homes and a kubeconfig that does not exist: nothing here reads the
    # user's settings or could reach a real cluster.
    home: Path

    def kustomize(self, directory: Path) -> list[Manifest]:
        return load_documents(self._run([str(self.tools.kubectl), "kustomize", str(directory)]))

    def helm_template(
        self,
        chart: Path,
        *,
        namespace: str = "aura-operator",
        values: Sequence[Path] = (),
        set_values: Sequence[str] = (),
        show_only: Sequence[str] = (),
    ) -> list[Manifest]:
        args = ["template", "aura-operator", str(chart), "--namespace", namespace, "--include-crds"]
        args += [arg for template in show_only for arg in ("--show-only", template)]
        return load_documents(self._helm([*args, *self._values(values, set_values)]))

    def helm_notes(self, chart: Path, *, namespace: str, values: Sequence[Path] = ()) -> str:
        """NOTES.txt as `helm install` prints it (a client-side dry run: no cluster involved)."""
        args = ["install", "aura-operator", str(chart), "--namespace", namespace]
        output = self._helm([*args, "--dry-run=client", *self._values(values, ())])
        return output.split("NOTES:\n", 1)[1]

    def helm_lint(self, chart: Path, *, values: Sequence[Path] = ()) -> str:
        return self._helm(["lint", "--strict", str(chart), *self._values(values, ())])

    def _helm(self, args: list[str]) -> str:
        return self._run([str(self.tools.helm), *args])

    @staticmethod
    def _values(values: Sequence[Path], set_values: Sequence[str]) -> list[str]:
        return [arg for path in values for arg in ("--values", str(path))] + [
            arg for item in set_values for arg in ("--set", item)
        ]

    def _run(self, command: list[str]) -> str:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.home),
            "HELM_CACHE_HOME": str(self.home / "cache"),
            "HELM_CONFIG_HOME": str(self.home / "config"),
            "HELM_DATA_HOME": str(self.home / "data"),
            "KUBECONFIG": str(self.home / "no-kubeconfig"),
        }
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise RenderError(f"{' '.join(command)} failed:\n{done.stderr}")
        return done.stdout
