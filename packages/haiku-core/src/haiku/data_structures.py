"""Utilities for ``{module_name: {name: value}}`` params and state trees."""

from __future__ import annotations

from haiku._src.data_structures import (
    filter as filter,  # shadows a builtin, as dm-haiku's public name does
)
from haiku._src.data_structures import is_subset as is_subset
from haiku._src.data_structures import (
    map as map,  # shadows a builtin, as dm-haiku's public name does
)
from haiku._src.data_structures import merge as merge
from haiku._src.data_structures import partition as partition
from haiku._src.data_structures import partition_n as partition_n
from haiku._src.data_structures import to_haiku_dict as to_haiku_dict
from haiku._src.data_structures import to_immutable_dict as to_immutable_dict
from haiku._src.data_structures import to_mutable_dict as to_mutable_dict
from haiku._src.data_structures import traverse as traverse
from haiku._src.data_structures import tree_bytes as tree_bytes
from haiku._src.data_structures import tree_size as tree_size

__all__ = [
    "filter",
    "is_subset",
    "map",
    "merge",
    "partition",
    "partition_n",
    "to_haiku_dict",
    "to_immutable_dict",
    "to_mutable_dict",
    "traverse",
    "tree_bytes",
    "tree_size",
]
