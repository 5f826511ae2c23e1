"""The packaging-free version-specifier check behind IncompatiblePluginError."""

from __future__ import annotations

import pytest

from haiku._src import specifiers


@pytest.mark.parametrize(
    "version, spec, expected",
    [
        ("0.1.0", ">=0.1,<0.2", True),
        ("0.2.0", ">=0.1,<0.2", False),
        ("0.1", "==0.1.0", True),
        ("0.1.0rc1", "==0.1", True),  # pre-release suffixes are ignored
        ("0.1.0+local", "<=0.1", True),
        ("0.1.0", ">0.1", False),
        ("0.1.0", "!=0.1.0", False),
        ("0.1.3", "==0.1.*", True),
        ("0.10.0", "==0.1.*", False),
        ("0.1.3", "!=0.1.*", False),
        ("1.4.2", "~=1.4", True),
        ("2.0", "~=1.4", False),
        ("1.4.5", "~=1.4.3", True),
        ("1.4.2", "~=1.4.3", False),
        ("1.5.0", "~=1.4.3", False),
        ("0.1.0", "===0.1.0", True),
        ("0.1", "===0.1.0", False),
        ("0.1.0", "", True),
    ],
)
def test_satisfies(version, spec, expected):
    assert specifiers.satisfies(version, spec) is expected


@pytest.mark.parametrize("spec", [">=banana", "~=1", ">=1.*", "=>1.0"])
def test_bad_specifiers_raise_value_error(spec):
    with pytest.raises(ValueError):
        specifiers.satisfies("1.0", spec)


def test_requirement_specifiers():
    requires = [
        "jax>=0.10",
        "haiku-core<0.2,>=0.1",
        "Haiku.Core (>=0.1.5)",
        'haiku-core[layers]>=0.1; python_version >= "3.11"',
        'haiku-core>=9; extra == "future"',
        "haiku-core",
        "haiku-core-extra>=5",
    ]
    assert specifiers.requirement_specifiers(requires, "haiku-core") == [
        "<0.2,>=0.1",
        ">=0.1.5",
        ">=0.1",
    ]
