"""The `aura-operator run` process: probes and metrics first, then (with leader election) wait
as a standby until this process holds the Lease, then run kopf until SIGTERM or until the
Lease is lost.

kopf runs `standalone` (its own peering is off): kopf's peering only pauses operators of lower
priority, lets peers of equal priority run side by side, and pauses through a watch, not before
a write, so it cannot promise "never two actors". A Lease the standby waits on, and a gate every
write asks, can.

The elector (taking, renewing and releasing the Lease, with its own Kubernetes client) runs on a
thread and event loop of its own: kopf and every reconcile share the main loop, and a burst can
keep that loop busy for longer than the renew deadline. A leader that is alive must not lose its
Lease because it is busy (its successor would inherit the same load, and lose it in turn).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
import uuid
from typing import Any

import kopf

from aura_operator.controller.budget_record import carried_over, encode
from aura_operator.controller.election import LeaderElector, LeadershipLost
from aura_operator.controller.kopf_fence import fenced_kopf
from aura_operator.controller.kube import Connection, KubeClient
from aura_operator.controller.loop_thread import LoopThread
from aura_operator.controller.metrics import Metrics
from aura_operator.controller.probes import LEADER, STANDBY, STOPPING, Role, start_probe_server
from aura_operator.controller.runner import (
    cluster_login,
    production_kopf_settings,
    register,
    start_metrics_server,
)
from aura_operator.controller.settings import OperatorSettings

logger = logging.getLogger("aura_operator.controller")

LOST_EXIT_CODE = 1


def identity_of(settings: OperatorSettings) -> str:
    """The Lease holder name: the pod name (downward API), else unique to this process."""
    return settings.pod_name or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


async def run_operator(settings: OperatorSettings, *, liveness: bool = True) -> None:
    """Until SIGTERM/SIGINT (then the Lease is released), or until the Lease is lost (then the
    process exits at once with status 1, and Kubernetes restarts it as a standby)."""
    identity = identity_of(settings)
    role = Role(identity=identity, election=settings.leader_election)
    metrics = Metrics()
    metrics.leader.set(0)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    probes = await start_probe_server(role, settings.health_port) if liveness else None
    metrics_runner, metrics_port = await start_metrics_server(metrics, settings.metrics_port)
    logger.info("probe port %s, metrics port %d", probes[1] if probes else "-", metrics_port)
    elector: LeaderElector | None = None
    lease_kube: KubeClient | None = None
    election = LoopThread("leader-election")
    memo = kopf.Memo()
    memo.metrics, memo.metrics_port, memo.identity = metrics, metrics_port, identity
    try:
        if settings.leader_election:
            lease_kube = KubeClient(_connect, reporting_instance=identity)
            elector = LeaderElector(
                lease_kube,
                namespace=settings.pod_namespace,
                name=settings.lease_name,
                identity=identity,
                timings=settings.election_timings,
            )
            role.state = STANDBY
            logger.info(
                "standby: waiting for Lease %s/%s as %s",
                settings.pod_namespace,
                settings.lease_name,
                identity,
            )
            election.start()
            if not await _acquire(elector, election, role, stop):
                return
            memo.elector = elector
        role.state, role.holder = LEADER, identity
        metrics.leader.set(1)
        await _lead(settings, memo, elector, election, stop)
    finally:
        role.state = STOPPING
        metrics.leader.set(0)
        if elector is not None:
            limiters = memo.get("limiters")
            final = encode(limiters.recent() if limiters else {}, final=True)
            await election.run(elector.release(final))
        if lease_kube is not None:
            await election.run(lease_kube.aclose())
        election.stop()
        await metrics_runner.cleanup()
        if probes is not None:
            await probes[0].cleanup()


async def _acquire(
    elector: LeaderElector, election: LoopThread, role: Role, stop: asyncio.Event
) -> bool:
    """Wait as a standby (on the elector's loop); keep the probe's idea of the holder current
    meanwhile."""

    async def follow() -> None:
        while True:
            role.holder = elector.holder
            await asyncio.sleep(elector.timings.retry_period)

    follower = asyncio.create_task(follow())
    try:
        return await election.run(elector.acquire(stop.is_set))
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)


async def _lead(
    settings: OperatorSettings,
    memo: kopf.Memo,
    elector: LeaderElector | None,
    election: LoopThread,
    stop: asyncio.Event,
) -> None:
    if elector is not None:
        memo.budget_seed = carried_over(
            elector.predecessor,
            now=time.monotonic(),
            time_scale=settings.time_scale,
            capacity=settings.effective_rate_limit,
            burst=10,
            unseen=settings.renew_deadline + settings.retry_period,
        )
    registry = kopf.OperatorRegistry()
    register(registry, settings)
    with contextlib.ExitStack() as fences:
        if elector is not None:
            fences.enter_context(fenced_kopf(elector.refusal))
        await _run_kopf(settings, registry, memo, elector, election, stop)


async def _run_kopf(
    settings: OperatorSettings,
    registry: kopf.OperatorRegistry,
    memo: kopf.Memo,
    elector: LeaderElector | None,
    election: LoopThread,
    stop: asyncio.Event,
) -> None:
    kopf_stop = asyncio.Event()
    operator = asyncio.create_task(
        kopf.operator(
            registry=registry,
            settings=production_kopf_settings(),
            memo=memo,
            standalone=True,
            clusterwide=not settings.watch_namespaces,
            namespaces=list(settings.watch_namespaces),
            stop_flag=kopf_stop,
        ),
        name="kopf operator",
    )
    waits: list[asyncio.Task[Any]] = [operator, asyncio.create_task(stop.wait())]
    holding = asyncio.create_task(election.run(_hold(elector))) if elector is not None else None
    if holding is not None:
        waits.append(holding)
    try:
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        if holding is not None and holding in done:  # not LeadershipLost: that exits in _hold
            _exit_on_loss(repr(holding.exception()))
        kopf_stop.set()  # SIGTERM: kopf stops, its cleanup lets create answers reach Secrets
        await operator
    finally:
        for task in waits:
            task.cancel()
        await asyncio.gather(*waits, return_exceptions=True)


async def _hold(elector: LeaderElector) -> None:
    """On the elector's loop: renew the Lease; once it is lost, end the process from this
    thread at once, however busy the main loop is."""
    try:
        await elector.hold()
    except LeadershipLost as error:
        _exit_on_loss(str(error))


def _exit_on_loss(reason: str) -> None:
    """The Lease was not renewed in time: every write is refused from this moment (the gate),
    and the process ends now rather than let kopf's own bookkeeping write on."""
    logger.critical("leadership lost, exiting: %s", reason)
    logging.shutdown()
    sys.stderr.flush()
    os._exit(LOST_EXIT_CODE)


async def _connect() -> Connection:
    info = cluster_login(logger=logger, settings=kopf.OperatorSettings())
    if info is None:
        raise kopf.LoginError("no Kubernetes credentials found")
    return Connection.from_kopf(info)
