"""The operator's probe endpoints on AURA_HEALTH_PORT, served by leader and standby alike.

- `/healthz` (liveness): 200 while the event loop answers.
- `/readyz` (readiness): 200 once the process plays its part, as leader or as standby ready to
  take over (a standby must count as ready, or a rolling update could never finish); the body
  says which, and who holds the Lease. 503 while starting or stopping.
- `/leader`: 200 only on the leader (for a Service or a person that wants the one that acts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aiohttp import web

STARTING, STANDBY, LEADER, STOPPING = "starting", "standby", "leader", "stopping"


@dataclass
class Role:
    identity: str
    state: str = STARTING
    holder: str = ""
    election: bool = True

    def as_json(self) -> str:
        return json.dumps(
            {
                "role": self.state,
                "identity": self.identity,
                "holder": self.holder,
                "leaderElection": self.election,
            }
        )


async def start_probe_server(role: Role, port: int) -> tuple[web.AppRunner, int]:
    """Serve the probes on `port` (0: a free one); returns the runner and the bound port."""

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(_: web.Request) -> web.Response:
        ready = role.state in (STANDBY, LEADER)
        return web.Response(
            text=role.as_json(), status=200 if ready else 503, content_type="application/json"
        )

    async def leader(_: web.Request) -> web.Response:
        return web.Response(
            text=role.as_json(),
            status=200 if role.state == LEADER else 503,
            content_type="application/json",
        )

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/leader", leader)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", port)  # noqa: S104 - probed by the kubelet
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []
    return runner, int(sockets[0].getsockname()[1]) if sockets else port
