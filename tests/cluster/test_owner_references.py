"""The operator's Secret rights under OwnerReferencesPermissionEnforcement (on in this tier).

The operator adopts an existing connection Secret (adds its AuraInstance as owner) and frees it
under deletionPolicy Retain (removes the owner). The plugin allows such a change only to who may
delete the Secret: done here as the operator's own ServiceAccount, and, as the control, as an
account with the same rights but delete, which the API server must refuse.
"""

from __future__ import annotations

import json

from .installs import helm_install
from .kubectl import Helm, Kubectl, Manifest


def owner_of(instance: Manifest) -> Manifest:
    return {
        "apiVersion": "aura.neo4j.io/v1alpha1",
        "kind": "AuraInstance",
        "name": instance["metadata"]["name"],
        "uid": instance["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": False,
    }


def patch_owners_as(
    kubectl: Kubectl, user: str, namespace: str, owners: list[Manifest] | None
) -> tuple[bool, str]:
    result = kubectl.run(
        "patch", "secret", "movies-connection", "--namespace", namespace, f"--as={user}",
        "--type", "merge", "--patch", json.dumps({"metadata": {"ownerReferences": owners}}),
        check=False,
    )  # fmt: skip
    return result.returncode == 0, result.stderr


def test_operator_may_adopt_and_free_a_connection_secret(
    helm: Helm, kubectl: Kubectl, namespace: str, crd: None
) -> None:
    kubectl.apply(
        {
            "apiVersion": "aura.neo4j.io/v1alpha1",
            "kind": "AuraInstance",
            "metadata": {"name": "movies"},
            "spec": {
                "cloudProvider": "gcp",
                "region": "europe-west1",
                "type": "professional-db",
                "memory": "2GB",
            },
        },
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "movies-connection"}},
        namespace=namespace,
    )
    instance = kubectl.get("aurainstance", "movies", namespace)
    assert instance is not None
    owners = [owner_of(instance)]
    # The control: the operator's rules without delete on secrets.
    limited = f"system:serviceaccount:{namespace}:limited"
    kubectl.apply(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "limited"}},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "limited"},
            "rules": [
                {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "create", "patch"]},
                {
                    "apiGroups": ["aura.neo4j.io"],
                    "resources": ["aurainstances/finalizers"],
                    "verbs": ["update"],
                },
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "limited"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "limited"},
            "subjects": [{"kind": "ServiceAccount", "name": "limited", "namespace": namespace}],
        },
        namespace=namespace,
    )
    allowed, error = patch_owners_as(kubectl, limited, namespace, owners)
    assert not allowed
    assert "cannot set an ownerRef on a resource you can't delete" in error

    with helm_install(helm, kubectl, "aura-owners", watch_namespaces=(namespace,)) as install:
        operator = f"system:serviceaccount:{install.namespace}:{install.service_account}"
        assert patch_owners_as(kubectl, operator, namespace, owners) == (True, "")  # adopt
        assert patch_owners_as(kubectl, operator, namespace, None) == (True, "")  # Retain
    secret = kubectl.get("secret", "movies-connection", namespace)
    assert secret is not None
    assert not secret["metadata"].get("ownerReferences")
