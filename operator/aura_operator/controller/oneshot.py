"""What the engines of the one-shot kinds (AuraSnapshot, AuraRestore) share: their base
(`OneShotEngine`) with the opening of every step (the Aura instance the object points at, the
client of its credentials, its claims settled), reading the object fresh, and their status
writes. Their kopf wiring and wake-up timers are oneshot_handlers.py's.

Each object's engine step is level-based: it reads the object from the API server (never a
stale watch body), decides from its status what is next, and returns the Aura seconds until it
wants to look again (None: never, until the object changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

from aura_operator.api import PLURAL
from aura_operator.aura import AuraClient
from aura_operator.controller.access import Accounts, Location
from aura_operator.controller.claims import RECHECK_CLAIM, claims_of, oneshot_refusal
from aura_operator.controller.conditions import STALLED, find
from aura_operator.controller.credentials import CredentialsProblem
from aura_operator.controller.kube import KubeClient, ObjectRef
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.settings import OperatorSettings
from aura_operator.controller.tracking import Tracked

WAIT_FOR_INSTANCE = 30.0  # Aura seconds between looks at an AuraInstance without an id yet
RECHECK_SECRET = 30.0  # Aura seconds between looks at credentials that cannot be used
INSTANCE_CLAIMED = "InstanceClaimed"


class OneShotPublisher(Publisher):
    """Every status write of a one-shot kind says which generation it was made for (Argo CD's
    health check and `kubectl wait` compare it with metadata.generation)."""

    async def status(self, tracked: Tracked, report: Report, *, fenced: bool = True) -> None:
        if report.observed_generation is None:
            report.observed_generation = tracked.generation
        await super().status(tracked, report, fenced=fenced)


def ref_of(body: dict[str, Any], plural: str, kind: str) -> ObjectRef:
    metadata = body.get("metadata") or {}
    return ObjectRef(
        metadata.get("namespace", ""), metadata["name"], metadata.get("uid", ""), plural, kind
    )


async def read_tracked(kube: KubeClient, ref: ObjectRef) -> Tracked | None:
    """The object as the API server has it now (None: gone, or replaced by a new object)."""
    body = await kube.get_object(ref.plural, ref.namespace, ref.name)
    if body is None:
        return None
    fresh = ref_of(body, ref.plural, ref.kind)
    if ref.uid and fresh.uid != ref.uid:
        return None
    return Tracked(
        ref=fresh,
        spec=dict(body.get("spec") or {}),
        metadata=dict(body.get("metadata") or {}),
        status=dict(body.get("status") or {}),
    )


@dataclass(frozen=True)
class Target:
    """An Aura instance an object points at, by id or through an AuraInstance."""

    instance_id: str | None
    """None while the referenced AuraInstance has no instance id (or does not exist)."""
    credentials: Location
    waiting: str = ""
    """Why instance_id is None, for the status."""


async def resolve_instance(
    kube: KubeClient,
    settings: OperatorSettings,
    namespace: str,
    *,
    instance_ref: dict[str, Any] | None,
    instance_id: str | None,
    credentials_ref: dict[str, Any] | None,
    field: str = "spec.instanceRef",
) -> Target:
    """The Aura instance of `instanceRef`/`instanceId`, and the credentials to reach it: the
    object's own credentialsSecretRef, else the referenced AuraInstance's, else the default."""
    location = (
        (namespace, str(credentials_ref["name"]))
        if credentials_ref
        else settings.default_credentials_location()
    )
    if instance_id:
        return Target(instance_id, location)
    name = str((instance_ref or {}).get("name", ""))
    instance = await kube.get_object(PLURAL, namespace, name)
    if instance is None:
        return Target(None, location, f"AuraInstance {namespace}/{name} ({field}) not found")
    instance_spec = instance.get("spec") or {}
    own_ref = instance_spec.get("credentialsSecretRef")
    if not credentials_ref and own_ref:
        location = (namespace, str(own_ref["name"]))
    found = (instance.get("status") or {}).get("instanceId") or instance_spec.get("instanceId")
    if not found:
        return Target(None, location, f"AuraInstance {namespace}/{name} has no Aura instance yet")
    return Target(str(found), location)


async def claim_refusal(
    kube: KubeClient,
    settings: OperatorSettings,
    *,
    kind: str,
    namespace: str,
    uses: dict[str, str | None],
) -> str | None:
    """Why the object may not use these instances (see claims.oneshot_refusal), or None; the
    owners are read from the API server, in every namespace the operator watches."""
    if not any(uses.values()):
        return None
    listed = await kube.list_objects(PLURAL, settings.watch_namespaces)
    return oneshot_refusal(kind, namespace, uses, claims_of(listed))


def stalled_for_claim(status: dict[str, Any]) -> bool:
    stalled = find(status.get("conditions"), STALLED)
    return bool(
        stalled and stalled.get("status") == "True" and stalled.get("reason") == INSTANCE_CLAIMED
    )


class Hold(Enum):
    """Why a step cannot go on yet; the status says so, with the fields its kind adds."""

    NO_INSTANCE = "no-instance"
    """The instance is not known yet (the referenced AuraInstance has none, or is missing)."""
    CREDENTIALS = "credentials"
    """The credentials Secret is missing, incomplete or not allowed."""
    CLAIMED = "claimed"
    """Another AuraInstance owns an instance the object would change or read from."""


@dataclass(frozen=True)
class Reached:
    """What a step goes on with once the opening passed."""

    instance_id: str
    client: AuraClient
    target: Target


class OneShotEngine:
    """The base of a one-shot kind's engine: its clients, and the opening every step shares
    (`reach`): the Aura instance the object points at, the Aura client of its credentials, and
    its claims settled before anything is requested."""

    kind: ClassVar[str]

    def __init__(
        self,
        *,
        settings: OperatorSettings,
        kube: KubeClient,
        accounts: Accounts,
        publish: Publisher,
    ) -> None:
        self.settings = settings
        self.kube = kube
        self.accounts = accounts
        self.publish = publish

    async def step(self, ref: ObjectRef) -> float | None:
        """One level-based step: returns the Aura seconds until the next (None: never, until
        the object changes)."""
        raise NotImplementedError

    async def other_uses(self, tracked: Tracked) -> dict[str, str | None]:
        """The instances besides the target the object would use, by role: their claims are
        checked too."""
        return {}

    def held_fields(self, tracked: Tracked, hold: Hold, instance_id: str | None) -> dict[str, Any]:
        """The status fields the kind writes besides the conditions when `reach` holds the
        object (`instance_id`: None while not known)."""
        return {}

    async def reach(
        self,
        tracked: Tracked,
        *,
        requested: bool,
        committed: str | None,
    ) -> Reached | float:
        """The instance of spec.instanceRef/instanceId, or once `requested` the `committed` one:
        once requested, the object belongs to the instance it was requested of, whatever
        becomes of the AuraInstance that named it. Returns the Aura seconds until the next
        look instead when the step cannot go on (the status says why)."""
        ref, spec = tracked.ref, tracked.spec
        target = await resolve_instance(
            self.kube,
            self.settings,
            ref.namespace,
            instance_ref=spec.get("instanceRef"),
            instance_id=spec.get("instanceId"),
            credentials_ref=spec.get("credentialsSecretRef"),
        )
        instance_id = committed if requested else target.instance_id
        if instance_id is None:
            report = Report(fields=self.held_fields(tracked, Hold.NO_INSTANCE, None))
            report.ready_if(False, "WaitingForInstance", target.waiting)
            await self.publish.status(tracked, report)
            return WAIT_FOR_INSTANCE
        try:
            access = await self.accounts.at(target.credentials, requester=ref.namespace)
        except CredentialsProblem as problem:
            report = Report(fields=self.held_fields(tracked, Hold.CREDENTIALS, instance_id))
            report.stall(problem.reason, str(problem))
            await self.publish.status(tracked, report)
            return RECHECK_SECRET
        # Claims are settled before anything is requested; a request already made is only
        # followed (reads), whoever claims the instance since.
        if not requested:
            others = await self.other_uses(tracked)
            refusal = await claim_refusal(
                self.kube,
                self.settings,
                kind=self.kind,
                namespace=ref.namespace,
                uses={"target": instance_id, **others},
            )
            if refusal is not None:
                report = Report(fields=self.held_fields(tracked, Hold.CLAIMED, instance_id))
                report.stall(INSTANCE_CLAIMED, refusal)
                await self.publish.status(tracked, report)
                return RECHECK_CLAIM
            if stalled_for_claim(tracked.status):  # the owner is gone: clear the stall
                report = Report()
                report.not_stalled()
                await self.publish.status(tracked, report)
                return 0.0  # read it again
        return Reached(instance_id, access.client, target)
