"""Per-distribution versions and the release helper (scripts/release.py)."""

from __future__ import annotations

import importlib.util
import pathlib
import re
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def release():
    spec = importlib.util.spec_from_file_location(
        "haiku_repo_release", ROOT / "scripts" / "release.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_every_distribution_has_its_own_version_and_changelog(release):
    assert {"haiku-core", "haiku-layers", "haiku-nets", "haiku-jaxwrap"} <= set(release.names())
    for name in release.names():
        package = ROOT / "packages" / name
        pyproject = tomllib.loads((package / "pyproject.toml").read_text())
        if "version" in pyproject["project"]:  # the never-published meta-distribution
            continue
        version_file = package / pyproject["tool"]["hatch"]["version"]["path"]
        version = re.search(r'__version__ = "([^"]+)"', version_file.read_text()).group(1)
        changelog = (package / "CHANGELOG.md").read_text()
        assert f"## {version}\n" in changelog, f"{name} {version} is not in its CHANGELOG.md"


def test_build_rejects_an_unknown_name(release, capsys):
    with pytest.raises(SystemExit) as e:
        release.main(["build", "haiku-nope"])
    assert e.value.code == 2
    assert "unknown distribution 'haiku-nope'" in capsys.readouterr().err
