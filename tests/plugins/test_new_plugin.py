"""``python -m haiku new-plugin``: the generated project, and that it really works.

The slow test generates a plugin, installs it editable into a fresh venv that sees this
interpreter's packages (haiku-core, jax, pytest) and runs the project's own tests there,
conformance check included, in a subprocess.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import site
import subprocess
import sys
import tomllib

import pytest

import haiku as hk
from haiku import extend
from haiku.__main__ import main
from haiku._src import new_plugin
from haiku._src.specifiers import satisfies


def test_project_layout_and_metadata(tmp_path: pathlib.Path):
    root = new_plugin.write_project("haiku-acme", tmp_path / "acme")
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    assert meta["build-system"]["build-backend"] == "hatchling.build"
    assert meta["project"]["name"] == "haiku-acme"
    eps = meta["project"]["entry-points"]
    assert eps["haiku.plugins"] == {"AcmeDense": "haiku_acme.layers:AcmeDense"}
    api = eps["haiku.api"]["requires"]
    assert satisfies(".".join(map(str, extend.API_VERSION)), api)
    for rel in (
        "README.md",
        "src/haiku_acme/layers.py",
        "src/haiku_acme/__init__.py",
        "tests/test_conformance.py",
        "tests/test_layers.py",
    ):
        assert (root / rel).is_file(), rel
    assert ">>> f.apply(params" in (root / "src/haiku_acme/layers.py").read_text()
    assert (
        'hk.testing.conformance_test("haiku-acme"'
        in (root / "tests/test_conformance.py").read_text()
    )


def test_custom_layer_name(tmp_path: pathlib.Path):
    root = new_plugin.write_project("acme.nn", tmp_path / "p", layer="Gated")
    assert "class Gated(hk.Module)" in (root / "src/acme_nn/layers.py").read_text()


@pytest.mark.parametrize(
    "name, layer, match",
    [
        ("haiku acme", None, "not a valid distribution name"),
        ("haiku-layers", None, "is a haiku distribution"),
        ("haiku-acme", "class", "not a public Python identifier"),
        ("haiku-acme", "transform", "already exists"),
    ],
)
def test_bad_input_is_named(name, layer, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        new_plugin.write_project(name, tmp_path / "p", layer=layer)
    assert not (tmp_path / "p").exists()


def test_refuses_a_non_empty_directory(tmp_path: pathlib.Path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not an empty directory"):
        new_plugin.write_project("haiku-acme", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_cli(tmp_path: pathlib.Path, capsys):
    assert main(["new-plugin", "haiku-acme", "--dir", str(tmp_path / "a")]) == 0
    assert "pip install -e" in capsys.readouterr().out
    assert (tmp_path / "a" / "pyproject.toml").is_file()
    assert main(["new-plugin", "haiku acme", "--dir", str(tmp_path / "b")]) == 2
    assert "not a valid distribution name" in capsys.readouterr().err


def _installer() -> list[str] | None:
    uv = os.environ.get("HATCH_UV") or shutil.which("uv")
    if uv:
        return [uv, "pip", "install", "--offline", "--no-deps", "--python"]
    return None


def test_generated_plugin_passes_conformance_in_fresh_venv(tmp_path: pathlib.Path):
    installer = _installer()
    if installer is None:
        pytest.skip("needs uv (HATCH_UV under hatch) to install the project offline")
    assert "AcmeKitDense" not in dir(hk)
    root = new_plugin.write_project("haiku-acme-kit", tmp_path / "project")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    (purelib,) = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # Like --system-site-packages, but for this (virtual) env: haiku, jax and pytest.
    parents = [p for p in site.getsitepackages() if os.path.isdir(p)]
    (pathlib.Path(purelib) / "_parent_env.pth").write_text(
        "import site; " + "; ".join(f"site.addsitedir({p!r})" for p in parents) + "\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("HAIKU_DISABLE_PLUGINS", "PYTHONPATH", "VIRTUAL_ENV")
    }
    install = subprocess.run(
        [*installer, str(python), "-e", str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    run = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-p",
            "no:xdist",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    for test in (
        "test_conformance[distribution]",
        "test_conformance[AcmeKitDense]",
        "test_layers.py::test_output_is_affine",
        "layers.AcmeKitDense",
    ):
        assert f"{test} PASSED" in run.stdout, run.stdout[-4000:]
