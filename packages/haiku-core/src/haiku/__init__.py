"""haiku: Haiku's programming model for JAX (``import haiku as hk``).

The core names below are defined by haiku-core. Layers (``hk.Linear``, ...), networks
(``hk.nets``) and Haiku-aware JAX transforms (``hk.vmap``, ...) are plugins: separate
distributions that register their names through the ``haiku.plugins`` entry-point group
and resolve lazily on first access (see :mod:`haiku.plugins`).
"""

from haiku import config as config
from haiku._src import plugins as _plugins
from haiku._src.module import MethodContext as MethodContext
from haiku._src.module import Module as Module
from haiku._src.module import ModuleProtocol as ModuleProtocol
from haiku._src.module import SupportsCall as SupportsCall
from haiku._src.module import current_name as current_name
from haiku._src.module import force_name as force_name
from haiku._src.module import intercept_methods as intercept_methods
from haiku._src.module import name_like as name_like
from haiku._src.module import name_scope as name_scope
from haiku._src.module import transparent as transparent
from haiku._src.params import GetterContext as GetterContext
from haiku._src.params import custom_creator as custom_creator
from haiku._src.params import custom_getter as custom_getter
from haiku._src.params import get_parameter as get_parameter
from haiku._src.params import get_params as get_params
from haiku._src.rng import PRNGSequence as PRNGSequence
from haiku._src.rng import maybe_get_rng_sequence_state as maybe_get_rng_sequence_state
from haiku._src.rng import maybe_next_rng_key as maybe_next_rng_key
from haiku._src.rng import next_rng_key as next_rng_key
from haiku._src.rng import next_rng_keys as next_rng_keys
from haiku._src.rng import replace_rng_sequence_state as replace_rng_sequence_state
from haiku._src.rng import reserve_rng_keys as reserve_rng_keys
from haiku._src.rng import with_rng as with_rng
from haiku._src.sentinels import DO_NOT_STORE as DO_NOT_STORE
from haiku._src.state import SetterContext as SetterContext
from haiku._src.state import custom_setter as custom_setter
from haiku._src.state import get_current_state as get_current_state
from haiku._src.state import get_initial_state as get_initial_state
from haiku._src.state import get_state as get_state
from haiku._src.state import set_state as set_state
from haiku._src.transform import Transformed as Transformed
from haiku._src.transform import TransformedWithState as TransformedWithState
from haiku._src.transform import running_init as running_init
from haiku._src.transform import transform as transform
from haiku._src.transform import transform_with_state as transform_with_state
from haiku._src.transform import with_empty_state as with_empty_state
from haiku._src.transform import without_state as without_state
from haiku._src.typing import MutableParams as MutableParams
from haiku._src.typing import MutableState as MutableState
from haiku._src.typing import Params as Params
from haiku._src.typing import State as State
from haiku._version import __version__ as __version__

__all__ = [
    "DO_NOT_STORE",
    "Deferred",
    "GetterContext",
    "MethodContext",
    "Module",
    "ModuleProtocol",
    "MultiTransformed",
    "MultiTransformedWithState",
    "MutableParams",
    "MutableState",
    "PRNGSequence",
    "Params",
    "SetterContext",
    "State",
    "SupportsCall",
    "Transformed",
    "TransformedWithState",
    "config",
    "current_name",
    "custom_creator",
    "custom_getter",
    "custom_setter",
    "data_structures",
    "experimental",
    "force_name",
    "get_current_state",
    "get_initial_state",
    "get_parameter",
    "get_params",
    "get_state",
    "initializers",
    "intercept_methods",
    "maybe_get_rng_sequence_state",
    "maybe_next_rng_key",
    "mixed_precision",
    "multi_transform",
    "multi_transform_with_state",
    "name_like",
    "name_scope",
    "next_rng_key",
    "next_rng_keys",
    "replace_rng_sequence_state",
    "reserve_rng_keys",
    "running_init",
    "set_state",
    "testing",
    "to_module",
    "transform",
    "transform_with_state",
    "transparent",
    "with_empty_state",
    "with_rng",
    "without_apply_rng",
    "without_state",
]

# Plugin names (hk.Linear, hk.nets, hk.vmap, hk.to_dot, hk.sharding, third-party layers)
# resolve lazily, and so do the core modules below, so that `import haiku` does not pay
# for them.
__getattr__, __dir__ = _plugins.install(
    globals(),
    lazy_core={
        "Deferred": "haiku._src.deferred:Deferred",
        "MultiTransformed": "haiku._src.multi_transform:MultiTransformed",
        "MultiTransformedWithState": "haiku._src.multi_transform:MultiTransformedWithState",
        "multi_transform": "haiku._src.multi_transform:multi_transform",
        "multi_transform_with_state": "haiku._src.multi_transform:multi_transform_with_state",
        "without_apply_rng": "haiku._src.multi_transform:without_apply_rng",
        "to_module": "haiku._src.to_module:to_module",
        "data_structures": "haiku.data_structures",
        "initializers": "haiku.initializers",
        "mixed_precision": "haiku.mixed_precision",
        "testing": "haiku.testing",
        "experimental": "haiku.experimental",
    },
)
