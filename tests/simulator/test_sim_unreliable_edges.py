"""Aura's unreliable edges, each switchable: a skewed clock, eventual consistency after a create,
a create that commits long after the client was told it failed, `Retry-After` as an HTTP date,
the load balancer's HTML error pages, null sizes while creating and a slow token endpoint."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest
from simulator_helpers import TENANT_ID, Aura, SimControl, client, fetch_token, instance_body

from aura_devtools.simulator import Simulator, SimulatorConfig
from aura_devtools.simulator.cli import build_config, configure


def _date(response: httpx.Response) -> float:
    return parsedate_to_datetime(response.headers["Date"]).timestamp()


def _created_at(item: dict[str, str]) -> float:
    return datetime.fromisoformat(item["created_at"].replace("Z", "+00:00")).timestamp()


# Aura's clock


@pytest.mark.parametrize("offset", [600.0, -600.0])
async def test_a_clock_offset_moves_date_headers_and_created_at_away_from_the_host(
    offset: float,
) -> None:
    config = SimulatorConfig(clock_offset=offset)
    async with Simulator(config) as sim, client(sim.base_url) as http:
        headers = {"Authorization": f"Bearer {await fetch_token(http)}"}
        host_before = time.time()
        created = await http.post("/v1/instances", json=instance_body(), headers=headers)
        host_after = time.time()

    assert created.status_code == 202
    skew = _date(created) - host_before
    assert offset - 1 <= skew <= offset + (host_after - host_before) + 1
    created_at = _created_at(created.json()["data"])
    assert offset - 1 <= created_at - host_before <= offset + (host_after - host_before) + 1


async def test_the_date_header_follows_the_simulated_clock(
    http: httpx.AsyncClient, ctl: SimControl
) -> None:
    before = _date(await http.get("/_sim/clock"))

    await ctl.advance(3600)

    assert _date(await http.get("/_sim/clock")) - before >= 3600


# Eventual consistency after a create


async def test_a_new_instance_answers_404_to_reads_for_the_configured_time(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(read_after_create_404_seconds=30)
    created = await aura.create()

    early = await aura.api.get(f"/instances/{created['id']}")
    await ctl.advance(31)
    later = await aura.api.get(f"/instances/{created['id']}")

    assert early.status_code == 404
    assert early.json()["errors"][0]["reason"] == "db-not-found"
    assert later.status_code == 200


async def test_a_new_instance_joins_the_listing_after_the_configured_lag(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(list_after_create_lag_seconds=120)
    created = await aura.create()

    early = await aura.api.get("/instances", params={"tenantId": TENANT_ID})
    await ctl.advance(121)
    later = await aura.api.get("/instances", params={"tenantId": TENANT_ID})

    assert [i["id"] for i in early.json()["data"]] == []
    assert [i["id"] for i in later.json()["data"]] == [created["id"]]
    assert (await aura.api.get(f"/instances/{created['id']}")).status_code == 200


async def test_a_new_instance_answers_404_to_deletes_for_the_configured_time_and_stays(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(delete_after_create_404_seconds=600)
    created = await aura.create()

    early = await aura.api.delete(f"/instances/{created['id']}")
    still = await aura.api.get(f"/instances/{created['id']}")
    await ctl.advance(601)
    later = await aura.api.delete(f"/instances/{created['id']}")

    assert early.status_code == 404
    assert early.json()["errors"][0]["reason"] == "db-not-found"
    assert still.status_code == 200  # the 404 deleted nothing
    assert later.status_code == 202
    assert later.json()["data"]["status"] == "destroying"


# A create that commits long after the client gave up


async def test_a_late_commit_appears_only_after_the_delay_with_that_created_at(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(create_commit_then_fail="504", create_commit_delay=600)
    posted_at = await ctl.now()

    failed = await aura.api.post("/instances", json=instance_body(name="late"))
    await ctl.advance(590)
    before_commit = await aura.api.get("/instances")
    await ctl.advance(20)
    after_commit = await aura.api.get("/instances")

    assert failed.status_code == 504
    assert before_commit.json()["data"] == []
    [instance] = after_commit.json()["data"]
    assert instance["name"] == "late"
    assert posted_at + 599 <= _created_at(instance) <= posted_at + 602
    assert await aura.status(instance["id"]) == "creating"
    assert (await ctl.faults())["create_commit_then_fail"] is None  # it fired once


async def test_a_failed_request_body_is_refused_at_once_even_with_a_late_commit_armed(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(create_commit_then_fail="504", create_commit_delay=600)

    refused = await aura.api.post("/instances", json=instance_body(memory="3GB"))

    assert refused.status_code == 400
    assert (await ctl.faults())["create_commit_then_fail"] == "504"  # still armed


# Retry-After as an HTTP date, gateway pages


async def test_retry_after_can_be_an_http_date_on_auras_clock(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(retry_after_format="http-date", rate_limit_storm_seconds=90)

    limited = await aura.api.get("/tenants")

    assert limited.status_code == 429
    retry_at = parsedate_to_datetime(limited.headers["Retry-After"]).timestamp()
    assert 89 <= retry_at - _date(limited) <= 92


async def test_injected_5xx_retry_after_can_be_an_http_date(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(
        retry_after_format="http-date", error_rate=1.0, error_codes=[503], error_retry_after=7
    )

    failed = await aura.api.get("/tenants")

    retry_at = parsedate_to_datetime(failed.headers["Retry-After"]).timestamp()
    assert 6 <= retry_at - _date(failed) <= 8


async def test_gateway_errors_can_be_html_pages_without_a_request_id(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(gateway_error_html=True, error_rate=1.0, error_codes=[502, 503, 504])

    responses = [await aura.api.get("/tenants") for _ in range(12)]

    assert {r.status_code for r in responses} == {502, 503, 504}
    for response in responses:
        assert response.headers["Content-Type"].startswith("text/html")
        assert "X-Request-Id" not in response.headers
        assert str(response.status_code) in response.text
    logged = [r for r in await ctl.requests() if r["path"] == "/v1/tenants"]
    assert {r["request_id"] for r in logged} == {None}


async def test_a_500_stays_auras_json_even_with_gateway_pages(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(gateway_error_html=True, error_rate=1.0, error_codes=[500])

    response = await aura.api.get("/tenants")

    assert response.json()["errors"][0]["reason"] == "internal-server-error"
    assert response.headers["X-Request-Id"]


async def test_a_committed_create_can_answer_the_gateways_html_page(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(gateway_error_html=True, create_commit_then_fail="502")

    failed = await aura.api.post("/instances", json=instance_body())

    assert failed.status_code == 502
    assert failed.headers["Content-Type"].startswith("text/html")
    assert len(await ctl.instances()) == 1


# Sizes while creating, the token endpoint


async def test_memory_and_storage_can_be_null_while_creating(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(null_sizes_while_creating=True)
    created = await aura.create(memory="2GB")

    creating = await aura.get(created["id"])
    await ctl.advance(aura.config.durations.creating)
    running = await aura.get(created["id"])

    assert (creating["status"], creating["memory"], creating["storage"]) == ("creating", None, None)
    assert (running["status"], running["memory"], running["storage"]) == ("running", "2GB", "4GB")


async def test_the_token_endpoint_can_be_slow_while_the_api_is_not(
    api: httpx.AsyncClient, http: httpx.AsyncClient, ctl: SimControl
) -> None:
    await ctl.faults(token_latency=0.3)

    started = time.monotonic()
    await fetch_token(http)
    token_took = time.monotonic() - started
    started = time.monotonic()
    assert (await api.get("/tenants")).status_code == 200
    api_took = time.monotonic() - started

    assert token_took >= 0.3
    assert api_took < 0.3


# The command line


def test_every_edge_is_an_option_of_the_command() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    configure(parser)
    args = parser.parse_args(
        [
            "--clock-offset",
            "-600",
            "--read-404-after-create",
            "5",
            "--list-lag-after-create",
            "60",
            "--delete-404-after-create",
            "7",
            "--commit-then-fail",
            "504",
            "--commit-delay",
            "700",
            "--retry-after-format",
            "http-date",
            "--gateway-html",
            "--null-sizes-while-creating",
            "--token-latency",
            "2",
        ]
    )

    config = build_config(args)

    faults = config.faults
    assert config.clock_offset == -600
    assert (faults.read_after_create_404_seconds, faults.list_after_create_lag_seconds) == (5, 60)
    assert faults.delete_after_create_404_seconds == 7
    assert (faults.create_commit_then_fail, faults.create_commit_delay) == ("504", 700)
    assert (faults.retry_after_format, faults.gateway_error_html) == ("http-date", True)
    assert (faults.null_sizes_while_creating, faults.token_latency) == (True, 2)
    help_text = parser.format_help()
    for option in (
        "--clock-offset",
        "--read-404-after-create",
        "--list-lag-after-create",
        "--delete-404-after-create",
        "--commit-delay",
        "--retry-after-format",
        "--gateway-html",
        "--null-sizes-while-creating",
        "--token-latency",
    ):
        assert option in help_text


def test_the_clock_offset_applies_from_the_start() -> None:
    sim = Simulator(SimulatorConfig(clock_offset=-90))
    assert -91 <= sim.clock.now() - datetime.now(UTC).timestamp() <= -89
