"""hk.Linear against dm-haiku 0.0.17 goldens (behaviour and errors: test_basic.py)."""

import pytest

pytest.importorskip("haiku_layers")
from golden import layers_feedforward_cases as cases

hk = cases.haiku_under_test()


@pytest.mark.parametrize("case", cases.cases_of("linear"), ids=lambda c: c.name)
def test_matches_dm_haiku(case):
    cases.check_case(hk, case)
