"""How much `import haiku` (and the first `dir(haiku)`) adds on top of `import jax`.

Each sample is a fresh interpreter that imports jax, then haiku, then calls dir(haiku)
(the first dir() is what triggers the entry-point scan), timing each step with
perf_counter. Variants run interleaved, so machine noise hits all of them alike, and
medians are reported. It also reports any plugin module (`haiku_*`) imported by
`import haiku` + `dir(haiku)`, which should be none. Nothing is asserted.

Usage: python benchmarks/import_time.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

_PROBE = """
import json, sys, time
t0 = time.perf_counter()
import jax
t1 = time.perf_counter()
import haiku
t2 = time.perf_counter()
names = dir(haiku)
t3 = time.perf_counter()
plugin_modules = sorted(m for m in sys.modules if m.startswith("haiku_"))
getattr(haiku, "Linear", None)  # imports haiku_layers when installed
t4 = time.perf_counter()
print(json.dumps({"jax": t1 - t0, "haiku": t2 - t1, "dir": t3 - t2, "first_linear": t4 - t3,
                  "plugin_modules": plugin_modules, "names": len(names)}))
"""

_JAX_ONLY = """
import json, time
t0 = time.perf_counter()
import jax
print(json.dumps({"jax_only": time.perf_counter() - t0}))
"""

_WARM = """
import haiku
for name in dir(haiku):
    getattr(haiku, name, None)
"""

_WALL = "import jax"
_WALL_HAIKU = "import jax, haiku; dir(haiku)"


# Measure what an installed wheel costs: pip writes bytecode at install time, so the probes
# must not recompile sources on every run (PYTHONDONTWRITEBYTECODE would make an editable
# install pay ~10 ms of `compile` per import). The first call warms the bytecode cache.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_warmed = False


def _warm() -> None:
    global _warmed
    if not _warmed:
        subprocess.run([sys.executable, "-c", _WARM], check=True, capture_output=True, env=_ENV)
        _warmed = True


def _run(code: str) -> dict:
    _warm()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_ENV
    )
    return json.loads(out.stdout.splitlines()[-1])


def _wall(code: str) -> float:
    import time

    _warm()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=_ENV)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs

    samples: dict[str, list[float]] = {}
    plugin_modules: set[str] = set()
    for _ in range(runs):  # interleaved variants
        probe = _run(_PROBE)
        plugin_modules.update(probe.pop("plugin_modules"))
        names = probe.pop("names")
        probe.update(_run(_JAX_ONLY))
        probe["wall: python -c 'import jax'"] = _wall(_WALL)
        probe["wall: python -c 'import jax, haiku; dir(haiku)'"] = _wall(_WALL_HAIKU)
        for key, value in probe.items():
            samples.setdefault(key, []).append(value)

    med = {k: statistics.median(v) for k, v in samples.items()}
    print(
        f"python {sys.version.split()[0]}, {runs} interleaved runs, medians "
        f"(min-max); dir(haiku) lists {names} names"
    )
    for key, values in samples.items():
        print(
            f"  {key:48s} {med[key] * 1e3:9.1f} ms   "
            f"({min(values) * 1e3:.1f}-{max(values) * 1e3:.1f})"
        )
    increment = med["haiku"] + med["dir"]
    print(f"  {'=> import haiku + first dir() after jax':48s} {increment * 1e3:9.1f} ms")
    wall_inc = (
        med["wall: python -c 'import jax, haiku; dir(haiku)'"] - med["wall: python -c 'import jax'"]
    )
    print(f"  {'=> whole-process increment (noisy)':48s} {wall_inc * 1e3:9.1f} ms")
    print(
        "plugin modules imported by `import haiku; dir(haiku)`: "
        + (", ".join(sorted(plugin_modules)) or "none")
    )


if __name__ == "__main__":
    main()
