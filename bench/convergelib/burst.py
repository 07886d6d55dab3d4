"""Workloads burst, shared and pair: burst-create N instances, with user edits (resizes) on Ready
ones while the burst runs; `shared` runs it while another client spends part of the same
budget, `pair` splits the fleet between two operator processes with one credential."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass

from convergelib.calls import Call, rejected
from convergelib.oracle import Oracle, oracle
from convergelib.result import WorkloadResult, fmt, rounded
from convergelib.settings import RunSettings
from convergelib.stack import NAMESPACE, RATE_LIMIT, Stack
from convergelib.stats import p50_p95

RESIZED_MEMORY = "4GB"
PREPARATION_WAVE = 100
"""A fleet only prepared for another workload is applied this many at a time, each wave once
the previous one's creates are sent: at N=1000 the operator does not survive all at once."""
JUDGED_N = (100, 500)  # the targets for time to Ready are set at these sizes
CONTENDED = ("shared", "pair")
"""Workloads where someone else spends part of the credential's limit: a few 429s teach the
operator's limiter how much, so the target is at most MAX_429 of them, not none."""
MAX_429 = 10


@dataclass(frozen=True)
class Edit:
    name: str
    at: float  # simulated time of the Kubernetes write


@dataclass(frozen=True)
class EditLatency:
    simulated: float
    """Seconds from the edit to the PATCH arriving at the simulator."""
    limiter_wait: float
    """Real seconds the PATCH waited for the limiter."""

    def production_equivalent(self, time_scale: float) -> float:
        """The wait outside the limiter is real CPU and I/O time and stays as it is; the limiter
        wait is in Aura time and so takes `time_scale` times longer at time scale 1."""
        outside = self.simulated / time_scale - self.limiter_wait
        return outside + self.limiter_wait * time_scale


def fleet_names(n: int) -> list[str]:
    return [f"db-{i:04d}" for i in range(n)]


async def _edit_while_creating(
    stack: Stack, settings: RunSettings, names: list[str], edits: list[Edit]
) -> None:
    """Every `edit_every` seconds resize one Ready instance, until the burst is over."""
    rng = random.Random(settings.seed)
    edited: set[str] = set()
    while len(edits) < settings.edits:
        await asyncio.sleep(settings.real(settings.edit_every))
        if all(stack.watch.first_ready(name) is not None for name in names):
            return
        candidates = sorted(stack.watch.ready_names() - edited)
        if candidates:
            name = rng.choice(candidates)
            edited.add(name)
            edits.append(Edit(name, stack.now()))
            stack.patch_spec(name, {"memory": RESIZED_MEMORY})


async def _apply_in_waves(stack: Stack, settings: RunSettings, names: list[str]) -> None:
    for first in range(0, len(names), PREPARATION_WAVE):
        wave = names[first : first + PREPARATION_WAVE]
        for name in wave:
            stack.apply(name)
        wanted = set(wave)

        def sent(wanted: set[str] = wanted) -> bool:
            created = {op.name for op in stack.recorder.operations if op.status == "creating"}
            return wanted <= created

        await stack.watch.wait(sent, within=settings.patience(1200))


async def burst(
    stack: Stack,
    settings: RunSettings,
    *,
    workload: str,
    in_waves: bool = False,
    namespaces: tuple[str, ...] = (NAMESPACE,),
) -> WorkloadResult:
    """All N at once (`in_waves`: in waves of PREPARATION_WAVE, to prepare a fleet), dealt
    round-robin over `namespaces`."""
    names = fleet_names(settings.n)
    external = stack.options.external_rpm
    started_real = time.monotonic()
    start = stack.now()
    if in_waves:
        await _apply_in_waves(stack, settings, names)
    else:
        for i, name in enumerate(names):
            stack.apply(name, namespace=namespaces[i % len(namespaces)])
    edits: list[Edit] = []
    editing = asyncio.create_task(_edit_while_creating(stack, settings, names, edits))
    expected = 2 * settings.n * 60 / max(1.0, RATE_LIMIT - external) + 600
    complete = True
    try:
        await stack.watch.wait(
            lambda: all(stack.watch.first_ready(name) is not None for name in names),
            within=settings.patience(expected),
        )
        await editing
        await stack.watch.wait(
            lambda: all((e.name, 2) in stack.watch.ready_at for e in edits),
            within=settings.patience(600),
        )
    except TimeoutError:
        complete = False
        editing.cancel()
    result = WorkloadResult(
        workload,
        settings.n,
        stack.options.label,
        start,
        stack.now(),
        time.monotonic() - started_real,
    )
    _analyse(result, stack, settings, names, edits, complete)
    return result


