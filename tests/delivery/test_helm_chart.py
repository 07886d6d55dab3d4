"""charts/aura-operator: lint, values schema, RBAC modes, optional objects and NOTES."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from .kube_schema import schema_errors
from .manifests import Manifest, Rendering
from .paths import CHART_DIR
from .render import Renderer, RenderError
from .staging import StagedTree

SCHEMA = json.loads((CHART_DIR / "values.schema.json").read_text())
DEFAULT_VALUES = yaml.safe_load((CHART_DIR / "values.yaml").read_text())


def test_lint_strict_passes_with_default_values(renderer: Renderer, staged: StagedTree) -> None:
    assert "0 chart(s) failed" in renderer.helm_lint(staged.chart)


def test_lint_strict_passes_with_custom_values(
    renderer: Renderer, staged: StagedTree, custom_values: Path
) -> None:
    assert "0 chart(s) failed" in renderer.helm_lint(staged.chart, values=[custom_values])


@pytest.mark.parametrize(
    ("setting", "culprit"),
    [
        ("imagee.tag=0.1.0", "imagee"),
        ("metrics.serviceMonitor.enabeld=true", "enabeld"),
        ("securityContext.readOnlyRootFileSystem=true", "readOnlyRootFileSystem"),
        ("aura.rateLimit.requestsPerWindow=lots", "requestsPerWindow"),
        ("aura.rateLimit.backgroundShare=2", "backgroundShare"),
        ("aura.defaultDeletionPolicy=Destroy", "defaultDeletionPolicy"),
        ("logging.format=yaml", "format"),
        ("image.tag=latest", "tag"),
        ("watchNamespaces={Team_A}", "watchNamespaces"),
        ("metrics.port=0", "port"),
    ],
)
def test_schema_rejects_typos_and_bad_values(
    renderer: Renderer, staged: StagedTree, setting: str, culprit: str
) -> None:
    with pytest.raises(RenderError) as failure:
        renderer.helm_template(staged.chart, set_values=[setting])
    assert "don't meet the specifications of the schema" in str(failure.value)
    assert culprit in str(failure.value)


# Kubernetes objects passed through as they are: values.yaml sets some of their fields, the schema
# knows all of them.
PASSTHROUGH = {"podSecurityContext", "securityContext", "resources", "affinity"}


def test_schema_and_values_yaml_name_the_same_options() -> None:
    def problems(schema: dict[str, Any], values: dict[str, Any], path: str) -> list[str]:
        declared = schema.get("properties", {})
        found = [f"{path}{key}: not in values.schema.json" for key in values.keys() - declared]
        if path.partition(".")[0] not in PASSTHROUGH:
            found += [f"{path}{key}: no default in values.yaml" for key in declared.keys() - values]
        for key in declared.keys() & values.keys():
            if declared[key].get("properties") and isinstance(values[key], dict):
                found += problems(declared[key], values[key], f"{path}{key}.")
        return found

    assert problems(SCHEMA, DEFAULT_VALUES, "") == []
    jsonschema.Draft7Validator(SCHEMA).validate(DEFAULT_VALUES)


def test_custom_values_reach_the_operator_settings(
    helm_custom: Rendering, custom_values: Path
) -> None:
    values = yaml.safe_load(custom_values.read_text())
    aura, limits = values["aura"], values["aura"]["rateLimit"]
    env = {name: item.get("value") for name, item in helm_custom.operator_env().items()}
    assert env == {
        "POD_NAMESPACE": None,
        "AURA_API_URL": aura["apiUrl"],
        "AURA_DEFAULT_CREDENTIALS_SECRET": aura["defaultCredentialsSecret"],
        "AURA_DEFAULT_DELETION_POLICY": aura["defaultDeletionPolicy"],
        "AURA_WATCH_NAMESPACES": "team-a,team-b",
        "AURA_RATE_LIMIT": str(limits["requestsPerWindow"]),
        "AURA_RATE_LIMIT_MARGIN": str(limits["margin"]),
        "AURA_RATE_LIMIT_SCOPE": limits["scope"],
        "AURA_BACKGROUND_SHARE": str(limits["backgroundShare"]),
        "AURA_LOG_FORMAT": values["logging"]["format"],
        "AURA_LOG_LEVEL": values["logging"]["level"],
        "AURA_HEALTH_PORT": str(values["health"]["port"]),
        "AURA_METRICS_PORT": str(values["metrics"]["port"]),
        "AURA_SHUTDOWN_GRACE": str(aura["shutdownGrace"]),
        "AURA_TIME_SCALE": "60",  # from extraEnv
    }


def test_custom_values_shape_the_pod(helm_custom: Rendering, custom_values: Path) -> None:
    values = yaml.safe_load(custom_values.read_text())
    template = helm_custom.one("Deployment")["spec"]["template"]
    pod, container = template["spec"], helm_custom.operator_container()
    assert container["image"] == f"{values['image']['repository']}:{values['image']['tag']}"
    assert container["imagePullPolicy"] == values["image"]["pullPolicy"]
    assert container["resources"] == values["resources"]
    probe = container["livenessProbe"]
    assert {k: probe[k] for k in values["health"]["livenessProbe"]} == values["health"][
        "livenessProbe"
    ]
    assert pod["imagePullSecrets"] == values["imagePullSecrets"]
    assert pod["serviceAccountName"] == values["serviceAccount"]["name"]
    for key in ("nodeSelector", "tolerations", "affinity", "priorityClassName"):
        assert pod[key] == values[key]
    assert pod["terminationGracePeriodSeconds"] == values["terminationGracePeriodSeconds"]
    assert template["metadata"]["annotations"] == values["podAnnotations"]
    assert values["podLabels"].items() <= template["metadata"]["labels"].items()


def test_listed_namespaces_get_roles_instead_of_a_cluster_role(
    renderer: Renderer, staged: StagedTree
) -> None:
    manifests = renderer.helm_template(staged.chart, set_values=["watchNamespaces={team-a,team-b}"])
    roles = Counter(
        (m["kind"], m["metadata"]["namespace"])
        for m in manifests
        if m["kind"] in ("Role", "RoleBinding")
    )
    # team-a and team-b, and the default credentials Secret's namespace (the release's).
    assert roles == Counter(
        {
            (kind, ns): 1
            for kind in ("Role", "RoleBinding")
            for ns in ("team-a", "team-b", "aura-operator")
        }
    )
    assert [m for m in manifests if m["kind"] == "ClusterRoleBinding"] == []
    for cluster_role in (m for m in manifests if m["kind"] == "ClusterRole"):
        labels = cluster_role["metadata"]["labels"]
        assert any(label.startswith("rbac.authorization.k8s.io/aggregate-to-") for label in labels)


def test_credentials_secret_in_a_watched_namespace_needs_no_extra_role(
    renderer: Renderer, staged: StagedTree
) -> None:
    manifests = renderer.helm_template(staged.chart, set_values=["watchNamespaces={aura-operator}"])
    assert [m["metadata"]["name"] for m in manifests if m["kind"] == "Role"] == ["aura-operator"]


def test_default_cluster_role_matches_deploy(
    helm_default: Rendering, kustomize_install: Rendering
) -> None:
    def operator_rules(rendering: Rendering) -> list[Manifest]:
        (role,) = [
            r for r in rendering.of_kind("ClusterRole") if r["metadata"]["name"] == "aura-operator"
        ]
        rules: list[Manifest] = role["rules"]
        return rules

    assert operator_rules(helm_default) == operator_rules(kustomize_install)


def test_service_monitor_scrapes_the_metrics_service_when_enabled(
    helm_default: Rendering, helm_custom: Rendering
) -> None:
    assert helm_default.of_kind("ServiceMonitor") == []
    monitor = helm_custom.one("ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    service = helm_custom.one("Service")
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["platform"]}
    assert monitor["spec"]["endpoints"] == [
        {"port": "metrics", "path": "/metrics", "interval": "15s", "scrapeTimeout": "5s"}
    ]


def test_network_policy_only_when_enabled(helm_default: Rendering, helm_custom: Rendering) -> None:
    assert helm_default.of_kind("NetworkPolicy") == []
    policy = helm_custom.one("NetworkPolicy")["spec"]
    egress = {(p["protocol"], p["port"]) for rule in policy["egress"] for p in rule["ports"]}
    assert egress == {("UDP", 53), ("TCP", 53), ("TCP", 443), ("TCP", 6443), ("TCP", 16443)}
    assert policy["ingress"] == [
        {
            "ports": [{"port": "metrics", "protocol": "TCP"}],
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                    }
                }
            ],
        }
    ]


def first_instance_from_notes(notes: str) -> Manifest:
    block = notes.split("cat <<EOF", 1)[1].split("\n", 1)[1].split("EOF", 1)[0]
    instance: Manifest = yaml.safe_load(textwrap.dedent(block))
    return instance


@pytest.mark.parametrize(
    ("values", "secret_command", "example_namespace"),
    [
        (None, "kubectl create secret generic aura-credentials --namespace aura-system", "default"),
        ("custom", "kubectl create secret generic aura-api --namespace platform", "team-a"),
    ],
)
def test_notes_explain_the_credentials_secret_and_a_first_instance(
    renderer: Renderer,
    staged: StagedTree,
    custom_values: Path,
    crds: list[Manifest],
    values: str | None,
    secret_command: str,
    example_namespace: str,
) -> None:
    namespace = "platform" if values else "aura-system"
    notes = renderer.helm_notes(
        staged.chart, namespace=namespace, values=[custom_values] if values else []
    )
    assert secret_command in notes
    for key in ("clientId", "clientSecret", "tenantId"):
        assert f"--from-literal={key}=" in notes
    assert f"kubectl apply --namespace {example_namespace} -f -" in notes
    instance = first_instance_from_notes(notes)
    assert instance["kind"] == "AuraInstance"
    assert schema_errors([instance], crds) == []
    assert f"aurainstance/{instance['metadata']['name']} --for=condition=Ready" in notes


def test_extra_env_cannot_shadow_a_setting_the_chart_manages(
    renderer: Renderer, staged: StagedTree
) -> None:
    extra = ["extraEnv[0].name=AURA_LOG_LEVEL", "extraEnv[0].value=DEBUG"]
    with pytest.raises(
        RenderError, match="extraEnv: AURA_LOG_LEVEL is set from the chart's values"
    ):
        renderer.helm_template(staged.chart, set_values=extra)
