"""Fixtures for the plugin-registry tests.

`fake_dist` writes installed-distribution metadata (``*.dist-info`` with METADATA and
entry_points.txt) plus plugin modules into a temporary directory on ``sys.path``, so the
third-party, broken, incompatible, conflicting... cases are tested without pip.
Every test starts and ends with a fresh registry, and the fixtures undo their changes
to ``sys.path``, ``sys.modules``, ``sys.meta_path`` and the environment.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence

import pytest

import haiku as hk
import haiku.experimental  # installs its registry's import hook before any test
from haiku import plugins
from haiku._src.plugin_import import AliasFinder


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fresh registry per test; fails if a test leaves import hooks or aliases behind."""
    monkeypatch.delenv(plugins.DISABLE_ENV, raising=False)

    def finders() -> list[object]:  # the alias finder itself is replaced by a reload
        return [f if not isinstance(f, AliasFinder) else f.package for f in sys.meta_path]

    meta_path = finders()
    plugins.reset()
    yield
    plugins.reset()
    assert finders() == meta_path, "a test changed sys.meta_path"
    assert not [m for m in sys.modules if m.startswith("haiku.fake")], "alias left behind"


class FakeSite:
    """A directory on ``sys.path`` holding fake installed distributions."""

    def __init__(self, root: pathlib.Path):
        self.root = root
        self.top_level: set[str] = set()

    def __call__(
        self,
        name: str,
        entry_points: Mapping[str, str] | None = None,
        *,
        version: str = "1.0",
        requires: Sequence[str] = ("haiku-core>=0.1",),
        modules: Mapping[str, str] | None = None,
        entry_points_text: str | None = None,
        metadata_text: str | None = None,
        api: str | None = None,
    ) -> pathlib.Path:
        """Writes distribution `name` and returns its dist-info directory.

        Args:
          name: distribution name (``Name:`` in METADATA).
          entry_points: ``haiku.plugins`` entry points, attribute -> value.
          version: ``Version:`` in METADATA.
          requires: ``Requires-Dist:`` lines.
          modules: relative file path -> Python source of the plugin's modules.
          entry_points_text: raw entry_points.txt (overrides `entry_points`).
          metadata_text: raw METADATA (overrides name/version/requires).
          api: the declared extension-API range (``[haiku.api] requires = ...``), if any.
        """
        dist_info = self.root / f"{name.replace('-', '_')}-{version}.dist-info"
        dist_info.mkdir()
        if metadata_text is None:
            metadata_text = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            metadata_text += "".join(f"Requires-Dist: {r}\n" for r in requires)
        (dist_info / "METADATA").write_text(metadata_text)
        if entry_points_text is None:
            entry_points_text = "[haiku.plugins]\n" + "".join(
                f"{k} = {v}\n" for k, v in (entry_points or {}).items()
            )
            if api is not None:
                entry_points_text += f"\n[{plugins.API_GROUP}]\nrequires = {api}\n"
        (dist_info / "entry_points.txt").write_text(entry_points_text)
        for rel_path, source in (modules or {}).items():
            path = self.root / rel_path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
            self.top_level.add(pathlib.PurePosixPath(rel_path).parts[0].removesuffix(".py"))
        importlib.invalidate_caches()
        plugins.reset()
        return dist_info


@pytest.fixture
def fake_dist(tmp_path: pathlib.Path) -> Iterator[FakeSite]:
    """Factory writing fake installed distributions; see `FakeSite.__call__`."""
    site = FakeSite(tmp_path / "site")
    site.root.mkdir()
    sys.path.insert(0, str(site.root))
    try:
        yield site
    finally:
        sys.path.remove(str(site.root))
        for module in list(sys.modules):
            if module.split(".")[0] in site.top_level:
                del sys.modules[module]
        importlib.invalidate_caches()
        plugins.reset()


@pytest.fixture
def core_name() -> str:
    """A name haiku-core defines (used to test that plugins cannot shadow core)."""
    return next(n for n in ("transform", "Module", "get_parameter") if n in vars(hk))


@pytest.fixture
def run_python() -> Callable[..., subprocess.CompletedProcess]:
    """Runs ``python <args>`` in a fresh interpreter (no HAIKU_DISABLE_PLUGINS inherited)."""

    def run(*args: str, **env_vars: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != plugins.DISABLE_ENV}
        env.update(env_vars)
        return subprocess.run(
            [sys.executable, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run
