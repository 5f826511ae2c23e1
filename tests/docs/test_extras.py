"""Extras are spelled one way everywhere: the normalised name pip compares against.

pip normalises extra names (PEP 685: `mixed_precision` -> `mixed-precision`); pip 23 then
reports that a distribution "does not provide the extra" when the declared and the
requested spelling differ. Every extra we declare, and every `haiku-core[...]` /
`haiku[...]` the docs or error messages tell users to install, must be normalised and
declared.
"""

from __future__ import annotations

import pathlib
import re
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PYPROJECTS = {
    "haiku-core": ROOT / "packages/haiku-core/pyproject.toml",
    "haiku": ROOT / "packages/haiku/pyproject.toml",
}
MENTIONS = re.compile(r"\b(haiku-core|haiku)\[([\w,.\- ]+)\]")
TEXTS = [
    ROOT / "README.md",
    ROOT / "packages/haiku-core/README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "packages").glob("*/src/**/*.py")),
]


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(dist: str) -> dict[str, list[str]]:
    config = tomllib.loads(PYPROJECTS[dist].read_text(encoding="utf-8"))
    return config["project"]["optional-dependencies"]


@pytest.mark.parametrize("dist", sorted(PYPROJECTS))
def test_declared_extras_are_normalised(dist):
    for extra, requirements in _declared(dist).items():
        assert extra == _normalised(extra), f"{dist}: extra {extra!r}"
        for requirement in requirements:
            for _, inner in MENTIONS.findall(requirement):
                assert all(e.strip() == _normalised(e.strip()) for e in inner.split(",")), (
                    requirement
                )


def test_meta_distribution_offers_every_extra_of_haiku_core():
    assert set(_declared("haiku")) == set(_declared("haiku-core"))


def test_every_extra_users_are_told_to_install_exists():
    seen = 0
    for path in TEXTS:
        for dist, inner in MENTIONS.findall(path.read_text(encoding="utf-8")):
            for extra in (e.strip() for e in inner.split(",")):
                seen += 1
                assert extra in _declared(dist), f"{path.relative_to(ROOT)}: {dist}[{extra}]"
    assert seen >= 5
