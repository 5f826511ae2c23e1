"""``hk.experimental``: model inspection tools and APIs that may still change.

Tools: :func:`tabulate` and :func:`eval_summary` (per-module tables of a model),
:func:`to_dot` / :func:`abstract_to_dot` (Graphviz graphs), :mod:`jaxpr_info`
(per-module expression trees), :func:`check_jax_usage` (catch raw JAX transforms over
haiku code), :func:`optimize_rng_use`, :func:`fast_eval_shape`, and :mod:`flax`
interoperability (needs ``pip install flax``). The other names are aliases of ``hk.*``
names kept for compatibility; those of haiku-jaxwrap (``layer_stack``, ``lift``, ...)
resolve on first use and raise ``MissingPluginError`` if it is not installed.

Nothing here is imported by ``import haiku``: ``hk.experimental`` loads on first access.

>>> import haiku as hk
>>> hk.experimental.ParamContext is hk.GetterContext
True
"""

from __future__ import annotations

from typing import Any

from haiku._src.config_toggles import module_auto_repr as module_auto_repr
from haiku._src.config_toggles import rng_reserve_size as rng_reserve_size
from haiku._src.dot import abstract_to_dot as abstract_to_dot
from haiku._src.dot import to_dot as to_dot
from haiku._src.errors import JaxUsageError as JaxUsageError
from haiku._src.fast_eval_shape import fast_eval_shape as fast_eval_shape
from haiku._src.jax_usage import check_jax_usage as check_jax_usage
from haiku._src.module import MethodContext as MethodContext
from haiku._src.module import current_name as current_name
from haiku._src.module import force_name as force_name
from haiku._src.module import intercept_methods as intercept_methods
from haiku._src.module import name_like as name_like
from haiku._src.module import name_scope as name_scope
from haiku._src.params import GetterContext as GetterContext
from haiku._src.params import GetterContext as ParamContext
from haiku._src.params import custom_creator as custom_creator
from haiku._src.params import custom_getter as custom_getter
from haiku._src.params import get_params as get_params
from haiku._src.rng import maybe_get_rng_sequence_state as maybe_get_rng_sequence_state
from haiku._src.rng import replace_rng_sequence_state as replace_rng_sequence_state
from haiku._src.rng_tools import optimize_rng_use as optimize_rng_use
from haiku._src.sentinels import DO_NOT_STORE as DO_NOT_STORE
from haiku._src.state import get_current_state as get_current_state
from haiku._src.state import get_initial_state as get_initial_state
from haiku._src.summarise import ArraySpec as ArraySpec
from haiku._src.summarise import MethodInvocation as MethodInvocation
from haiku._src.summarise import ModuleDetails as ModuleDetails
from haiku._src.summarise import eval_summary as eval_summary
from haiku._src.summarise import tabulate as tabulate
from haiku.experimental import jaxpr_info as jaxpr_info

# Names provided by the haiku-jaxwrap plugin, resolved through `haiku` on first access.
_JAXWRAP_NAMES = frozenset({
    "LayerStackTransparencyMapping", "LiftWithStateUpdater", "layer_stack", "lift",
    "lift_with_state", "transparent_lift", "transparent_lift_with_state",
})

__all__ = [
    "ArraySpec",
    "DO_NOT_STORE",
    "GetterContext",
    "LayerStackTransparencyMapping",
    "LiftWithStateUpdater",
    "MethodContext",
    "MethodInvocation",
    "ModuleDetails",
    "ParamContext",
    "abstract_to_dot",
    "check_jax_usage",
    "current_name",
    "custom_creator",
    "custom_getter",
    "eval_summary",
    "flax",
    "force_name",
    "get_current_state",
    "get_initial_state",
    "get_params",
    "intercept_methods",
    "jaxpr_info",
    "layer_stack",
    "lift",
    "lift_with_state",
    "maybe_get_rng_sequence_state",
    "module_auto_repr",
    "name_like",
    "name_scope",
    "optimize_rng_use",
    "replace_rng_sequence_state",
    "rng_reserve_size",
    "tabulate",
    "to_dot",
    "transparent_lift",
    "transparent_lift_with_state",
]


def __getattr__(name: str) -> Any:  # noqa: N807 - PEP 562 hook
    if name in _JAXWRAP_NAMES:
        import haiku

        value = getattr(haiku, name)  # MissingPluginError without haiku-jaxwrap.
        globals()[name] = value
        return value
    if name == "flax":
        import importlib

        return importlib.import_module("haiku.experimental.flax")
    raise AttributeError(f"module 'haiku.experimental' has no attribute {name!r}")


def __dir__() -> list[str]:  # noqa: N807 - PEP 562 hook
    return sorted(set(globals()) | set(__all__))
