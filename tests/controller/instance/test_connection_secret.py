"""The connection Secret's content, and whose a Secret of that name is."""

from __future__ import annotations

import base64

from aura_operator.api import AuraInstanceSpec
from aura_operator.controller.instance.connection_secret import (
    ConnectionDetails,
    connection_secret,
    may_write,
    secret_has_password_for,
    standing_of,
)


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def decoded(secret: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}


def make(password: str | None, *, owned: bool) -> dict:  # type: ignore[type-arg]
    spec = AuraInstanceSpec.model_validate(
        {"connectionSecret": {"labels": {"team": "orders"}, "annotations": {"a": "b"}}}
    )
    return connection_secret(
        name="orders-connection",
        namespace="shop",
        details=ConnectionDetails(
            "0a1b2c3d", "orders", "neo4j+s://0a1b2c3d.databases.neo4j.io", password=password
        ),
        spec=spec,
        owner_name="orders",
        owner_uid="uid-1",
        owned=owned,
    )


def test_the_connection_secret_has_the_aura_env_file_keys() -> None:
    secret = make("s3cret", owned=True)
    assert decoded(secret) == {
        "NEO4J_URI": "neo4j+s://0a1b2c3d.databases.neo4j.io",
        "NEO4J_USERNAME": "neo4j",
        "NEO4J_PASSWORD": "s3cret",
        "NEO4J_DATABASE": "neo4j",
        "AURA_INSTANCEID": "0a1b2c3d",
        "AURA_INSTANCENAME": "orders",
    }
    assert secret["metadata"]["labels"]["team"] == "orders"
    assert secret["metadata"]["ownerReferences"][0]["uid"] == "uid-1"


def test_without_a_password_the_key_is_absent_so_a_merge_keeps_the_old_one() -> None:
    assert "NEO4J_PASSWORD" not in make(None, owned=True)["data"]


def test_retain_leaves_no_owner_reference_so_the_secret_outlives_the_resource() -> None:
    assert "ownerReferences" not in make("x", owned=False)["metadata"]


def test_an_existing_secret_holds_the_password_only_for_its_own_instance() -> None:
    secret = make("x", owned=True)
    assert secret_has_password_for(secret, "0a1b2c3d")
    assert not secret_has_password_for(secret, "ffffffff")
    assert not secret_has_password_for(make(None, owned=True), "0a1b2c3d")


def standing(secret: dict | None, uid: str = "uid-1") -> tuple[str, str | None]:  # type: ignore[type-arg]
    found = standing_of(secret, uid)
    return found.kind.value, found.instance_id


def test_a_secret_is_ours_only_when_marked_with_our_uid_or_owned_by_us() -> None:
    ours = make("pw", owned=False)
    assert standing(ours) == ("ours", "0a1b2c3d")
    legacy_owned = make("pw", owned=True)
    del legacy_owned["metadata"]["annotations"]["aura.neo4j.io/owner-uid"]
    assert standing(legacy_owned) == ("ours", "0a1b2c3d")
    assert standing(ours, "uid-2") == ("kept", "0a1b2c3d")  # another (deleted?) object's
    assert standing(None) == ("absent", None)


def test_a_reservation_of_another_object_and_a_foreign_secret_are_not_ours() -> None:
    reservation = make("pw", owned=False)
    reservation["data"] = {}
    assert standing(reservation, "uid-2") == ("reserved", None)
    assert standing_of(reservation, "uid-2").owner == "shop/orders"
    foreign = {"metadata": {"name": "app-config"}, "data": {"API_KEY": b64("k")}}
    assert standing(foreign) == ("foreign", None)


def test_the_operator_writes_only_its_own_secrets_or_one_kept_for_the_same_instance() -> None:
    kept = standing_of(make("pw", owned=False), "uid-2")
    assert not may_write(kept)
    assert not may_write(kept, taking="ffffffff")
    assert may_write(kept, taking="0a1b2c3d")  # adopting that very instance takes it over
    foreign = standing_of({"metadata": {"name": "app-config"}, "data": {}}, "uid-1")
    assert not may_write(foreign, taking="0a1b2c3d")
    assert may_write(standing_of(None, "uid-1"))


def test_user_labels_and_annotations_cannot_remove_the_operators_marks() -> None:
    spec = AuraInstanceSpec.model_validate(
        {
            "connectionSecret": {
                "labels": {"app.kubernetes.io/managed-by": "helm"},
                "annotations": {"aura.neo4j.io/owner-uid": "someone-else"},
            }
        }
    )
    secret = connection_secret(
        name="orders-connection",
        namespace="shop",
        details=None,
        spec=spec,
        owner_name="orders",
        owner_uid="uid-1",
        owned=False,
    )
    assert secret["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "aura-operator"
    assert secret["metadata"]["annotations"]["aura.neo4j.io/owner-uid"] == "uid-1"
    assert secret["data"] == {}  # a reservation holds nothing
