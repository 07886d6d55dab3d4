"""Workload 2: delete all N AuraInstances (deletionPolicy Delete) at once."""

from __future__ import annotations

import time

from convergelib.calls import count_by_kind, rejected
from convergelib.oracle import oracle
from convergelib.result import WorkloadResult, fmt
from convergelib.settings import RunSettings
from convergelib.stack import RATE_LIMIT, Stack


async def delete_all(stack: Stack, settings: RunSettings) -> WorkloadResult:
    names = stack.names()
    started_real = time.monotonic()
    start = stack.now()
    for name in names:
        stack.delete(name)
    complete = True
    try:
        await stack.watch.wait(
            lambda: all(name in stack.watch.gone_at for name in names),
            within=settings.patience(2 * len(names) * 60 / RATE_LIMIT + 600),
        )
    except TimeoutError:
        complete = False
    end = stack.now()
    result = WorkloadResult(
        "delete", len(names), stack.options.label, start, end, time.monotonic() - started_real
    )
    wanted = set(names)
    gone = [stack.watch.gone_at[n] for n in names if n in stack.watch.gone_at]
    all_gone = max(gone) - start if complete and gone else None
    destroying = sorted(
        (
            op
            for op in stack.recorder.operations
            if op.status == "destroying" and op.name in wanted and op.started_at >= start
        ),
        key=lambda op: op.started_at,
    )
    best = oracle([op.duration for op in destroying], RATE_LIMIT, token=False)
    ratio = all_gone / best.makespan if all_gone and best.makespan else None
    calls = [c for c in stack.calls() if start <= c.time <= end]
    per_instance = len(calls) / len(names) if names else None
    peak = stack.operator.figures().peak_rss_mb if stack.operator else None
    result.figures = {
        "complete": complete,
        "gone": len(gone),
        "time_to_all_gone_s": None if all_gone is None else round(all_gone, 1),
        "theoretical_minimum": best.as_dict(),
        "ratio_to_minimum": None if ratio is None else round(ratio, 3),
        "calls": {"total": len(calls), "by_kind": count_by_kind(calls)},
        "calls_per_instance": None if per_instance is None else round(per_instance, 2),
        "rejected_429": rejected(calls),
        "operator_peak_rss_mb": None if peak is None else round(peak, 1),
    }
    r = result.row
    r("all gone", f"{len(gone)}/{len(names)}" + ("" if complete else " (timed out)"))
    r("time to all gone", fmt(all_gone, " s"))
    r(
        f"theoretical minimum (R={RATE_LIMIT}/min)",
        f"{best.makespan:.1f} s (destroy median {best.median_duration:.0f} s, "
        f"max {best.max_duration:.0f} s)",
    )
    r("ratio to minimum", fmt(ratio, "", 3))
    r(
        "Aura calls per instance, delete to gone",
        f"{fmt(per_instance, '', 2)} {count_by_kind(calls)}",
    )
    r("429 received", str(rejected(calls)), "0", rejected(calls) == 0)
    r("operator peak RSS", fmt(peak, " MB"), "<= 150 MB", None if peak is None else peak <= 150)
    return result
