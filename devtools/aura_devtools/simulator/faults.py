"""Run-time state of the fault switches: the current Faults plus what has been armed when."""

from __future__ import annotations

import random
from typing import Any

from aura_devtools.simulator.config import Faults


class FaultState:
    def __init__(self, faults: Faults, rng: random.Random, now: float) -> None:
        self._rng = rng
        self.faults = faults.model_copy(deep=True)
        self.storm_until = 0.0
        self._arm_storm(now)

    def _arm_storm(self, now: float) -> None:
        seconds = self.faults.rate_limit_storm_seconds
        self.storm_until = now + seconds if seconds > 0 else 0.0

    def replace(self, faults: Faults, now: float) -> None:
        self.faults = faults.model_copy(deep=True)
        self._arm_storm(now)

    def merge(self, patch: dict[str, Any], now: float) -> None:
        """Applies the given fields on top of the current ones (raises on invalid values)."""
        merged = Faults.model_validate({**self.view(now), **patch})
        storm_until = self.storm_until
        self.faults = merged
        if "rate_limit_storm_seconds" in patch:
            self._arm_storm(now)
        else:
            self.storm_until = storm_until

    def reset(self) -> None:
        self.faults = Faults()
        self.storm_until = 0.0

    def storm_remaining(self, now: float) -> float:
        return max(0.0, self.storm_until - now)

    def view(self, now: float) -> dict[str, Any]:
        data = self.faults.model_dump()
        data["rate_limit_storm_seconds"] = self.storm_remaining(now)
        return data

    def draw_error(self, method: str) -> int | None:
        """A status code to inject for this request, or None."""
        faults = self.faults
        if faults.error_rate <= 0:
            return None
        if faults.error_methods is not None and method.upper() not in {
            m.upper() for m in faults.error_methods
        }:
            return None
        if self._rng.random() >= faults.error_rate:
            return None
        return self._rng.choice(faults.error_codes)

    def take_commit_then_fail(self) -> str | None:
        """Consumes one armed "commit then fail" create; returns its mode."""
        mode = self.faults.create_commit_then_fail
        if mode is None or self.faults.create_commit_then_fail_count <= 0:
            return None
        self.faults.create_commit_then_fail_count -= 1
        if self.faults.create_commit_then_fail_count == 0:
            self.faults.create_commit_then_fail = None
            self.faults.create_commit_then_fail_count = 1
        return mode

    def take_action_commit_then_fail(self, endpoint: str) -> str | None:
        """Consumes an armed "commit then fail" for this action endpoint; returns its mode."""
        mode = self.faults.action_commit_then_fail
        wanted = self.faults.action_commit_then_fail_on
        if mode is None or wanted not in (None, endpoint):
            return None
        self.faults.action_commit_then_fail = None
        self.faults.action_commit_then_fail_on = None
        return mode

    def take_create_fail(self) -> bool:
        if self.faults.create_fail_count <= 0:
            return False
        self.faults.create_fail_count -= 1
        return True
