"""The terminal table of each workload and the JSON file of a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from convergelib.calls import Call
from convergelib.result import WorkloadResult


def table(result: WorkloadResult) -> str:
    title = (
        f"== {result.workload}  N={result.n}  [{result.timeline}]  "
        f"simulated {result.end - result.start:.0f} s, real {result.real_seconds:.0f} s =="
    )
    headers = ("metric", "value", "target", "")
    rows = [(r.metric, r.value, r.target, r.verdict) for r in result.rows]
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(3)]
    lines = [title]
    for row in [headers, *rows]:
        cells = [str(row[i]).ljust(widths[i]) for i in range(3)]
        lines.append("  ".join(cells) + "  " + row[3])
    return "\n".join(lines)


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2) + "\n")


def write_calls(path: Path, calls: list[Call], start: float) -> None:
    """Every Aura call of a timeline, one JSON object a line (time in simulated seconds)."""
    with path.open("w") as handle:
        for call in calls:
            entry = {
                "t": round(call.time - start, 3),
                "method": call.method,
                "path": call.path,
                "status": call.status,
                "lane": call.lane,
                "process": call.process,
                "limiter_wait_real_s": call.limiter_wait,
                "request_id": call.request_id,
            }
            handle.write(json.dumps(entry) + "\n")
