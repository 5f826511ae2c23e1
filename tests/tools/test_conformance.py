"""haiku-tools passes the plugin conformance check (``hk.testing``), one test per name.

Its names are inspection tools that run *outside* a transform (they take the function to
inspect), so none is a module to run inside one: the check loads each of them through
``hk`` / ``hk.experimental``, compares it with its entry point, looks for conflicts, and
loads the ``python -m haiku summary`` command. Their behaviour is tested in the other
files of this folder.
"""

from __future__ import annotations

import haiku as hk

Skip = hk.testing.Skip

_OUTSIDE = "takes the function to inspect and runs outside a transform"

CASES: dict[str, hk.testing.Case | hk.testing.Skip] = {
    "to_dot": Skip(_OUTSIDE + " (test_dot.py)"),
    "experimental.tabulate": Skip(_OUTSIDE + " (test_summarise.py)"),
    "experimental.eval_summary": Skip(_OUTSIDE + " (test_summarise.py)"),
    "experimental.ArraySpec": Skip("a record returned by eval_summary"),
    "experimental.MethodInvocation": Skip("a record returned by eval_summary"),
    "experimental.ModuleDetails": Skip("a record returned by eval_summary"),
    "experimental.abstract_to_dot": Skip(_OUTSIDE + " (test_dot.py)"),
    "experimental.jaxpr_info": Skip(_OUTSIDE + " (test_jaxpr_info.py)"),
    "experimental.flax": Skip("wraps haiku code for Flax and back (test_flax.py)"),
}

test_conformance = hk.testing.conformance_test("haiku-tools", CASES)
