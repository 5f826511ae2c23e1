"""Records the first values of every init parameter of the ``big`` nets cases (dm-haiku 0.0.17).

``big`` cases keep only SHA-256 digests of their init values (the full params are too large
to check in). Digests are exact, but XLA's CPU code for erfinv differs in the last bits
between processors, so the test falls back to these samples with a few-ulp tolerance.
Run ONLY in the reference venv:  /path/to/ref/bin/python tests/golden/make_nets_samples.py
"""

from __future__ import annotations

import os
import sys

import jax

jax.config.update("jax_threefry_partitionable", True)

import numpy as np  # noqa: E402

import haiku as hk  # noqa: E402  (dm-haiku in the reference venv)

sys.path.insert(0, os.path.dirname(__file__))
import nets_cases as cases  # noqa: E402

SAMPLE = 64


def main() -> None:
    assert hk.__version__ == "0.0.17", hk.__version__
    for case in cases.CASES:
        if case.kind != "big":
            continue
        inputs = [jax.numpy.asarray(x) for x in cases.make_inputs(case)]
        params, state = cases.unbatch_init(case, *cases.init(hk, case, inputs))
        arrays = {
            k: np.asarray(v).ravel()[:SAMPLE]
            for k, v in {**cases.flat("params", params), **cases.flat("state", state)}.items()
        }
        path = os.path.join(os.path.dirname(__file__), "nets", f"{case.name}_samples.npz")
        np.savez_compressed(path, **arrays)
        print("wrote", path, len(arrays))


if __name__ == "__main__":
    main()
