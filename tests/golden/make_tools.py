"""Records dm-haiku 0.0.17's tabulate/eval_summary output (run in the reference env only).

/path/to/dm-haiku-venv/bin/python tests/golden/make_tools.py   # needs `tabulate`
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import tools_cases

if __name__ == "__main__":
    out = tools_cases.run_all()
    out["optimize_rng_use"] = tools_cases.optimize_rng_values()
    out["jaxpr_info"] = tools_cases.jaxpr_info_values()
    path = os.path.join(os.path.dirname(__file__), "tools", "summaries.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True, ensure_ascii=False)
    print("wrote", path)
