"""The fix a connection-Secret stall names is one the API server takes: spec.instanceId is fixed
at creation (CEL), so taking over a kept instance means applying the resource anew with it."""

from __future__ import annotations

import re

from aura_operator.api.crd import build_crd
from aura_operator.api.spec import IMMUTABLE_FIELDS
from aura_operator.controller.claims import EPOCH, Claim, oneshot_refusal
from aura_operator.controller.instance.claiming import Verdict
from aura_operator.controller.instance.connection import conflict
from aura_operator.controller.instance.connection_secret import SecretStanding, Standing
from aura_operator.controller.instance.engine import NOTHING_TO_OBSERVE, tenant_missing

from .crd_validation import CrdValidator

KEPT = SecretStanding(Standing.KEPT, instance_id="0a1b2c3d", owner="default/movies", owner_uid="u0")
SPEC = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "1GB",
}


def test_taking_over_a_kept_instance_names_a_fix_the_api_server_accepts() -> None:
    message = str(conflict("movies-connection", KEPT, owner_alive=False))

    validator = CrdValidator(build_crd())
    obj = {"apiVersion": "aura.neo4j.io/v1alpha1", "kind": "AuraInstance"}
    old = {**obj, "metadata": {"name": "movies"}, "spec": SPEC}
    edited = {**old, "spec": {**SPEC, "instanceId": "0a1b2c3d"}}
    assert validator.validate_update(old, edited)  # adding it to this resource is refused
    assert validator.validate_create(edited) == []  # applying the resource anew with it is not
    assert "spec.instanceId: 0a1b2c3d" in message
    assert "delete this resource and apply it again" in message


def offers_an_impossible_edit(message: str) -> bool:
    """Whether `message` tells the user to edit a field fixed at creation in place."""
    for field in IMMUTABLE_FIELDS:
        if re.search(rf"\b(set|point)\b[^.;]*spec\.{field}\b", message) and (
            "apply it again" not in message
        ):
            return True
    return "point it at another instance" in message


def test_no_stall_asks_for_an_edit_the_api_server_refuses() -> None:
    owner = Claim("team-a", "movies", "u1", "0a1b2c3d", EPOCH, EPOCH)
    messages = {
        "ConnectionSecretInUse": str(conflict("movies-connection", KEPT, owner_alive=False)),
        "InstanceClaimed": Verdict(owner, mine=False).message("0a1b2c3d"),
        "InstanceClaimed (restore)": oneshot_refusal(
            "AuraRestore", "team-b", {"target": "0a1b2c3d"}, [owner]
        )
        or "",
        "TenantIdMissing": tenant_missing("default", "aura-credentials"),
        "NothingToObserve": NOTHING_TO_OBSERVE,
    }
    for reason, message in messages.items():
        assert message, reason
        assert not offers_an_impossible_edit(message), (reason, message)
