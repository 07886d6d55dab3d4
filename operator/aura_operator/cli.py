"""The `aura-operator` command line: one subcommand per entry in COMMANDS.

Each subcommand lives in its own module exposing `configure(parser)` and `run(args) -> int`,
imported only when that subcommand is parsed, so `aura-operator simulator` never loads kopf.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from aura_operator import __version__

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "simulator": ("aura_operator.simulator.cli", "serve a local Aura API v1 simulator"),
    "crds": ("aura_operator.api.cli", "write the CRD YAML generated from the API models"),
    "run": ("aura_operator.controller.cli", "run the operator (settings from the environment)"),
    "demo": (
        "aura_operator.demo.cli",
        "run simulator, Kubernetes emulator and operator with the samples",
    ),
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aura-operator",
        description="Run Neo4j Aura instances from Kubernetes.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == wanted:
            module = importlib.import_module(module_name)
            module.configure(command)
            command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(args_list).parse_args(args_list)
    result: int = args.run(args)
    return result
