"""What a Python module imports, read from its syntax tree (nothing is imported to find out)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports by statement (absolute imports; relative ones stay in its
    package), plus every string constant that is a dotted name, as `importlib.import_module`
    and the CLI's subcommand tables take them."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _DOTTED_NAME.fullmatch(node.value)
        ):
            names.add(node.value)
    return names


def within(name: str, package: str) -> bool:
    """`name` is `package` or one of its modules."""
    return name == package or name.startswith(package + ".")