def _step(
    call: Call,
    name_of: dict[str, str],
    first_ready: dict[str, float | None],
    edit_windows: dict[str, tuple[float, float]],
) -> str:
    """The lifecycle step a call served: create.*, update.*, steady.get, token, list."""
    kind = call.kind
    if kind in ("token", "list"):
        return kind
    if kind == "create":
        return "create.post"
    if kind == "patch":
        return "update.patch"
    name = name_of.get(call.instance_id or "")
    if kind == "get" and name is not None:
        ready = first_ready.get(name)
        if ready is None or call.time <= ready:
            return "create.get"
        window = edit_windows.get(name)
        if window and window[0] <= call.time <= window[1]:
            return "update.get"
        return "steady.get"
    return f"other.{kind}"


def _edit_latencies(
    calls: list[Call], edits: list[Edit], name_of: dict[str, str]
) -> list[EditLatency]:
    """Per edit: the time to its PATCH, and the limiter waits of every call the operator made
    for that instance on the way (the read before the PATCH, and the PATCH)."""
    found = []
    for edit in edits:
        mine = [
            c for c in calls if c.time >= edit.at and name_of.get(c.instance_id or "") == edit.name
        ]
        patch = next((c for c in mine if c.kind == "patch"), None)
        if patch is not None:
            waited = sum(c.limiter_wait or 0.0 for c in mine if c.time <= patch.time)
            found.append(EditLatency(patch.time - edit.at, waited))
    return found


def _slowest(
    stack: Stack, calls: list[Call], first_ready: dict[str, float | None], start: float
) -> dict[str, object]:
    """Where the time of the last instance to become Ready went (seconds from the burst start)."""
    done = [(t, name) for name, t in first_ready.items() if t is not None]
    if not done:
        return {}
    ready, name = max(done)
    op = next(
        (o for o in stack.recorder.operations if o.status == "creating" and o.name == name), None
    )
    if op is None:
        return {}
    reads = [round(c.time - start, 1) for c in calls if c.instance_id == op.instance_id]
    return {
        "name": name,
        "create_sent_s": round(op.started_at - start, 1),
        "provisioning_s": round(op.duration, 1),
        "running_at_s": round(op.ends_at - start, 1),
        "reads_at_s": reads,
        "ready_at_s": round(ready - start, 1),
    }


def _theoretical(stack: Stack, names: list[str]) -> tuple[Oracle, Oracle]:
    """The oracle at the API's capacity for this client, and at the operator's own budget."""
    wanted = set(names)
    creating = sorted(
        (op for op in stack.recorder.operations if op.status == "creating" and op.name in wanted),
        key=lambda op: op.started_at,
    )
    durations = [op.duration for op in creating]
    external = int(stack.options.external_rpm)
    return oracle(durations, RATE_LIMIT - external), oracle(
        durations, stack.options.operator_budget - external
    )


def _detection_lags(stack: Stack, first_ready: dict[str, float | None]) -> list[float]:
    """Seconds from each instance's true end of provisioning to its AuraInstance being Ready."""
    ends = {op.name: op.ends_at for op in stack.recorder.operations if op.status == "creating"}
    return [t - ends[name] for name, t in first_ready.items() if t is not None and name in ends]


