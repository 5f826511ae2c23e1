"""``hk.experimental``: model inspection tools and APIs that may still change.

haiku-core defines :func:`check_jax_usage` (catch raw JAX transforms over haiku code),
:func:`optimize_rng_use`, :func:`fast_eval_shape`, the config switches
(:func:`module_auto_repr`, :func:`rng_reserve_size`) and aliases of ``hk.*`` names kept
for compatibility. Every other name comes from a plugin through the entry-point group
``haiku.plugins.experimental`` and resolves on first use, exactly like ``hk.Linear``:
the tools (:func:`tabulate`, :func:`eval_summary`, :func:`to_dot`, ``jaxpr_info``,
``flax``...) from haiku-tools, the lifting and stacking names (``lift``,
``layer_stack``...) from haiku-jaxwrap. Without the distribution they raise
``MissingPluginError`` saying what to install.

Nothing here is imported by ``import haiku``: ``hk.experimental`` loads on first access.

>>> import haiku as hk
>>> hk.experimental.ParamContext is hk.GetterContext
True
"""

from __future__ import annotations

from haiku._src import plugins as _plugins
from haiku._src.config_toggles import module_auto_repr as module_auto_repr
from haiku._src.config_toggles import rng_reserve_size as rng_reserve_size
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


# Plugin names (tabulate, to_dot, lift, ...) resolve lazily through the registry; they are
# listed in __all__ as dm-haiku lists them, so `from haiku.experimental import *` needs
# every plugin installed (as it needs them in dm-haiku, where they are all built in).
__getattr__, __dir__ = _plugins.install(globals(), group=_plugins.EXPERIMENTAL_GROUP)
