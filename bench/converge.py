"""Convergence benchmark: the real operator against the Aura simulator (time-scaled) and the
Kubernetes API emulator, through seven workloads (run on demand, never part of the tests).

    .venv/bin/python bench/converge.py --workload burst,restart,delete,shared --n 500
    .venv/bin/python bench/converge.py --workload idle --n 500 --time-scale 20
    .venv/bin/python bench/converge.py --workload latency --n 1 --rounds 10

Workloads: burst (create N at once; user edits - resizes - on Ready ones while it runs),
delete (all N, deletionPolicy Delete), restart (the operator, with N Ready), idle (one
simulated hour with N Ready), shared (the burst while another client spends part of the
budget), pair (the burst split between two operator processes with one credential, as two
clusters with the same API key), latency (N creates on an idle budget, --rounds times:
detection lag and calls per create; not part of `all`). burst, idle, restart and delete run in
that order on one fleet (the burst prepares the fleet when it is not selected); shared, pair and
latency run on fresh ones. Every figure is in simulated (Aura) seconds unless it says
otherwise. Prints a table per workload and writes JSON and a PNG (calls per minute, stacked by
limiter lane) to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from convergelib.burst import burst
from convergelib.delete import delete_all
from convergelib.latency import latency
from convergelib.oracle import __doc__ as ORACLE_DEFINITION
from convergelib.plot import Timeline, plot
from convergelib.report import table, write_calls, write_json
from convergelib.result import WorkloadResult
from convergelib.settings import BACKGROUND_SHARE, DEFAULT_MARGIN, RunSettings
from convergelib.stack import (
    NAMESPACE,
    PROVISIONING_MEDIAN,
    PROVISIONING_SIGMA,
    RATE_LIMIT,
    SECOND_NAMESPACE,
    Stack,
    StackOptions,
)
from convergelib.steady import idle, remove_new_instance, restart

WORKLOADS = ("burst", "delete", "restart", "idle", "shared", "pair", "latency")
ALL = ("burst", "delete", "restart", "idle", "shared", "pair")
ON_ONE_FLEET = ("burst", "idle", "restart", "delete")
DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def parse_workloads(text: str) -> tuple[str, ...]:
    names = [w.strip() for w in text.split(",") if w.strip()]
    if names == ["all"]:
        return ALL
    unknown = [w for w in names if w not in WORKLOADS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"choose from {', '.join(WORKLOADS)} or all (comma-separated), not {text!r}"
        )
    return tuple(w for w in WORKLOADS if w in names)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--workload",
        type=parse_workloads,
        default=ALL,
        help=f"one or more of {', '.join(WORKLOADS)}, comma-separated, or all ({', '.join(ALL)})",
    )
    parser.add_argument("--n", type=int, default=100, help="instances (e.g. 10, 100, 500, 1000)")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=3.0,
        help="simulated seconds per real second (operator and simulator alike); above ~3 a "
        "500-instance burst is bound by the operator's CPU, not by Aura; idle can take 20",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where JSON, PNG, logs go")
    parser.add_argument("--seed", type=int, default=1, help="seed of the drawn durations")
    parser.add_argument("--edits", type=int, default=10, help="user edits during the burst")
    parser.add_argument("--idle-minutes", type=float, default=60.0, help="simulated minutes")
    parser.add_argument("--restart-minutes", type=float, default=10.0, help="simulated minutes")
    parser.add_argument(
        "--shared-rpm",
        type=float,
        default=50.0,
        help="calls a minute the other client spends in the shared workload",
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="rounds of N creates in the latency workload"
    )
    parser.add_argument(
        "--operator-src",
        type=Path,
        default=None,
        help="run the operator from this directory's aura_operator package (a scratch copy "
        "with a change to measure); the simulator and emulator stay the repository's",
    )
    parser.add_argument(
        "--rate-limit-margin",
        type=int,
        default=DEFAULT_MARGIN,
        help="the operator's AURA_RATE_LIMIT_MARGIN: its budget is 125 less this (0 gives it "
        "the oracle's whole budget)",
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.time_scale <= 0 or args.rounds < 1:
        parser.error("--n, --rounds and --time-scale must be positive")
    if args.rate_limit_margin < 0:
        parser.error("--rate-limit-margin must be 0 or more")
    return args


async def run_fleet(
    selected: tuple[str, ...], settings: RunSettings, out: Path, operator_src: Path | None
) -> tuple[list[WorkloadResult], Timeline, Stack]:
    """burst, idle, restart, delete on one fleet, in that order."""
    results: list[WorkloadResult] = []
    options = StackOptions(
        settings.time_scale,
        settings.seed,
        out,
        f"n{settings.n}-{'+'.join(w for w in selected if w in ON_ONE_FLEET)}",
        0.0,
        operator_src,
        settings.rate_limit_margin,
    )
    async with Stack(options) as stack:
        await stack.start_operator()
        if "burst" in selected:
            results.append(await _shown(burst(stack, settings, workload="burst")))
        else:
            prepared = burst(stack, settings, workload="preparation (in waves)", in_waves=True)
            results.append(await _shown(prepared))
        if "idle" in selected:
            results.append(await _shown(idle(stack, settings)))
        if "restart" in selected:
            results.append(await _shown(restart(stack, settings)))
            await remove_new_instance(stack, settings)
        if "delete" in selected:
            results.append(await _shown(delete_all(stack, settings)))
        await stack.stop_operator()
        timeline = Timeline(
            f"N={settings.n}: {' > '.join(r.workload for r in results)}",
            stack.started_at,
            stack.calls(),
            results,
            settings.operator_budget,
            RATE_LIMIT,
        )
    return results, timeline, stack


async def run_shared(
    settings: RunSettings, out: Path, operator_src: Path | None
) -> tuple[list[WorkloadResult], Timeline, Stack]:
    options = StackOptions(
        settings.time_scale,
        settings.seed,
        out,
        f"n{settings.n}-shared",
        settings.shared_rpm,
        operator_src,
        settings.rate_limit_margin,
    )
    async with Stack(options) as stack:
        await stack.start_operator()
        result = await _shown(burst(stack, settings, workload="shared"))
        await stack.stop_operator()
        timeline = Timeline(
            f"N={settings.n}: shared burst, another client spends {settings.shared_rpm:g}/min",
            stack.started_at,
            stack.calls(),
            [result],
            settings.operator_budget,
            RATE_LIMIT - settings.shared_rpm,
        )
    return [result], timeline, stack


async def run_pair(
    settings: RunSettings, out: Path, operator_src: Path | None
) -> tuple[list[WorkloadResult], Timeline, Stack]:
    options = StackOptions(
        settings.time_scale,
        settings.seed,
        out,
        f"n{settings.n}-pair",
        0.0,
        operator_src,
        settings.rate_limit_margin,
    )
    async with Stack(options) as stack:
        await stack.start_operator(watch_namespace=NAMESPACE)
        await stack.start_second_operator()
        result = await _shown(
            burst(stack, settings, workload="pair", namespaces=(NAMESPACE, SECOND_NAMESPACE))
        )
        await stack.stop_second_operator()
        await stack.stop_operator()
        timeline = Timeline(
            f"N={settings.n}: pair, two operator processes with one credential, N/2 each",
            stack.started_at,
            stack.calls(),
            [result],
            settings.operator_budget,
            RATE_LIMIT,
            per_process=True,
        )
    return [result], timeline, stack


async def run_latency(
    settings: RunSettings, out: Path, operator_src: Path | None
) -> tuple[list[WorkloadResult], Timeline, Stack]:
    options = StackOptions(
        settings.time_scale,
        settings.seed,
        out,
        f"n{settings.n}-latency",
        0.0,
        operator_src,
        settings.rate_limit_margin,
    )
    async with Stack(options) as stack:
        await stack.start_operator()
        result = await _shown(latency(stack, settings))
        await stack.stop_operator()
        timeline = Timeline(
            f"N={settings.n}: latency, {settings.rounds} rounds on an idle budget",
            stack.started_at,
            stack.calls(),
            [result],
            settings.operator_budget,
            RATE_LIMIT,
        )
    return [result], timeline, stack


async def _shown(running: Any) -> WorkloadResult:
    result: WorkloadResult = await running
    print(table(result) + "\n", flush=True)
    return result


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return asyncio.run(run(args, argv))


async def run(args: argparse.Namespace, argv: list[str]) -> int:
    selected: tuple[str, ...] = args.workload
    settings = RunSettings(
        n=args.n,
        time_scale=args.time_scale,
        seed=args.seed,
        edits=args.edits,
        idle_minutes=args.idle_minutes,
        restart_minutes=args.restart_minutes,
        shared_rpm=args.shared_rpm,
        rounds=args.rounds,
        rate_limit_margin=args.rate_limit_margin,
    )
    out: Path = args.out
    command = shlex.join([".venv/bin/python", "bench/converge.py", *argv])
    print(
        f"{command}\nN={settings.n}, time scale x{settings.time_scale:g}, seed {settings.seed}; "
        f"API limit {RATE_LIMIT}/min, operator budget {settings.operator_budget}/min; provisioning "
        f"lognormal, median {PROVISIONING_MEDIAN:g} s, sigma {PROVISIONING_SIGMA:g}\n",
        flush=True,
    )
    started_real = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    results: list[WorkloadResult] = []
    timelines: list[Timeline] = []
    processes: list[dict[str, Any]] = []
    runs = []
    if any(w in selected for w in ON_ONE_FLEET):
        runs.append(run_fleet(selected, settings, out, args.operator_src))
    if "shared" in selected:
        runs.append(run_shared(settings, out, args.operator_src))
    if "pair" in selected:
        runs.append(run_pair(settings, out, args.operator_src))
    if "latency" in selected:
        runs.append(run_latency(settings, out, args.operator_src))
    for run in runs:
        done, timeline, stack = await run
        results.extend(done)
        timelines.append(timeline)
        write_calls(out / f"{stack.options.label}.calls.jsonl", timeline.calls, timeline.start)
        processes.extend(
            {
                "timeline": stack.options.label,
                "peak_rss_mb": round(p.peak_rss_mb, 1),
                "final_rss_mb": round(p.final_rss_mb, 1),
                "cpu_seconds": round(p.cpu_seconds, 1),
                "real_seconds": round(p.real_seconds, 1),
            }
            for p in stack.processes
        )
    stem = f"converge-n{settings.n}-{'+'.join(selected) if selected != ALL else 'all'}"
    document = {
        "command": command,
        "started_at": started_at,
        "real_seconds": round(time.monotonic() - started_real, 1),
        "n": settings.n,
        "time_scale": settings.time_scale,
        "seed": settings.seed,
        "operator_src": str(args.operator_src) if args.operator_src else "repository",
        "environment": {
            "api_rate_limit_per_minute": RATE_LIMIT,
            "operator_budget_per_minute": settings.operator_budget,
            "operator_background_share": BACKGROUND_SHARE,
            "provisioning": f"lognormal, median {PROVISIONING_MEDIAN:g} s, sigma "
            f"{PROVISIONING_SIGMA:g} (simulated seconds)",
            "other_durations": "simulator defaults with the same jitter: resize 120 s, "
            "destroy 30 s",
            "edits": settings.edits,
            "edit_every_s": settings.edit_every,
            "shared_rpm": settings.shared_rpm,
            "latency_rounds": settings.rounds,
        },
        "definitions": {
            "theoretical_minimum": " ".join(ORACLE_DEFINITION.split()) if ORACLE_DEFINITION else "",
            "edit_latency_production_equivalent": (
                "real seconds the operator spent between the Kubernetes edit and its PATCH "
                "outside the limiter, plus the limiter wait in Aura seconds: what the same wait "
                "would take at time scale 1"
            ),
            "ready_detection_lag": "AuraInstance Ready minus the instance's true running time",
        },
        "workloads": [r.as_dict() for r in results],
        "operator_processes": processes,
    }
    json_path = out / f"{stem}.json"
    write_json(json_path, document)
    png_path = out / f"{stem}.png"
    drawn = plot(png_path, timelines, f"{command}  (x{settings.time_scale:g})")
    print(
        f"wrote {json_path}"
        + (f" and {png_path}" if drawn else " (no PNG: pip install matplotlib)")
    )
    print(f"real time {time.monotonic() - started_real:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
