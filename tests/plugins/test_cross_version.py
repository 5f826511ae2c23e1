"""Cross-version: the previous release's plugins on today's core, and today's plugins on its core.

The previous release commit is recorded in ``previous-release.txt``; its sources come from
the clone's own history (``git archive``). Each side runs from source in a fresh interpreter:
its ``src`` directories first on ``PYTHONPATH``, plus hand-made ``*.dist-info`` directories
(METADATA and entry_points.txt written from each pyproject.toml, as hatchling would), which
shadow whatever is installed in the environment. So the test needs no network and no build,
and runs the same in the ``core`` and ``all`` matrix envs.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import re
import subprocess
import sys
import tarfile
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RECORD = ROOT / "previous-release.txt"
PLUGINS = ("haiku-layers", "haiku-nets", "haiku-jaxwrap")
# Names that moved from haiku-core into a plugin since the previous release: an older core
# still defines them, so it reports today's plugin as shadowing them (core wins, the
# plugin's other names work).
MOVED_OUT_OF_CORE = {"haiku-jaxwrap": {"sharding"}, "haiku-tools": {"to_dot"}}

SMOKE = r"""
import json, sys
import jax, jax.numpy as jnp
import haiku as hk
from haiku import extend, plugins

def forward(x):
    h = hk.Linear(4)(x)
    h = hk.nets.MLP([5, 3])(h)
    return hk.vmap(lambda row: hk.Linear(2)(row), split_rng=False)(h)

f = hk.transform(forward)
x = jnp.ones([2, 3])
params = f.init(jax.random.PRNGKey(0), x)
out = f.apply(params, None, x)
rows = {r.distribution: [r.version, r.status, r.api, r.detail] for r in plugins.describe()}
files = {m: sys.modules[m].__file__ for m in ("haiku", "haiku_layers", "haiku_nets",
                                               "haiku_jaxwrap")}
print(json.dumps({"core": hk.__version__, "api": list(extend.API_VERSION), "plugins": rows,
                  "shape": list(out.shape), "params": sorted(params), "files": files}))
"""


def _git(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, check=False, **kwargs
    )


def _previous_sha() -> str:
    lines = [
        ln.strip()
        for ln in RECORD.read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert len(lines) == 1 and re.fullmatch(r"[0-9a-f]{40}", lines[0]), RECORD.read_text()
    sha = lines[0]
    if _git("cat-file", "-e", f"{sha}^{{commit}}").returncode != 0:
        shallow = _git("rev-parse", "--is-shallow-repository", text=True).stdout.strip()
        pytest.fail(
            f"the previous release commit {sha} (recorded in {RECORD.name}) is not in "
            f"this clone{' (it is shallow)' if shallow == 'true' else ''}. Fetch the "
            "history, e.g. `git fetch --unshallow`, or clone without --depth."
        )
    return sha


def _archive(sha: str, dest: pathlib.Path) -> pathlib.Path:
    result = _git("archive", "--format=tar", sha, "packages")
    assert result.returncode == 0, result.stderr.decode()
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest / "packages"


def _version(package: pathlib.Path) -> str:
    pyproject = tomllib.loads((package / "pyproject.toml").read_text())
    version_file = package / pyproject["tool"]["hatch"]["version"]["path"]
    return re.search(r'__version__\s*=\s*"([^"]+)"', version_file.read_text()).group(1)


def _dist_info(package: pathlib.Path, site: pathlib.Path) -> tuple[str, pathlib.Path]:
    """Writes `package`'s installed metadata into `site`; returns (version, its src dir)."""
    project = tomllib.loads((package / "pyproject.toml").read_text())["project"]
    version = _version(package)
    info = site / f"{project['name'].replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    metadata = f"Metadata-Version: 2.4\nName: {project['name']}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in project.get("dependencies", []))
    (info / "METADATA").write_text(metadata)
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in table.items()) + "\n"
            for group, table in project.get("entry-points", {}).items()
        )
    )
    return version, package / "src"


def _start(packages: dict[str, pathlib.Path], site: pathlib.Path) -> subprocess.Popen:
    site.mkdir()
    paths = [str(_dist_info(path, site)[1]) for path in packages.values()]
    env = {k: v for k, v in os.environ.items() if k not in ("HAIKU_DISABLE_PLUGINS",)}
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(site)])
    return subprocess.Popen(
        [sys.executable, "-c", SMOKE],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _report(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, out + err
    return json.loads(out.strip().splitlines()[-1])


def _check(
    report: dict, core: pathlib.Path, plugins: dict[str, pathlib.Path], old_core: str = ""
) -> None:
    assert report["shape"] == [2, 2]
    assert report["params"] == ["linear", "linear_1", "mlp/~/linear_0", "mlp/~/linear_1"]
    assert report["files"]["haiku"].startswith(str(core))  # the sources we meant to test
    for dist, path in plugins.items():
        module = dist.replace("-", "_")
        assert report["files"][module].startswith(str(path)), (module, report["files"])
        version, status, api, detail = report["plugins"][dist]
        assert api, f"{dist} declares no extension-API range"
        if status == "conflicting" and report["core"] == old_core:
            shadowed = set(re.findall(r"hk\.(\w+)", detail))
            assert shadowed <= MOVED_OUT_OF_CORE.get(dist, set()), detail
            continue
        assert status == "ok", report["plugins"]


def test_previous_and_current_release_cross(tmp_path):
    old = _archive(_previous_sha(), tmp_path / "old")
    new = ROOT / "packages"
    old_core_version = _version(old / "haiku-core")
    new_core_version = _version(new / "haiku-core")
    assert old_core_version != new_core_version, "bump haiku-core: the matrix must span two"

    old_plugins = {d: old / d for d in PLUGINS}
    new_plugins = {d: new / d for d in PLUGINS}
    # The previous release's plugins on today's core, and today's plugins on its core
    # (both interpreters at once: most of the time is importing jax).
    old_on_new = _start({"haiku-core": new / "haiku-core", **old_plugins}, tmp_path / "site-a")
    new_on_old = _start({"haiku-core": old / "haiku-core", **new_plugins}, tmp_path / "site-b")
    report = _report(old_on_new)
    assert report["core"] == new_core_version
    _check(report, new / "haiku-core", old_plugins)
    report = _report(new_on_old)
    assert report["core"] == old_core_version
    _check(report, old / "haiku-core", new_plugins, old_core=old_core_version)
