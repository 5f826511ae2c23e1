"""The checked-in API snapshot of ``haiku`` + ``haiku.extend``.

The snapshot is packages/haiku-core/api-snapshot.json.
"""

from __future__ import annotations

import copy
import importlib.util
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sync():
    spec = importlib.util.spec_from_file_location("haiku_repo_sync", ROOT / "scripts" / "sync.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_api_matches_the_snapshot(sync):
    report = sync.snapshot_report(sync.load_snapshot(), sync.api_snapshot())
    assert report is None, "\n" + report


def test_snapshot_has_core_names_only(sync):
    snapshot = sync.load_snapshot()
    assert "transform" in snapshot["haiku"] and "Module" in snapshot["haiku"]
    assert "internal_state" in snapshot["haiku.extend"]
    assert not {"Linear", "nets", "vmap"} & set(snapshot["haiku"])
    assert "__init__" in snapshot["haiku"]["Module"]["members"]


def test_removal_and_signature_changes_are_breaking(sync):
    old = sync.load_snapshot()
    new = copy.deepcopy(old)
    del new["haiku"]["get_state"]
    new["haiku"]["transform"] = "(f, *, apply_rng=True, extra=None)"
    breaking, additive = sync.classify(old, new)
    assert breaking == [
        "removed: haiku.get_state",
        f"changed: haiku.transform{old['haiku']['transform']} -> "
        "(f, *, apply_rng=True, extra=None)",
    ]
    assert additive == []
    report = sync.snapshot_report(old, new)
    assert report.startswith("BREAKING change") and "bump the MAJOR" in report
    assert "hatch run dev:sync" in report
    assert sync._required_bump(old, new) == "major"


def test_addition_is_additive(sync):
    old = sync.load_snapshot()
    new = copy.deepcopy(old)
    new["haiku.extend"]["brand_new_hook"] = "(x)"
    assert sync.classify(old, new) == ([], ["added: haiku.extend.brand_new_hook"])
    report = sync.snapshot_report(old, new)
    assert report.startswith("ADDITIVE change") and "bump the MINOR" in report
    assert sync._required_bump(old, new) == "minor"
    new["api_version"] = [old["api_version"][0], old["api_version"][1] + 1]
    assert sync._required_bump(old, new) is None
