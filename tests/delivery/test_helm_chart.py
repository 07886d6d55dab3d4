"""charts/aura-operator: lint, values schema, RBAC modes, optional objects and NOTES."""

from __future__ import annotations

import json
import shutil
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
        ("image.digest=sha256:abc", "digest"),
        ("extraVolumes[0].name=tmp", "extraVolumes"),
        ("podDisruptionBudget.maxUnavailable=-1", "maxUnavailable"),
        ("crds.enabled=yes", "enabled"),
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
PASSTHROUGH = {"podSecurityContext", "securityContext", "resources", "affinity", "global"}


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
    election = values["leaderElection"]
    env = {name: item.get("value") for name, item in helm_custom.operator_env().items()}
    assert env == {
        "POD_NAMESPACE": None,
        "POD_NAME": None,
        "AURA_LEADER_ELECTION": "true",
        "AURA_LEASE_NAME": election["leaseName"],
        "AURA_LEASE_DURATION": str(election["leaseDuration"]),
        "AURA_LEASE_RENEW_DEADLINE": str(election["renewDeadline"]),
        "AURA_LEASE_RETRY_PERIOD": str(election["retryPeriod"]),
        "AURA_API_URL": aura["apiUrl"],
        "AURA_DEFAULT_CREDENTIALS_SECRET": aura["defaultCredentialsSecret"],
        "AURA_DEFAULT_CREDENTIALS_NAMESPACES": "team-a",
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
    # A digest wins over the tag.
    assert container["image"] == f"{values['image']['repository']}@{values['image']['digest']}"
    assert container["imagePullPolicy"] == values["image"]["pullPolicy"]
    assert container["resources"] == values["resources"]
    for probe in ("livenessProbe", "readinessProbe"):
        found, wanted = container[probe], values["health"][probe]
        assert {k: found[k] for k in wanted} == wanted
    assert pod["imagePullSecrets"] == values["imagePullSecrets"]
    assert pod["serviceAccountName"] == values["serviceAccount"]["name"]
    for key in ("nodeSelector", "tolerations", "affinity", "priorityClassName"):
        assert pod[key] == values[key]
    assert pod["terminationGracePeriodSeconds"] == values["terminationGracePeriodSeconds"]
    assert template["metadata"]["annotations"] == values["podAnnotations"]
    assert values["podLabels"].items() <= template["metadata"]["labels"].items()
    assert pod["automountServiceAccountToken"] is False
    assert pod["volumes"][1:] == values["extraVolumes"]
    assert container["volumeMounts"][1:] == values["extraVolumeMounts"]


def test_listed_namespaces_get_roles_instead_of_a_cluster_role(
    renderer: Renderer, staged: StagedTree
) -> None:
    manifests = renderer.helm_template(staged.chart, set_values=["watchNamespaces={team-a,team-b}"])
    roles = Counter(
        (m["kind"], m["metadata"]["namespace"])
        for m in manifests
        if m["kind"] in ("Role", "RoleBinding")
    )
    # team-a and team-b, and in the release's namespace the default credentials Secret's and
    # the leader-election Lease's.
    assert roles == Counter(
        {
            (kind, ns): 2 if ns == "aura-operator" else 1
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
    assert [m["metadata"]["name"] for m in manifests if m["kind"] == "Role"] == [
        "aura-operator",
        "aura-operator-leader-election",
    ]


def test_the_operator_may_take_and_renew_only_its_own_lease(
    renderer: Renderer, staged: StagedTree
) -> None:
    manifests = renderer.helm_template(
        staged.chart, set_values=["leaderElection.leaseName=shard-a"]
    )
    (role,) = [
        m
        for m in manifests
        if m["metadata"]["name"] == "aura-operator-leader-election" and m["kind"] == "Role"
    ]
    assert role["metadata"]["namespace"] == "aura-operator"
    assert role["rules"] == [
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
        {
            "apiGroups": ["coordination.k8s.io"],
            "resources": ["leases"],
            "resourceNames": ["shard-a"],
            "verbs": ["get", "update"],
        },
    ]


def test_election_off_with_two_replicas_is_refused(renderer: Renderer, staged: StagedTree) -> None:
    with pytest.raises(Exception, match=r"leaderElection\.enabled false needs replicaCount 1"):
        renderer.helm_template(staged.chart, set_values=["leaderElection.enabled=false"])


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
        {
            "port": "metrics",
            "path": "/metrics",
            "honorLabels": True,
            "interval": "15s",
            "scrapeTimeout": "5s",
        }
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
        # The example goes where the default credentials serve: the release namespace unless
        # aura.defaultCredentialsNamespaces allows others.
        (
            None,
            "kubectl create secret generic aura-credentials --namespace aura-system",
            "aura-system",
        ),
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


def test_pod_labels_cannot_replace_a_selector_label(renderer: Renderer, staged: StagedTree) -> None:
    for label in ("app.kubernetes.io/name", "app.kubernetes.io/instance"):
        escaped = label.replace(".", "\\.")
        with pytest.raises(RenderError, match=f"podLabels: {label} is a selector label"):
            renderer.helm_template(staged.chart, set_values=[f"podLabels.{escaped}=other"])


def test_chart_works_as_a_dependency_of_an_umbrella_chart(
    renderer: Renderer, staged: StagedTree, tmp_path: Path
) -> None:
    """Helm gives every subchart the `global` values; the schema must accept them."""
    umbrella = tmp_path / "platform"
    (umbrella / "charts").mkdir(parents=True)
    shutil.copytree(staged.chart, umbrella / "charts" / staged.chart.name)
    (umbrella / "Chart.yaml").write_text(
        "apiVersion: v2\nname: platform\nversion: 1.0.0\n"
        "dependencies:\n  - name: aura-operator\n    version: 0.1.0\n"
    )
    (umbrella / "values.yaml").write_text(
        "global:\n  imageRegistry: registry.example.com\n"
        "aura-operator:\n  logging:\n    format: json\n"
    )
    manifests = renderer.helm_template(umbrella, namespace="platform")
    (deployment,) = [m for m in manifests if m["kind"] == "Deployment"]
    env = {
        e["name"]: e.get("value")
        for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["AURA_LOG_FORMAT"] == "json"


def test_chart_ships_no_crds_folder() -> None:
    """Helm would install crds/ before the templates, which then clash with templates/crds.yaml."""
    assert not (CHART_DIR / "crds").exists()


def test_crd_is_a_template_kept_on_uninstall_by_default(
    helm_default: Rendering, crds: list[Manifest]
) -> None:
    rendered = {c["metadata"]["name"]: c for c in helm_default.of_kind("CustomResourceDefinition")}
    assert rendered.keys() == {c["metadata"]["name"] for c in crds}
    for generated in crds:
        crd = rendered[generated["metadata"]["name"]]
        assert crd["spec"] == generated["spec"]
        assert crd["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}
        assert crd["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"


def test_crd_keep_false_lets_uninstall_delete_the_crd(helm_custom: Rendering) -> None:
    for crd in helm_custom.of_kind("CustomResourceDefinition"):
        assert "helm.sh/resource-policy" not in crd["metadata"].get("annotations", {})


def test_crds_disabled_renders_no_crd(renderer: Renderer, staged: StagedTree) -> None:
    manifests = renderer.helm_template(staged.chart, set_values=["crds.enabled=false"])
    assert [m for m in manifests if m["kind"] == "CustomResourceDefinition"] == []
    assert any(m["kind"] == "Deployment" for m in manifests)


def test_crd_only_rendering_for_those_who_apply_crds_separately(
    renderer: Renderer, staged: StagedTree, crds: list[Manifest]
) -> None:
    manifests = renderer.helm_template(staged.chart, show_only=["templates/crds.yaml"])
    assert [m["metadata"]["name"] for m in manifests] == [c["metadata"]["name"] for c in crds]


def test_disruption_budget_allows_one_pod_down_by_default(helm_default: Rendering) -> None:
    budget = helm_default.one("PodDisruptionBudget")["spec"]
    assert budget == {
        "selector": {
            "matchLabels": helm_default.one("Deployment")["spec"]["selector"]["matchLabels"]
        },
        "maxUnavailable": 1,
    }


def test_disruption_budget_takes_min_available(helm_custom: Rendering) -> None:
    budget = helm_custom.one("PodDisruptionBudget")["spec"]
    assert budget["minAvailable"] == "50%"
    assert "maxUnavailable" not in budget


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["podDisruptionBudget.minAvailable=1"], "set maxUnavailable or minAvailable, not both"),
        (["podDisruptionBudget.maxUnavailable="], "set maxUnavailable or minAvailable"),
    ],
)
def test_disruption_budget_needs_exactly_one_bound(
    renderer: Renderer, staged: StagedTree, settings: list[str], message: str
) -> None:
    with pytest.raises(RenderError, match=message):
        renderer.helm_template(staged.chart, set_values=settings)
    disabled = renderer.helm_template(
        staged.chart, set_values=[*settings, "podDisruptionBudget.enabled=false"]
    )
    assert [m for m in disabled if m["kind"] == "PodDisruptionBudget"] == []


def test_spread_constraints_select_the_operator_pods_unless_told_otherwise(
    helm_default: Rendering, helm_custom: Rendering, custom_values: Path
) -> None:
    def constraints(rendering: Rendering) -> list[Manifest]:
        found: list[Manifest] = rendering.one("Deployment")["spec"]["template"]["spec"][
            "topologySpreadConstraints"
        ]
        return found

    selector = helm_default.one("Deployment")["spec"]["selector"]
    assert constraints(helm_default) == [
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector,
        }
    ]
    given = yaml.safe_load(custom_values.read_text())["topologySpreadConstraints"]
    zone, host = constraints(helm_custom)
    assert zone == {**given[0], "labelSelector": helm_custom.one("Deployment")["spec"]["selector"]}
    assert host == given[1]


def test_service_account_token_is_mounted_only_into_the_operator_pod(
    helm_default: Rendering,
) -> None:
    assert helm_default.one("ServiceAccount")["automountServiceAccountToken"] is False
    pod = helm_default.one("Deployment")["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is True


RULES_FILE = CHART_DIR / "files" / "prometheus-rules.yaml"
DASHBOARD_FILE = CHART_DIR / "files" / "grafana-dashboard.json"


def test_alerts_and_dashboard_only_when_enabled(
    helm_default: Rendering, helm_custom: Rendering
) -> None:
    assert helm_default.of_kind("PrometheusRule") == []
    assert [
        m for m in helm_default.of_kind("ConfigMap") if "dashboard" in m["metadata"]["name"]
    ] == []
    rule = helm_custom.one("PrometheusRule")
    assert rule["metadata"]["labels"]["release"] == "prometheus"
    assert rule["spec"] == yaml.safe_load(RULES_FILE.read_text())
    dashboard = helm_custom.one("ConfigMap")
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dashboard["metadata"]["annotations"] == {"grafana_folder": "Operators"}
    assert json.loads(dashboard["data"]["aura-operator.json"]) == json.loads(
        DASHBOARD_FILE.read_text()
    )


def test_every_alert_says_how_bad_and_what_to_do() -> None:
    groups = yaml.safe_load(RULES_FILE.read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert {rule["alert"] for rule in rules} >= {
        "AuraOperatorDown",
        "AuraOperatorNotLeading",
        "AuraInstanceStalled",
        "AuraRateLimited",
        "AuraLimiterQueueSaturated",
    }
    for rule in rules:
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]


def test_dashboard_panels_query_the_chosen_data_source() -> None:
    dashboard = json.loads(DASHBOARD_FILE.read_text())
    assert dashboard["templating"]["list"][0]["name"] == "datasource"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"] and all(target["expr"] for target in panel["targets"])
