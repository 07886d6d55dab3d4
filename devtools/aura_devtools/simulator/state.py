"""Everything one running simulator holds in memory, wired from a SimulatorConfig."""

from __future__ import annotations

import random

from aura_devtools.simulator.auth import CredentialStore, TokenStore
from aura_devtools.simulator.clock import SimClock
from aura_devtools.simulator.config import SimulatorConfig
from aura_devtools.simulator.faults import FaultState
from aura_devtools.simulator.inventory import DurationSampler, Inventory
from aura_devtools.simulator.ratelimit import SlidingWindowLimiter
from aura_devtools.simulator.requestlog import RequestLog
from aura_devtools.simulator.validation import Catalog


class SimulatorState:
    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.clock = SimClock(config.time_scale, offset=config.clock_offset)
        seeds = random.Random(config.seed)
        # Separate generators, so injected faults never shift the drawn durations.
        durations_rng = random.Random(seeds.getrandbits(64))
        faults_rng = random.Random(seeds.getrandbits(64))
        self.catalog = Catalog(config.tenants)
        self.credentials = CredentialStore(config.credentials)
        self.tokens = TokenStore()
        self.limiter = SlidingWindowLimiter(
            config.rate_limit_per_minute, config.rate_limit_scope, window=60.0
        )
        self.faults = FaultState(config.faults, faults_rng, self.clock.now())
        self.inventory = Inventory(
            DurationSampler(config.durations, config.duration_jitter, durations_rng),
            config.initial_scheduled_snapshot,
        )
        self.requests = RequestLog(config.request_log_limit)

    def now(self) -> float:
        return self.clock.now()

    def reset(self) -> None:
        """Forgets instances, snapshots, keys, the request log, tokens, rate counts and faults."""
        self.inventory.clear()
        self.requests.clear()
        self.tokens.clear()
        self.limiter.clear()
        self.faults.reset()
