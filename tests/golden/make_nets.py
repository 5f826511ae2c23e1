"""Records dm-haiku 0.0.17 goldens for ``hk.nets`` (cases in ``nets_cases.py``).

Run ONLY in the reference venv (it imports dm-haiku):

  hatch run bench-ref:python tests/golden/make_nets.py

Writes ``nets/cases.json`` (param/state trees with names, shapes, dtypes and order;
SHA-256 digests of the init values) and ``nets/<case>.npz`` (inputs, init params and
state for ``full`` cases, and the results of ``nets_cases.run``).
"""

from __future__ import annotations

import json
import os
import sys
import time

import jax

jax.config.update("jax_threefry_partitionable", True)

import numpy as np  # noqa: E402

import haiku as hk  # noqa: E402  (dm-haiku in the reference venv)

sys.path.insert(0, os.path.dirname(__file__))
import nets_cases as cases  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(__file__), "nets")


def main() -> None:
    assert hk.__version__ == "0.0.17", hk.__version__
    os.makedirs(OUT_DIR, exist_ok=True)
    meta = {}
    for case in cases.CASES:
        start = time.time()
        raw = cases.make_inputs(case)
        inputs = [jax.numpy.asarray(x) for x in raw]
        params, state = cases.unbatch_init(case, *cases.init(hk, case, inputs))
        entry = {"params": cases.tree_spec(params), "state": cases.tree_spec(state)}
        arrays = {f"in|{i}": x for i, x in enumerate(raw)}
        if case.kind != "tree":
            entry["param_digests"] = cases.digests(params)
            entry["state_digests"] = cases.digests(state)
            if case.kind == "full":
                arrays.update(cases.flat("params", params))
                arrays.update(cases.flat("state", state))
            for key, tree in cases.run(hk, case, params, state, inputs).items():
                arrays.update(cases.flat(key, tree))
            np.savez_compressed(os.path.join(OUT_DIR, f"{case.name}.npz"), **arrays)
        meta[case.name] = entry
        print(
            case.name,
            len(entry["params"]),
            "params",
            len(entry["state"]),
            "state",
            f"{time.time() - start:.1f}s",
        )
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(meta, f, indent=0, sort_keys=True)


if __name__ == "__main__":
    main()
