"""A local Aura API v1 simulator (aiohttp) with in-memory state, a simulated clock, the rate
limit and fault injection; run it with `aura-operator-dev simulator` or embed it with
`Simulator`."""

from aura_devtools.simulator.config import (
    Credential,
    Durations,
    Faults,
    InstanceConfiguration,
    SimulatorConfig,
    Tenant,
)
from aura_devtools.simulator.server import Simulator
from aura_devtools.simulator.state import SimulatorState

__all__ = [
    "Credential",
    "Durations",
    "Faults",
    "InstanceConfiguration",
    "Simulator",
    "SimulatorConfig",
    "SimulatorState",
    "Tenant",
]
