"""Generates the issue #17 wrapper goldens from dm-haiku 0.0.17 (run ONLY in the reference venv).

    /work/refvenv/bin/python tests/golden/make_jaxwrap_issue17.py

Runs ``jaxwrap_issue17_cases.py`` and writes ``jaxwrap_issue17.npz`` (arrays) and
``jaxwrap_issue17.json`` (exception types, trace counts, lifted prefixes) next to this file.
"""

from __future__ import annotations

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).parent


def main() -> None:
    import numpy as np

    sys.path.insert(0, str(HERE))
    import jaxwrap_issue17_cases

    arrays, facts = jaxwrap_issue17_cases.run_all()
    np.savez_compressed(HERE / "jaxwrap_issue17.npz", **arrays)
    (HERE / "jaxwrap_issue17.json").write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(arrays)} arrays, {len(facts)} facts")


if __name__ == "__main__":
    main()
