"""deploy/: what `kubectl apply -k` installs, with and without the NetworkPolicy."""

from __future__ import annotations

from collections import Counter

from .manifests import Manifest, Rendering
from .render import Renderer
from .staging import StagedTree

OPERATOR_NAMESPACE = "aura-operator"


def kinds(rendering: Rendering) -> Counter[str]:
    return Counter(m["kind"] for m in rendering.manifests)


def test_install_holds_namespace_crds_and_operator(kustomize_install: Rendering) -> None:
    assert kinds(kustomize_install) == Counter(
        {
            "Namespace": 1,
            "CustomResourceDefinition": 3,  # AuraInstance, AuraSnapshot, AuraRestore
            "ServiceAccount": 1,
            "ClusterRole": 4,  # the operator's and the admin/edit/view aggregations
            "ClusterRoleBinding": 1,
            "Role": 1,  # leader election: the Lease in the operator namespace
            "RoleBinding": 1,
            "Deployment": 1,
            "PodDisruptionBudget": 1,
            "Service": 1,
        }
    )


def test_namespaced_objects_live_in_the_operator_namespace(kustomize_install: Rendering) -> None:
    assert kustomize_install.one("Namespace")["metadata"]["name"] == OPERATOR_NAMESPACE
    cluster_scoped = {"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"}
    for manifest in kustomize_install.manifests:
        namespace = manifest["metadata"].get("namespace")
        assert namespace == (None if manifest["kind"] in cluster_scoped else OPERATOR_NAMESPACE)


def test_namespace_enforces_the_restricted_pod_security_standard(
    kustomize_install: Rendering,
) -> None:
    labels = kustomize_install.one("Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_network_policy_variant_adds_only_the_policy(
    kustomize_install: Rendering, kustomize_network_policy: Rendering
) -> None:
    assert kinds(kustomize_network_policy) - kinds(kustomize_install) == Counter(
        {"NetworkPolicy": 1}
    )
    assert kinds(kustomize_install) - kinds(kustomize_network_policy) == Counter()


def test_network_policy_allows_dns_https_and_api_server_out_metrics_in(
    kustomize_network_policy: Rendering,
) -> None:
    policy: Manifest = kustomize_network_policy.one("NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    egress = {(p["protocol"], p["port"]) for rule in policy["egress"] for p in rule["ports"]}
    assert egress == {("UDP", 53), ("TCP", 53), ("TCP", 443), ("TCP", 6443)}
    ingress = [p for rule in policy["ingress"] for p in rule["ports"]]
    assert ingress == [{"port": "metrics", "protocol": "TCP"}]


def test_the_credentials_scope_example_sets_only_that_setting(
    kustomize_install: Rendering, renderer: Renderer, staged: StagedTree
) -> None:
    overlay = staged.deploy / "examples" / "default-credentials-namespaces"
    example = Rendering("kustomize-credentials-example", renderer.kustomize(overlay), "")

    def env(rendering: Rendering) -> dict[str, str | None]:
        return {name: item.get("value") for name, item in rendering.operator_env().items()}

    assert env(kustomize_install)["AURA_DEFAULT_CREDENTIALS_NAMESPACES"] == ""
    changed = {k: v for k, v in env(example).items() if env(kustomize_install).get(k) != v}
    assert changed == {"AURA_DEFAULT_CREDENTIALS_NAMESPACES": "team-a,team-b"}
    assert kinds(example) == kinds(kustomize_install)
