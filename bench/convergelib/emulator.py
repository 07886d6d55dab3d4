"""The Kubernetes API emulator with a bounded request history.

kmock (under the emulator) keeps every request it ever served and, to route each new one, scans
that whole history (`request in payload._source` walks the root's list): the cost of a request
grows with the number served before it. A burst of 500 makes tens of thousands of Kubernetes
requests, and the emulator then eats a whole core, which the time scale turns into minutes of
simulated delay that are not the operator's. The benchmark keeps only the latest requests (the
one being routed is always the newest; routing happens before any await).
"""

from __future__ import annotations

import aiohttp.web

from aura_operator.kube_emulator import KubernetesApiEmulator

KEPT_REQUESTS = 8


class BoundedHistoryEmulator(KubernetesApiEmulator):
    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        del self._requests[:-KEPT_REQUESTS]
        return await super().__call__(raw_request)
