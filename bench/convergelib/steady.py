"""Workloads 3 and 4: restart the operator with N Ready instances; stay idle for an hour."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from aura_operator.controller.schedule import TENANT_LIST_PERIOD, drift_period
from convergelib.calls import count_by_kind, rejected
from convergelib.result import WorkloadResult, fmt
from convergelib.settings import BACKGROUND_SHARE, RunSettings
from convergelib.stack import Stack
from convergelib.stats import per_minute

NEW_AFTER_RESTART = "db-after-restart"


def _peak_rss(stack: Stack) -> float | None:
    return stack.operator.figures().peak_rss_mb if stack.operator else None


async def idle(stack: Stack, settings: RunSettings) -> WorkloadResult:
    started_real = time.monotonic()
    start = stack.now()
    await asyncio.sleep(settings.real(settings.idle_minutes * 60))
    end = stack.now()
    result = WorkloadResult(
        "idle", settings.n, stack.options.label, start, end, time.monotonic() - started_real
    )
    calls = [c for c in stack.calls() if start <= c.time < end]
    minutes = (end - start) / 60
    mean = len(calls) / minutes if minutes else 0.0
    counts = per_minute(calls, start, int(minutes))
    period = drift_period(
        settings.n, requests_per_minute=settings.operator_budget, background_share=BACKGROUND_SHARE
    )
    planned = settings.n * 60 / period + 60 / TENANT_LIST_PERIOD
    allowed = BACKGROUND_SHARE * settings.operator_budget
    peak = _peak_rss(stack)
    result.figures = {
        "calls": len(calls),
        "calls_per_minute": {"mean": round(mean, 2), "max_in_a_minute": max(counts, default=0)},
        "per_minute": counts,
        "by_kind": count_by_kind(calls),
        "drift_period_s": round(period, 1),
        "planned_calls_per_minute": round(planned, 2),
        "background_share_calls_per_minute": allowed,
        "rejected_429": rejected(calls),
        "operator_peak_rss_mb": None if peak is None else round(peak, 1),
    }
    r = result.row
    r("idle window", f"{minutes:.0f} simulated minutes")
    r("calls (by kind)", f"{len(calls)} {count_by_kind(calls)}")
    r(
        "calls per minute, mean",
        f"{mean:.2f}",
        "<= 5 at N=100",
        mean <= 5 if settings.n == 100 else None,
    )
    r("calls per minute, busiest minute", str(max(counts, default=0)))
    r(
        "drift checks vs configured share",
        f"{mean:.2f}/min of {allowed:.0f}/min allowed (period {period:.0f} s, plan "
        f"{planned:.2f}/min)",
        "within share, any N",
        mean <= allowed,
    )
    r("429 received", str(rejected(calls)), "0", rejected(calls) == 0)
    r("operator peak RSS", fmt(peak, " MB"), "<= 150 MB", None if peak is None else peak <= 150)
    return result


async def restart(stack: Stack, settings: RunSettings) -> WorkloadResult:
    """Stop the operator (SIGTERM) and start a new one; one new AuraInstance comes 10 s later."""
    old = await stack.stop_operator()
    started_real = time.monotonic()
    operator = await stack.start_operator()
    start = operator.started_at_sim
    up_after = stack.now() - start
    await asyncio.sleep(max(0.0, settings.real(settings.new_after_restart - up_after)))
    applied = stack.now()
    stack.apply(NEW_AFTER_RESTART)
    await asyncio.sleep(
        max(0.0, settings.real(start + settings.restart_minutes * 60 - stack.now()))
    )
    end = stack.now()
    result = WorkloadResult(
        "restart", settings.n, stack.options.label, start, end, time.monotonic() - started_real
    )
    new_id = next(
        (i for i, name in stack.recorder.names_by_id().items() if name == NEW_AFTER_RESTART), None
    )
    calls = [c for c in stack.calls() if start <= c.time < end]
    is_new = [
        c for c in calls if (c.kind == "create" and c.time >= applied) or c.instance_id == new_id
    ]
    fleet_calls = [c for c in calls if c not in is_new]
    first_minute = [c for c in fleet_calls if c.time < start + 60]
    new_post = next((c for c in is_new if c.kind == "create"), None)
    new_latency = new_post.time - applied if new_post else None
    counts = per_minute(fleet_calls, start, int((end - start) // 60))
    peak = _peak_rss(stack)
    result.figures = {
        "operator_up_after_s": round(up_after, 1),
        "first_minute_calls": len(first_minute),
        "first_minute_by_kind": count_by_kind(first_minute),
        "window_minutes": settings.restart_minutes,
        "window_calls": len(fleet_calls),
        "window_by_kind": count_by_kind(fleet_calls),
        "per_minute": counts,
        "new_instance_first_call_s": None if new_latency is None else round(new_latency, 1),
        "rejected_429": rejected(calls),
        "previous_operator_peak_rss_mb": round(old.peak_rss_mb, 1),
        "operator_peak_rss_mb": None if peak is None else round(peak, 1),
    }
    kinds = Counter(c.kind for c in first_minute)
    r = result.row
    r("operator ready after", f"{up_after:.1f} s (simulated)")
    r(
        "calls in the first minute",
        f"{len(first_minute)} {dict(sorted(kinds.items()))}",
        "<= 3 (N=1000)",
        len(first_minute) <= 3,
    )
    r(
        f"calls in the first {settings.restart_minutes:g} minutes",
        f"{len(fleet_calls)} {count_by_kind(fleet_calls)}",
    )
    r("busiest minute", str(max(counts, default=0)))
    r(
        "new AuraInstance: first Aura call after apply",
        fmt(new_latency, " s"),
    )
    r("429 received", str(rejected(calls)), "0", rejected(calls) == 0)
    r(
        "peak RSS, operator before / after restart",
        f"{old.peak_rss_mb:.1f} / {fmt(peak, ' MB')}",
        "<= 150 MB",
        max(old.peak_rss_mb, peak or 0) <= 150,
    )
    return result


async def remove_new_instance(stack: Stack, settings: RunSettings) -> None:
    """Take the restart's extra instance away again (once Ready: deleting an instance that is
    still being created is not what this benchmark measures), so the fleet is N again."""
    watch = stack.watch
    try:
        await watch.wait(
            lambda: watch.first_ready(NEW_AFTER_RESTART) is not None,
            within=settings.patience(900),
        )
        stack.delete(NEW_AFTER_RESTART)
        await watch.wait(lambda: NEW_AFTER_RESTART in watch.gone_at, within=settings.patience(900))
    except TimeoutError:
        print(f"warning: {NEW_AFTER_RESTART} was not removed; it stays in the fleet", flush=True)
