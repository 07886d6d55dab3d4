"""The operator against Aura's unreliable edges (issue 11): eventual consistency after a
create, creates that commit long after the client gave up, skewed clocks, gateway pages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from e2e_harness import TENANT, TIME_SCALE, Harness, condition, is_ready

from aura_devtools.kube_emulator import AURA_INSTANCES
from aura_devtools.simulator import Faults, SimulatorConfig
from aura_devtools.simulator.config import Durations
from aura_operator.controller.instance.recovery import CONFIRM_WINDOW, next_listing_at

pytestmark = pytest.mark.e2e

NEVER = 1e9  # Aura seconds: "until the test says otherwise"


def config(*, clock_offset: float = 0.0, creating: float = 240.0, **faults: Any) -> SimulatorConfig:
    return SimulatorConfig(
        seed=11,
        time_scale=TIME_SCALE,
        initial_scheduled_snapshot=False,
        clock_offset=clock_offset,
        durations=Durations(creating=creating),
        faults=Faults(**faults),
    )


class ConditionLog:
    """Every (phase, Ready reason, Stalled, Stalled reason) the objects showed, polled."""

    def __init__(self, operator: Harness, names: list[str]) -> None:
        self.operator = operator
        self.seen: dict[str, list[tuple[Any, ...]]] = {name: [] for name in names}

    async def poll(self) -> None:
        while True:
            for name, seen in self.seen.items():
                obj = await self.operator.get(name)
                entry = (
                    (obj.get("status") or {}).get("phase"),
                    condition(obj, "Ready").get("reason"),
                    condition(obj, "Stalled").get("status"),
                    condition(obj, "Stalled").get("reason"),
                )
                if not seen or seen[-1] != entry:
                    seen.append(entry)
            await asyncio.sleep(0.01)

    def stalls(self, name: str) -> list[tuple[Any, ...]]:
        return [entry for entry in self.seen[name] if entry[2] == "True"]

    def phases(self, name: str) -> list[Any]:
        return [entry[0] for entry in self.seen[name]]

    def ready_reasons(self, name: str) -> list[Any]:
        return [entry[1] for entry in self.seen[name]]


@contextlib.asynccontextmanager
async def watching(operator: Harness, *names: str) -> AsyncIterator[ConditionLog]:
    log = ConditionLog(operator, list(names))
    task = asyncio.create_task(log.poll())
    try:
        yield log
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def aura_time(entry: dict[str, Any]) -> float:
    return float(entry["time"])


async def read_404_after(operator: Harness, seq: int, path_prefix: str) -> bool:
    log = await operator.sim_get(f"/_sim/requests?since={seq}")
    return any(e["path"].startswith(path_prefix) and e["status"] == 404 for e in log)


# 1. Eventual consistency after a create


@pytest.mark.parametrize("sim_config", [config(creating=1200)])
async def test_a_restart_right_after_creates_reads_404_and_does_not_report_them_gone(
    operator: Harness,
) -> None:
    names = ["movies", "books", "music"]
    for name in names:
        await operator.apply(name)
    for name in names:
        await operator.wait(name, lambda o: bool((o.get("status") or {}).get("instanceId")))
    await operator.stop_operator()
    # Aura does not show the new instances yet, in reads or in the listing.
    await operator.faults(read_after_create_404_seconds=NEVER, list_after_create_lag_seconds=NEVER)
    seq = (await operator.aura_requests())[-1]["seq"]

    async with watching(operator, *names) as log:
        await operator.start_operator()  # resumes the creating instances: reads each at once
        await operator.poll(lambda: read_404_after(operator, seq, "/v1/instances/"))
        await asyncio.sleep(0.2)
        await operator.faults(read_after_create_404_seconds=0, list_after_create_lag_seconds=0)
        await operator.sim_post("/_sim/clock", {"advance": 1200})
        for name in names:
            await operator.wait_ready(name, within=20)

    for name in names:
        assert log.stalls(name) == [], log.seen[name]
        assert "Failed" not in log.phases(name)
        assert "ConfirmingNotFound" in log.ready_reasons(name)
    assert len(await operator.aura_instances()) == 3
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 3


@pytest.mark.parametrize("sim_config", [config(creating=NEVER)])
async def test_a_stall_is_cleared_and_the_phase_restored_when_the_instance_is_seen_again(
    operator: Harness,
) -> None:
    await operator.faults(read_after_create_404_seconds=NEVER, list_after_create_lag_seconds=NEVER)
    await operator.apply("movies")
    # Aura misses the instance for longer than the operator confirms a 404: it reports it gone.
    obj = await operator.wait(
        "movies", lambda o: condition(o, "Stalled").get("reason") == "InstanceNotFound", 20
    )
    assert obj["status"]["phase"] == "Failed"

    await operator.faults(read_after_create_404_seconds=0, list_after_create_lag_seconds=0)
    await operator.annotate("movies", {"aura.neo4j.io/sync-now": "1"})
    obj = await operator.wait("movies", lambda o: condition(o, "Stalled").get("status") == "False")

    assert obj["status"]["phase"] == "Creating"  # as Aura reports it, no longer Failed
    assert condition(obj, "Synced")["status"] == "True"
    assert condition(obj, "Ready")["status"] == "False"


@pytest.mark.parametrize(
    "sim_config", [config(delete_after_create_404_seconds=900)]
)  # longer than the 600 s of 404s the operator waits out before it lists the tenant
async def test_a_delete_answering_404_right_after_the_create_keeps_the_finalizer_until_deleted(
    operator: Harness,
) -> None:
    await operator.apply("movies", {"deletionPolicy": "Delete"})
    obj = await operator.wait("movies", lambda o: bool((o.get("status") or {}).get("instanceId")))
    instance_id = obj["status"]["instanceId"]

    async with watching(operator, "movies") as log:
        await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)
        await operator.kube.wait_gone(
            AURA_INSTANCES, "movies", namespace=operator.namespace, within=30
        )

    deletes = await operator.aura_requests("DELETE", f"/v1/instances/{instance_id}")
    assert deletes[0]["status"] == 404
    assert deletes[-1]["status"] == 202  # Aura accepted a DELETE before the finalizer went
    assert instance_id not in {i["id"] for i in await operator.aura_instances()}
    assert "ConfirmingNotFound" in log.ready_reasons("movies")


# 2. A create that commits long after the client gave up


@pytest.mark.parametrize(
    "sim_config",
    [
        config(
            create_commit_then_fail="504",
            gateway_error_html=True,
            create_commit_delay=600,  # committed ten minutes after the POST was sent
            list_after_create_lag_seconds=600,  # and listed ten minutes after that
        )
    ],
)
async def test_a_create_committed_ten_minutes_late_is_adopted_not_duplicated(
    operator: Harness,
) -> None:
    async with watching(operator, "movies") as log:
        await operator.apply("movies")
        obj = await operator.wait_ready("movies", within=30)

    [instance] = await operator.aura_instances()
    assert obj["status"]["instanceId"] == instance["id"]
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1
    assert "CreateOutcomeUnknown" in log.ready_reasons("movies")
    assert not [e for e in await operator.events("movies") if e["reason"] == "CreateNotFound"]
    await operator.wait_event("movies", "AdoptedAfterLostAnswer")


@pytest.mark.parametrize(
    "sim_config", [config(error_rate=1.0, error_codes=[503], error_methods=["POST"])]
)
async def test_a_create_that_really_failed_is_sent_again_after_the_window_despite_restarts(
    operator: Harness,
) -> None:
    await operator.apply("movies")
    obj = await operator.wait(
        "movies", lambda o: condition(o, "Ready").get("reason") == "CreateOutcomeUnknown"
    )
    await operator.faults(error_rate=0.0)
    assert obj["status"]["createIntent"]["conclusiveAt"]
    # A crash loop does not start the confirmation over: its progress is in status.
    for _ in range(2):
        await operator.stop_operator()
        await operator.start_operator()

    await operator.wait_ready("movies", within=30)

    first, second = await operator.aura_requests("POST", "/v1/instances")
    assert (first["status"], second["status"]) == (503, 202)
    assert aura_time(second) - aura_time(first) >= CONFIRM_WINDOW
    assert len(await operator.aura_instances()) == 1
    event = await operator.wait_event("movies", "CreateNotFound")
    # A commit later than the window would be a duplicate: the Event says what to look for.
    assert event["type"] == "Warning"
    assert obj["status"]["createIntent"]["requestedAt"] in event["message"]
    listings = await operator.aura_requests("GET", "/v1/instances")  # the deciding listing's id
    assert any(f"request id {r['request_id']}" in event["message"] for r in listings)


@pytest.mark.parametrize(  # slower time: the three creates go out within an Aura second
    "sim_config",
    [
        config(
            create_commit_then_fail="drop",
            create_commit_then_fail_count=3,
            create_commit_delay=120,
            list_after_create_lag_seconds=120,
        ).model_copy(update={"time_scale": 60.0})
    ],
)
async def test_the_open_intents_of_a_tenant_share_their_listings(operator: Harness) -> None:
    names = ["movies", "books", "music"]
    for name in names:
        await operator.apply(name)
    for name in names:
        await operator.wait_event(name, "AdoptedAfterLostAnswer", within=20)

    log = await operator.aura_requests()
    listings = [e for e in log if e["method"] == "GET" and e["path"] == "/v1/instances"]
    # Alone, each intent is listed five times before its instance shows (240 s after the POST),
    # fifteen times for the three; made together, they share those listings.
    alone = len(schedule_of_listings(240.0))
    assert len(listings) < 2 * alone, [e["time"] for e in listings]
    assert len(await operator.aura_instances()) == 3


def schedule_of_listings(until: float) -> list[float]:
    """When (Aura seconds after its intent) an intent alone is listed, up to `until`."""
    points = [0.0]
    while points[-1] < until:
        points.append(next_listing_at(points[-1]))
    return points


# 3. Clocks


@pytest.mark.parametrize(
    "sim_config",
    [config(clock_offset=600), config(clock_offset=-600)],
    ids=["aura-10-min-ahead", "aura-10-min-behind"],
)
async def test_a_skewed_aura_clock_neither_duplicates_nor_adopts_an_older_namesake(
    operator: Harness,
) -> None:
    # Someone else's instance with the same name, made a few minutes before ours.
    older = await operator.aura_call(
        "POST",
        "/instances",
        {
            "name": "movies",
            "tenant_id": TENANT,
            "cloud_provider": "gcp",
            "region": "europe-west1",
            "type": "professional-db",
            "memory": "2GB",
            "version": "5",
        },
    )
    older_id = older.json()["data"]["id"]
    await operator.sim_post("/_sim/clock", {"advance": 200})
    await operator.faults(create_commit_then_fail="drop", list_after_create_lag_seconds=120)

    await operator.apply("movies")
    obj = await operator.wait_ready("movies", within=30)

    assert obj["status"]["instanceId"] != older_id
    assert len(await operator.aura_instances()) == 2  # theirs and ours: no duplicate
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 2
    assert not [e for e in await operator.events("movies") if e["reason"] == "CreateNotFound"]


# Also seen


@pytest.mark.parametrize(  # slower time, so Kubernetes round trips stay short in Aura seconds
    "sim_config", [config(creating=0).model_copy(update={"time_scale": 60.0})]
)
async def test_after_an_adoption_the_instance_is_read_at_once(operator: Harness) -> None:
    await operator.faults(create_commit_then_fail="drop")
    await operator.apply("movies")
    await operator.wait_event("movies", "AdoptedAfterLostAnswer")
    obj = await operator.wait_ready("movies")

    instance_id = obj["status"]["instanceId"]
    log = await operator.aura_requests()
    first_read = next(i for i, e in enumerate(log) if e["path"] == f"/v1/instances/{instance_id}")
    adopting = max(
        i
        for i, e in enumerate(log[:first_read])
        if e["path"] == "/v1/instances" and e["method"] == "GET"
    )
    # At once, not after the usual first look at a create (288 Aura seconds).
    assert aura_time(log[first_read]) - aura_time(log[adopting]) < 150


async def test_a_failed_user_edit_is_retried_on_the_users_lane(
    operator: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await operator.apply("movies")
    await operator.wait_ready("movies")
    caplog.set_level(logging.INFO, logger="aura_operator.aura")
    await operator.faults(error_rate=1.0, error_codes=[503], error_methods=["PATCH"])
    await operator.patch_spec("movies", {"memory": "4GB"})
    await operator.wait_event("movies", "AuraWriteFailed")
    caplog.clear()

    await operator.faults(error_rate=0.0)
    await operator.wait("movies", lambda o: is_ready(o) and o["status"]["memory"] == "4GB", 20)

    calls = [
        (getattr(r, "method", None), getattr(r, "status", None), getattr(r, "lane", None))
        for r in caplog.records
        if str(getattr(r, "path", "")).startswith("/v1/instances/")
    ]
    accepted = next(
        i for i, (method, status, _) in enumerate(calls) if method == "PATCH" and status == 202
    )
    retry = calls[: accepted + 1]
    assert retry and {lane for _, _, lane in retry} == {"intent"}, calls


async def test_a_gateway_page_without_a_request_id_is_reported_as_such(
    operator: Harness,
) -> None:
    await operator.apply("movies")
    await operator.wait_ready("movies")
    await operator.faults(
        gateway_error_html=True, error_rate=1.0, error_codes=[502], error_methods=["PATCH"]
    )

    await operator.patch_spec("movies", {"memory": "4GB"})
    obj = await operator.wait("movies", lambda o: condition(o, "Synced").get("status") == "False")

    message = condition(obj, "Synced")["message"]
    assert "no request id" in message
    assert "None" not in message
    assert obj["status"]["lastRequestId"]  # the last id Aura gave is kept, never "None"
    assert obj["status"]["lastRequestId"] != "None"
    event = await operator.wait_event("movies", "AuraWriteFailed")
    assert "no request id" in event["message"]


@pytest.mark.parametrize("sim_config", [config(null_sizes_while_creating=True, token_latency=0.3)])
async def test_null_sizes_while_creating_and_a_slow_token_endpoint_still_converge(
    operator: Harness,
) -> None:
    await operator.apply("movies")

    obj = await operator.wait_ready("movies")

    assert obj["status"]["memory"] == "2GB"
    assert obj["status"]["storage"] == "4GB"


@pytest.mark.parametrize("sim_config", [config(cdc_unreported_on_business_critical=True)])
async def test_a_change_aura_accepts_but_never_shows_is_not_sent_for_ever(
    operator: Harness,
) -> None:
    """business-critical reports cdc_enrichment_mode null even after a PATCH (seen by the Labs
    Terraform provider): the change is sent, seen not to hold, sent once more, then reported
    for a person instead of being sent every few minutes for ever."""
    await operator.apply(
        "orders", {"type": "business-critical", "memory": "4GB", "cdcEnrichmentMode": "DIFF"}
    )
    obj = await operator.wait(
        "orders",
        lambda o: condition(o, "Stalled").get("reason") == "PatchNotApplied",
        within=30,
    )
    instance_id = obj["status"]["instanceId"]
    path = f"/v1/instances/{instance_id}"
    patches = await operator.aura_requests("PATCH", path)
    assert len(patches) == 2 and all(p["status"] in (200, 202) for p in patches)  # accepted
    message = condition(obj, "Stalled")["message"]
    assert "spec.cdcEnrichmentMode" in message and "request id" in message
    await asyncio.sleep(0.5)  # many Aura minutes (drift checks included): nothing more is sent
    assert len(await operator.aura_requests("PATCH", path)) == 2
