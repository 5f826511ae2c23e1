"""Suite-wide checks.

``hatch test`` runs the suite once per matrix env and sets ``HAIKU_EXPECT_PLUGINS``
(``core``: haiku-core alone, ``all``: every first-party plugin and the example plugin).
If the installed distributions disagree, the session fails at once: otherwise a broken
workspace would silently turn every plugin test into a skip.
"""

from __future__ import annotations

import importlib.util
import os

import jax
import pytest

# The tests spell the x64 context manager as JAX >= 0.5 does (`jax.enable_x64(flag)`); the
# oldest supported JAX (0.4.34, docs/index.md) has it only as jax.experimental.enable_x64.
if not hasattr(jax, "enable_x64"):
    from jax.experimental import enable_x64 as _enable_x64

    jax.enable_x64 = _enable_x64

PLUGIN_PACKAGES = (
    "haiku_layers",
    "haiku_nets",
    "haiku_jaxwrap",
    "haiku_tools",
    "haiku_contrib_example",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    expected = os.environ.get("HAIKU_EXPECT_PLUGINS")
    if not expected:
        return
    installed = {p for p in PLUGIN_PACKAGES if importlib.util.find_spec(p) is not None}
    wanted = {"core": set(), "all": set(PLUGIN_PACKAGES)}.get(expected)
    if wanted is None:
        raise pytest.UsageError(f"HAIKU_EXPECT_PLUGINS must be 'core' or 'all', got {expected!r}")
    if installed != wanted:
        raise pytest.UsageError(
            f"HAIKU_EXPECT_PLUGINS={expected} but the installed plugin packages are "
            f"{sorted(installed) or 'none'} (expected {sorted(wanted) or 'none'}). "
            "Recreate the test env: hatch env prune && hatch test --all"
        )


# Helper modules (not tests) that need plugins at import time: --doctest-modules would
# import them in the core-only env, so they are not collected; tests import them guarded.
collect_ignore = ["golden/layer_table.py"]
