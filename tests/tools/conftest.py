"""Shared fixtures of the tools tests: the dm-haiku goldens (``tests/golden/tools*``).

Most tools live in the haiku-tools distribution; their test files are not collected
when it is not installed (the core-only matrix env). ``check_jax_usage`` and
``optimize_rng_use`` stay in haiku-core and are tested in both envs.
"""

from __future__ import annotations

import importlib.util

import pytest

from golden import load_json

NEEDS_TOOLS = [
    "test_conformance.py",
    "test_dot.py",
    "test_flax.py",
    "test_jaxpr_info.py",
    "test_summarise.py",
    "test_summary_cli.py",
]
HAS_TOOLS = importlib.util.find_spec("haiku_tools") is not None
collect_ignore = [] if HAS_TOOLS else NEEDS_TOOLS


@pytest.fixture(scope="session")
def golden() -> dict:
    return load_json("tools/summaries.json")


@pytest.fixture(scope="session")
def golden17() -> dict:
    """dm-haiku 0.0.17's observations for tests/golden/tools17_cases.py (issue #17)."""
    return load_json("tools17.json")
