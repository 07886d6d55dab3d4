"""`aura-operator crds`: write the CRD YAML files generated from the API models, or check them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aura_operator.api.crd import GENERATE_COMMAND
from aura_operator.api.kinds import CRD_FILES

DEFAULT_OUTPUT_DIR = Path("crds")


def configure(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(f.filename for f in CRD_FILES)
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help=f"directory of {names} (default: ./{DEFAULT_OUTPUT_DIR})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a file differs from what the models generate",
    )


def run(args: argparse.Namespace) -> int:
    output_dir: Path = args.output_dir
    if args.check:
        results = [_check(output_dir / f.filename, output_dir, f.render()) for f in CRD_FILES]
        return max(results)
    output_dir.mkdir(parents=True, exist_ok=True)
    for crd_file in CRD_FILES:
        path = output_dir / crd_file.filename
        path.write_text(crd_file.render(), encoding="utf-8")
        print(f"wrote {path}")
    return 0


def _check(path: Path, output_dir: Path, generated: str) -> int:
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == generated:
        print(f"{path} is up to date")
        return 0
    fix = GENERATE_COMMAND
    if output_dir != DEFAULT_OUTPUT_DIR:
        fix += f" --output-dir {output_dir}"
    problem = "is missing" if current is None else "is stale: it differs from the API models"
    print(f"{path} {problem}; run `{fix}` and commit the result", file=sys.stderr)
    return 1
