"""The Dockerfile read as a recipe: its stages, its build context, and its build step replayed.

The slow image test runs the build stage's own RUN line (deploy/image/install.sh) on a copy of
exactly what the build stage COPYs, so the recipe the image uses is the one tested.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .dockerfile import Dockerfile, Instruction, Stage, parse_dockerfile
from .dockerignore import compile_dockerignore
from .paths import BUILD_REQUIREMENTS_LOCK, DOCKERFILE, DOCKERIGNORE, REPO_ROOT, REQUIREMENTS_LOCK

# Never part of a build context and too big to walk; .dockerignore excludes them anyway.
UNWALKED = {
    ".git",
    ".venv",
    ".tools",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
}


@dataclass(frozen=True)
class ImageRecipe:
    dockerfile: Dockerfile

    @property
    def build(self) -> Stage:
        return self.dockerfile.stages[0]

    @property
    def final(self) -> Stage:
        return self.dockerfile.stages[-1]

    @property
    def workdir(self) -> str:
        return self.build.one("WORKDIR").arguments

    @property
    def venv(self) -> str:
        """The directory the final stage copies from the build stage."""
        flags, words = self.final.one("COPY").flags_and_words()
        assert flags.get("from") == self.build.name and words[0] == words[1], words
        return words[0]

    def context_copies(self) -> Iterator[tuple[list[str], str]]:
        """(sources, destination) of each COPY from the build context, in order."""
        for copy in self.build.all("COPY"):
            flags, words = copy.flags_and_words()
            if "from" not in flags:
                yield words[:-1], words[-1]

    def build_runs(self) -> list[Instruction]:
        return self.build.all("RUN")

    def build_command(self, run: Instruction, venv: Path) -> str:
        """A build stage RUN command, building into `venv` instead of the image's path."""
        _, words = run.flags_and_words()
        return shlex.join(str(venv) if word == self.venv else word for word in words)

    def env(self) -> dict[str, str]:
        pairs = [shlex.split(i.arguments) for i in self.final.all("ENV")]
        return dict(word.split("=", 1) for words in pairs for word in words)

    def python_minor(self) -> str:
        match = re.fullmatch(r"python:(3\.\d+)-slim.*", self.final.base)
        assert match, f"not a slim Python base: {self.final.base}"
        return match.group(1)


def canonical(name: str) -> str:
    """A distribution name as pip compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(lock: Path = REQUIREMENTS_LOCK) -> dict[str, str]:
    """A lock file as {canonical name: version}; every requirement must be an exact pin."""
    return {name: version for name, (version, _) in locked(lock).items()}


def locked(lock: Path = REQUIREMENTS_LOCK) -> dict[str, tuple[str, set[str]]]:
    """A lock file as {canonical name: (version, sha256 hashes)}."""
    found: dict[str, tuple[str, set[str]]] = {}
    text = lock.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            pin, *options = line.split()
            match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;]+)", pin)
            if not match:
                raise ValueError(f"{lock.name}: not an exact pin: {line!r}")
            hashes = {o.removeprefix("--hash=sha256:") for o in options if o.startswith("--hash=")}
            found[canonical(match.group(1))] = (match.group(2), hashes)
    return found


def build_lock_pins() -> dict[str, str]:
    return lock_pins(BUILD_REQUIREMENTS_LOCK)


def build_steps(recipe: ImageRecipe) -> Iterator[tuple[list[tuple[list[str], str]], Instruction]]:
    """Each RUN of the build stage with the COPYs from the context that come just before it."""
    copies: list[tuple[list[str], str]] = []
    for instruction in recipe.build.instructions:
        if instruction.keyword == "COPY":
            flags, words = instruction.flags_and_words()
            if "from" not in flags:
                copies.append((words[:-1], words[-1]))
        elif instruction.keyword == "RUN":
            yield copies, instruction
            copies = []


def load_recipe() -> ImageRecipe:
    return ImageRecipe(parse_dockerfile(DOCKERFILE.read_text()))


def context_files() -> set[str]:
    """Repository files Docker would send as the build context (after .dockerignore)."""
    excluded = compile_dockerignore(DOCKERIGNORE.read_text())
    files: set[str] = set()
    for path in _walk(REPO_ROOT):
        relative = path.relative_to(REPO_ROOT).as_posix()
        if not excluded(relative):
            files.add(relative)
    return files


def stage_build_context(
    recipe: ImageRecipe, destination: Path, copies: list[tuple[list[str], str]] | None = None
) -> Path:
    """Lay out WORKDIR as the build stage's COPYs (or the given ones) leave it."""
    available = context_files()
    for sources, target in recipe.context_copies() if copies is None else copies:
        for source in sources:
            root = source.rstrip("/")
            matched = sorted(f for f in available if f == root or f.startswith(root + "/"))
            if not matched:
                raise FileNotFoundError(f"COPY {source}: not in the build context")
            for file in matched:
                copied = destination / _copy_target(file, root, target, len(sources))
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO_ROOT / file, copied)
    return destination


def _copy_target(file: str, source: str, target: str, source_count: int) -> Path:
    """Where COPY puts `file` (from `source`), relative to WORKDIR."""
    if file != source:  # a directory source: its contents land under the target directory
        return Path(target) / Path(file).relative_to(source)
    if target.endswith("/") or source_count > 1:
        return Path(target) / Path(file).name
    return Path(target)


def _walk(root: Path) -> Iterator[Path]:
    for entry in root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            if entry.name not in UNWALKED:
                yield from _walk(entry)
        else:
            yield entry
