"""Benchmark of the Aura request budget under saturation (run on demand, not a test).

Workers in the three lanes call the real client as fast as the budget lets them, against an
embedded simulator on localhost whose rate limit equals the client's. Prints the achieved
request rate as a fraction of the limit, the 429 count, the busiest rolling window the
simulator saw, and the p50/p95 limiter wait of each lane.

    .venv/bin/python bench/limiter.py --duration 30 --time-scale 30

Every lane sends `GET /v1/tenants` (the lane, not the endpoint, is what the budget orders by),
so no simulated instance state can turn a call into a 409. Durations: `--duration` is real
seconds; the window is 60 simulated seconds, `60 / time_scale` real seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from aura_devtools.simulator import Credential, Simulator, SimulatorConfig
from aura_operator.aura import AuraApi, AuraError, Credentials, Lane, LimiterRegistry

CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret"  # noqa: S105 - a throwaway credential of the embedded simulator
AURA_WINDOW = 60.0


@dataclass(frozen=True)
class Options:
    duration: float
    limit: int
    margin: int
    time_scale: float
    workers: int
    mix: dict[Lane, float]


class WaitRecorder:
    """A limiter observer that keeps every grant's wait, by lane."""

    def __init__(self) -> None:
        self.waits: dict[Lane, list[float]] = defaultdict(list)

    def on_granted(self, budget_key: str, lane: Lane, waited: float) -> None:
        self.waits[lane].append(waited)

    def on_rate_limited(self, budget_key: str, pause: float) -> None:
        pass


def parse_mix(text: str) -> dict[Lane, float]:
    """`intent=1,create=1,background=8` -> share of the workers per lane."""
    weights: dict[Lane, float] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        weights[Lane(name.strip())] = float(value)
    total = sum(weights.values())
    if total <= 0:
        raise argparse.ArgumentTypeError("the lane mix needs a positive weight")
    return {lane: weight / total for lane, weight in weights.items()}


def parse_args() -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="real seconds (default 30)")
    parser.add_argument("--limit", type=int, default=125, help="requests per 60 s (default 125)")
    parser.add_argument("--margin", type=int, default=0, help="slots kept unused (default 0)")
    parser.add_argument(
        "--time-scale", type=float, default=30.0, help="simulated seconds per real second"
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="concurrent callers (default: 2 x limit)"
    )
    parser.add_argument(
        "--lanes",
        type=parse_mix,
        default=parse_mix("intent=1,create=1,background=8"),
        help="worker share per lane, e.g. intent=1,create=1,background=8",
    )
    args = parser.parse_args()
    return Options(
        duration=args.duration,
        limit=args.limit,
        margin=args.margin,
        time_scale=args.time_scale,
        workers=args.workers or 2 * args.limit,
        mix=args.lanes,
    )


def lanes_of_workers(options: Options) -> list[Lane]:
    lanes: list[Lane] = []
    for lane, share in options.mix.items():
        if share > 0:
            lanes += [lane] * max(1, round(share * options.workers))
    return lanes


def busiest_window(times: list[float]) -> int:
    ordered = sorted(times)
    best = start = 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - AURA_WINDOW:
            start += 1
        best = max(best, end - start + 1)
    return best


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


async def run(options: Options) -> None:
    config = SimulatorConfig(
        credentials=[Credential(client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET))],
        time_scale=options.time_scale,
        rate_limit_per_minute=options.limit,
    )
    waits = WaitRecorder()
    registry = LimiterRegistry(
        limit=options.limit,
        margin=options.margin,
        time_scale=options.time_scale,
        observer=waits,
    )
    errors: dict[str, int] = defaultdict(int)
    async with (
        Simulator(config, port=0) as sim,
        AuraApi(sim.base_url, limiter_registry=registry, time_scale=options.time_scale) as api,
    ):
        client = api.client_for(Credentials(CLIENT_ID, SecretStr(CLIENT_SECRET)))
        deadline = time.monotonic() + options.duration

        async def worker(lane: Lane) -> None:
            while time.monotonic() < deadline:
                try:
                    await client.list_tenants(lane=lane)
                except AuraError as error:
                    errors[type(error).__name__] += 1

        started = time.monotonic()
        await asyncio.gather(*(worker(lane) for lane in lanes_of_workers(options)))
        elapsed = time.monotonic() - started

        async with httpx.AsyncClient(base_url=sim.base_url) as control:
            log = (await control.get("/_sim/requests")).json()["data"]

    report(options, log, elapsed, waits, errors)


def report(
    options: Options,
    log: list[dict[str, object]],
    elapsed: float,
    waits: WaitRecorder,
    errors: dict[str, int],
) -> None:
    times = [float(e["time"]) for e in log]  # type: ignore[arg-type]
    rejected = sum(1 for e in log if e["status"] == 429)
    # Whole windows from the first request on; the last, partial window is left out.
    first = min(times)
    windows = int(elapsed * options.time_scale // AURA_WINDOW)
    counted = sum(1 for t in times if t < first + windows * AURA_WINDOW)
    rate = counted / windows if windows else float("nan")
    capacity = options.limit - options.margin
    window_real_ms = AURA_WINDOW / options.time_scale * 1000

    print(
        f"limit {options.limit}/60 s, margin {options.margin}, time scale {options.time_scale:g} "
        f"(window {window_real_ms:.0f} ms real), {options.workers} workers, "
        f"{elapsed:.1f} s real = {windows} full windows"
    )
    print(f"requests sent: {len(log)} (token requests included)")
    print(
        f"achieved rate: {rate:.1f} per window = {rate / options.limit:.1%} of the limit "
        f"({rate / capacity:.1%} of limit - margin)"
    )
    print(f"429 responses: {rejected}")
    print(f"busiest rolling 60 s window at the simulator: {busiest_window(times)}")
    if errors:
        print(f"client errors: {dict(errors)}")
    print("limiter wait by lane (real ms | simulated s):")
    for lane in Lane:
        values = waits.waits.get(lane, [])
        p50, p95 = percentile(values, 0.50), percentile(values, 0.95)
        print(
            f"  {lane.value:<10} grants {len(values):>6}   "
            f"p50 {p50 * 1000:8.1f} ms | {p50 * options.time_scale:6.1f} s   "
            f"p95 {p95 * 1000:8.1f} ms | {p95 * options.time_scale:6.1f} s"
        )


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(parse_args()))


if __name__ == "__main__":
    main()
