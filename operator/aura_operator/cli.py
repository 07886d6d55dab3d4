"""The `aura-operator` command line: one subcommand per entry in COMMANDS.

Each subcommand lives in its own module exposing `configure(parser)` and `run(args) -> int`,
imported only when that subcommand is parsed, so `aura-operator crds` never loads kopf.
The developer tools (simulator, demo) have their own command, `aura-operator-dev`, in the
aura-operator-devtools distribution, which dispatches the same way through `dispatch`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Mapping, Sequence

from aura_operator import __version__

# name -> (module, one-line help)
Commands = Mapping[str, tuple[str, str]]

COMMANDS: Commands = {
    "crds": ("aura_operator.api.cli", "write the CRD YAML generated from the API models"),
    "run": ("aura_operator.controller.cli", "run the operator (settings from the environment)"),
}


def build_parser(
    argv: Sequence[str],
    commands: Commands = COMMANDS,
    *,
    prog: str = "aura-operator",
    description: str = "Run Neo4j Aura instances from Kubernetes.",
    version: str = __version__,
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in commands.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == wanted:
            module = importlib.import_module(module_name)
            module.configure(command)
            command.set_defaults(run=module.run)
    return parser


def dispatch(
    parser_for: Callable[[Sequence[str]], argparse.ArgumentParser], argv: Sequence[str] | None
) -> int:
    """Parse `argv` (default: the process's arguments) and run the chosen subcommand."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parser_for(args_list).parse_args(args_list)
    result: int = args.run(args)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch(build_parser, argv)
