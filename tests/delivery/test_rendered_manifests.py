"""Checks every way of installing the operator must pass: kustomize and Helm, default or not."""

from __future__ import annotations

import re
import tomllib

from .contracts import operator_settings, pod_variables
from .kube_schema import schema_errors
from .manifests import Manifest, Rendering, container_port
from .paths import PYPROJECT
from .rbac import CLUSTER, operator_permissions

APP_VERSION = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
RECOMMENDED_LABELS = {
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
}
# The operator's least privilege inside each namespace it handles. Widening it is a decision:
# change deploy/operator/cluster-role.yaml, the chart's _helpers.tpl and this table together.
NAMESPACED_PERMISSIONS = {
    ("aura.neo4j.io", "aurainstances"): {"get", "list", "watch", "patch"},
    ("aura.neo4j.io", "aurainstances/status"): {"patch"},
    ("aura.neo4j.io", "aurainstances/finalizers"): {"update"},
    ("aura.neo4j.io", "aurasnapshots"): {"get", "list", "watch", "patch", "create"},
    ("aura.neo4j.io", "aurasnapshots/status"): {"patch"},
    ("aura.neo4j.io", "aurarestores"): {"get", "list", "watch", "patch"},
    ("aura.neo4j.io", "aurarestores/status"): {"patch"},
    ("", "events"): {"create"},
    ("", "secrets"): {"get", "create", "patch", "delete"},
}
# Cluster-wide only: kopf watching for CRDs created after it started.
CLUSTER_WIDE_EXTRA = {("apiextensions.k8s.io", "customresourcedefinitions"): {"list", "watch"}}


def test_every_object_passes_strict_offline_schema_validation(
    rendering: Rendering, crds: list[Manifest]
) -> None:
    assert schema_errors(rendering.manifests, crds) == []


def test_operator_image_has_a_pinned_tag_never_latest(rendering: Rendering) -> None:
    image = rendering.operator_container()["image"]
    if "@" in image:
        repository, _, digest = image.partition("@")
        assert repository and re.fullmatch(r"sha256:[0-9a-f]{64}", digest), image
        return
    repository, _, tag = image.rpartition(":")
    assert repository and "/" not in tag, f"{image} has no tag"
    assert tag != "latest"
    if rendering.default_values:
        assert tag == APP_VERSION


def test_objects_carry_the_recommended_labels(rendering: Rendering) -> None:
    for manifest in rendering.manifests:
        if manifest["kind"] in (
            "CustomResourceDefinition",
            "AuraInstance",
            "AuraSnapshot",
            "AuraRestore",
        ):
            continue  # the generated CRD file and users' own resources
        labels = manifest["metadata"].get("labels", {})
        missing = RECOMMENDED_LABELS - labels.keys()
        assert not missing, f"{manifest['kind']} {manifest['metadata']['name']} lacks {missing}"


