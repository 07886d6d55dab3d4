"""Workload `latency`: how fast a small create is seen Ready while the budget has room to spare.

N creates at once (N=1: a single create; N=10: a small batch), repeated for a number of rounds,
each round once the previous one is Ready, so the percentiles rest on more than N samples. It
reports the Ready detection lag (AuraInstance Ready minus the instance's true end of
provisioning) and the Aura calls per create (POST, status reads, and the round's share of
token and list calls).
"""

from __future__ import annotations

import time
from collections import Counter

from convergelib.calls import rejected
from convergelib.result import WorkloadResult, fmt, rounded
from convergelib.settings import RunSettings
from convergelib.stack import Stack
from convergelib.stats import p50_p95

LAG_TARGET = 10.0  # Aura seconds, p95, for a single create on an idle budget
JUDGED_N = 1


def round_names(round_number: int, n: int) -> list[str]:
    return [f"lat-{round_number:02d}-{i:02d}" for i in range(n)]


async def latency(stack: Stack, settings: RunSettings) -> WorkloadResult:
    started_real = time.monotonic()
    start = stack.now()
    lags: list[float] = []
    calls_per_create: list[float] = []
    kinds: Counter[str] = Counter()
    complete = True
    for number in range(settings.rounds):
        names = round_names(number, settings.n)
        round_start = stack.now()
        for name in names:
            stack.apply(name)
        try:
            await stack.watch.wait(
                lambda names=names: all(stack.watch.first_ready(n) is not None for n in names),
                within=settings.patience(900),
            )
        except TimeoutError:
            complete = False
            break
        round_end = stack.now()
        ends = {op.name: op.ends_at for op in stack.recorder.operations if op.status == "creating"}
        ids = {i for i, name in stack.recorder.names_by_id().items() if name in set(names)}
        for name in names:
            ready = stack.watch.first_ready(name)
            if ready is not None and name in ends:
                lags.append(ready - ends[name])
        mine = [
            c
            for c in stack.calls()
            if round_start <= c.time <= round_end
            and (c.instance_id in ids or c.kind in ("create", "token", "list"))
        ]
        kinds.update(c.kind for c in mine)
        calls_per_create.append(len(mine) / len(names))
    end = stack.now()
    result = WorkloadResult(
        "latency", settings.n, stack.options.label, start, end, time.monotonic() - started_real
    )
    lag50, lag95 = p50_p95(lags)
    calls50, _ = p50_p95(calls_per_create)
    mean_calls = sum(calls_per_create) / len(calls_per_create) if calls_per_create else None
    every = [c for c in stack.calls() if start <= c.time <= end]
    result.figures = {
        "complete": complete,
        "rounds": len(calls_per_create),
        "creates": len(lags),
        "ready_detection_lag_s": {
            "p50": rounded(lag50),
            "p95": rounded(lag95),
            "max": rounded(max(lags, default=None) if lags else None),
        },
        "calls_per_create": {"mean": rounded(mean_calls, 2), "median": rounded(calls50, 2)},
        "calls_by_kind": dict(sorted(kinds.items())),
        "rejected_429": rejected(every),
    }
    judged = settings.n == JUDGED_N
    r = result.row
    done = f"{len(calls_per_create)} x {settings.n} ({len(lags)})"
    r("rounds (creates)", done + ("" if complete else " (timed out)"))
    r(
        "Ready detection lag (p50/p95/max)",
        f"{fmt(lag50, ' s')} / {fmt(lag95, ' s')} / {fmt(max(lags) if lags else None, ' s')}",
        f"p95 <= {LAG_TARGET:g} s (N={JUDGED_N})",
        (lag95 <= LAG_TARGET if lag95 is not None else False) if judged else None,
    )
    r(
        "Aura calls per create (mean, by kind)",
        f"{fmt(mean_calls, '', 2)} {dict(sorted(kinds.items()))}",
    )
    r("429 received", str(rejected(every)), "0", rejected(every) == 0)
    return result
