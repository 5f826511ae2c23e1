"""dm-haiku 0.0.17 reference data and the code that checks us against it.

Every test imports this package one way, ``from golden import <module>`` (pytest.ini puts
``tests/`` on ``sys.path``). It holds, per area:

- ``<area>_cases.py`` / ``<area>_scenarios.py``: what is run, shared by the recorder and
  the tests (they import nothing from this package, so the recorder can run them alone);
- ``make_<area>.py``: the recorder, run ONLY with dm-haiku 0.0.17 installed, e.g.
  ``/tmp/dmh/bin/python tests/golden/make_core.py`` (see CONTRIBUTING.md);
- the recorded ``.json`` / ``.npz`` files, read with `load_json` and `load_npz`;
- ``layer_table.py``: one small runnable model per haiku-layers name (not a recording).

>>> sorted(load_json("core.json"))[:2]
['hooks', 'init_values']
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import numpy as np

DIR = pathlib.Path(__file__).resolve().parent


def load_json(name: str) -> Any:
    """The recorded JSON file ``tests/golden/<name>``."""
    return json.loads((DIR / name).read_text())


def load_npz(name: str) -> dict[str, np.ndarray]:
    """The recorded arrays of ``tests/golden/<name>``, loaded eagerly into a dict."""
    with np.load(DIR / name) as data:
        return dict(data)
