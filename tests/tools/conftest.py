"""Shared helpers of the tools tests: the dm-haiku goldens and the shared model cases."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

GOLDEN_DIR = pathlib.Path(__file__).resolve().parents[1] / "golden"
if str(GOLDEN_DIR) not in sys.path:
    sys.path.insert(0, str(GOLDEN_DIR))


@pytest.fixture(scope="session")
def golden() -> dict:
    return json.loads((GOLDEN_DIR / "tools" / "summaries.json").read_text())
