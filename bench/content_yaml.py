"""How long a hostile content file takes to be refused, beside how long the built-in content takes to load.

Each case is a file written to a scratch folder and loaded with `load_file` (what the CLI's `validate`,
the app's catalog and an admin's upload all use) in a child process with a time limit, so a case that
would take minutes prints ">N s" instead of holding the run. Cases:

- flow-100k:  `[[[ … ]]]` 100,000 levels deep (200 kB, under the size limit)
- block-100k: `- - - … x` 100,000 levels deep (200 kB)
- flow-1mb:   `[[[ … ]]]` 500,000 levels deep, just under 1 MB
- big-2mb:    a 2.3 MB file of plain keys (over the size limit)
- built-in:   every built-in model, survey and playbook, loaded and cross-checked, best of three (the baseline:
              real content must still load, and no slower)

The last line is machine-readable:

    flow_100k_s=X block_100k_s=X flow_1mb_s=X big_2mb_s=X builtin_s=X

Run: .venv/bin/python bench/content_yaml.py [--timeout 300] [--depth 100000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys, time
from pathlib import Path
from maturity.content.loader import ContentError, load_file
start = time.perf_counter()
try:
    load_file(Path(sys.argv[1]))
    outcome = "loaded"
except ContentError as exc:
    outcome = exc.problems[0].message
print(f"{time.perf_counter() - start:.3f}")
print(outcome[:160])
"""

BUILTIN = """
import time
from maturity.config import get_settings
from maturity.content.catalog import load_catalog
times = []
for _ in range(3):  # the best of three: the machine is shared
    start = time.perf_counter()
    catalog = load_catalog(get_settings().content_sources)
    times.append(time.perf_counter() - start)
assert catalog.ok, catalog.problems
print(f"{min(times):.3f}")
print(f"{catalog.files_read} files: {len(catalog.models)} models, {len(catalog.surveys)} surveys, {len(catalog.playbooks)} playbooks")
"""


def cases(folder: Path, depth: int) -> dict[str, Path]:
    files = {
        "flow_100k": "kind: model\nid: x\nlevels: " + "[" * depth + "]" * depth + "\n",
        "block_100k": "kind: model\nid: x\nlevels:\n" + "- " * depth + "x\n",
        "flow_1mb": "kind: model\nid: x\nlevels: " + "[" * 499_900 + "]" * 499_900 + "\n",
        "big_2mb": "kind: model\nid: x\n" + "".join(f"key{i}: value\n" for i in range(200_000)),
    }
    paths = {}
    for name, text in files.items():
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def run(code: str, *args: str, timeout: float) -> tuple[str, str]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return f">{timeout:g}", f"still running after {time.perf_counter() - start:.0f} s; stopped"
    if done.returncode != 0:
        return "error", (done.stderr.strip().splitlines() or ["?"])[-1]
    seconds, outcome = (done.stdout.strip().splitlines() + ["", ""])[:2]
    return seconds, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a case is stopped")
    parser.add_argument("--depth", type=int, default=100_000, help="nesting of the flow_100k and block_100k files")
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory(prefix="content-yaml-") as scratch:
        for name, path in cases(Path(scratch), args.depth).items():
            seconds, outcome = run(CHILD, str(path), timeout=args.timeout)
            print(f"{name:<11} {path.stat().st_size:>10,} bytes  {seconds:>8} s  {outcome}")
            figures[name] = seconds
    seconds, outcome = run(BUILTIN, timeout=args.timeout)
    print(f"{'built-in':<11} {'':>10}        {seconds:>8} s  {outcome}")
    figures["builtin"] = seconds
    print(" ".join(f"{name}_s={value}" for name, value in figures.items()))


if __name__ == "__main__":
    main()
