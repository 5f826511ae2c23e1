"""Files generated from the plugins' entry points must match them (`hatch run dev:sync`)."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import tomllib

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


def test_generated_files_match_the_entry_points(sync):
    stale = sync.stale_files()
    assert not stale, (
        "generated files are out of date with the plugins' entry points; run "
        "`hatch run dev:sync`:\n" + "\n".join(diff for _, diff in stale)
    )


def test_every_first_party_plugin_is_known(sync):
    found = {p.name: p for p in sync.plugins()}
    assert {"haiku-layers", "haiku-nets", "haiku-jaxwrap"} <= set(found)
    for path in (ROOT / "packages").glob("*/pyproject.toml"):
        project = tomllib.loads(path.read_text())["project"]
        groups = project.get("entry-points", {})
        if "haiku.plugins" in groups:
            assert project["name"] in found
            # every first-party plugin declares the extension-API range it supports
            assert set(groups.get("haiku.api", {})) == {"requires"}, project["name"]


def test_adding_a_name_changes_only_generated_text(sync, monkeypatch):
    plugin = next(p for p in sync.plugins() if p.name == "haiku-layers")
    plugin.groups["haiku.plugins"]["Linear2"] = "haiku_layers.linear:Linear"
    monkeypatch.setattr(sync, "plugins", lambda: [plugin])
    files = sync.generated_files()
    assert '"Linear2": "haiku-layers",' in files[sync.HINTS]
    assert "from haiku_layers.linear import Linear as Linear2" in files[sync.STUB]
    assert "`Linear2`" in files[sync.DOCS]
    init = plugin.path / "src" / "haiku_layers" / "__init__.py"
    assert '"Linear2": "haiku_layers.linear:Linear",' in files[init]


def test_the_registry_names_no_plugin():
    src = ROOT / "packages" / "haiku-core" / "src" / "haiku"
    for path in (src / "_src" / "plugins.py", src / "plugins.py", src / "__main__.py"):
        text = path.read_text()
        for word in (
            "haiku-layers",
            "haiku_layers",
            "haiku-nets",
            "haiku_nets",
            "haiku-jaxwrap",
            "haiku_jaxwrap",
        ):
            assert word not in text, f"{path.relative_to(ROOT)} names {word}"
