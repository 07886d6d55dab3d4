"""Operator settings from the environment."""

from __future__ import annotations

import pytest

from aura_operator.controller.settings import OperatorSettings, SettingsError


def test_defaults_match_the_documented_ones() -> None:
    settings = OperatorSettings.from_env({})
    assert settings.api_url == "https://api.neo4j.io"
    assert settings.effective_rate_limit == 123
    assert settings.default_deletion_policy == "Retain"
    assert settings.default_credentials_location() == ("default", "aura-credentials")


def test_values_are_read_and_namespaces_split() -> None:
    settings = OperatorSettings.from_env(
        {
            "AURA_API_URL": "http://127.0.0.1:8787/",
            "AURA_WATCH_NAMESPACES": "a, b",
            "AURA_DEFAULT_CREDENTIALS_SECRET": "ops/aura",
            "AURA_RATE_LIMIT": "60",
            "AURA_RATE_LIMIT_MARGIN": "0",
        }
    )
    assert settings.api_url == "http://127.0.0.1:8787"
    assert settings.watch_namespaces == ("a", "b")
    assert settings.default_credentials_location() == ("ops", "aura")
    assert settings.effective_rate_limit == 60


def test_a_bad_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="AURA_DEFAULT_DELETION_POLICY"):
        OperatorSettings.from_env({"AURA_DEFAULT_DELETION_POLICY": "Destroy"})


def test_default_credentials_serve_only_the_operator_namespace_unless_allowed() -> None:
    unset = OperatorSettings.from_env({"POD_NAMESPACE": "aura-operator"})
    assert unset.default_credentials_allowed("aura-operator")
    assert not unset.default_credentials_allowed("team-b")

    listed = OperatorSettings.from_env(
        {"POD_NAMESPACE": "aura-operator", "AURA_DEFAULT_CREDENTIALS_NAMESPACES": "team-a, team-b"}
    )
    assert listed.default_credentials_namespaces == ("team-a", "team-b")
    assert listed.default_credentials_allowed("team-b")
    assert not listed.default_credentials_allowed("team-c")
    assert not listed.default_credentials_allowed("aura-operator")  # the list replaces it

    everyone = OperatorSettings.from_env({"AURA_DEFAULT_CREDENTIALS_NAMESPACES": "*"})
    assert everyone.default_credentials_allowed("anything")


def test_leader_election_is_on_with_client_go_timings_by_default() -> None:
    settings = OperatorSettings.from_env({"POD_NAME": "aura-operator-7d9f-x2"})
    assert settings.leader_election
    assert settings.lease_name == "aura-operator"
    assert settings.pod_name == "aura-operator-7d9f-x2"
    timings = settings.election_timings
    assert (timings.lease_duration, timings.renew_deadline, timings.retry_period) == (15, 10, 2)


def test_election_timings_that_would_let_two_act_are_refused_naming_the_variables() -> None:
    with pytest.raises(SettingsError, match="AURA_LEASE_RENEW_DEADLINE < AURA_LEASE_DURATION"):
        OperatorSettings.from_env({"AURA_LEASE_DURATION": "10", "AURA_LEASE_RENEW_DEADLINE": "12"})
