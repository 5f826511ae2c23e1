"""Records dm-haiku 0.0.17's behaviour for tools17_cases.py (run in the reference env only).

/work/refvenv/bin/python tests/golden/make_tools17.py   # needs flax and tabulate
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import tools17_cases

if __name__ == "__main__":
    out = {
        "flax_lift": tools17_cases.flax_lift_values(),
        "tabulate": tools17_cases.tabulate_values(),
        "jaxpr_info": tools17_cases.jaxpr_info_values(),
        "jax_usage": tools17_cases.jax_usage_values(),
    }
    path = os.path.join(os.path.dirname(__file__), "tools17.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True, ensure_ascii=False)
    print("wrote", path)
