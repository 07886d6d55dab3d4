"""What the operator's service account may do, computed from rendered RBAC objects."""

from __future__ import annotations

from .manifests import Manifest, Rendering

CLUSTER = "<cluster>"
# (scope: a namespace or CLUSTER, API group, resource, resourceNames) -> verbs
Permissions = dict[tuple[str, str, str, tuple[str, ...]], frozenset[str]]


def operator_permissions(rendering: Rendering) -> Permissions:
    account = (rendering.operator_service_account(), rendering.operator_namespace)
    roles = {
        (m["kind"], m["metadata"].get("namespace"), m["metadata"]["name"]): m
        for m in rendering.manifests
        if m["kind"] in ("Role", "ClusterRole")
    }
    permissions: dict[tuple[str, str, str, tuple[str, ...]], set[str]] = {}
    for binding in rendering.of_kind("RoleBinding") + rendering.of_kind("ClusterRoleBinding"):
        if not any(_is_account(subject, account) for subject in binding.get("subjects", [])):
            continue
        namespace = binding["metadata"].get("namespace")
        scope = namespace if binding["kind"] == "RoleBinding" else CLUSTER
        ref = binding["roleRef"]
        role = roles[(ref["kind"], namespace if ref["kind"] == "Role" else None, ref["name"])]
        for rule in role["rules"]:
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    key = (scope, group, resource, tuple(rule.get("resourceNames", ())))
                    permissions.setdefault(key, set()).update(rule["verbs"])
    return {key: frozenset(verbs) for key, verbs in permissions.items()}


def _is_account(subject: Manifest, account: tuple[str, str]) -> bool:
    return (
        subject.get("kind") == "ServiceAccount"
        and (
            subject.get("name"),
            subject.get("namespace"),
        )
        == account
    )
