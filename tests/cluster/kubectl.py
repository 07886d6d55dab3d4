"""`kubectl` and `helm` against the test control plane, as a user would type them."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]


class CommandFailed(Exception):
    def __init__(self, command: Sequence[str], result: subprocess.CompletedProcess[str]) -> None:
        super().__init__(
            f"{' '.join(command)} exited {result.returncode}:\n"
            f"{result.stderr}{result.stdout[-2000:]}"
        )
        self.stderr = result.stderr
        self.stdout = result.stdout


@dataclass(frozen=True)
class Kubectl:
    binary: Path
    kubeconfig: Path

    def run(
        self, *args: str, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [str(self.binary), f"--kubeconfig={self.kubeconfig}", *args]
        result = subprocess.run(command, input=input, capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise CommandFailed(command, result)
        return result

    def __call__(self, *args: str, input: str | None = None) -> str:
        return self.run(*args, input=input).stdout

    def apply(self, *manifests: Manifest, namespace: str | None = None) -> str:
        args = ["apply", "-f", "-"] + (["--namespace", namespace] if namespace else [])
        return self(*args, input=yaml.safe_dump_all(manifests))

    def create(self, manifest: Manifest, namespace: str) -> subprocess.CompletedProcess[str]:
        """`kubectl create`, not checked: tests look at the refusal."""
        return self.run(
            "create",
            "-f",
            "-",
            "--namespace",
            namespace,
            input=yaml.safe_dump(manifest),
            check=False,
        )

    def get(self, kind: str, name: str, namespace: str | None = None) -> Manifest | None:
        args = ["get", kind, name, "-o", "json", "--ignore-not-found"]
        out = self(*args, *(["--namespace", namespace] if namespace else []))
        return json.loads(out) if out.strip() else None

    def list(self, kind: str, namespace: str | None = None, selector: str = "") -> list[Manifest]:
        args = ["get", kind, "-o", "json"]
        args += ["--namespace", namespace] if namespace else ["--all-namespaces"]
        args += ["--selector", selector] if selector else []
        items: list[Manifest] = json.loads(self(*args))["items"]
        return items

    def patch(self, kind: str, name: str, namespace: str, patch: Manifest) -> str:
        return self(
            "patch", kind, name, "--namespace", namespace, "--type", "merge",
            "--patch", json.dumps(patch),
        )  # fmt: skip

    def wait_for(
        self,
        probe: Callable[[], Any],
        *,
        timeout: float = 60.0,
        interval: float = 0.3,
        what: str = "condition",
    ) -> Any:
        """`probe()` once it is truthy (for what `kubectl wait` cannot express)."""
        deadline = time.monotonic() + timeout
        while True:
            result = probe()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not reached within {timeout} s")
            time.sleep(interval)


@dataclass(frozen=True)
class Helm:
    binary: Path
    kubeconfig: Path
    home: Path

    def __call__(self, *args: str) -> str:
        return self.run(*args).stdout

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.home),
            "HELM_CACHE_HOME": str(self.home / "cache"),
            "HELM_CONFIG_HOME": str(self.home / "config"),
            "HELM_DATA_HOME": str(self.home / "data"),
            "KUBECONFIG": str(self.kubeconfig),
        }
        command = [str(self.binary), *args]
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if check and result.returncode != 0:
            raise CommandFailed(command, result)
        return result


_namespace_numbers = itertools.count(1)


@contextmanager
def fresh_namespace(kubectl: Kubectl) -> Iterator[str]:
    name = f"t{next(_namespace_numbers)}-{os.getpid() % 10000}"
    kubectl("create", "namespace", name)
    try:
        yield name
    finally:
        release_finalizers(kubectl, name)
        kubectl("delete", "namespace", name, "--wait=false", "--ignore-not-found")


def release_finalizers(kubectl: Kubectl, namespace: str) -> None:
    """Strip the finalizers of the project's custom resources in `namespace`."""
    served = kubectl.run("api-resources", "--api-group=aura.neo4j.io", "-o", "name", check=False)
    for resource in served.stdout.split():
        for item in kubectl.list(resource, namespace):
            if item["metadata"].get("finalizers"):
                kubectl(
                    "patch", resource, item["metadata"]["name"], "--namespace", namespace,
                    "--type", "merge", "--patch", '{"metadata":{"finalizers":null}}',
                )  # fmt: skip
