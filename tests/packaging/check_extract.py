"""Check the ``extract --json`` lines of an installed omsdesktop against ``expected.json``.

    omsdesktop extract --json DOCS/*.png | python -m tests.packaging.check_extract EXPECTED.json

Exit 0 when every expected file was read as its kind with its checked fields exact.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def check(expected: dict[str, dict[str, object]], lines: list[str]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for line in lines:
        if not line.strip():
            continue
        got = json.loads(line)
        name = Path(got["file"]).name
        want = expected.get(name)
        if want is None:
            continue
        seen.add(name)
        if got.get("errors"):
            problems.append(f"{name}: errors {got['errors']}")
        if got.get("kind") != want["kind"]:
            problems.append(f"{name}: kind {got.get('kind')!r}, expected {want['kind']!r}")
        fields = got.get("fields") or {}
        for key, value in dict(want["fields"]).items():  # type: ignore[call-overload]
            read = (fields.get(key) or {}).get("value")
            if read != value:
                problems.append(f"{name}: {key} read {read!r}, expected {value!r}")
    problems += [f"{name}: no output" for name in sorted(set(expected) - seen)]
    return problems


def main(argv: list[str]) -> int:
    expected = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    lines = sys.stdin.read().splitlines()
    wanted = set(argv[1:]) or set(expected)
    problems = check({k: v for k, v in expected.items() if k in wanted}, lines)
    for p in problems:
        print(f"check_extract: {p}", file=sys.stderr)
    if not problems:
        print(f"check_extract: {len(wanted)} documents read as expected")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
