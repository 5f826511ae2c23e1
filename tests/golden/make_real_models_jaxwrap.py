"""Generates the jaxwrap "real model" goldens from dm-haiku 0.0.17 (reference venv ONLY).

    /work/refvenv/bin/python tests/golden/make_real_models_jaxwrap.py

Simulates 8 CPU devices (as the hatch test env does) and writes
``real_models_jaxwrap.npz`` next to this file.
"""

from __future__ import annotations

import os
import pathlib
import sys

HERE = pathlib.Path(__file__).parent


def main() -> None:
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
    os.environ["JAX_PLATFORMS"] = "cpu"
    import numpy as np

    sys.path.insert(0, str(HERE))
    import real_models_jaxwrap_cases

    arrays = real_models_jaxwrap_cases.run_all()
    assert "pmap_bn/losses" in arrays, "needs 8 devices"
    np.savez_compressed(HERE / "real_models_jaxwrap.npz", **arrays)
    print(f"wrote {len(arrays)} arrays")


if __name__ == "__main__":
    main()
