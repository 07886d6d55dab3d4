"""`aura-operator-dev simulator`: serve the simulator until interrupted.

Options override a `--config` file, which overrides the defaults (SimulatorConfig.default()).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from aura_devtools.simulator.clock import rfc3339
from aura_devtools.simulator.config import DURATION_NAMES, SimulatorConfig
from aura_devtools.simulator.requestlog import LoggedRequest
from aura_devtools.simulator.server import Simulator


class ConfigError(Exception):
    pass


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    parser.add_argument(
        "--port",
        type=int,
        default=8787,
        help="port to bind, 0 for any free one (default %(default)s)",
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="YAML or JSON SimulatorConfig; options win"
    )
    parser.add_argument(
        "--client",
        action="append",
        metavar="ID:SECRET",
        help="accepted credential (repeatable; replaces demo-client:demo-secret)",
    )
    parser.add_argument(
        "--tenant",
        action="append",
        metavar="ID[=NAME]",
        help="tenant with the default configurations (repeatable; replaces the demo tenants)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        help="simulated seconds per real second: 60 makes a 4-minute create take 4 s (default 1)",
    )
    parser.add_argument(
        "--clock-offset",
        type=float,
        metavar="SECONDS",
        help="Aura's clock ahead (+) or behind (-) the host's, in simulated seconds (default 0)",
    )
    parser.add_argument("--rate-limit", type=int, metavar="N", help="requests per minute (125)")
    parser.add_argument(
        "--rate-limit-scope",
        choices=("client", "global"),
        help="one budget per client id, or one for all (default client)",
    )
    parser.add_argument(
        "--token-lifetime", type=float, metavar="SECONDS", help="token lifetime (default 3600)"
    )
    parser.add_argument(
        "--create-duration", type=float, metavar="SECONDS", help="creating -> running (240)"
    )
    parser.add_argument(
        "--duration",
        action="append",
        metavar="NAME=SECONDS",
        help=f"any transition duration; NAME is one of {', '.join(DURATION_NAMES)}",
    )
    parser.add_argument(
        "--duration-jitter",
        type=float,
        metavar="SIGMA",
        help="lognormal spread of durations (median unchanged); 0 = exact",
    )
    parser.add_argument("--seed", type=int, help="random seed for jitter and faults")
    parser.add_argument(
        "--no-scheduled-snapshot",
        action="store_true",
        help="do not take the scheduled snapshot right after creation",
    )
    parser.add_argument("--quiet", action="store_true", help="do not print one line per request")
    parser.add_argument(
        "--print-config", action="store_true", help="print the effective configuration and exit"
    )
    faults = parser.add_argument_group("faults (also switchable at run time via /_sim/faults)")
    faults.add_argument("--error-rate", type=float, metavar="P", help="share of 5xx answers, 0-1")
    faults.add_argument(
        "--error-codes", metavar="CODES", help="comma-separated codes to inject (500,502,503)"
    )
    faults.add_argument(
        "--error-retry-after", type=int, metavar="SECONDS", help="Retry-After on injected 5xx"
    )
    faults.add_argument("--latency", type=float, metavar="SECONDS", help="real seconds added")
    faults.add_argument(
        "--token-latency", type=float, metavar="SECONDS", help="real seconds added to /oauth/token"
    )
    faults.add_argument(
        "--commit-then-fail",
        choices=("500", "502", "503", "504", "drop", "hang"),
        help="create the next instance, then answer that 5xx, drop the connection or never answer",
    )
    faults.add_argument(
        "--commit-delay",
        type=float,
        metavar="SECONDS",
        help="with --commit-then-fail: the instance appears this many simulated s after the POST",
    )
    faults.add_argument(
        "--read-404-after-create",
        type=float,
        metavar="SECONDS",
        help="eventual consistency: GET of a new instance answers 404 for this long",
    )
    faults.add_argument(
        "--delete-404-after-create",
        type=float,
        metavar="SECONDS",
        help="eventual consistency: DELETE of a new instance answers 404 (deletes nothing) "
        "for this long",
    )
    faults.add_argument(
        "--list-lag-after-create",
        type=float,
        metavar="SECONDS",
        help="eventual consistency: the listing shows a new instance only after this long",
    )
    faults.add_argument(
        "--null-sizes-while-creating",
        action="store_true",
        help="answer memory and storage as null while an instance is creating",
    )
    faults.add_argument(
        "--cdc-unreported-on-business-critical",
        action="store_true",
        help="answer cdc_enrichment_mode as null on business-critical, even after a PATCH",
    )
    faults.add_argument(
        "--retry-after-format",
        choices=("seconds", "http-date"),
        help="Retry-After as delta seconds (default) or an HTTP date on Aura's clock",
    )
    faults.add_argument(
        "--gateway-html",
        action="store_true",
        help="injected 502/503/504 are the load balancer's HTML page, without X-Request-Id",
    )
    faults.add_argument(
        "--commit-then-fail-count", type=int, metavar="N", help="creates affected (default 1)"
    )
    faults.add_argument(
        "--create-fail-count", type=int, metavar="N", help="next N creates end `loading failed`"
    )
    faults.add_argument(
        "--rate-limit-storm", type=float, metavar="SECONDS", help="answer 429 to everything"
    )
    faults.add_argument(
        "--unknown-status", metavar="STATUS", help="report this instead of `updating`"
    )
    faults.add_argument(
        "--extra-fields", action="store_true", help="add unknown fields to responses"
    )
    faults.add_argument(
        "--auth-error-shape", choices=("errors", "middleware"), help="401/403 body shape"
    )
    faults.add_argument(
        "--unknown-request-fields",
        choices=("ignore", "reject"),
        help="what to do with unknown request fields (default ignore)",
    )
    faults.add_argument(
        "--free-db-limit-status", type=int, metavar="CODE", help="second free-db (default 405)"
    )


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    try:
        loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"{path} is not valid YAML or JSON: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path} must hold a mapping of SimulatorConfig fields")
    return loaded


def _split(value: str, separator: str, option: str) -> tuple[str, str]:
    left, sep, right = value.partition(separator)
    if not sep or not left:
        raise ConfigError(f"{option} expects LEFT{separator}RIGHT, got {value!r}")
    return left, right


FAULT_OPTIONS: dict[str, str] = {
    "error_rate": "error_rate",
    "error_retry_after": "error_retry_after",
    "latency": "latency",
    "token_latency": "token_latency",
    "commit_delay": "create_commit_delay",
    "read_404_after_create": "read_after_create_404_seconds",
    "list_lag_after_create": "list_after_create_lag_seconds",
    "delete_404_after_create": "delete_after_create_404_seconds",
    "retry_after_format": "retry_after_format",
    "commit_then_fail": "create_commit_then_fail",
    "commit_then_fail_count": "create_commit_then_fail_count",
    "create_fail_count": "create_fail_count",
    "rate_limit_storm": "rate_limit_storm_seconds",
    "unknown_status": "unknown_status",
    "auth_error_shape": "auth_error_shape",
    "unknown_request_fields": "unknown_request_fields",
    "free_db_limit_status": "free_db_limit_status",
}


def build_config(args: argparse.Namespace) -> SimulatorConfig:
    """The SimulatorConfig the options describe; raises ConfigError on bad input."""
    data: dict[str, Any] = _read_config_file(args.config) if args.config else {}
    if args.client:
        data["credentials"] = [
            dict(zip(("client_id", "client_secret"), _split(c, ":", "--client"), strict=True))
            for c in args.client
        ]
    if args.tenant:
        data["tenants"] = [
            {"id": tenant_id, "name": name or tenant_id}
            for tenant_id, _, name in (t.partition("=") for t in args.tenant)
        ]
    for option, field in (
        ("time_scale", "time_scale"),
        ("clock_offset", "clock_offset"),
        ("rate_limit", "rate_limit_per_minute"),
        ("rate_limit_scope", "rate_limit_scope"),
        ("token_lifetime", "token_lifetime"),
        ("duration_jitter", "duration_jitter"),
        ("seed", "seed"),
    ):
        if getattr(args, option) is not None:
            data[field] = getattr(args, option)
    if args.no_scheduled_snapshot:
        data["initial_scheduled_snapshot"] = False
    durations: dict[str, Any] = data.setdefault("durations", {})
    if args.create_duration is not None:
        durations["creating"] = args.create_duration
    for item in args.duration or []:
        name, seconds = _split(item, "=", "--duration")
        if name not in DURATION_NAMES:
            raise ConfigError(f"unknown duration {name!r}; use one of {', '.join(DURATION_NAMES)}")
        durations[name] = seconds
    faults: dict[str, Any] = data.setdefault("faults", {})
    for option, field in FAULT_OPTIONS.items():
        if getattr(args, option) is not None:
            faults[field] = getattr(args, option)
    if args.error_codes:
        faults["error_codes"] = [code.strip() for code in args.error_codes.split(",")]
    for flag in (
        "extra_fields",
        "null_sizes_while_creating",
        "cdc_unreported_on_business_critical",
    ):
        if getattr(args, flag):
            faults[flag] = True
    if args.gateway_html:
        faults["gateway_error_html"] = True
    try:
        return SimulatorConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(str(error)) from None


def banner(sim: Simulator) -> str:
    """What a newcomer needs to start: URLs, credentials, tenants and a curl session."""
    config = sim.config
    url = sim.base_url
    credential = config.credentials[0]
    client_id = credential.client_id
    secret = credential.client_secret.get_secret_value()
    scale = config.time_scale
    create_real = config.durations.creating / scale
    lines = [
        f"Aura API simulator listening on {url}",
        f"  token URL    {url}/oauth/token",
        f"  API base     {url}/v1",
        f"  control API  {url}/_sim  (request log, rate counts, faults, clock)",
        "",
        "Credentials (client id / client secret):",
        *(f"  {c.client_id} / {c.client_secret.get_secret_value()}" for c in config.credentials),
        "",
        "Tenants:",
        *(f"  {t.id}  {t.name}" for t in config.tenants),
        "",
        f"Time scale {scale:g}: a create takes {config.durations.creating:g} simulated s"
        f" ({create_real:g} real s). Rate limit {config.rate_limit_per_minute}/min"
        f" per {'client id' if config.rate_limit_scope == 'client' else 'simulator'}."
        f" Tokens live {config.token_lifetime:g} simulated s.",
    ]
    if config.tenants:
        tenant_id = config.tenants[0].id
        create_body = json.dumps(
            {
                "name": "my-first-instance",
                "tenant_id": tenant_id,
                "cloud_provider": "gcp",
                "region": "europe-west1",
                "type": "professional-db",
                "memory": "1GB",
                "version": "5",
            }
        )
        lines += [
            "",
            "Try it:",
            f"  TOKEN=$(curl -s -u {client_id}:{secret} -d grant_type=client_credentials"
            f" {url}/oauth/token | python3 -c 'import json,sys; print(json.load(sys.stdin)"
            '["access_token"])\')',
            f'  curl -s -H "Authorization: Bearer $TOKEN" {url}/v1/tenants',
            f'  curl -s -X POST -H "Authorization: Bearer $TOKEN"'
            f" -H 'Content-Type: application/json' -d '{create_body}' {url}/v1/instances",
            f'  curl -s -H "Authorization: Bearer $TOKEN" {url}/v1/instances/<id>'
            "   # status: creating, then running",
            f"  curl -s -X POST -d '{{\"advance\": 240}}' {url}/_sim/clock"
            "   # skip 240 simulated seconds",
        ]
    return "\n".join(lines)


def _print_request(entry: LoggedRequest) -> None:
    query = f"?{entry.query}" if entry.query else ""
    status = "dropped" if entry.status is None else str(entry.status)
    print(
        f"{rfc3339(entry.time)} {entry.client_id or '-'} {entry.method} {entry.path}{query}"
        f" -> {status} {entry.request_id or '(no request id)'}",
        flush=True,
    )


async def serve(sim: Simulator, quiet: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with sim:
        print(banner(sim), flush=True)
        if not quiet:
            print("\nRequests:", flush=True)
            sim.state.requests.add_listener(_print_request)
        await stop.wait()
    print("simulator stopped", flush=True)


def run(args: argparse.Namespace) -> int:
    try:
        config = build_config(args)
    except ConfigError as error:
        print(f"aura-operator-dev simulator: {error}", file=sys.stderr)
        return 2
    if args.print_config:
        dumped = config.model_dump(mode="json")
        dumped["credentials"] = [
            {"client_id": c.client_id, "client_secret": c.client_secret.get_secret_value()}
            for c in config.credentials
        ]
        print(json.dumps(dumped, indent=2))
        return 0
    try:
        asyncio.run(serve(Simulator(config, host=args.host, port=args.port), args.quiet))
    except OSError as error:
        print(
            f"aura-operator-dev simulator: cannot listen on {args.host}:{args.port}: {error}",
            file=sys.stderr,
        )
        return 1
    return 0
