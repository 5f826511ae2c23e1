"""Records dm-haiku 0.0.17 goldens for haiku-layers' stateful and normalising layers
(batch/layer/group/RMS norms, moving averages, spectral norm, recurrent cores).

Run ONLY in the reference venv (it imports dm-haiku):

  hatch run bench-ref:python tests/golden/make_layers_stateful.py

For every case in ``layers_stateful_cases.py`` it stores, per group, an ``.npz`` with the
inputs of every step, the init params and state (seed 42), and the outputs and
state after each ``apply`` step; and a ``.json`` with the param/state trees
(names, shapes, dtypes, insertion order) and the output dtypes.
"""

from __future__ import annotations

import json
import os

import jax

jax.config.update("jax_threefry_partitionable", True)

import numpy as np  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(__file__), "layers_stateful")


def _storable(x) -> np.ndarray:
    x = np.asarray(x)
    # npz cannot hold bfloat16 portably; float32 holds bf16/f16 values exactly.
    if x.dtype.name in ("bfloat16", "float16"):
        return x.astype(np.float32)
    return x


def _put_tree(arrays: dict, prefix: str, tree) -> None:
    for m, bundle in tree.items():
        for n, v in bundle.items():
            arrays[f"{prefix}|{m}|{n}"] = _storable(v)


def main() -> None:
    import haiku as hk  # dm-haiku in the reference venv.

    assert hk.__version__ == "0.0.17", hk.__version__
    import layers_stateful_cases as cases  # next to this script; imported on first use

    os.makedirs(OUT_DIR, exist_ok=True)
    for group in cases.GROUPS:
        arrays: dict[str, np.ndarray] = {}
        meta: dict[str, dict] = {}
        for idx, case in enumerate(c for c in cases.CASES if c.group == group):
            raws = [cases.make_inputs(case, seed=100 * idx + j) for j in range(len(case.steps))]
            step_inputs = [cases.to_jax(case, raw) for raw in raws]
            params, init_state, results = cases.run_case(hk, case, step_inputs)
            for j, raw in enumerate(raws):
                for i, x in enumerate(raw):
                    arrays[f"{case.name}|in|{j}|{i}"] = x
            _put_tree(arrays, f"{case.name}|param", params)
            _put_tree(arrays, f"{case.name}|state0", init_state)
            steps_meta = []
            for j, (outs, state) in enumerate(results):
                for i, o in enumerate(outs):
                    arrays[f"{case.name}|out|{j}|{i}"] = _storable(o)
                _put_tree(arrays, f"{case.name}|state|{j}", state)
                steps_meta.append(
                    {
                        "out": [[list(o.shape), str(o.dtype)] for o in outs],
                        "state": cases.tree_spec(state),
                    }
                )
            meta[case.name] = {
                "params": cases.tree_spec(params),
                "state0": cases.tree_spec(init_state),
                "steps": steps_meta,
            }
        np.savez_compressed(os.path.join(OUT_DIR, f"{group}.npz"), **arrays)
        with open(os.path.join(OUT_DIR, f"{group}.json"), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
        print(group, len(meta), "cases")


if __name__ == "__main__":
    main()
