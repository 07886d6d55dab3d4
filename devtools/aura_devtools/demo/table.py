"""The demo's live table of AuraInstances (pure formatting)."""

from __future__ import annotations

from typing import Any

COLUMNS = ("NAME", "AURA ID", "AURA STATUS", "PHASE", "READY", "MEMORY")


def ready_of(obj: dict[str, Any]) -> str:
    """Ready's status, counted only for the current generation (as `kubectl wait` does)."""
    generation = obj.get("metadata", {}).get("generation")
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            if condition.get("observedGeneration") != generation:
                return "Unknown"
            return str(condition.get("status", "Unknown"))
    return "Unknown"


def row(obj: dict[str, Any]) -> tuple[str, ...]:
    status = obj.get("status") or {}
    return (
        obj["metadata"]["name"],
        status.get("instanceId", "-"),
        status.get("auraStatus", "-"),
        status.get("phase", "Pending"),
        ready_of(obj),
        status.get("memory") or obj.get("spec", {}).get("memory", "-"),
    )


def render(objects: list[dict[str, Any]]) -> str:
    rows = [COLUMNS, *sorted(row(o) for o in objects)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def masked_secret(data: dict[str, str]) -> str:
    """The connection Secret's keys and values, the password masked."""
    lines = []
    for key in sorted(data):
        value = data[key]
        if key == "NEO4J_PASSWORD":
            value = f"<hidden, {len(value)} characters>"
        lines.append(f"  {key}={value}")
    return "\n".join(lines)
