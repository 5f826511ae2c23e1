"""Generates jaxwrap goldens from dm-haiku 0.0.17 (run ONLY in the reference venv).

    hatch run bench-ref:python tests/golden/make_jaxwrap.py

Runs the models of ``jaxwrap_cases.py`` (keys drawn around and inside hk.cond, hk.switch,
hk.scan, hk.fori_loop, hk.while_loop, hk.vmap, hk.remat, hk.grad with rng_reserve_size 1
and 4; layer_stack, scan, vmap, lift and grad models: params, state and outputs; module
names after each wrapper) and writes ``jaxwrap.npz`` and ``jaxwrap.json`` next to this file.
"""

from __future__ import annotations

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).parent


def main() -> None:
    import jax
    import numpy as np

    jax.config.update("jax_threefry_partitionable", True)
    sys.path.insert(0, str(HERE))
    import jaxwrap_cases

    arrays, names = jaxwrap_cases.run_all()
    np.savez_compressed(HERE / "jaxwrap.npz", **arrays)
    (HERE / "jaxwrap.json").write_text(json.dumps(names, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(arrays)} arrays, {len(names)} name lists")


if __name__ == "__main__":
    main()
