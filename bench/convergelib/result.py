"""One workload's outcome: the figures (for JSON) and the table rows (for the terminal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Row:
    metric: str
    value: str
    target: str = ""
    met: bool | None = None
    """None when the issue sets no target for this figure (or not at this N)."""

    @property
    def verdict(self) -> str:
        return {True: "ok", False: "MISSED", None: ""}[self.met]


@dataclass
class WorkloadResult:
    workload: str
    n: int
    timeline: str
    """Which environment it ran in (workloads on one timeline share the fleet)."""
    start: float
    end: float
    real_seconds: float
    figures: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)

    def row(self, metric: str, value: str, target: str = "", met: bool | None = None) -> None:
        if self.workload.startswith("preparation"):
            target, met = "", None  # it only sets the fleet up; its figures are not judged
        self.rows.append(Row(metric, value, target, met))

    def as_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "n": self.n,
            "timeline": self.timeline,
            "simulated_seconds": round(self.end - self.start, 1),
            "real_seconds": round(self.real_seconds, 1),
            **self.figures,
            "targets": [
                {"metric": r.metric, "value": r.value, "target": r.target, "met": r.met}
                for r in self.rows
                if r.target
            ],
        }


def fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}{unit}"


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
