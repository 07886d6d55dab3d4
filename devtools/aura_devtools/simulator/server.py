"""`Simulator`: runs the app on a TCP port, for tests (embedded) and for the CLI."""

from __future__ import annotations

from types import TracebackType

from aiohttp import web

from aura_devtools.simulator.app import create_app
from aura_devtools.simulator.clock import SimClock
from aura_devtools.simulator.config import SimulatorConfig
from aura_devtools.simulator.state import SimulatorState


class Simulator:
    """An Aura API v1 simulator on `host:port` (port 0 picks a free one).

    >>> async with Simulator(SimulatorConfig(time_scale=60)) as sim:
    ...     sim.base_url  # e.g. "http://127.0.0.1:41234"
    """

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config if config is not None else SimulatorConfig.default()
        self.host = host
        self.port = port
        self.state = SimulatorState(self.config)
        self.app = create_app(self.state)
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    def __repr__(self) -> str:
        return f"Simulator(base_url={self._base_url!r})"

    @property
    def base_url(self) -> str:
        """`http://host:port`; Aura paths are `<base_url>/oauth/token` and `<base_url>/v1/...`."""
        if self._base_url is None:
            raise RuntimeError("the simulator is not started")
        return self._base_url

    @property
    def clock(self) -> SimClock:
        return self.state.clock

    def advance(self, seconds: float) -> float:
        """Moves the simulated clock forward (same as `POST /_sim/clock`); returns the new now."""
        now = self.state.clock.advance(seconds)
        self.state.inventory.refresh(now)
        return now

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("the simulator is already started")
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.port = int(port)
        shown = f"[{host}]" if ":" in str(host) else str(host)
        self._base_url = f"http://{shown}:{self.port}"

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
