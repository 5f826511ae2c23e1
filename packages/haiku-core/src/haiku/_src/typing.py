"""Type aliases shared across haiku (``haiku.typing``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

import jax

Params = Mapping[str, Mapping[str, jax.Array]]
State = Mapping[str, Mapping[str, jax.Array]]
MutableParams = MutableMapping[str, MutableMapping[str, jax.Array]]
MutableState = MutableMapping[str, MutableMapping[str, jax.Array]]
Initializer = Callable[[Sequence[int], Any], jax.Array]
PRNGKey = jax.Array
