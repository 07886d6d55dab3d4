"""`aura-operator run`: the operator process (settings from the environment)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from aura_operator.controller.settings import ENVIRONMENT, OperatorSettings, SettingsError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "Settings come from the environment: " + ", ".join(sorted(ENVIRONMENT.values()))
    parser.add_argument(
        "--namespace",
        action="append",
        default=None,
        metavar="NS",
        help="watch only this namespace (repeatable; overrides AURA_WATCH_NAMESPACES)",
    )
    parser.add_argument(
        "--no-liveness",
        action="store_true",
        help="do not serve the probe endpoints (/healthz, /readyz, /leader)",
    )


def run(args: argparse.Namespace) -> int:
    from aura_operator.controller.logs import configure_logging
    from aura_operator.controller.process import run_operator

    try:
        settings = OperatorSettings.from_env()
    except SettingsError as error:
        print(f"aura-operator: {error}", file=sys.stderr)
        return 2
    if args.namespace:
        settings = settings.model_copy(update={"watch_namespaces": tuple(args.namespace)})
    configure_logging(settings.log_format, settings.log_level)
    logging.getLogger("aura_operator").info(
        "starting: Aura API %s, namespaces %s, rate limit %d/min per %s, leader election %s",
        settings.api_url,
        ", ".join(settings.watch_namespaces) or "all",
        settings.effective_rate_limit,
        settings.rate_limit_scope,
        f"on (Lease {settings.pod_namespace}/{settings.lease_name})"
        if settings.leader_election
        else "off",
    )
    asyncio.run(run_operator(settings, liveness=not args.no_liveness))
    return 0
