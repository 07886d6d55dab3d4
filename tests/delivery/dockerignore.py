"""Docker's .dockerignore rules: which files of the repository reach the build context."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath


def compile_dockerignore(text: str) -> Callable[[str], bool]:
    """Return `excluded(path)` for a context-relative POSIX path.

    Patterns apply in order and the last match wins; `!` re-includes; a pattern that matches a
    parent directory matches everything below it; `**` spans directories.
    """
    rules: list[tuple[re.Pattern[str], bool]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line[1:].strip() if negated else line
        rules.append((_to_regex(pattern.strip("/")), negated))

    def excluded(path: str) -> bool:
        candidates = [path, *(str(parent) for parent in PurePosixPath(path).parents)]
        result = False
        for regex, negated in rules:
            if any(regex.fullmatch(candidate) for candidate in candidates if candidate != "."):
                result = not negated
        return result

    return excluded


def _to_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out += pattern[i : end + 1]
            i = end + 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)
