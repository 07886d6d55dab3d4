"""Boundary cases that depend on the API server's own rules (names, RE2, namespace lifecycle)."""

from __future__ import annotations

from .kubectl import Kubectl, fresh_namespace
from .processes import TENANT, RunningOperator, SimulatorProcess, create_credentials

SPEC = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "1GB",
}


def aura_instance(object_name: str, **spec: object) -> dict[str, object]:
    return {
        "apiVersion": "aura.neo4j.io/v1alpha1",
        "kind": "AuraInstance",
        "metadata": {"name": object_name},
        "spec": {**SPEC, **spec},
    }


def test_a_derived_secret_name_the_api_server_would_refuse_is_refused_up_front(
    kubectl: Kubectl, namespace: str, crd: None
) -> None:
    name = "a" * 250  # a valid object name; "<name>-connection" is 261 characters

    refused = kubectl.create(aura_instance(name, name="Long"), namespace)

    assert refused.returncode != 0, "accepted: the operator could never store the password"
    assert "connectionSecret" in refused.stderr
    explicit = aura_instance(name, name="Long", connectionSecret={"name": "long-connection"})
    assert kubectl.create(explicit, namespace).returncode == 0


def test_a_display_name_re2_and_python_read_differently_never_wedges_the_object(
    kubectl: Kubectl, deployed_operator: RunningOperator
) -> None:
    ns = deployed_operator.namespace
    # U+00A0 is \\S to RE2 (the CRD's pattern ^\\S(.*\\S)?$) and whitespace to Python.
    created = kubectl.create(aura_instance("nbsp", name="Movies\u00a0"), ns)
    if created.returncode != 0:  # refused by the CRD: the engines agree, nothing to wedge
        assert "spec.name" in created.stderr
        return

    def settled() -> bool:
        obj = kubectl.get("aurainstance", "nbsp", ns) or {}
        conditions = {c["type"]: c for c in (obj.get("status") or {}).get("conditions", [])}
        ready = conditions.get("Ready", {}).get("status") == "True"
        stalled = conditions.get("Stalled", {})
        return ready or (stalled.get("status") == "True" and "spec.name" in stalled["message"])

    kubectl.wait_for(settled, timeout=20, what="Ready, or Stalled naming spec.name")
    kubectl("delete", "aurainstance", "nbsp", "-n", ns, "--timeout=30s")


def test_delete_policy_is_carried_out_when_the_namespace_goes_during_a_restart(
    kubectl: Kubectl, deployed_operator: RunningOperator, simulator: SimulatorProcess
) -> None:
    with fresh_namespace(kubectl) as ns:
        create_credentials(kubectl, ns, "team-credentials")
        kubectl.apply(
            aura_instance(
                "doomed",
                deletionPolicy="Delete",
                tenantId=TENANT,
                credentialsSecretRef={"name": "team-credentials"},
            ),
            namespace=ns,
        )
        kubectl("wait", "aurainstance/doomed", "--for=condition=Ready", "--timeout=60s", "-n", ns)
        instance_id = (kubectl.get("aurainstance", "doomed", ns) or {})["status"]["instanceId"]

        deployed_operator.stop()
        # The namespace controller deletes the credentials Secret with everything else; the
        # AuraInstance waits on the operator's finalizer, and the Secret on the operator's hold.
        kubectl("delete", "namespace", ns, "--wait=false")

        def credentials_deleted() -> bool:
            secret = kubectl.get("secret", "team-credentials", ns)
            return secret is None or "deletionTimestamp" in secret["metadata"]

        kubectl.wait_for(credentials_deleted, what="the credentials Secret deleted (or held)")
        deployed_operator.restart()

        kubectl.wait_for(
            lambda: kubectl.get("namespace", ns) is None,
            timeout=45,
            what="the namespace gone (the AuraInstance's deletion carried out)",
        )
        assert simulator.instance(instance_id) is None, "the Aura instance is still billed"