def test_selectors_match_the_operator_pod(rendering: Rendering) -> None:
    deployment = rendering.one("Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selectors = [deployment["spec"]["selector"]["matchLabels"]]
    selectors += [service["spec"]["selector"] for service in rendering.of_kind("Service")]
    selectors += [
        p["spec"]["podSelector"]["matchLabels"] for p in rendering.of_kind("NetworkPolicy")
    ]
    selectors += [
        p["spec"]["selector"]["matchLabels"] for p in rendering.of_kind("PodDisruptionBudget")
    ]
    for selector in selectors:
        assert selector and selector.items() <= pod_labels.items()


def test_two_replicas_rolled_new_before_old_under_leader_election(rendering: Rendering) -> None:
    spec = rendering.one("Deployment")["spec"]
    assert spec["replicas"] == (3 if rendering.name == "helm-custom" else 2)
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    env = rendering.operator_env()
    assert env["AURA_LEADER_ELECTION"]["value"] == "true"
    assert env["POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert rendering.of_kind("PodDisruptionBudget")


def test_pod_meets_the_restricted_security_profile(rendering: Rendering) -> None:
    pod = rendering.one("Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    container = rendering.operator_container()
    context = container["securityContext"]
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert not context.get("privileged", False)


def test_tmp_is_the_only_writable_path(rendering: Rendering) -> None:
    pod = rendering.one("Deployment")["spec"]["template"]["spec"]
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    writable = [m for m in rendering.operator_container()["volumeMounts"] if not m.get("readOnly")]
    assert [m["mountPath"] for m in writable] == ["/tmp"]
    assert "emptyDir" in volumes[writable[0]["name"]]
    assert all(
        set(volume) <= {"name", "emptyDir", "secret", "configMap", "projected"}
        for volume in volumes.values()
    )


def test_resources_are_requested_and_memory_is_limited(rendering: Rendering) -> None:
    resources = rendering.operator_container()["resources"]
    assert {"cpu", "memory"} <= resources["requests"].keys()
    assert "memory" in resources["limits"]


def test_env_names_are_contract_settings(rendering: Rendering) -> None:
    allowed = operator_settings().keys() | pod_variables()
    assert rendering.operator_env().keys() <= allowed


def test_default_installs_pass_the_contract_defaults(default_rendering: Rendering) -> None:
    env = default_rendering.operator_env()
    expected = {name: default for name, default in operator_settings().items()}
    del expected["AURA_TIME_SCALE"]  # for simulator runs only: never set by an install
    assert {name: env[name].get("value") for name in env if name in expected} == expected
    assert "AURA_TIME_SCALE" not in env
    assert env["POD_NAMESPACE"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}


def test_probes_read_the_health_port(rendering: Rendering) -> None:
    container = rendering.operator_container()
    for kind, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        probe = container[kind]["httpGet"]
        assert probe["path"] == path
        assert probe["port"] == "health"
    health_port = container_port(container, "health")
    assert health_port == int(rendering.operator_env()["AURA_HEALTH_PORT"]["value"])


def test_metrics_service_reaches_the_metrics_port(rendering: Rendering) -> None:
    container = rendering.operator_container()
    metrics_port = container_port(container, "metrics")
    assert metrics_port == int(rendering.operator_env()["AURA_METRICS_PORT"]["value"])
    service = rendering.one("Service")
    assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [
        (metrics_port, "metrics")
    ]


def test_rbac_has_no_wildcards(rendering: Rendering) -> None:
    for role in rendering.of_kind("Role") + rendering.of_kind("ClusterRole"):
        for rule in role["rules"]:
            for field in ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"):
                assert "*" not in rule.get(field, []), f"{role['metadata']['name']}: {rule}"


def test_operator_holds_exactly_the_least_privilege(rendering: Rendering) -> None:
    def granted(scope: str, table: dict[tuple[str, str], set[str]]) -> dict[object, frozenset[str]]:
        return {
            (scope, group, resource, ()): frozenset(verbs)
            for (group, resource), verbs in table.items()
        }

    expected: dict[object, frozenset[str]] = {}
    if not rendering.watch_namespaces:
        expected |= granted(CLUSTER, NAMESPACED_PERMISSIONS | CLUSTER_WIDE_EXTRA)
    for namespace in rendering.watch_namespaces:
        expected |= granted(namespace, NAMESPACED_PERMISSIONS)
    if rendering.watch_namespaces:  # the default credentials Secret, by name only
        secret_namespace, secret_name = rendering.operator_env()["AURA_DEFAULT_CREDENTIALS_SECRET"][
            "value"
        ].split("/")
        expected[(secret_namespace, "", "secrets", (secret_name,))] = frozenset({"get"})
    # Leader election: create any Lease (create cannot be limited by name), get and update the
    # one it uses, in the operator's own namespace.
    env = rendering.operator_env()
    own, lease = rendering.operator_namespace, env["AURA_LEASE_NAME"]["value"]
    expected[(own, "coordination.k8s.io", "leases", ())] = frozenset({"create"})
    expected[(own, "coordination.k8s.io", "leases", (lease,))] = frozenset({"get", "update"})
    assert operator_permissions(rendering) == expected


def test_aggregated_roles_extend_admin_edit_and_view(rendering: Rendering) -> None:
    aggregated = {
        label.rpartition("-")[2]: role
        for role in rendering.of_kind("ClusterRole")
        for label in role["metadata"].get("labels", {})
        if label.startswith("rbac.authorization.k8s.io/aggregate-to-")
    }
    if not rendering.aggregated_roles:
        assert aggregated == {}
        return
    assert aggregated.keys() == {"admin", "edit", "view"}
    for level, role in aggregated.items():
        for rule in role["rules"]:
            assert rule["apiGroups"] == ["aura.neo4j.io"]
            if level == "view" or all(r.endswith("/status") for r in rule["resources"]):
                assert set(rule["verbs"]) <= {"get", "list", "watch"}
    for level in ("admin", "edit"):
        writes = {verb for rule in aggregated[level]["rules"] for verb in rule["verbs"]}
        assert {"create", "update", "patch", "delete"} <= writes
