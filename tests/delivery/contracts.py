"""The operator settings table of docs/contracts.md: every environment variable and its default."""

from __future__ import annotations

import re
from pathlib import Path

from .paths import CONTRACTS

SETTINGS_HEADING = "## Operator settings (environment)"


def operator_settings(contracts: Path = CONTRACTS) -> dict[str, str]:
    """Variable name -> default value ("" where the table says empty)."""
    settings: dict[str, str] = {}
    in_section = False
    for line in contracts.read_text().splitlines():
        if line.startswith("## "):
            in_section = line.strip() == SETTINGS_HEADING
            continue
        match = re.match(r"\|\s*`([A-Z0-9_]+)`\s*\|([^|]*)\|", line) if in_section else None
        if match:
            settings[match.group(1)] = _default(match.group(2).strip())
    if not settings:
        raise ValueError(f"no settings table under {SETTINGS_HEADING!r} in {contracts}")
    return settings


def pod_variables(contracts: Path = CONTRACTS) -> set[str]:
    """Pod facts the contracts expect from the downward API (for example POD_NAMESPACE)."""
    return set(re.findall(r"`(POD_[A-Z_]+)`", contracts.read_text()))


def _default(cell: str) -> str:
    if cell.startswith("empty"):
        return ""
    return cell.strip("`")
