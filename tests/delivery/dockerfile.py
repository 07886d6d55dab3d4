"""Just enough of a Dockerfile parser to check the image recipe and replay its build steps."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY, ...
    arguments: str  # the rest of the logical line, continuations joined

    def flags_and_words(self) -> tuple[dict[str, str], list[str]]:
        """`--flag=value` options first, then the remaining shell words."""
        words = shlex.split(self.arguments)
        flags: dict[str, str] = {}
        while words and words[0].startswith("--"):
            name, _, value = words.pop(0)[2:].partition("=")
            flags[name] = value
        return flags, words

    def exec_form(self) -> list[str]:
        """The JSON array of an exec-form ENTRYPOINT/CMD."""
        parsed = json.loads(self.arguments)
        if not isinstance(parsed, list) or not all(isinstance(word, str) for word in parsed):
            raise ValueError(f"{self.keyword} is not in exec form: {self.arguments}")
        return parsed


@dataclass
class Stage:
    base: str  # with global ARG defaults substituted
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def one(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        if len(found) != 1:
            raise ValueError(f"expected one {keyword} in stage {self.name}, found {len(found)}")
        return found[0]


@dataclass(frozen=True)
class Dockerfile:
    global_args: dict[str, str]
    stages: list[Stage]


def parse_dockerfile(text: str) -> Dockerfile:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in _logical_lines(text):
        if instruction.keyword == "FROM":
            words = instruction.arguments.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=_substitute(words[0], global_args), name=name))
        elif not stages and instruction.keyword == "ARG":
            key, _, default = instruction.arguments.partition("=")
            global_args[key.strip()] = default.strip()
        elif stages:
            stages[-1].instructions.append(instruction)
    return Dockerfile(global_args=global_args, stages=stages)


def _logical_lines(text: str) -> list[Instruction]:
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue  # comments vanish even inside continued instructions
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def _substitute(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m.group(1) or m.group(2)], value)
