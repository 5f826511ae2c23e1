"""Records dm-haiku 0.0.17's behaviour on the issue #17 core scenarios (reference env only).

/work/refvenv/bin/python tests/golden/make_core17.py
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import core17_scenarios

if __name__ == "__main__":
    out = core17_scenarios.run_all()
    path = os.path.join(os.path.dirname(__file__), "core17.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote", path)
