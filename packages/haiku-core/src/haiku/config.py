"""Configuration of haiku (``hk.config``)."""

from haiku._src.config import context as context
from haiku._src.config import get_config as get_config
from haiku._src.config import set as set  # shadows a builtin, as dm-haiku's public name does

__all__ = ["context", "set"]
