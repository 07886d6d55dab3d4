"""The shipped alerts and dashboard query only metrics a running operator really exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from e2e_harness import Harness, condition
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.e2e

CHART_FILES = Path(__file__).resolve().parents[2] / "charts" / "aura-operator" / "files"
RULES = CHART_FILES / "prometheus-rules.yaml"
DASHBOARD = CHART_FILES / "grafana-dashboard.json"
SAMPLE_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
PROMQL_WORDS = {"and", "or", "unless", "on", "ignoring", "group_left", "group_right", "bool"}


def rule_queries() -> list[str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


def dashboard_queries() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


def metric_names(query: str) -> set[str]:
    """The metric names a PromQL query reads: identifiers outside label matchers, grouping
    clauses, ranges and strings that are neither functions nor keywords."""
    bare = re.sub(r'"[^"]*"', "", query)
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", bare)
    bare = re.sub(r"\b(by|without)\s*\([^)]*\)", " ", bare)
    names = re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", bare)
    return {name for name in names if name not in PROMQL_WORDS}


def exported_names(scrape: str) -> set[str]:
    """Every sample name the scrape declares, with or without samples yet."""
    names: set[str] = set()
    for family in text_string_to_metric_families(scrape):
        names |= {family.name + s for s in SAMPLE_SUFFIXES.get(family.type, ("",))}
        names |= {sample.name for sample in family.samples}
    return names


def test_metric_names_are_read_from_queries() -> None:
    query = (
        'histogram_quantile(0.95, sum by (le, lane) (rate(x_bucket{lane="a b"}[5m])))'
        " > 60 and sum(y) == 0"
    )
    assert metric_names(query) == {"x_bucket", "y"}


async def test_every_metric_the_alerts_and_dashboard_query_is_exported(operator: Harness) -> None:
    await operator.apply("movies")
    await operator.wait_ready("movies")
    await operator.apply("refused", {"tenantId": "00000000-0000-0000-0000-000000000000"})
    await operator.wait("refused", lambda o: condition(o, "Stalled").get("status") == "True")

    exported = exported_names(await operator.scrape_metrics())

    queries = rule_queries() + dashboard_queries()
    assert len(queries) > 10
    missing = {q: sorted(metric_names(q) - exported) for q in queries if metric_names(q) - exported}
    assert missing == {}
    assert all(metric_names(q) for q in queries)
