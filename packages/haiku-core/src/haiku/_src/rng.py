"""Random number keys: :class:`PRNGSequence` and the ``next_rng_key`` family.

The key stream is identical to dm-haiku's, so the same ``rng`` gives bit-identical
parameters: ``reserve(n)`` splits the current key into ``n + 1`` keys, keeps the first as
the new key and queues the others; ``next()`` reserves ``rng_reserve_size`` keys (default 1)
when the queue is empty and pops the oldest.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np

from haiku._src import config as _config
from haiku._src import init_kernels
from haiku._src.errors import MissingRNGError
from haiku._src.frame import current_frame

PRNGKey = jax.Array
RNGState = tuple[jax.Array, tuple[jax.Array, ...]]


def _is_typed_key(x) -> bool:
    return hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jax.dtypes.prng_key)


_RAW_KEY_SHAPES: dict[str, tuple[int, ...]] = {}


def raw_key_shape() -> tuple[int, ...]:
    """Shape of a raw ``uint32`` key of the default PRNG impl (``(2,)`` for threefry)."""
    impl = str(jax.config.jax_default_prng_impl)  # type: ignore[attr-defined]  # a dynamic jax.config flag
    shape = _RAW_KEY_SHAPES.get(impl)
    if shape is None:
        shape = _RAW_KEY_SHAPES[impl] = tuple(
            jax.eval_shape(lambda seed: jax.random.key_data(jax.random.key(seed)), 0).shape
        )
    return shape


def as_key(key_or_seed, what: str = "PRNGSequence") -> jax.Array:
    """Normalises an int seed, raw ``uint32`` key or typed key into a key.

    Raw keys must have the shape of the default PRNG implementation's keys (``uint32[2]``
    for threefry, ``uint32[4]`` for rbg/unsafe_rbg); invalid keys raise ``ValueError``.

    >>> import jax
    >>> as_key(0).shape, as_key(jax.random.key(0, impl="rbg")).dtype
    ((2,), key<rbg>)
    """
    if isinstance(key_or_seed, (int, np.integer)) and not isinstance(key_or_seed, bool):
        return jax.random.PRNGKey(key_or_seed)
    shape = getattr(key_or_seed, "shape", None)
    dtype = getattr(key_or_seed, "dtype", None)
    if shape is None or dtype is None:
        raise ValueError(
            f"{what} needs a PRNG key or an int seed, got {type(key_or_seed).__name__}. "
            "Pass e.g. jax.random.PRNGKey(42), jax.random.key(42) or 42."
        )
    if _is_typed_key(key_or_seed):
        if shape != ():
            raise ValueError(
                f"{what} needs a single key, got a batch of keys with shape {shape}. If you "
                "meant to map over keys, use jax.vmap over init/apply."
            )
        return key_or_seed
    if shape == () and jnp.issubdtype(dtype, jnp.integer):
        return jax.random.PRNGKey(key_or_seed)
    expected = raw_key_shape()
    if tuple(shape) != expected or dtype != jnp.uint32:
        hint = (
            (
                " Note that init/apply take the key as their first argument after params/state: "
                "init(rng, *inputs), apply(params, rng, *inputs)."
            )
            if len(shape) >= 1
            else ""
        )
        if expected != (2,):
            impl = jax.config.jax_default_prng_impl  # type: ignore[attr-defined]  # a dynamic flag
            hint += (
                f" jax_default_prng_impl is {impl!r}: a key "
                "made with jax.random.PRNGKey before that flag was set has another shape."
            )
        raise ValueError(
            f"{what} needs a PRNG key (uint32{list(expected)} or a typed key) or an int seed, "
            f"got an array of shape {tuple(shape)} and dtype {dtype}.{hint}"
        )
    return key_or_seed


class PRNGSequence:
    """An iterator of PRNG keys, split from one key (or seeded with an int).

    >>> import jax
    >>> import haiku as hk
    >>> seq = hk.PRNGSequence(42)
    >>> k1 = next(seq)
    >>> bool((k1 == jax.random.split(jax.random.PRNGKey(42))[1]).all())
    True
    """

    __slots__ = ("_key", "_subkeys")

    def __init__(self, key_or_seed: int | jax.Array | RNGState):
        if (
            isinstance(key_or_seed, tuple)
            and len(key_or_seed) == 2
            and isinstance(key_or_seed[1], (tuple, list))
        ):
            key, subkeys = key_or_seed
            self._key = as_key(key)
            self._subkeys = collections.deque(subkeys)
        else:
            self._key = as_key(key_or_seed)
            self._subkeys = collections.deque()

    def reserve(self, num: int) -> None:
        """Splits ``num`` more keys off the sequence into its queue."""
        if num > 0:
            # One unstack instead of an index plus a slice: fewer eager ops, same keys.
            key, *subkeys = init_kernels.split_rows(self._key, num + 1)
            self._key = key
            self._subkeys.extend(subkeys)

    def reserve_up_to_full(self) -> None:
        """Makes the queue exactly ``rng_reserve_size`` keys (used by control-flow wrappers).

        Keys beyond that (``hk.reserve_rng_keys`` in a loop body) are dropped, as dm-haiku
        does, so the queue has the same shape in every iteration.
        """
        size = _config.get_config().rng_reserve_size
        missing = size - len(self._subkeys)
        if missing > 0:
            self.reserve(missing)
        elif missing < 0:
            self._subkeys = collections.deque(list(self._subkeys)[:size])

    @property
    def internal_state(self) -> RNGState:
        """``(key, subkeys)``: enough to rebuild the sequence with ``PRNGSequence(state)``."""
        return self._key, tuple(self._subkeys)

    def replace_internal_state(self, state: RNGState) -> None:
        key, subkeys = state
        self._key = key
        self._subkeys = collections.deque(subkeys)

    def __next__(self) -> jax.Array:
        if not self._subkeys:
            self.reserve(_config.get_config().rng_reserve_size)
        return self._subkeys.popleft()

    next = __next__

    def __iter__(self) -> PRNGSequence:
        return self

    def take(self, num: int) -> tuple[jax.Array, ...]:
        """Returns the next ``num`` keys."""
        self.reserve(max(num - len(self._subkeys), 0))
        return tuple(next(self) for _ in range(num))


def _rng_sequence(what: str) -> PRNGSequence | None:
    frame = current_frame(what)
    if frame.trace_state is not None:  # Only set when check_jax_usage is enabled.
        from haiku._src.jax_usage import check

        check(what.rstrip("()"))
    return frame.rng_stack[-1]


_MISSING_RNG = (
    "You must pass a non-None PRNGKey to init and/or apply if you make use of random "
    "numbers: e.g. `f.apply(params, jax.random.PRNGKey(0), x)`. If apply must be "
    "deterministic, use `hk.maybe_next_rng_key()` in the model instead."
)


def next_rng_key() -> jax.Array:
    """Returns a unique key from the transform's key sequence.

    >>> import jax
    >>> import haiku as hk
    >>> f = hk.transform(lambda: jax.random.uniform(hk.next_rng_key(), [2]))
    >>> f.apply({}, jax.random.PRNGKey(0)).shape
    (2,)
    """
    seq = _rng_sequence("hk.next_rng_key()")
    if seq is None:
        raise MissingRNGError(_MISSING_RNG)
    return next(seq)


def next_rng_keys(num: int) -> jax.Array:
    """Returns ``num`` keys stacked on a leading axis (one split when none are reserved).

    >>> import jax
    >>> import haiku as hk
    >>> f = hk.transform(lambda: hk.next_rng_keys(3))
    >>> f.apply({}, jax.random.PRNGKey(0)).shape
    (3, 2)
    """
    if num < 0:
        raise ValueError(
            f"hk.next_rng_keys(num) needs num >= 0, got {num}. Pass the number of keys you "
            "want, e.g. hk.next_rng_keys(2)."
        )
    seq = _rng_sequence("hk.next_rng_keys()")
    if seq is None:
        raise MissingRNGError(_MISSING_RNG)
    if num == 0:  # An empty stack of the key's type; no key is consumed.
        return seq.internal_state[0][None][:0]
    return jnp.stack(seq.take(num))


def maybe_next_rng_key() -> jax.Array | None:
    """Like :func:`next_rng_key`, but returns ``None`` when no key was passed.

    >>> import haiku as hk
    >>> hk.transform(lambda: hk.maybe_next_rng_key()).apply({}, None) is None
    True
    """
    seq = _rng_sequence("hk.maybe_next_rng_key()")
    return None if seq is None else next(seq)


def reserve_rng_keys(num: int) -> None:
    """Pre-splits ``num`` keys in one ``split`` (this changes the keys that follow).

    >>> import jax
    >>> import haiku as hk
    >>> def f():
    ...   hk.reserve_rng_keys(2)
    ...   return hk.next_rng_key()
    >>> hk.transform(f).apply({}, jax.random.PRNGKey(0)).shape
    (2,)
    """
    if num < 0:
        raise ValueError(f"hk.reserve_rng_keys(num) needs num >= 0, got {num}.")
    seq = _rng_sequence("hk.reserve_rng_keys()")
    if seq is None:
        raise MissingRNGError(_MISSING_RNG)
    seq.reserve(num)


@contextlib.contextmanager
def with_rng(key: jax.Array) -> Iterator[None]:
    """Uses a separate key sequence, seeded by ``key``, for the duration of the block.

    >>> import jax
    >>> import haiku as hk
    >>> def f():
    ...   with hk.with_rng(jax.random.PRNGKey(1)):
    ...     return hk.next_rng_key()
    >>> k = hk.transform(f).apply({}, None)
    >>> bool((k == jax.random.split(jax.random.PRNGKey(1))[1]).all())
    True
    """
    frame = current_frame("hk.with_rng()")
    frame.rng_stack.append(PRNGSequence(key))
    try:
        yield
    finally:
        frame.rng_stack.pop()


def maybe_get_rng_sequence_state() -> RNGState | None:
    """``(key, subkeys)`` of the current key sequence, or ``None`` if there is none.

    >>> import haiku as hk
    >>> hk.transform(hk.maybe_get_rng_sequence_state).apply({}, None) is None
    True
    """
    seq = _rng_sequence("hk.maybe_get_rng_sequence_state()")
    return None if seq is None else seq.internal_state


def replace_rng_sequence_state(state: RNGState) -> None:
    """Replaces the ``(key, subkeys)`` of the current key sequence.

    >>> import jax
    >>> import haiku as hk
    >>> def f():
    ...   hk.replace_rng_sequence_state((jax.random.PRNGKey(7), ()))
    ...   return hk.next_rng_key()
    >>> hk.transform(f).apply({}, jax.random.PRNGKey(0)).shape
    (2,)
    """
    frame = current_frame("hk.replace_rng_sequence_state()")
    seq = frame.rng_stack[-1]
    if seq is None:
        raise MissingRNGError(_MISSING_RNG)
    seq.replace_internal_state(state)
