"""examples/sharded_lm.py --smoke: 2 x 4 sharded training agrees with one device."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

for _module in ("haiku_layers", "haiku_nets", "haiku_jaxwrap", "optax"):
    pytest.importorskip(_module)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sharded_lm.py"


def test_sharded_lm_smoke():
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}  # the script sets it
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), "--smoke"],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "per device (2, 64, 64), spec P(None, None, 'model')" in proc.stdout
    # Adam's moments are sharded like their params (readout/w: [64, vocab] over 4 devices).
    pattern = r"^(readout/w|adam moment).*?per device (\([0-9, ]+\))"
    per_device = dict(re.findall(pattern, proc.stdout, re.M))
    assert per_device == {"readout/w": "(64, 17)", "adam moment": "(64, 17)"}
    diff = [line for line in proc.stdout.splitlines() if line.startswith("max |loss difference|")]
    assert diff and float(diff[0].rsplit(" ", 1)[1]) < 1e-4
