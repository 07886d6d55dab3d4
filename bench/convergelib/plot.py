"""The PNG: Aura calls per simulated minute over each timeline, stacked by limiter lane."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from convergelib.calls import Call
from convergelib.result import WorkloadResult

LANES = ("intent", "create", "background", "unknown")
COLOURS = {
    "intent": "#d62728",
    "create": "#1f77b4",
    "background": "#7f7f7f",
    "unknown": "#bcbd22",
}


@dataclass(frozen=True)
class Timeline:
    label: str
    start: float  # simulated epoch seconds
    calls: list[Call]
    workloads: list[WorkloadResult]
    budget: float  # calls a minute the operator may make
    api_limit: float
    per_process: bool = False
    """Also draw a line of calls per minute for each operator process (the pair workload)."""


def plot(path: Path, timelines: list[Timeline], title: str) -> bool:
    """Write the PNG; False when matplotlib is not installed (`pip install matplotlib`)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(
        len(timelines), 1, figsize=(12, 3.6 * len(timelines)), squeeze=False
    )
    for axis, timeline in zip(axes[:, 0], timelines, strict=True):
        _draw(axis, timeline)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def _draw(axis: object, timeline: Timeline) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axis, Axes)
    end = max([c.time for c in timeline.calls] + [w.end for w in timeline.workloads])
    minutes = int((end - timeline.start) // 60) + 1
    counts = {lane: Counter[int]() for lane in LANES}
    throttled: Counter[int] = Counter()
    for call in timeline.calls:
        minute = int((call.time - timeline.start) // 60)
        counts[call.lane if call.lane in counts else "unknown"][minute] += 1
        if call.status == 429:
            throttled[minute] += 1
    xs = list(range(minutes))
    bottom = [0] * minutes
    for lane in LANES:
        heights = [counts[lane].get(x, 0) for x in xs]
        if any(heights):
            axis.bar(
                xs, heights, bottom=bottom, width=1.0, align="edge", color=COLOURS[lane], label=lane
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    if timeline.per_process:
        processes = sorted({c.process for c in timeline.calls if c.process != "unknown"})
        for process in processes:
            mine = Counter(
                int((c.time - timeline.start) // 60) for c in timeline.calls if c.process == process
            )
            axis.plot(
                [x + 0.5 for x in xs],
                [mine.get(x, 0) for x in xs],
                marker=".",
                linewidth=1.2,
                label=f"{process} calls/min",
            )
    if throttled:
        axis.scatter(
            [x + 0.5 for x in throttled],
            [bottom[x] + 2 for x in throttled],
            marker="v",
            color="black",
            s=12,
            label="429 in that minute",
        )
    axis.axhline(
        timeline.api_limit,
        color="black",
        linewidth=0.8,
        linestyle="--",
        label=f"API limit {timeline.api_limit:g}/min",
    )
    axis.axhline(
        timeline.budget,
        color="black",
        linewidth=0.8,
        linestyle=":",
        label=f"operator budget {timeline.budget:g}/min",
    )
    for workload in timeline.workloads:
        left = (workload.start - timeline.start) / 60
        right = (workload.end - timeline.start) / 60
        axis.axvspan(left, right, color="#2ca02c", alpha=0.06)
        axis.text(
            left, max(timeline.api_limit, timeline.budget) * 1.08, workload.workload, fontsize=8
        )
    axis.set_xlim(0, minutes)
    top = max([timeline.api_limit, timeline.budget, *bottom])
    axis.set_ylim(0, top * 1.25)
    axis.set_xlabel("simulated minutes")
    axis.set_ylabel("Aura calls per minute")
    axis.set_title(timeline.label, fontsize=10)
    axis.legend(loc="upper right", fontsize=7, ncols=3)
