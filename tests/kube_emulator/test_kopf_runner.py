"""`running_operator`: fresh registries, settings, namespaces, start-up failures, fast stops."""

from __future__ import annotations

import asyncio
import pathlib
import textwrap
import threading
from typing import Any

import kmock
import kopf
import pytest

from aura_devtools.kube_emulator import AURA_INSTANCES
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.kube_emulator.kopf_runner import OperatorStartupError, running_operator
from kube_emulator.helpers import aura_instance

GROUP, VERSION, PLURAL = "aura.neo4j.io", "v1alpha1", "aurainstances"


def mark_created(registry: kopf.OperatorRegistry) -> None:
    @kopf.on.create(GROUP, VERSION, PLURAL, registry=registry)
    def created(patch: kopf.Patch, **_: Any) -> None:
        patch.status["phase"] = "Creating"


def is_created(obj: dict[str, Any]) -> bool:
    return bool(obj.get("status", {}).get("phase") == "Creating")


async def test_settings_customiser_applies_before_start(kube: KubernetesApi) -> None:
    def own_finalizer(settings: kopf.OperatorSettings) -> None:
        settings.persistence.finalizer = "aura.neo4j.io/finalizer"

    def with_delete_handler(registry: kopf.OperatorRegistry) -> None:
        mark_created(registry)
        kopf.on.delete(GROUP, VERSION, PLURAL, registry=registry)(lambda **_: None)

    async with running_operator(kube.url, with_delete_handler, own_finalizer):
        await kube.create(AURA_INSTANCES, aura_instance("db"), namespace="default")
        db = await kube.wait_for(AURA_INSTANCES, "db", is_created, namespace="default")

    assert db["metadata"]["finalizers"] == ["aura.neo4j.io/finalizer"]


async def test_a_namespaced_operator_only_lists_and_watches_its_namespace(
    kube: KubernetesApi,
) -> None:
    first_watch: asyncio.Future[kmock.Request] = asyncio.get_running_loop().create_future()
    kube.emulator[kmock.action.WATCH, AURA_INSTANCES.key] >> first_watch

    async with running_operator(kube.url, mark_created, namespaces=["default"]):
        async with asyncio.timeout(5):
            await first_watch

    requests = [r for r in kube.emulator if r.resource == AURA_INSTANCES.key]
    assert {r.action for r in requests} == {kmock.action.LIST, kmock.action.WATCH}
    assert {r.namespace for r in requests} == {"default"}


async def test_a_failing_startup_handler_fails_entering(kube: KubernetesApi) -> None:
    def failing_startup(registry: kopf.OperatorRegistry) -> None:
        @kopf.on.startup(registry=registry)
        def refuse(**_: Any) -> None:
            raise kopf.PermanentError("no credentials")

    with pytest.raises(OperatorStartupError):
        async with running_operator(kube.url, failing_startup):
            pytest.fail("the block must not run")


async def test_cleanup_handlers_run_when_the_block_exits(kube: KubernetesApi) -> None:
    cleaned_up = threading.Event()

    def with_cleanup(registry: kopf.OperatorRegistry) -> None:
        kopf.on.cleanup(registry=registry)(lambda **_: cleaned_up.set())

    async with running_operator(kube.url, with_cleanup):
        assert not cleaned_up.is_set()

    assert cleaned_up.is_set()


async def test_an_error_in_the_block_still_stops_kopf(kube: KubernetesApi) -> None:
    with pytest.raises(LookupError):
        async with running_operator(kube.url, mark_created):
            raise LookupError("test failure")
    # The no_leaked_tasks fixture checks that kopf's thread is gone.


async def test_stopping_takes_well_under_kopfs_in_loop_five_seconds(kube: KubernetesApi) -> None:
    loop = asyncio.get_running_loop()
    async with running_operator(kube.url, mark_created):
        await kube.create(AURA_INSTANCES, aura_instance("db"), namespace="default")
        await kube.wait_for(AURA_INSTANCES, "db", is_created, namespace="default")
        stopping = loop.time()

    assert loop.time() - stopping < 2


@pytest.fixture
def operator_modules(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    handler = f"""
        @kopf.on.create("{GROUP}", "{VERSION}", "{PLURAL}"{{registry}})
        def created(patch, **_):
            patch.status["phase"] = "Creating"
    """
    (tmp_path / "toy_decorated_operator.py").write_text(
        "import kopf\n" + textwrap.dedent(handler.format(registry=""))
    )
    (tmp_path / "toy_registering_operator.py").write_text(
        "import kopf\n\ndef register(registry):\n"
        + textwrap.indent(textwrap.dedent(handler.format(registry=", registry=registry")), "    ")
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("module", ["toy_decorated_operator", "toy_registering_operator"])
async def test_a_module_registers_its_handlers_into_a_fresh_registry(
    kube: KubernetesApi, operator_modules: pathlib.Path, module: str
) -> None:
    default_registry = kopf.get_default_registry()

    async with running_operator(kube.url, module) as operator:
        await kube.create(AURA_INSTANCES, aura_instance("db"), namespace="default")
        await kube.wait_for(AURA_INSTANCES, "db", is_created, namespace="default")

    assert operator.registry is not default_registry
    assert kopf.get_default_registry() is default_registry
