"""haiku-layers part A vs dm-haiku 0.0.17 goldens: group 'linear'."""

import pathlib
import sys

import pytest

pytest.importorskip("haiku_layers")
sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "golden"))
import layers_a_cases as cases

hk = cases.haiku_under_test()


@pytest.mark.parametrize("case", cases.cases_of("linear"), ids=lambda c: c.name)
def test_matches_dm_haiku(case):
    cases.check_case(hk, case)
