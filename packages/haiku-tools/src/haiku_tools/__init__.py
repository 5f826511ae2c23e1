"""haiku-tools: model inspection for haiku, registered on ``hk`` and ``hk.experimental``.

Provides ``hk.experimental.tabulate`` and ``eval_summary`` (per-module tables),
``hk.to_dot`` / ``hk.experimental.to_dot`` and ``abstract_to_dot`` (Graphviz graphs),
``hk.experimental.jaxpr_info`` (a jaxpr grouped by module), ``hk.experimental.flax``
(Flax interoperability) and the ``python -m haiku summary`` command. Every name is an
entry point of this distribution (groups ``haiku.plugins``,
``haiku.plugins.experimental`` and ``haiku.cli``); haiku-core imports none of them.

>>> import haiku as hk, haiku_tools
>>> hk.experimental.tabulate is haiku_tools.tabulate
True
"""

from __future__ import annotations

from haiku_tools.__about__ import __version__ as __version__
from haiku_tools.dot import abstract_to_dot as abstract_to_dot
from haiku_tools.dot import to_dot as to_dot
from haiku_tools.summarise import ArraySpec as ArraySpec
from haiku_tools.summarise import MethodInvocation as MethodInvocation
from haiku_tools.summarise import ModuleDetails as ModuleDetails
from haiku_tools.summarise import eval_summary as eval_summary
from haiku_tools.summarise import tabulate as tabulate

__all__ = [
    "ArraySpec",
    "MethodInvocation",
    "ModuleDetails",
    "abstract_to_dot",
    "eval_summary",
    "tabulate",
    "to_dot",
]
