"""Embedding (`Simulator`), time scale, and the `aura-operator-dev simulator` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest
from simulator_helpers import TENANT_ID, client, fetch_token, instance_body

from aura_devtools.simulator import Simulator, SimulatorConfig
from aura_devtools.simulator.cli import build_config, configure


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    configure(parser)
    return parser.parse_args(argv)


async def test_embedded_simulator_serves_on_a_free_port_and_stops_cleanly() -> None:
    sim = Simulator()
    await sim.start()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sim.base_url)
    async with client(sim.base_url) as http:
        assert (await http.get("/_sim/clock")).status_code == 200
    await sim.stop()

    with pytest.raises(httpx.ConnectError):
        async with client(sim.base_url) as http:
            await http.get("/_sim/clock")


async def test_two_simulators_run_side_by_side() -> None:
    async with Simulator() as first, Simulator() as second:
        assert first.base_url != second.base_url
        async with client(first.base_url) as http:
            token = await fetch_token(http)
            await http.post(
                "/v1/instances",
                json=instance_body(),
                headers={"Authorization": f"Bearer {token}"},
            )
        assert len(first.state.inventory.instances) == 1
        assert len(second.state.inventory.instances) == 0


async def test_time_scale_makes_a_four_minute_create_take_a_fraction_of_a_second() -> None:
    # 2400x: the default 240 s creation takes 0.1 s of real time.
    async with Simulator(SimulatorConfig(time_scale=2400)) as sim, client(sim.base_url) as http:
        headers = {"Authorization": f"Bearer {await fetch_token(http)}"}
        created = await http.post("/v1/instances", json=instance_body(), headers=headers)
        path = f"/v1/instances/{created.json()['data']['id']}"
        first = (await http.get(path, headers=headers)).json()["data"]["status"]
        started = time.monotonic()
        status = first
        while status != "running" and time.monotonic() - started < 2:
            await asyncio.sleep(0.02)
            status = (await http.get(path, headers=headers)).json()["data"]["status"]

    assert first == "creating"
    assert status == "running"
    assert time.monotonic() - started < 1


async def test_simulator_advance_from_python_matches_the_http_clock() -> None:
    async with Simulator() as sim:
        before = sim.clock.now()
        after = sim.advance(100)

    assert 100 <= after - before < 101


def test_options_build_the_config() -> None:
    args = _parse(
        "--client",
        "a:one",
        "--client",
        "b:two:with:colons",
        "--tenant",
        "t-1=Team One",
        "--tenant",
        "t-2",
        "--time-scale",
        "60",
        "--rate-limit",
        "25",
        "--rate-limit-scope",
        "global",
        "--token-lifetime",
        "120",
        "--create-duration",
        "30",
        "--duration",
        "pausing=5",
        "--duration-jitter",
        "0.25",
        "--seed",
        "3",
        "--error-rate",
        "0.1",
        "--error-codes",
        "502,504",
        "--error-retry-after",
        "4",
        "--latency",
        "0.05",
        "--commit-then-fail",
        "drop",
        "--unknown-status",
        "resizing",
        "--extra-fields",
        "--auth-error-shape",
        "middleware",
        "--free-db-limit-status",
        "400",
    )

    config = build_config(args)

    assert [(c.client_id, c.client_secret.get_secret_value()) for c in config.credentials] == [
        ("a", "one"),
        ("b", "two:with:colons"),
    ]
    assert [(t.id, t.name) for t in config.tenants] == [("t-1", "Team One"), ("t-2", "t-2")]
    assert config.tenants[0].instance_configurations  # default ladder
    assert (config.time_scale, config.rate_limit_per_minute) == (60, 25)
    assert (config.rate_limit_scope, config.token_lifetime) == ("global", 120)
    assert (config.durations.creating, config.durations.pausing) == (30, 5)
    assert (config.duration_jitter, config.seed) == (0.25, 3)
    faults = config.faults
    assert (faults.error_rate, faults.error_codes, faults.error_retry_after) == (0.1, [502, 504], 4)
    assert (faults.latency, faults.create_commit_then_fail) == (0.05, "drop")
    assert (faults.unknown_status, faults.extra_fields) == ("resizing", True)
    assert (faults.auth_error_shape, faults.free_db_limit_status) == ("middleware", 400)


def test_defaults_are_the_demo_config() -> None:
    assert build_config(_parse()) == SimulatorConfig.default()


def test_config_file_is_read_and_options_win(tmp_path: Path) -> None:
    path = tmp_path / "sim.yaml"
    path.write_text(
        "time_scale: 10\n"
        "rate_limit_per_minute: 50\n"
        "credentials:\n  - {client_id: ci, client_secret: cs}\n"
        "durations: {creating: 12}\n"
        "faults: {latency: 0.5}\n"
    )

    config = build_config(_parse("--config", str(path), "--time-scale", "20"))

    assert (config.time_scale, config.rate_limit_per_minute) == (20, 50)
    assert config.credentials[0].client_id == "ci"
    assert config.durations.creating == 12
    assert config.faults.latency == 0.5


@pytest.mark.parametrize(
    "argv",
    [("--client", "no-colon"), ("--duration", "warp=3"), ("--time-scale", "0")],
)
def test_bad_options_are_reported(argv: tuple[str, ...]) -> None:
    from aura_devtools.simulator.cli import ConfigError

    with pytest.raises(ConfigError):
        build_config(_parse(*argv))


async def test_the_command_prints_what_a_newcomer_needs_and_serves_it() -> None:
    """Runs `python -m aura_devtools simulator` for real and follows its printed instructions."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aura_devtools",
        "simulator",
        "--port",
        "0",
        "--time-scale",
        "2400",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not any(line.startswith("Requests:") for line in lines):
            line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
            assert line, "the simulator exited early:\n" + "".join(lines)
            lines.append(line.decode())
        text = "".join(lines)
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", text)
        assert match
        base_url = match.group(1)
        assert TENANT_ID in text
        assert "demo-client / demo-secret" in text
        assert (
            f"curl -s -u demo-client:demo-secret -d grant_type=client_credentials {base_url}"
            in (text)
        )

        async with client(base_url) as http:
            token = await fetch_token(http)
            headers = {"Authorization": f"Bearer {token}"}
            body = json.loads(re.search(r"-d '(\{.*?\})' ", text).group(1))  # type: ignore[union-attr]
            created = await http.post("/v1/instances", json=body, headers=headers)
            assert created.status_code == 202
            path = f"/v1/instances/{created.json()['data']['id']}"
            for _ in range(100):
                status = (await http.get(path, headers=headers)).json()["data"]["status"]
                if status == "running":
                    break
                await asyncio.sleep(0.02)
            assert status == "running"
        access_line = await asyncio.wait_for(process.stdout.readline(), timeout=5)
        assert b"demo-client POST /oauth/token -> 200" in access_line
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        rest = await asyncio.wait_for(process.stdout.read(), timeout=10)
        await process.wait()
    assert process.returncode == 0
    assert b"simulator stopped" in rest


async def _creation_times(config: SimulatorConfig, count: int) -> list[float]:
    async with Simulator(config) as sim, client(sim.base_url) as http:
        headers = {"Authorization": f"Bearer {await fetch_token(http)}"}
        for _ in range(count):
            await http.post("/v1/instances", json=instance_body(), headers=headers)
        dump = (await http.get("/_sim/instances")).json()["data"]
    return [i["operation"]["ends_at"] - i["operation"]["started_at"] for i in dump]


async def test_duration_jitter_draws_seeded_lognormal_durations() -> None:
    config = SimulatorConfig(duration_jitter=0.25, seed=11)

    first = await _creation_times(config, 50)
    again = await _creation_times(config, 50)
    exact = await _creation_times(SimulatorConfig(), 3)

    assert first == again
    assert len(set(first)) == 50
    assert 200 < sorted(first)[25] < 290
    assert min(first) > 240 / 3 and max(first) < 240 * 3
    assert exact == [240.0, 240.0, 240.0]
