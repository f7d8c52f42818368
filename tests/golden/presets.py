"""Golden CLI JSON of every page's defaults and presets, for the experiments that compute without training.

    python -m tests.golden.presets --write     # after a deliberate change of numbers: rewrite presets.json
    python -m tests.golden.presets            # compare and print the differences

The test (tests/test_golden_presets.py) runs every registered preset through the CLI's `run` and compares
the light (non-heavy) experiments' summaries with presets.json: a refactoring must not change a number a
link shows. Training experiments are not compared here (their numbers move with float re-association on
other CPUs); tests/<concept>/ check their behaviour instead.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

GOLDEN = Path(__file__).with_name("presets.json")
RTOL, ATOL = 1e-6, 1e-9  # float32 sums may re-associate on another CPU's vector kernels
# Paths that are chaotic at their preset's settings: float64 rounding differences between torch's vector kernels
# (ATEN_CPU_CAPABILITY=default against avx2) grow to ~3 % relative along them. Adadelta at lr 5 on Beale ends
# at x = 2.6823 under avx2 and 2.6802 under default, its loss curve up to 2.6 % apart. Compared to this tolerance
# only: the page's meaning (where it ends, how its loss falls) survives, the digits do not.
CHAOTIC = {"optimizers.all_nine": (".paths.optimizers.adadelta.",)}
CHAOTIC_RTOL = 0.1


def cases() -> list[tuple[str, str, dict]]:
    """(page, preset or "_defaults", query mapping) for every registered page."""
    from core import registry

    out = []
    for c in registry.CONCEPTS:
        out.append((c.key, "_defaults", {}))
        for name, preset in c.presets.items():
            values, _ = c.params.validate({**c.params.defaults(), **preset})
            out.append((c.key, name, c.params.encode(values)))
    return out


def light_summaries(page: str, query: dict) -> dict:
    """The CLI's JSON for the page's light experiments (wall times dropped)."""
    from core import __main__ as cli
    from core import registry
    from core.params import to_query_string

    out = {}
    for exp in registry.get(page).experiments:
        if not exp.heavy:
            summary = cli.run(page, to_query_string(query), exp.key)["experiments"][exp.key]
            summary.pop("wall_s", None)
            out[exp.key] = summary
    return out


def differences(a, b, path: str = "", chaotic: tuple[str, ...] = ()) -> list[str]:
    """Where two JSON values differ beyond the tolerance (floats; CHAOTIC_RTOL under a `chaotic` path prefix) or
    at all (everything else)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}.{k}: only on one side" for k in sorted(set(a) ^ set(b))]
        for k in sorted(set(a) & set(b)):
            out += differences(a[k], b[k], f"{path}.{k}", chaotic)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]", chaotic)]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        rtol = CHAOTIC_RTOL if any(path.startswith(c) for c in chaotic) else RTOL
        return [] if math.isclose(a, b, rel_tol=rtol, abs_tol=ATOL) else [f"{path}: {a!r} != {b!r}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def load() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def write() -> None:
    data = {f"{page}.{name}": {"query": q, "experiments": light_summaries(page, q)} for page, name, q in cases()}
    GOLDEN.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(data)} cases to {GOLDEN}")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    if "--write" in argv:
        write()
        return 0
    golden, bad = load(), 0
    for page, name, q in cases():
        key = f"{page}.{name}"
        diff = (
            ["not in presets.json"]
            if key not in golden
            else differences(golden[key]["experiments"], light_summaries(page, q), chaotic=CHAOTIC.get(key, ()))
        )
        for d in diff[:5]:
            print(f"{key}: {d}")
        bad += bool(diff)
    print(f"{bad} case(s) differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
