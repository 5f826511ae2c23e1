"""Records dm-haiku 0.0.17's behaviour on the core scenarios (run in the reference env only).

/path/to/dm-haiku-venv/bin/python tests/golden/make_core.py
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import core_scenarios

if __name__ == "__main__":
    out = core_scenarios.run_all()
    path = os.path.join(os.path.dirname(__file__), "core.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote", path)
