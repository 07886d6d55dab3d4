"""A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager.

The binaries are built from Go modules by `make controlplane` (tests/cluster/controlplane/) and
linked from `.tools/controlplane`. The API server runs with RBAC authorization, its default
admission plugins plus `OwnerReferencesPermissionEnforcement`, a serving certificate signed by a
throw-away CA, static bearer tokens for the admin and the controller-manager, and a
service-account signing key, so `token_for()` hands out genuine ServiceAccount tokens
(`system:serviceaccount:<namespace>:<name>`) through the TokenRequest API. The controller-manager
runs the garbage collector and the namespace controller.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
BINARIES_DIR = REPO_ROOT / ".tools" / "controlplane"
BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager")
# On top of the API server's default admission chain (NamespaceLifecycle, ServiceAccount,
# ResourceQuota, the admission webhooks and policies, ...): what OpenShift and many hardened
# clusters add, and which checks the owner references the operator writes.
EXTRA_ADMISSION_PLUGINS = ("OwnerReferencesPermissionEnforcement", "NodeRestriction")
# The aggregation controller fills the built-in admin/edit/view roles from the labelled ones.
CONTROLLERS = (
    "garbage-collector-controller",
    "namespace-controller",
    "clusterrole-aggregation-controller",
)
START_TIMEOUT = 90.0
# With AURA_REQUIRE_CLUSTER_TIER=1 (set by .ci/run) a control plane that cannot start is a failure
# instead of a skip.
REQUIRE_VARIABLE = "AURA_REQUIRE_CLUSTER_TIER"


class ControlPlaneError(RuntimeError):
    """A component did not come up; the message carries the tail of its log."""


def missing_binaries(directory: Path = BINARIES_DIR) -> list[str]:
    return [name for name in BINARIES if not os.access(directory / name, os.X_OK)]


def unavailable() -> str | None:
    """Why a control plane cannot start here, or None."""
    missing = missing_binaries()
    if missing:
        return (
            f"{', '.join(missing)} not in {BINARIES_DIR} "
            "(`make controlplane` builds them; it needs Go 1.26 and the Go module proxy)"
        )
    if shutil.which("openssl") is None:
        return "openssl (for the test certificates) not found"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


@dataclass
class ControlPlane:
    """Start with `start()`, stop with `stop()`; `workdir` holds certificates, data and logs."""

    workdir: Path
    binaries: Path = BINARIES_DIR
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    controller_token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    api_port: int = 0
    start_seconds: float = 0.0
    _processes: list[_Process] = field(default_factory=list)

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.api_port}"

    @property
    def ca_path(self) -> Path:
        return self.workdir / "pki" / "ca.crt"

    @property
    def admin_kubeconfig(self) -> Path:
        return self.workdir / "admin.kubeconfig"

    @property
    def audit_log(self) -> Path:
        """Every request a ServiceAccount makes, one JSON event per line (level Metadata)."""
        return self.workdir / "logs" / "audit.log"

    def audit_mark(self) -> int:
        """Where the audit log ends now: `audit_events(since=...)` reads what comes after."""
        return self.audit_log.stat().st_size if self.audit_log.exists() else 0

    def audit_events(self, username: str, *, since: int = 0) -> list[dict[str, Any]]:
        """The completed requests of `username` (the log backend writes synchronously)."""
        if not self.audit_log.exists():
            return []
        with self.audit_log.open("rb") as log:
            log.seek(since)
            lines = log.read().decode().splitlines()
        events = (json.loads(line) for line in lines if line)
        return [
            event
            for event in events
            if event.get("user", {}).get("username") == username
            and event.get("stage") == "ResponseComplete"
        ]

    def log_of(self, name: str) -> Path:
        return self.workdir / "logs" / f"{name}.log"

    # starting and stopping

    def start(self) -> None:
        began = time.monotonic()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began

    def _start(self) -> None:
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        etcd_port, etcd_peer_port = free_port(), free_port()
        etcd = self._spawn(
            "etcd",
            [
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
                f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
                f"--listen-peer-urls=http://127.0.0.1:{etcd_peer_port}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{etcd_peer_port}",
                f"--initial-cluster=default=http://127.0.0.1:{etcd_peer_port}",
                "--unsafe-no-fsync",  # a throw-away store: durability costs seconds per test run
                "--log-level=warn",
            ],
        )
        self._write_pki()
        self._write_tokens()
        self.api_port = free_port()
        self._wait_http(etcd, f"http://127.0.0.1:{etcd_port}/health", token=None)
        pki = self.workdir / "pki"
        apiserver = self._spawn(
            "kube-apiserver",
            [
                f"--etcd-servers=http://127.0.0.1:{etcd_port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--endpoint-reconciler-type=none",  # no Service endpoints for a loopback address
                f"--secure-port={self.api_port}",
                f"--tls-cert-file={pki / 'apiserver.crt'}",
                f"--tls-private-key-file={pki / 'apiserver.key'}",
                f"--client-ca-file={self.ca_path}",
                f"--token-auth-file={self.workdir / 'tokens.csv'}",
                "--authorization-mode=RBAC",
                f"--enable-admission-plugins={','.join(EXTRA_ADMISSION_PLUGINS)}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={pki / 'sa.pub'}",
                f"--service-account-signing-key-file={pki / 'sa.key'}",
                "--service-cluster-ip-range=10.96.0.0/24",
                f"--cert-dir={pki}",
                f"--audit-policy-file={self._write_audit_policy()}",
                f"--audit-log-path={self.audit_log}",
                "--profiling=false",
                "--v=1",
            ],
        )
        self._write_kubeconfig(self.admin_kubeconfig, self.admin_token)
        controller_kubeconfig = self.workdir / "controller-manager.kubeconfig"
        self._write_kubeconfig(controller_kubeconfig, self.controller_token)
        self._wait_http(apiserver, f"{self.server}/readyz", token=self.admin_token)
        manager_port = free_port()
        manager = self._spawn(
            "kube-controller-manager",
            [
                f"--kubeconfig={controller_kubeconfig}",
                f"--authentication-kubeconfig={controller_kubeconfig}",
                f"--authorization-kubeconfig={controller_kubeconfig}",
                f"--controllers={','.join(CONTROLLERS)}",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                f"--secure-port={manager_port}",
                f"--cert-dir={self.workdir / 'controller-manager-pki'}",
                "--v=1",
            ],
        )
        self._wait_http(
            manager, f"https://127.0.0.1:{manager_port}/healthz", token=None, verify=False
        )

    def stop(self) -> None:
        """One after the other, the last started first: an API server whose etcd is gone spends
        its whole shutdown (15 s) retrying it."""
        for process in reversed(self._processes):
            if process.popen.poll() is None:
                process.popen.terminate()
            try:
                process.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()
            process.log.close()
        self._processes.clear()

    # identities

    def token_for(self, namespace: str, service_account: str, *, seconds: int = 3600) -> str:
        """A genuine token of the ServiceAccount, from the TokenRequest API (as kubelet gets)."""
        done = subprocess.run(
            [
                *self.kubectl_command(),
                "create",
                "token",
                service_account,
                "--namespace",
                namespace,
                f"--duration={seconds}s",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise ControlPlaneError(f"token for {namespace}/{service_account}: {done.stderr}")
        return done.stdout.strip()

    def service_account_kubeconfig(self, path: Path, namespace: str, service_account: str) -> Path:
        """A kubeconfig that authenticates as `system:serviceaccount:<namespace>:<name>`."""
        self._write_kubeconfig(
            path, self.token_for(namespace, service_account), namespace=namespace
        )
        return path

    def kubectl_command(self, kubeconfig: Path | None = None) -> list[str]:
        from delivery.fetch_tools import ensure_tools

        kubectl = ensure_tools().kubectl
        return [str(kubectl), f"--kubeconfig={kubeconfig or self.admin_kubeconfig}"]

    # plumbing

    def _spawn(self, name: str, args: list[str]) -> _Process:
        log_path = self.log_of(name)
        log = log_path.open("wb")
        popen = subprocess.Popen(
            [str(self.binaries / name), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in pytest reaches pytest, which stops us in order
        )
        process = _Process(name, popen, log_path, log)
        self._processes.append(process)
        return process

    def _wait_http(
        self, process: _Process, url: str, *, token: str | None, verify: bool = True
    ) -> None:
        if url.startswith("https") and verify:
            context = ssl.create_default_context(cafile=str(self.ca_path))
        else:
            context = ssl._create_unverified_context()  # noqa: S323 - self-signed, loopback
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        deadline = time.monotonic() + START_TIMEOUT
        last_error = ""
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise ControlPlaneError(
                    f"{process.name} exited with {process.popen.returncode}:\n{process.tail()}"
                )
            request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
            try:
                with urllib.request.urlopen(request, context=context, timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError) as error:
                last_error = str(error)
            time.sleep(0.2)
        raise ControlPlaneError(
            f"{process.name} not healthy at {url} within {START_TIMEOUT} s ({last_error}):\n"
            f"{process.tail()}"
        )

    def _write_pki(self) -> None:
        pki = self.workdir / "pki"
        pki.mkdir(parents=True, exist_ok=True)
        openssl = shutil.which("openssl") or "openssl"

        def run(*args: str) -> None:
            subprocess.run([openssl, *args], cwd=pki, check=True, capture_output=True)

        ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
        run("req", "-x509", *ec, "-subj", "/CN=aura-operator-tests-ca", "-keyout", "ca.key",
            "-out", "ca.crt", "-days", "2")  # fmt: skip
        run(
            "req",
            *ec,
            "-subj",
            "/CN=kube-apiserver",
            "-keyout",
            "apiserver.key",
            "-out",
            "apiserver.csr",
        )
        (pki / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        run(
            "x509", "-req", "-in", "apiserver.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "apiserver.crt", "-days", "2", "-extfile", "san.ext",
        )  # fmt: skip
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "sa.key")
        run("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub")

    def _write_audit_policy(self) -> Path:
        path = self.workdir / "audit-policy.yaml"
        policy = {
            "apiVersion": "audit.k8s.io/v1",
            "kind": "Policy",
            "omitStages": ["RequestReceived"],
            "rules": [
                {"level": "Metadata", "userGroups": ["system:serviceaccounts"]},
                {"level": "None"},
            ],
        }
        path.write_text(yaml.safe_dump(policy))
        return path

    def _write_tokens(self) -> None:
        # token,user,uid,"groups": the admin and the controller-manager are cluster admins.
        rows = [
            f'{self.admin_token},admin,admin,"system:masters"',
            f'{self.controller_token},system:kube-controller-manager,kcm,"system:masters"',
        ]
        path = self.workdir / "tokens.csv"
        path.write_text("\n".join(rows) + "\n")
        path.chmod(0o600)

    def _write_kubeconfig(self, path: Path, token: str, *, namespace: str = "default") -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "test",
                    "cluster": {"server": self.server, "certificate-authority": str(self.ca_path)},
                }
            ],
            "users": [{"name": "user", "user": {"token": token}}],
            "contexts": [
                {
                    "name": "test",
                    "context": {"cluster": "test", "user": "user", "namespace": namespace},
                }
            ],
            "current-context": "test",
        }
        path.write_text(yaml.safe_dump(config))
        path.chmod(0o600)
