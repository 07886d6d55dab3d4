"""Assemble the operator. Everything that lives in the event loop (Aura API client, Kubernetes
client, engine, observer, metrics server) is built in kopf's startup handler and closed in its
cleanup handler, so the operator runs the same under `aura-operator run` (process.py, which
adds leader election, probes and a metrics server that outlive kopf) and under the emulator's
kopf runner in tests and the demo."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import Any

import kopf
from aiohttp import web
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from aura_operator.aura import AuraApi, LimiterRegistry
from aura_operator.controller.budget_record import encode
from aura_operator.controller.instance.engine import Engine
from aura_operator.controller.instance.handlers import Login, configure_kopf, register_handlers
from aura_operator.controller.instance.observer import Observer
from aura_operator.controller.kube import Connection, KubeClient
from aura_operator.controller.metrics import Metrics
from aura_operator.controller.restore.handlers import register_restore_handlers
from aura_operator.controller.settings import OperatorSettings
from aura_operator.controller.snapshot.handlers import register_snapshot_handlers

logger = logging.getLogger("aura_operator.controller")


def cluster_login(**kwargs: Any) -> kopf.ConnectionInfo | None:
    """In a pod: the service account. Elsewhere: the kubeconfig, through the official client
    when it is installed (the `kubeconfig-plugins` extra, for exec and auth-provider users;
    never in the image), else kopf's own reader (tokens and client certificates)."""
    return (
        kopf.login_with_service_account(**kwargs)
        or kopf.login_via_client(**kwargs)
        or kopf.login_with_kubeconfig(**kwargs)
    )


async def start_metrics_server(metrics: Metrics, port: int) -> tuple[web.AppRunner, int]:
    """Serve /metrics on `port` (0: a free one); returns the runner and the bound port."""

    async def scrape(_: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(metrics.registry),
            headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4},
        )

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", port)  # noqa: S104 - scraped from other pods
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []
    return runner, int(sockets[0].getsockname()[1]) if sockets else port


def register(
    registry: kopf.OperatorRegistry, settings: OperatorSettings, *, login: Login = cluster_login
) -> None:
    """Register the whole operator on `registry`."""
    register_handlers(registry, login=login)
    register_snapshot_handlers(registry, settings)
    register_restore_handlers(registry, settings)
    instance = os.environ.get("POD_NAME", socket.gethostname())

    @kopf.on.startup(registry=registry, id="startup")
    async def start(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
        configure_kopf(
            settings,
            instance=instance,
            namespaced=bool(operator_settings.watch_namespaces),
            grace=operator_settings.shutdown_grace,
        )
        await _start(memo, operator_settings, login=login, instance=instance)

    @kopf.on.cleanup(registry=registry, id="cleanup")
    async def stop(memo: kopf.Memo, **_: Any) -> None:
        await _stop(memo)

    operator_settings = settings


async def _start(
    memo: kopf.Memo, settings: OperatorSettings, *, login: Login, instance: str
) -> None:
    # Under `aura-operator run` the metrics server and the leader elector come from process.py;
    # elsewhere (tests, the demo) this process is the only one and serves its own metrics.
    metrics = memo.get("metrics") or Metrics()
    elector = memo.get("elector")
    guard = elector.refusal if elector is not None else None
    limiters = LimiterRegistry(
        limit=settings.rate_limit,
        margin=settings.rate_limit_margin,
        scope=settings.rate_limit_scope,
        time_scale=settings.time_scale,
        observer=metrics,
    )
    seed = memo.get("budget_seed")
    if seed is not None:
        limiters.seed(seed.budgets, seed.other)
        logger.info("budget carried over from the previous leader: %d requests", seed.total)
    if elector is not None:
        elector.record = lambda: encode(limiters.recent(), final=False)
    aura = AuraApi(
        settings.api_url,
        limiter_registry=limiters,
        time_scale=settings.time_scale,
        observer=metrics,
        send_guard=guard,
    )
    kopf_settings = kopf.OperatorSettings()

    async def connect() -> Connection:
        info = login(logger=logger, settings=kopf_settings)
        if info is None:
            raise kopf.LoginError("no Kubernetes credentials found")
        return Connection.from_kopf(info)

    kube = KubeClient(connect, reporting_instance=instance, write_guard=guard)
    engine = Engine(
        settings=settings,
        aura=aura,
        kube=kube,
        on_error=lambda reason: metrics.reconcile_errors.labels(reason).inc(),
        on_reconciled=metrics.on_reconciled,
    )
    observer = Observer(
        engine.fleet,
        engine.observe,
        engine.confirm_by_listing,
        requests_per_minute=settings.effective_rate_limit,
        background_share=settings.background_share,
        time_scale=settings.time_scale,
    )
    engine.schedule = observer.schedule
    metrics.watch_limiters(limiters)
    metrics.watch_fleet(engine.fleet)
    if "metrics_port" not in memo:
        memo.metrics_runner, memo.metrics_port = await start_metrics_server(
            metrics, settings.metrics_port
        )
    port = memo.metrics_port
    memo.engine, memo.observer, memo.metrics, memo.limiters = engine, observer, metrics, limiters
    memo.aura, memo.kube = aura, kube
    memo.observer_task = asyncio.create_task(observer.run(), name="aura-observer")
    metrics.leader.set(1)  # the leader, or the only process handling AuraInstances
    memo.shutdown_grace = settings.shutdown_grace
    logger.info("metrics on port %d", port)


async def _stop(memo: kopf.Memo) -> None:
    engine = getattr(memo, "engine", None)
    if engine is not None:
        await engine.drain(limit=memo.shutdown_grace)
    task = getattr(memo, "observer_task", None)
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    for name in ("aura", "kube"):
        client = getattr(memo, name, None)
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()
    runner = getattr(memo, "metrics_runner", None)
    if runner is not None:
        await runner.cleanup()


def production_kopf_settings() -> kopf.OperatorSettings:
    settings = kopf.OperatorSettings()
    settings.networking.request_timeout = 60
    settings.networking.connect_timeout = 10
    settings.execution.default_backoff = 30
    return settings


async def run_operator(settings: OperatorSettings, *, liveness: bool = True) -> None:
    """The `aura-operator run` process: until SIGTERM/SIGINT."""
    registry = kopf.OperatorRegistry()
    register(registry, settings)
    await kopf.operator(
        registry=registry,
        settings=production_kopf_settings(),
        memo=kopf.Memo(),
        standalone=True,
        clusterwide=not settings.watch_namespaces,
        namespaces=list(settings.watch_namespaces),
        liveness_endpoint=(f"http://0.0.0.0:{settings.health_port}/healthz" if liveness else None),
    )
