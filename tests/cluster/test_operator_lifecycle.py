"""The operator as its own process, authenticated as its ServiceAccount with exactly the rights
`deploy/` (ClusterRole, all namespaces) or the chart (Roles, `watchNamespaces`) grant, against
the Aura simulator: a full lifecycle with no 403 and no 422 from the API server."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .control_plane import ControlPlane
from .installs import Install, helm_install, kustomize_install
from .kubectl import Helm, Kubectl
from .processes import (
    TENANT,
    Process,
    SimulatorProcess,
    create_credentials,
    operator_as_service_account,
)

SPEC = {"cloudProvider": "gcp", "region": "europe-west1", "type": "professional-db"}
# The garbage collector deletes an orphaned dependent within a second here (see the Delete case).
GC_GRACE = 3.0
AURA_CREATE_BODY = {
    "tenant_id": TENANT,
    "cloud_provider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "1GB",
    "version": "5",
}
# Rights the manifests grant that a run does not exercise as a request, and why they are needed.
JUSTIFIED_UNUSED = {
    ("", "secrets", "delete"): (
        "not a request: OwnerReferencesPermissionEnforcement requires it to change a Secret's "
        "owner references (freeing the connection Secret under Retain)"
    ),
    ("aura.neo4j.io", "aurainstances/finalizers", "update"): (
        "not a request: OwnerReferencesPermissionEnforcement checks it when the operator writes a "
        "connection Secret whose owner reference has blockOwnerDeletion"
    ),
}


@dataclass
class OperatorRun:
    process: Process
    audit_since: int
    """Where the audit log stood at its start: earlier tests may have run an operator under the
    same ServiceAccount name."""


def aura_instance(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "aura.neo4j.io/v1alpha1",
        "kind": "AuraInstance",
        "metadata": {"name": name},
        "spec": spec,
    }


@pytest.fixture(params=["deploy", "chart"])
def installed(
    request: pytest.FixtureRequest, kubectl: Kubectl, helm: Helm, namespace: str, crd: None
) -> Iterator[Install]:
    if request.param == "deploy":
        with kustomize_install(kubectl) as install:
            yield install
    else:
        with helm_install(helm, kubectl, "aura-helm", watch_namespaces=(namespace,)) as install:
            yield install


@pytest.fixture
def operator(
    installed: Install,
    control_plane: ControlPlane,
    kubectl: Kubectl,
    simulator: SimulatorProcess,
    tmp_path: Path,
) -> Iterator[OperatorRun]:
    create_credentials(kubectl, installed.namespace)
    audit_since = control_plane.audit_mark()
    with operator_as_service_account(control_plane, installed, simulator, tmp_path) as process:
        yield OperatorRun(process, audit_since)


def snapshot(name: str, **spec: Any) -> dict[str, Any]:
    return {**aura_instance(name, **spec), "kind": "AuraSnapshot"}


def restore(name: str, **spec: Any) -> dict[str, Any]:
    return {**aura_instance(name, **spec), "kind": "AuraRestore"}


def wait_ready(kubectl: Kubectl, name: str, namespace: str) -> dict[str, Any]:
    """`kubectl wait --for=condition=Ready`, then Ready for the current generation."""
    kubectl(
        "wait", f"aurainstance/{name}", "--for=condition=Ready", "--timeout=60s", "-n", namespace
    )

    def current() -> dict[str, Any] | None:
        obj = kubectl.get("aurainstance", name, namespace)
        assert obj is not None
        ready = next(c for c in obj["status"]["conditions"] if c["type"] == "Ready")
        generation = obj["metadata"]["generation"]
        fresh = ready["status"] == "True" and ready["observedGeneration"] == generation
        return obj if fresh else None

    found: dict[str, Any] = kubectl.wait_for(current, what=f"{name} Ready for its generation")
    return found


def secret_data(kubectl: Kubectl, name: str, namespace: str) -> dict[str, str] | None:
    import base64

    secret = kubectl.get("secret", name, namespace)
    if secret is None:
        return None
    return {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}


def granted_rights(kubectl: Kubectl, install: Install) -> set[tuple[str, str, str]]:
    if install.watch_namespaces:
        roles = [kubectl.get("role", "aura-operator", ns) for ns in install.watch_namespaces]
        roles.append(kubectl.get("role", "aura-operator-default-credentials", install.namespace))
    else:
        roles = [kubectl.get("clusterrole", "aura-operator")]
    return {
        (group, resource, verb)
        for role in roles
        if role is not None
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def used_rights(events: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    used = set()
    for event in events:
        ref = event.get("objectRef") or {}
        if "resource" not in ref:
            continue  # discovery (/api, /apis): granted to every authenticated client
        resource = ref["resource"] + (f"/{ref['subresource']}" if ref.get("subresource") else "")
        used.add((ref.get("apiGroup", ""), resource, event["verb"]))
    return used


def test_operator_runs_a_full_lifecycle_as_its_service_account(
    installed: Install,
    operator: OperatorRun,
    control_plane: ControlPlane,
    kubectl: Kubectl,
    simulator: SimulatorProcess,
    namespace: str,
) -> None:
    ns = namespace
    # create -> Ready with the connection Secret, owned under deletionPolicy Delete
    kubectl.apply(aura_instance("db", memory="2GB", deletionPolicy="Delete", **SPEC), namespace=ns)
    db = wait_ready(kubectl, "db", ns)
    instance_id = db["status"]["instanceId"]
    connection = secret_data(kubectl, "db-connection", ns)
    assert connection is not None
    assert connection["AURA_INSTANCEID"] == instance_id
    assert connection["NEO4J_PASSWORD"] == simulator.instance(instance_id)["password"]  # type: ignore[index]
    owners = (kubectl.get("secret", "db-connection", ns) or {})["metadata"]["ownerReferences"]
    assert [owner["uid"] for owner in owners] == [db["metadata"]["uid"]]

    # resize and rename in place
    kubectl.patch("aurainstance", "db", ns, {"spec": {"memory": "4GB", "name": "renamed-db"}})
    db = wait_ready(kubectl, "db", ns)
    assert db["status"]["memory"] == "4GB"
    kubectl.wait_for(
        lambda: (simulator.instance(instance_id) or {}).get("name") == "renamed-db",
        what="the Aura instance renamed",
    )

    # pause and resume
    kubectl.patch("aurainstance", "db", ns, {"spec": {"paused": True}})
    kubectl("wait", "aurainstance/db", "--for=jsonpath={.status.phase}=Paused", "-n", ns)
    kubectl.patch("aurainstance", "db", ns, {"spec": {"paused": False}})
    db = wait_ready(kubectl, "db", ns)
    assert db["status"]["phase"] == "Ready"

    # a snapshot of it, and a restore of it into another instance, snapshotting that first
    kubectl.apply(snapshot("db-snap", instanceRef={"name": "db"}), namespace=ns)
    kubectl("wait", "aurasnapshot/db-snap", "--for=condition=Ready", "--timeout=60s", "-n", ns)
    kubectl.apply(aura_instance("staging", memory="4GB", **SPEC), namespace=ns)  # as db now
    staging_id = wait_ready(kubectl, "staging", ns)["status"]["instanceId"]
    kubectl.apply(
        restore(
            "refresh",
            instanceRef={"name": "staging"},
            sourceInstanceRef={"name": "db"},
            confirmInstanceId=staging_id,
            snapshotBefore=True,
        ),
        namespace=ns,
    )
    kubectl("wait", "aurarestore/refresh", "--for=condition=Ready", "--timeout=60s", "-n", ns)
    assert kubectl.get("aurasnapshot", "refresh-before", ns), "the snapshot taken before"

    # Delete switched to Retain: deleting frees the Secret of its owner, so the garbage
    # collector leaves it
    kubectl.apply(
        aura_instance("kept", memory="1GB", deletionPolicy="Delete", **SPEC), namespace=ns
    )
    kept_id = wait_ready(kubectl, "kept", ns)["status"]["instanceId"]
    assert (kubectl.get("secret", "kept-connection", ns) or {})["metadata"]["ownerReferences"]
    kubectl.patch("aurainstance", "kept", ns, {"spec": {"deletionPolicy": "Retain"}})
    wait_ready(kubectl, "kept", ns)
    kubectl("delete", "aurainstance", "kept", "-n", ns, "--timeout=60s")
    assert simulator.instance(kept_id) is not None
    time.sleep(GC_GRACE)  # what the garbage collector would take, it takes within this
    kept_secret = kubectl.get("secret", "kept-connection", ns)
    assert kept_secret is not None
    assert not kept_secret["metadata"].get("ownerReferences")

    # delete under Delete: the instance goes at Aura, the garbage collector takes the Secret
    kubectl("delete", "aurainstance", "db", "-n", ns, "--timeout=60s")
    assert simulator.instance(instance_id) is None
    kubectl.wait_for(
        lambda: kubectl.get("secret", "db-connection", ns) is None,
        timeout=90,
        what="the owned connection Secret garbage-collected",
    )

    # adoption, and ObserveOnly (no write to Aura)
    adopted_id, observed_id = secrets.token_hex(4), secrets.token_hex(4)
    for seeded, name in ((adopted_id, "adopted-db"), (observed_id, "observed-db")):
        simulator.control(
            "POST",
            "/_sim/instances",
            {"id": seeded, "instance": {**AURA_CREATE_BODY, "name": name}},
        )
    kubectl.apply(aura_instance("adopted", instanceId=adopted_id), namespace=ns)
    adopted = wait_ready(kubectl, "adopted", ns)
    credentials = next(
        c for c in adopted["status"]["conditions"] if c["type"] == "CredentialsAvailable"
    )
    assert (credentials["status"], credentials["reason"]) == ("False", "PasswordNotRecoverable")
    kubectl.apply(
        aura_instance("observed", instanceId=observed_id, managementPolicy="ObserveOnly"),
        namespace=ns,
    )
    kubectl(
        "wait", "aurainstance/observed", "--for=jsonpath={.status.auraStatus}=running", "-n", ns
    )
    writes = [
        r
        for r in simulator.control("GET", "/_sim/requests")
        if r["method"] in ("PATCH", "POST", "DELETE") and observed_id in r["path"]
    ]
    assert writes == []

    # what the API server saw: no refusal, and every granted right used or justified
    operator.process.stop()
    username = f"system:serviceaccount:{installed.namespace}:{installed.service_account}"
    events = control_plane.audit_events(username, since=operator.audit_since)
    refused = [
        (e["verb"], e["requestURI"], e["responseStatus"]["code"])
        for e in events
        if e["responseStatus"]["code"] in (403, 422)
    ]
    assert refused == []
    log = operator.process.text()
    assert not re.search(r"Forbidden|Unprocessable|answered (403|422)", log), log[-3000:]
    unused = granted_rights(kubectl, installed) - used_rights(events) - set(JUSTIFIED_UNUSED)
    assert unused == set(), json.dumps(sorted(used_rights(events)))
