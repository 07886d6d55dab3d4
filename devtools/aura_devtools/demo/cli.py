"""`aura-operator-dev demo [--once]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--once",
        action="store_true",
        help="run unattended: exit 0 once every sample is Ready and the resize is done",
    )
    parser.add_argument(
        "--samples", type=Path, default=Path("deploy/samples"), help="directory of manifests"
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=60.0,
        help="Aura seconds per real second (default 60: a 4-minute create takes 4 s)",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per stage")


def run(args: argparse.Namespace) -> int:
    try:
        from aura_devtools.demo.scenario import DemoFailed, DemoOptions, run_demo
    except ImportError as error:  # kmock comes with aura-operator-devtools
        print(
            f"aura-operator-dev demo needs kmock ({error}): pip install -e ./devtools",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("kopf").setLevel(logging.ERROR)
    options = DemoOptions(
        samples=args.samples, time_scale=args.time_scale, timeout=args.timeout, once=args.once
    )
    try:
        asyncio.run(run_demo(options))
    except DemoFailed as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopped.", file=sys.stderr)
    return 0
