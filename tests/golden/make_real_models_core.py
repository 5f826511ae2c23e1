"""Records dm-haiku 0.0.17's training runs of real_models_core_cases.py (reference env only).

/work/refvenv/bin/python tests/golden/make_real_models_core.py
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import real_models_core_cases

if __name__ == "__main__":
    out = real_models_core_cases.run_all()
    path = os.path.join(os.path.dirname(__file__), "real_models_core.npz")
    np.savez(path, **out)
    print("wrote", path, len(out), "arrays")
