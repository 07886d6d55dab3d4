"""What a benchmark run is asked to do (from the command line) and the operator's own budget."""

from __future__ import annotations

from dataclasses import dataclass

from aura_operator.controller.settings import OperatorSettings

_DEFAULTS = OperatorSettings()
DEFAULT_MARGIN = _DEFAULTS.rate_limit_margin


def operator_budget(margin: int) -> int:
    """The operator's calls a minute: Aura's 125 less its safety margin (as the operator's
    own settings compute it)."""
    return _DEFAULTS.model_copy(update={"rate_limit_margin": margin}).effective_rate_limit


BACKGROUND_SHARE = _DEFAULTS.background_share


@dataclass(frozen=True)
class RunSettings:
    n: int
    time_scale: float
    seed: int
    edits: int = 10
    """User edits (resizes) during the burst, one at a time, each on another Ready instance."""
    edit_every: float = 20.0
    """Simulated seconds between two edits."""
    idle_minutes: float = 60.0
    restart_minutes: float = 10.0
    new_after_restart: float = 10.0
    """Simulated seconds after the restart at which one new AuraInstance is applied."""
    shared_rpm: float = 50.0
    """Requests a minute the other client spends in the shared burst (40 % of 125)."""
    rounds: int = 10
    """Rounds of N creates in the latency workload, each after the previous is Ready."""
    rate_limit_margin: int = DEFAULT_MARGIN
    """The operator's AURA_RATE_LIMIT_MARGIN (its budget is 125 less this)."""

    @property
    def operator_budget(self) -> int:
        return operator_budget(self.rate_limit_margin)

    def real(self, simulated: float) -> float:
        return simulated / self.time_scale

    def patience(self, simulated: float) -> float:
        """Real seconds to wait for something expected within `simulated` seconds."""
        return 3 * self.real(simulated) + 120
