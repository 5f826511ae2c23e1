"""Records dm-haiku 0.0.17 goldens for haiku-layers' feed-forward layers.

Run ONLY in the reference venv (it imports dm-haiku):

  hatch run bench-ref:python tests/golden/make_layers_feedforward.py

For every case in ``layers_feedforward_cases.py`` it stores, per group, an ``.npz``
(inputs, init params from seed 42, apply output) and a ``.json`` (the param
tree with names, shapes, dtypes and order; output shapes/dtypes; deprecation
warnings seen at init).
"""

from __future__ import annotations

import json
import os

import jax

jax.config.update("jax_threefry_partitionable", True)

import numpy as np  # noqa: E402

import haiku as hk  # noqa: E402  (dm-haiku in the reference venv)

enable_x64 = jax.enable_x64

import layers_feedforward_cases as cases  # noqa: E402  (next to this script)

OUT_DIR = os.path.join(os.path.dirname(__file__), "layers_feedforward")


def _storable(x) -> np.ndarray:
    x = np.asarray(x)
    # npz cannot hold bfloat16/float16 portably; float32 holds them exactly.
    if x.dtype.name in ("bfloat16", "float16"):
        return x.astype(np.float32)
    return x


def main() -> None:
    assert hk.__version__ == "0.0.17", hk.__version__
    os.makedirs(OUT_DIR, exist_ok=True)
    for group in cases.GROUPS:
        arrays: dict[str, np.ndarray] = {}
        meta: dict[str, dict] = {}
        for idx, case in enumerate(c for c in cases.CASES if c.group == group):
            with enable_x64() if case.x64 else cases._Null():
                raw = cases.make_inputs(case, seed=idx)
                inputs = cases.to_jax(case, raw)
                params, out, warns = cases.run_case(hk, case, inputs)
                outs = jax.tree.leaves(out)
            for i, x in enumerate(raw):
                arrays[f"{case.name}|in|{i}"] = x
            for m, bundle in params.items():
                for n, v in bundle.items():
                    arrays[f"{case.name}|param|{m}|{n}"] = _storable(v)
            for i, o in enumerate(outs):
                arrays[f"{case.name}|out|{i}"] = _storable(o)
            meta[case.name] = {
                "tree": cases.tree_spec(params),
                "out": [[list(o.shape), str(o.dtype)] for o in outs],
                "warnings": warns,
            }
        np.savez_compressed(os.path.join(OUT_DIR, f"{group}.npz"), **arrays)
        with open(os.path.join(OUT_DIR, f"{group}.json"), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
        print(group, len(meta), "cases")


if __name__ == "__main__":
    main()
