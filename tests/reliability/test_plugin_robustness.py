"""Malformed plugin metadata on sys.path never breaks ``import haiku`` or its core names.

Hypothesis writes random ``entry_points.txt`` / ``METADATA`` contents into fake
``*.dist-info`` directories; the registry must report problems (``plugins.describe()``,
``AttributeError`` subclasses on access), never raise from ``dir``, ``hasattr`` or core
names. One subprocess test checks a fresh ``import haiku`` with such distributions.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import haiku as hk
from haiku import plugins

CORE_TRANSFORM = hk.transform
STATUSES = {"ok", "incompatible", "broken", "conflicting", "disabled"}

names = st.sampled_from(
    [
        "Foo",
        "transform",
        "Linear",
        "nets",
        "bad name",
        "",
        "1x",
        "é",
        "Module",
        "_private",
        "vmap",
        "x.y",
    ]
)
values = st.sampled_from(
    [
        "fake_mod:Foo",
        "json:dumps",
        "nonexistent_mod_xyz:thing",
        "json",
        ":",
        "a b:c",
        "haiku_layers.linear:Linear",
        "json:dumps [extra]",
        "",
        "json:no_such_attr",
        "..",
        "haiku:transform",
    ]
)
junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
ep_lines = st.one_of(
    st.just("[haiku.plugins]"),
    st.just("[console_scripts]"),
    st.just("[haiku.plugins"),
    st.builds(lambda n, v: f"{n} = {v}", names, values),
    junk,
)
md_lines = st.one_of(
    st.just("Metadata-Version: 2.1"),
    st.builds(
        "Name: {}".format,
        st.sampled_from(["fake-dist", "haiku-layers", "haiku-core", "", "fake dist!"]),
    ),
    st.builds("Version: {}".format, st.sampled_from(["1.0", "", "not-a-version", "0.1.0"])),
    st.builds(
        "Requires-Dist: {}".format,
        st.sampled_from(
            [
                "haiku-core>=0.1",
                "haiku-core<0.0.1",
                "haiku-core>=",
                "haiku-core (==9)",
                "haiku-core>=0.1; python_version<'3'",
                "???",
            ]
        ),
    ),
    junk,
)
dist_dirs = st.sampled_from(
    ["fake_dist-1.0.dist-info", "fake-1.dist-info", "x.dist-info", "haiku_layers-9.9.dist-info"]
)


@contextlib.contextmanager
def fake_site(dist_dir: str, entry_points: str, metadata: str | None):
    root = pathlib.Path(tempfile.mkdtemp(prefix="haiku-fake-site-"))
    info = root / dist_dir
    info.mkdir()
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    if metadata is not None:
        (info / "METADATA").write_text(metadata, encoding="utf-8")
    (root / "fake_mod.py").write_text("Foo = 'foo'\n")
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    plugins.reset()
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("fake_mod", None)
        importlib.invalidate_caches()
        plugins.reset()
        shutil.rmtree(root, ignore_errors=True)


def _exercise_registry() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        listed = dir(hk)
        assert "transform" in listed and hk.transform is CORE_TRANSFORM
        rows = plugins.describe()
        assert all(r.status in STATUSES for r in rows)
        for name in listed:
            if name.isidentifier() and name not in vars(hk):
                hasattr(hk, name)  # may be False; must never raise anything else
        for name in ("Foo", "nets", "vmap", "x.y", "é"):
            hasattr(hk, name)
        f = hk.transform(lambda: hk.get_parameter("w", [2], init=lambda s, d: np.array([1.0, 2.0])))
        assert f.init(None)["~"]["w"].tolist() == [1.0, 2.0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dist_dirs, st.lists(ep_lines, max_size=6), st.none() | st.lists(md_lines, max_size=5))
def test_random_malformed_metadata_never_breaks_haiku(dist_dir, eps, md):
    metadata = None if md is None else "\n".join(md) + "\n"
    with fake_site(dist_dir, "\n".join(eps) + "\n", metadata):
        _exercise_registry()
    _exercise_registry()  # and everything is back to normal afterwards


def test_fresh_import_with_malformed_distributions(tmp_path):
    bad = {
        "a-1.dist-info": ("[haiku.plugins\nFoo = = =\n", "Name: a\n"),
        "b-1.dist-info": (
            "[haiku.plugins]\ntransform = json:dumps\nBar = nope_mod:x\n",
            "Metadata-Version: 2.1\nName: b\nVersion: 1\nRequires-Dist: haiku-core>=\n",
        ),
        "c-1.dist-info": ("\xff\x00garbage", None),
        "d.dist-info": (
            "[haiku.plugins]\nLinear = json:dumps\n",
            "Name: d\nVersion: oops\nRequires-Dist: haiku-core<0.0.1\n",
        ),
    }
    for dist_dir, (eps, md) in bad.items():
        (tmp_path / dist_dir).mkdir()
        (tmp_path / dist_dir / "entry_points.txt").write_text(eps, encoding="utf-8")
        if md is not None:
            (tmp_path / dist_dir / "METADATA").write_text(md, encoding="utf-8")
    code = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "import haiku as hk\nfrom haiku import plugins\n"
        "assert 'transform' in dir(hk)\n"
        "print(hasattr(hk, 'Bar'), hasattr(hk, 'Foo'), len(plugins.describe()) > 0)\n"
        "print(hk.transform(lambda: 1).apply({}, None))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != plugins.DISABLE_ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), *sys.path])
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False", "True", "1"]


def test_fake_site_really_registers_a_plugin():
    """Sanity check of the fixture: well-formed metadata does add a name."""
    metadata = "Metadata-Version: 2.1\nName: fake-dist\nVersion: 1.0\nRequires-Dist: haiku-core\n"
    with fake_site("fake_dist-1.0.dist-info", "[haiku.plugins]\nFoo = fake_mod:Foo\n", metadata):
        assert hk.Foo == "foo"
    assert not hasattr(hk, "Foo")