def _le(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _analyse(
    result: WorkloadResult,
    stack: Stack,
    settings: RunSettings,
    names: list[str],
    edits: list[Edit],
    complete: bool,
) -> None:
    start, end, n, scale = result.start, result.end, settings.n, settings.time_scale
    external = stack.options.external_rpm
    calls = [c for c in stack.calls() if start <= c.time <= end]
    name_of = stack.recorder.names_by_id()
    first_ready = {name: stack.watch.first_ready(name) for name in names}
    ready_times = [t for t in first_ready.values() if t is not None]
    all_ready = max(ready_times) - start if complete and ready_times else None
    best, at_budget = _theoretical(stack, names)
    ratio = all_ready / best.makespan if all_ready and best.makespan else None
    ratio_at_budget = all_ready / at_budget.makespan if all_ready and at_budget.makespan else None

    windows = {e.name: (e.at, stack.watch.ready_at.get((e.name, 2), end)) for e in edits}
    steps = Counter(_step(c, name_of, first_ready, windows) for c in calls)
    create_calls = steps["create.post"] + steps["create.get"]
    per_instance = (create_calls + steps["token"] + steps["list"]) / n
    per_edit = (steps["update.patch"] + steps["update.get"]) / len(edits) if edits else None

    latencies = _edit_latencies(calls, edits, name_of)
    lat50, lat95 = p50_p95([e.simulated for e in latencies])
    wait50, wait95 = p50_p95([e.limiter_wait * scale for e in latencies])
    eq50, eq95 = p50_p95([e.production_equivalent(scale) for e in latencies])
    lag50, lag95 = p50_p95(_detection_lags(stack, first_ready))
    create_waits = [
        c.limiter_wait * scale for c in calls if c.kind == "create" and c.limiter_wait is not None
    ]
    cw50, cw95 = p50_p95(create_waits)
    posts = sorted(c.time for c in calls if c.kind == "create" and c.status == 202)
    first_post = posts[0] - start if posts else None
    last_post = posts[-1] - start if posts else None
    duplicates = sum(len(ids) - 1 for ids in stack.recorder.instances_by_name().values())
    throttled = rejected(calls)
    peak = stack.operator.figures().peak_rss_mb if stack.operator else None

    result.figures = {
        "complete": complete,
        "ready": len(ready_times),
        "time_to_all_ready_s": rounded(all_ready),
        "theoretical_minimum": best.as_dict(),
        "ratio_to_minimum": rounded(ratio, 3),
        "theoretical_minimum_at_operator_budget": at_budget.as_dict(),
        "ratio_to_minimum_at_operator_budget": rounded(ratio_at_budget, 3),
        "first_create_sent_s": rounded(first_post),
        "last_create_sent_s": rounded(last_post),
        "last_ready_instance": _slowest(stack, calls, first_ready, start),
        "create_limiter_wait_aura_s": {"p50": rounded(cw50), "p95": rounded(cw95)},
        "calls": {
            "total": len(calls),
            "by_step": dict(sorted(steps.items())),
            "create_per_instance": rounded(create_calls / n, 2),
            "create_per_instance_with_token_and_lists": rounded(per_instance, 2),
            "update_per_edit": rounded(per_edit, 2),
        },
        "rejected_429": throttled,
        "duplicates": duplicates,
        "external_client_rpm": external,
        "edits": {
            "count": len(edits),
            "patched": len(latencies),
            "latency_simulated_s": {"p50": rounded(lat50), "p95": rounded(lat95)},
            "limiter_wait_aura_s": {"p50": rounded(wait50), "p95": rounded(wait95)},
            "latency_production_equivalent_s": {"p50": rounded(eq50, 2), "p95": rounded(eq95, 2)},
        },
        "ready_detection_lag_s": {"p50": rounded(lag50), "p95": rounded(lag95)},
        "kubernetes_writes": dict(stack.watch.writes),
        "operator_peak_rss_mb": rounded(peak),
    }

    judged = n in JUDGED_N and result.workload == "burst"
    contended = result.workload in CONTENDED
    r = result.row
    r("all Ready", f"{len(ready_times)}/{n}" + ("" if complete else " (timed out)"))
    r("time to all Ready", fmt(all_ready, " s"))
    r(
        f"theoretical minimum (R={best.rate_per_minute}/min)",
        f"{best.makespan:.1f} s ({best.bound_by}-bound: 2N/R {best.rate_bound:.0f} s, "
        f"P_max+N/R {best.provisioning_bound:.0f} s)",
    )
    r(
        "provisioning drawn (median/p95/max)",
        f"{best.median_duration:.0f} / {best.p95_duration:.0f} / {best.max_duration:.0f} s",
    )
    r(
        "ratio to minimum",
        fmt(ratio, "", 3),
        "<= 1.10 (N=100, 500)",
        _le(ratio, 1.10) if judged else None,
    )
    r(
        f"ratio at the operator's budget (R={at_budget.rate_per_minute})",
        fmt(ratio_at_budget, "", 3),
    )
    r(
        "first / last create sent after",
        f"{fmt(first_post, ' s')} / {fmt(last_post, ' s')} (oracle: 0 / "
        f"{(n // best.rate_per_minute) * 60} s)",
    )
    r("create limiter wait, Aura s (p50/p95)", f"{fmt(cw50, ' s')} / {fmt(cw95, ' s')}")
    r(
        "Aura calls per instance, create to Ready",
        f"{per_instance:.2f} (POST {steps['create.post']}, GET {steps['create.get']}, "
        f"token {steps['token']}, list {steps['list']})",
        "<= 3 (N >= 100; more may go to reads while the budget has room)",
        per_instance <= 3 if n >= 100 else None,
    )
    if edits:
        r("Aura calls per edit (PATCH and reads)", fmt(per_edit, "", 2))
    r(
        "429 received",
        str(throttled),
        f"<= {MAX_429}" if contended else "0",
        throttled <= MAX_429 if contended else throttled == 0,
    )
    r("duplicate instances", str(duplicates), "0", duplicates == 0)
    if edits:
        r(
            f"edit -> PATCH, simulated clock (p50/p95; {len(latencies)}/{len(edits)} edits)",
            f"{fmt(lat50, ' s')} / {fmt(lat95, ' s')}",
        )
        r("  of which limiter wait, Aura s (p50/p95)", f"{fmt(wait50, ' s')} / {fmt(wait95, ' s')}")
        r(
            "edit -> PATCH, production-equivalent (p50/p95)",
            f"{fmt(eq50, ' s', 2)} / {fmt(eq95, ' s', 2)}",
            "p95 <= 2 s" + ("" if contended else " (N=500)"),
            _le(eq95, 2.0) if n == 500 or contended else None,
        )
    r("Ready detection lag (p50/p95)", f"{fmt(lag50, ' s')} / {fmt(lag95, ' s')}")
    r("operator peak RSS", fmt(peak, " MB"), "<= 150 MB", _le(peak, 150.0))
