"""`import haiku` cost over `import jax`, as JSON (for benchmarks/suite.py and compare.py).

Reuses the fresh-interpreter probe of benchmarks/import_time.py: each sample is a new process
that imports jax, then haiku, then calls `dir(haiku)` and touches `haiku.Linear`. Milliseconds,
medians over `--runs` processes.

    python benchmarks/import_increment.py [--json] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics

from import_time import _PROBE, _run


def run(runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        probe = _run(_PROBE)
        values = {
            "import.jax": probe["jax"],
            "import.haiku_only": probe["haiku"],
            "import.haiku_after_jax": probe["haiku"] + probe["dir"],
            "import.haiku_plus_first_linear": probe["haiku"] + probe["dir"] + probe["first_linear"],
        }
        for key, value in values.items():
            samples.setdefault(key, []).append(value * 1e3)
    return {k: statistics.median(v) for k, v in samples.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    result = run(parser.parse_args().runs)
    print(json.dumps(result) if parser.parse_args().json else result)
