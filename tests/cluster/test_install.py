"""`kubectl apply -k deploy/` and the Helm chart on a real API server, as the README describes."""

from __future__ import annotations

import json

from .installs import CHART_DIR, CRD_NAME, CRDS_DIR, helm_install, kustomize_install
from .kubectl import Helm, Kubectl, release_finalizers

SAMPLE = {
    "apiVersion": "aura.neo4j.io/v1alpha1",
    "kind": "AuraInstance",
    "metadata": {"name": "movies"},
    "spec": {
        "cloudProvider": "gcp",
        "region": "europe-west1",
        "type": "professional-db",
        "memory": "2GB",
    },
}


def can_i(kubectl: Kubectl, verb: str, resource: str, user: str, *where: str) -> bool:
    result = kubectl.run("auth", "can-i", verb, resource, f"--as={user}", *where, check=False)
    return result.stdout.strip() == "yes"


def sa(namespace: str, name: str = "aura-operator") -> str:
    return f"system:serviceaccount:{namespace}:{name}"


def test_kustomize_install_is_accepted_and_grants_the_operator_its_rights(
    kubectl: Kubectl,
) -> None:
    with kustomize_install(kubectl) as install:
        operator = sa(install.namespace)
        assert kubectl.get("serviceaccount", "aura-operator", install.namespace)
        assert kubectl.get("deployment", "aura-operator", install.namespace)
        assert kubectl.get("crd", CRD_NAME)
        assert can_i(kubectl, "patch", "aurainstances.aura.neo4j.io", operator, "-A")
        assert can_i(kubectl, "patch", "aurainstances.aura.neo4j.io/status", operator, "-A")
        assert can_i(kubectl, "create", "secrets", operator, "-n", "team-a")
        assert not can_i(kubectl, "delete", "aurainstances.aura.neo4j.io", operator, "-A")
        assert not can_i(kubectl, "list", "secrets", operator, "-A")
        # The aggregated roles reach the built-in ones through the controller-manager.
        kubectl.wait_for(
            lambda: any(
                "aurainstances" in rule.get("resources", [])
                for rule in (kubectl.get("clusterrole", "edit") or {}).get("rules", [])
            ),
            what="AuraInstance rights aggregated into the edit role",
        )
    assert kubectl.get("namespace", "aura-operator") is None
    assert kubectl.get("clusterrole", "aura-operator") is None
    assert kubectl.get("crd", CRD_NAME), "deleting the operator keeps the CRD"


def test_helm_installs_the_crd_upgrades_it_and_uninstall_keeps_it(
    helm: Helm, kubectl: Kubectl, namespace: str
) -> None:
    # No custom resource with a finalizer exists here (each test's namespace fixture strips
    # them), so the CRDs go at once and the chart's default (crds.enabled) installs them.
    for namespace_item in kubectl.list("namespaces"):
        release_finalizers(kubectl, namespace_item["metadata"]["name"])
    kubectl("delete", "-f", str(CRDS_DIR), "--ignore-not-found", "--wait=true", "--timeout=60s")

    with helm_install(helm, kubectl, "aura-system", crds=True) as install:
        kubectl("wait", "--for=condition=Established", "-f", str(CRDS_DIR), "--timeout=60s")
        crd = kubectl.get("crd", CRD_NAME)
        assert crd is not None
        assert crd["metadata"]["annotations"]["meta.helm.sh/release-name"] == "aura-operator"
        operator = sa(install.namespace)
        assert can_i(kubectl, "patch", "aurainstances.aura.neo4j.io", operator, "-A")
        kubectl.apply(SAMPLE, namespace=namespace)

        # The CRD is a template of the release: `helm upgrade` upgrades it with the rest.
        upgraded = helm.run(
            "upgrade", "aura-operator", str(CHART_DIR), "--namespace", install.namespace,
            "--set", "aura.defaultDeletionPolicy=Delete",
        )  # fmt: skip
        assert "has been upgraded" in upgraded.stdout
        deployment = kubectl.get("deployment", "aura-operator", install.namespace)
        assert deployment is not None
        env = {
            item["name"]: item.get("value")
            for item in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        }
        assert env["AURA_DEFAULT_DELETION_POLICY"] == "Delete"
        assert "CustomResourceDefinition" in helm(
            "get", "manifest", "aura-operator", "-n", install.namespace
        )

    assert kubectl.get("clusterrole", "aura-operator") is None
    kept = kubectl.get("crd", CRD_NAME)
    assert kept is not None, "helm uninstall keeps the CRD (helm.sh/resource-policy: keep)"
    assert kept["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert kubectl.get("aurainstance", "movies", namespace), "and with it the AuraInstances"


def test_helm_install_with_watch_namespaces_grants_rights_there_only(
    helm: Helm, kubectl: Kubectl, namespace: str, crd: None
) -> None:
    with helm_install(helm, kubectl, "aura-watching", watch_namespaces=(namespace,)) as install:
        operator = sa(install.namespace)
        assert kubectl.get("role", "aura-operator", namespace)
        assert kubectl.get("clusterrole", "aura-operator") is None
        assert can_i(kubectl, "patch", "aurainstances.aura.neo4j.io", operator, "-n", namespace)
        assert can_i(kubectl, "create", "secrets", operator, "-n", namespace)
        assert not can_i(kubectl, "patch", "aurainstances.aura.neo4j.io", operator, "-n", "default")
        assert not can_i(kubectl, "get", "secrets", operator, "-n", "default")
        # The default credentials Secret in the release namespace: that one Secret, read only.
        credentials = ("secrets/aura-credentials", "-n", install.namespace)
        assert can_i(kubectl, "get", credentials[0], operator, *credentials[1:])
        assert not can_i(kubectl, "get", "secrets/other", operator, "-n", install.namespace)


def test_owner_references_permission_enforcement_needs_the_finalizers_right(
    kubectl: Kubectl, namespace: str, crd: None
) -> None:
    """Why the manifests grant `update` on aurainstances/finalizers: with the admission plugin a
    connection Secret whose owner reference blocks the owner's deletion needs it."""
    kubectl.apply(SAMPLE, namespace=namespace)
    owner = kubectl.get("aurainstance", "movies", namespace)
    assert owner is not None
    kubectl("create", "serviceaccount", "writer", "-n", namespace)
    kubectl(
        "create", "role", "secret-writer", "--verb=create", "--resource=secrets", "-n", namespace
    )  # fmt: skip
    kubectl(
        "create", "rolebinding", "secret-writer", "--role=secret-writer",
        f"--serviceaccount={namespace}:writer", "-n", namespace,
    )  # fmt: skip

    def owned_secret(name: str) -> dict[str, object]:
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": name,
                "ownerReferences": [
                    {
                        "apiVersion": owner["apiVersion"],
                        "kind": owner["kind"],
                        "name": "movies",
                        "uid": owner["metadata"]["uid"],
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
        }

    writer = f"--as=system:serviceaccount:{namespace}:writer"
    secret_a = json.dumps(owned_secret("a"))
    refused = kubectl.run("create", "-f", "-", "-n", namespace, writer, input=secret_a, check=False)
    assert refused.returncode != 0
    assert "cannot set blockOwnerDeletion" in refused.stderr

    kubectl(
        "create", "role", "finalizers", "--verb=update", "--resource=aurainstances/finalizers",
        "-n", namespace,
    )  # fmt: skip
    kubectl(
        "create", "rolebinding", "finalizers", "--role=finalizers",
        f"--serviceaccount={namespace}:writer", "-n", namespace,
    )  # fmt: skip
    kubectl("create", "-f", "-", "-n", namespace, writer, input=json.dumps(owned_secret("b")))
