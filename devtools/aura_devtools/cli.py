"""The `aura-operator-dev` command line: the developer tools, one subcommand each.

Dispatched as `aura-operator` dispatches its own (see aura_operator.cli): each module exposes
`configure(parser)` and `run(args) -> int` and is imported only when its subcommand is parsed,
so `aura-operator-dev simulator` never loads kopf.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from aura_devtools import __version__
from aura_operator.cli import Commands, build_parser, dispatch

# name -> (module, one-line help)
COMMANDS: Commands = {
    "simulator": ("aura_devtools.simulator.cli", "serve a local Aura API v1 simulator"),
    "demo": (
        "aura_devtools.demo.cli",
        "run simulator, Kubernetes emulator and operator with the samples",
    ),
}


def dev_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    return build_parser(
        argv,
        COMMANDS,
        prog="aura-operator-dev",
        description="Develop and try aura-operator locally: the Aura simulator and the demo.",
        version=__version__,
    )


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch(dev_parser, argv)
