"""The operator's rights against the OwnerReferencesPermissionEnforcement admission plugin.

OpenShift turns the plugin on (and the real API server tier may). It refuses a write that
changes an object's metadata.ownerReferences unless the writer may `delete` that object (a
create is exempt), and a new owner reference with blockOwnerDeletion true unless the writer may
`update` the owner's `finalizers` subresource (kube-apiserver plugin/pkg/admission/gc). Below:
that rule, the owner references the operator really writes, and the rights each rendering
grants it.
"""

from __future__ import annotations

from typing import Any

import pytest

from aura_operator.api import AuraInstanceSpec
from aura_operator.controller.instance.connection_secret import ConnectionDetails, connection_secret

from .manifests import Rendering
from .rbac import CLUSTER, operator_permissions

Right = tuple[str, str, str]  # (API group, resource, verb)
GROUPS = {"AuraInstance": ("aura.neo4j.io", "aurainstances")}


def rights_the_plugin_checks(
    resource: tuple[str, str], creating: bool, old: list[Any] | None, new: list[Any] | None
) -> set[Right]:
    """What OwnerReferencesPermissionEnforcement authorizes for one write of `resource`."""
    old_refs, new_refs = old or [], new or []
    if old_refs == new_refs:
        return set()
    needed: set[Right] = set() if creating else {(*resource, "delete")}
    old_blocking = {ref["uid"] for ref in old_refs if ref.get("blockOwnerDeletion")}
    for ref in new_refs:
        if ref.get("blockOwnerDeletion") and ref["uid"] not in old_blocking:
            group, plural = GROUPS[ref["kind"]]
            needed.add((group, f"{plural}/finalizers", "update"))
    return needed


def test_the_rule_as_the_plugin_applies_it() -> None:
    secret = ("", "secrets")
    owner = {"kind": "AuraInstance", "uid": "u", "blockOwnerDeletion": False}
    blocking = {**owner, "blockOwnerDeletion": True}
    assert rights_the_plugin_checks(secret, True, None, [owner]) == set()
    assert rights_the_plugin_checks(secret, False, [owner], [owner]) == set()
    assert rights_the_plugin_checks(secret, False, None, [owner]) == {("", "secrets", "delete")}
    assert rights_the_plugin_checks(secret, False, [owner], None) == {("", "secrets", "delete")}
    assert rights_the_plugin_checks(secret, True, None, [blocking]) == {
        ("aura.neo4j.io", "aurainstances/finalizers", "update")
    }


def owned_connection_secret() -> dict[str, Any]:
    secret: dict[str, Any] = connection_secret(
        name="orders-connection",
        namespace="shop",
        details=ConnectionDetails("0a1b2c3d", "orders", "neo4j+s://0a1b2c3d.databases.neo4j.io"),
        spec=AuraInstanceSpec.model_validate({}),
        owner_name="orders",
        owner_uid="uid-1",
        owned=True,
    )
    return secret


def operator_writes() -> dict[str, tuple[tuple[str, str], bool, Any, Any]]:
    """Every owner-reference change the operator makes to a Secret, as the plugin sees it."""
    owners = owned_connection_secret()["metadata"]["ownerReferences"]
    return {
        "creates an owned connection Secret": (("", "secrets"), True, None, owners),
        "adopts an existing connection Secret": (("", "secrets"), False, None, owners),
        "frees the Secret under deletionPolicy Retain": (("", "secrets"), False, owners, None),
    }


@pytest.mark.parametrize("write", list(operator_writes()))
def test_operator_may_make_each_owner_reference_change(rendering: Rendering, write: str) -> None:
    needed = rights_the_plugin_checks(*operator_writes()[write])
    granted = operator_permissions(rendering)
    scopes = list(rendering.watch_namespaces) or [CLUSTER]
    for scope in scopes:
        for group, resource, verb in needed:
            assert verb in granted.get((scope, group, resource, ()), frozenset()), (
                f"{rendering.name}: {write} needs {verb} on {group}/{resource} in {scope}"
            )
