"""Type aliases (``haiku.typing``)."""

from haiku._src.transform import TransformedWithoutRng as TransformedWithoutRng
from haiku._src.transform import TransformedWithStateWithoutRng as TransformedWithStateWithoutRng
from haiku._src.typing import MutableParams as MutableParams
from haiku._src.typing import MutableState as MutableState
from haiku._src.typing import Params as Params
from haiku._src.typing import State as State

__all__ = [
    "MutableParams",
    "MutableState",
    "Params",
    "State",
    "TransformedWithoutRng",
    "TransformedWithStateWithoutRng",
]
