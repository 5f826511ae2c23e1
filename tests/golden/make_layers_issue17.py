"""Records dm-haiku 0.0.17's outcome of every case in ``layers_issue17_cases.py``.

Run ONLY in the reference venv (it imports dm-haiku):

  /work/refvenv/bin/python tests/golden/make_layers_issue17.py
"""

from __future__ import annotations

import json
import os
import sys

import jax

jax.config.update("jax_threefry_partitionable", True)

import haiku as hk  # noqa: E402  (dm-haiku in the reference venv)

sys.path.insert(0, os.path.dirname(__file__))
import layers_issue17_cases  # noqa: E402

if __name__ == "__main__":
    out = layers_issue17_cases.run_all(hk)
    path = os.path.join(os.path.dirname(__file__), "layers_issue17.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote", path, len(out), "cases")
