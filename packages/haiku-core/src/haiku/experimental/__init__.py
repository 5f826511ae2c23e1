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
from haiku._src.params import GetterContext as ParamContext  # noqa: F401 - dm-haiku alias, re-exported
from haiku._src.params import custom_creator as custom_creator
from haiku._src.params import custom_getter as custom_getter
from haiku._src.params import get_params as get_params
from haiku._src.rng import maybe_get_rng_sequence_state as maybe_get_rng_sequence_state
from haiku._src.rng import replace_rng_sequence_state as replace_rng_sequence_state
from haiku._src.rng_tools import optimize_rng_use as optimize_rng_use
from haiku._src.sentinels import DO_NOT_STORE as DO_NOT_STORE
from haiku._src.state import get_current_state as get_current_state
from haiku._src.state import get_initial_state as get_initial_state

_CORE_ALL = (
    "DO_NOT_STORE",
    "GetterContext",
    "MethodContext",
    "ParamContext",
    "check_jax_usage",
    "current_name",
    "custom_creator",
    "custom_getter",
    "force_name",
    "get_current_state",
    "get_initial_state",
    "get_params",
    "intercept_methods",
    "maybe_get_rng_sequence_state",
    "module_auto_repr",
    "name_like",
    "name_scope",
    "optimize_rng_use",
    "replace_rng_sequence_state",
    "rng_reserve_size",
)


_resolve, __dir__ = _plugins.install(globals(), group=_plugins.EXPERIMENTAL_GROUP)


def __getattr__(name: str) -> object:  # PEP 562 hook
    # Plugin names (tabulate, lift, ...) resolve lazily through the registry. `__all__` is
    # the core names plus those of the installed plugins (with every first-party plugin:
    # dm-haiku's list), computed on first use so that this import scans no metadata.
    if name == "__all__":
        names = _plugins.registry(_plugins.EXPERIMENTAL_GROUP).plugin_names()
        return sorted({*_CORE_ALL, *names})
    return _resolve(name)
