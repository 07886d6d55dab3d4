"""Run the real kopf operator against the emulator: `async with running_operator(url, setup):`.

kopf runs in its own thread and event loop. In the caller's loop it would not be contained:
when `kopf.operator()` stops it waits up to 5 s for, then cancels, every task created in the
loop since it started, which includes the emulator's (and the Aura simulator's) server-side
connection handlers and anything else the test or demo started meanwhile.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import importlib
import logging
import sys
import threading
from collections.abc import AsyncIterator, Callable, Collection
from types import ModuleType
from typing import Any

import kopf
from kopf._cogs.structs.references import Insights  # accepted by kopf.operator()

logger = logging.getLogger(__name__)

RegistrySetup = Callable[[kopf.OperatorRegistry], None] | ModuleType | str
SettingsCustomiser = Callable[[kopf.OperatorSettings], None]


class OperatorStartupError(RuntimeError):
    """kopf exited or failed before its startup handlers finished."""


class OperatorStopError(RuntimeError):
    """kopf did not stop within the allowed time."""


def settings_for_emulator() -> kopf.OperatorSettings:
    """kopf settings for a short-lived operator against the local emulator."""
    settings = kopf.OperatorSettings()
    # The emulator ends watch streams after this many seconds, as an API server does; kopf then
    # resumes from the last resourceVersion. Short, so resuming is exercised in every run.
    settings.watching.server_timeout = 10
    settings.watching.client_timeout = 15
    settings.watching.connect_timeout = 5
    # Fail fast instead of kopf's production patience (300 s requests, ~1 min of retries).
    settings.networking.request_timeout = 15
    settings.networking.connect_timeout = 5
    settings.networking.error_backoffs = [0.1, 0.5, 1]
    # How long kopf waits for its own write to come back through the watch before it assumes
    # consistency. The emulator echoes every effective write at once; a write that changes
    # nothing keeps the old resourceVersion (as a real API server does) and would stall the
    # object's handlers for this long.
    settings.persistence.consistency_timeout = 0.5
    # Handler retries back off by 60 s by default; tests wait seconds, not minutes.
    settings.execution.default_backoff = 1
    settings.posting.enabled = True  # kopf.info/warn/event calls become core v1 Events
    settings.posting.reporting_component = "aura-operator"
    return settings


@dataclasses.dataclass(frozen=True)
class RunningOperator:
    registry: kopf.OperatorRegistry
    settings: kopf.OperatorSettings
    memo: Any


@contextlib.asynccontextmanager
async def running_operator(
    kube: str | kopf.ConnectionInfo,
    setup: RegistrySetup,
    settings_customiser: SettingsCustomiser | None = None,
    *,
    namespaces: Collection[str] = (),
    memo: Any = None,
    startup_timeout: float = 10.0,
    stop_timeout: float = 15.0,
) -> AsyncIterator[RunningOperator]:
    """Run kopf against `kube` with a fresh registry until the block exits: the emulator's URL,
    or the connection (server, token, CA) of any API server.

    `setup` registers the handlers into the fresh `kopf.OperatorRegistry`: a callable taking
    the registry, or a module (object or dotted name) that has such a `register(registry)`
    function or else registers through kopf's decorators at import time (it is then imported,
    or re-imported, with the fresh registry as kopf's default). `namespaces` empty means
    cluster-wide. Settings start from `settings_for_emulator()`; `settings_customiser` adjusts
    them before start (the operator's own startup handlers run later and may override them).

    Entering returns once kopf's startup handlers have finished and its first discovery scan
    is done (`OperatorStartupError` if kopf exits or is not ready within `startup_timeout`).
    On exit kopf is stopped through its stop flag (so `@kopf.on.cleanup` handlers run) and
    its thread joined; an exception kopf failed with meanwhile is raised here.
    """
    connection = kube if isinstance(kube, kopf.ConnectionInfo) else _unauthenticated(kube)
    registry = _build_registry(setup, connection)
    settings = settings_for_emulator()
    if settings_customiser is not None:
        settings_customiser(settings)
    runner = _OperatorThread(registry, settings, namespaces=list(namespaces), memo=memo)
    runner.start()
    try:
        await runner.wait_ready(startup_timeout)
        yield RunningOperator(registry=registry, settings=settings, memo=memo)
    finally:
        await runner.stop(stop_timeout)
    if runner.error is not None:
        raise runner.error  # kopf failed while the block ran


def _unauthenticated(url: str) -> kopf.ConnectionInfo:
    return kopf.ConnectionInfo(server=url, default_namespace="default")


def _build_registry(setup: RegistrySetup, connection: kopf.ConnectionInfo) -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    if isinstance(setup, str | ModuleType):
        _register_module(setup, registry)
    else:
        setup(registry)

    @kopf.on.login(registry=registry)
    def login_to_api_server(**_: Any) -> kopf.ConnectionInfo:
        return connection

    return registry


def _register_module(module: ModuleType | str, registry: kopf.OperatorRegistry) -> None:
    name = module if isinstance(module, str) else module.__name__
    imported_before = name in sys.modules
    # kopf's decorators register into the default registry unless given one: make it ours
    # while the module's code runs, then put kopf's back.
    previous = kopf.get_default_registry()
    kopf.set_default_registry(registry)
    try:
        imported = importlib.import_module(name)
        register = getattr(imported, "register", None)
        if callable(register):
            register(registry)
        elif imported_before:
            importlib.reload(imported)
    finally:
        kopf.set_default_registry(previous)


class _OperatorThread:
    """`kopf.operator()` in a daemon thread with its own event loop."""

    def __init__(
        self,
        registry: kopf.OperatorRegistry,
        settings: kopf.OperatorSettings,
        *,
        namespaces: list[str],
        memo: Any,
    ) -> None:
        self._registry = registry
        self._settings = settings
        self._namespaces = namespaces
        self._memo = memo
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._finished: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._lock = threading.Lock()
        self._stop_requested = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_flag: asyncio.Event | None = None
        self._main_task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name="kopf-operator", daemon=True)

    def start(self) -> None:
        self._thread.start()

    async def wait_ready(self, limit: float) -> None:
        await asyncio.to_thread(
            concurrent.futures.wait,
            [self._ready, self._finished],
            limit,
            concurrent.futures.FIRST_COMPLETED,
        )
        if self._finished.done():
            error = self._finished.exception()
            raise OperatorStartupError("kopf exited before it was ready") from error
        if not self._ready.done():
            raise OperatorStartupError(f"kopf was not ready within {limit} s")

    async def stop(self, limit: float) -> None:
        """Raise the stop flag and join; cancel kopf if it does not stop within `limit`."""
        self._request_stop()
        if not await asyncio.to_thread(self._join, limit):
            logger.warning("kopf did not stop within %s s; cancelling it", limit)
            self._cancel()
            if not await asyncio.to_thread(self._join, limit):
                raise OperatorStopError(f"kopf did not stop within {2 * limit} s")

    @property
    def error(self) -> BaseException | None:
        """What kopf failed with, once its thread has ended (cancellation by us excluded)."""
        if not self._finished.done():
            return None
        error = self._finished.exception()
        return None if isinstance(error, asyncio.CancelledError) else error

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            self._finished.set_exception(exc)
        else:
            self._finished.set_result(None)

    async def _main(self) -> None:
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._stop_flag = asyncio.Event()
            self._main_task = asyncio.current_task()
            if self._stop_requested:
                self._stop_flag.set()
        started = asyncio.Event()
        insights = Insights()
        # Ready means started (startup handlers done) and through the first discovery scan:
        # kopf stopped mid-scan leaves its scanning requests retrying for its 5 s of grace.
        ready = asyncio.ensure_future(
            asyncio.gather(
                started.wait(), insights.ready_resources.wait(), insights.ready_namespaces.wait()
            )
        )
        operator = asyncio.create_task(
            kopf.operator(
                registry=self._registry,
                settings=self._settings,
                insights=insights,
                standalone=True,  # no peering: one operator, no KopfPeering resources needed
                clusterwide=not self._namespaces,
                namespaces=self._namespaces,
                memo=self._memo,
                stop_flag=self._stop_flag,
                ready_flag=started,
            ),
            name="kopf operator",
        )
        try:
            first: list[asyncio.Future[Any]] = [ready, operator]
            await asyncio.wait(first, return_when=asyncio.FIRST_COMPLETED)
            if ready.done():
                self._ready.set_result(None)
            await operator
        finally:
            ready.cancel()
            operator.cancel()
            await asyncio.gather(ready, operator, return_exceptions=True)

    def _request_stop(self) -> None:
        with self._lock:
            self._stop_requested = True
            if self._loop is not None and self._stop_flag is not None:
                with contextlib.suppress(RuntimeError):  # the loop has already closed
                    self._loop.call_soon_threadsafe(self._stop_flag.set)

    def _cancel(self) -> None:
        with self._lock:
            if self._loop is not None and self._main_task is not None:
                with contextlib.suppress(RuntimeError):
                    self._loop.call_soon_threadsafe(self._main_task.cancel)

    def _join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()
