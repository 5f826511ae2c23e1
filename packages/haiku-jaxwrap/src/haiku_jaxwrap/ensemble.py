"""``hk.ensemble``: N independently initialised copies of a function, applied with one vmap.

Parameter layout (stable): the members' parameters and state are stored like those of
``hk.lift``, under ``<name>/<inner module name>`` (the inner names are those a standalone
``hk.transform`` of the function gives), with a leading axis of size ``num_members``:
member ``i`` is ``leaf[i]``.

Keys: each call draws two keys from the outer sequence, ``k_init`` then ``k_apply`` (in
init and in apply, so the outer key stream does not depend on the mode). Member ``i`` is
initialised with ``jax.random.split(k_init, num_members)[i]`` and applied with
``jax.random.split(k_apply, num_members)[i]``; with ``split_rng=False`` (or ``False`` in
the ``(init, apply)`` pair) every member gets ``k_init`` (resp. ``k_apply``) itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

import haiku as hk
from haiku import extend
from haiku_jaxwrap.lift import LiftWithStateUpdater, _LiftingModule


def _check_split_rng(split_rng: Any) -> tuple[bool, bool]:
    if isinstance(split_rng, bool):
        return split_rng, split_rng
    if (
        isinstance(split_rng, tuple)
        and len(split_rng) == 2
        and all(isinstance(s, bool) for s in split_rng)
    ):
        return split_rng
    raise TypeError(
        "hk.ensemble: split_rng must be a bool (for init and apply) or a pair of bools "
        f"(split_init, split_apply), got {split_rng!r}."
    )


def _check_in_axes(in_axes: Any) -> tuple[int | None, ...] | None:
    if in_axes is None:
        return None
    if isinstance(in_axes, Sequence) and not isinstance(in_axes, str):
        axes = tuple(in_axes)
        if all(a is None or (isinstance(a, int) and not isinstance(a, bool)) for a in axes):
            return axes
    raise TypeError(
        "hk.ensemble: in_axes must be None (every member sees the same inputs) or a tuple "
        "with one entry per positional argument: an int (the axis of size num_members "
        f"holding one slice per member) or None (shared), got {in_axes!r}."
    )


class _Ensemble:
    """One call of an ensembled function (see :func:`ensemble`)."""

    def __init__(self, fn, num_members, split, in_axes, name):
        self.inner = hk.transform_with_state(fn)
        self.n = num_members
        self.split_init, self.split_apply = split
        self.in_axes = in_axes
        self.name = name

    def _split_args(self, args: tuple) -> tuple[tuple, tuple, tuple]:
        """``(mapped args, their axes, a rebuilder)`` for the positional arguments."""
        axes = self.in_axes or (None,) * len(args)
        if len(axes) != len(args):
            raise ValueError(
                f"hk.ensemble: in_axes has {len(axes)} entries but the function was called "
                f"with {len(args)} positional arguments: give one entry per argument."
            )
        mapped = tuple(a for a, ax in zip(args, axes) if ax is not None)
        mapped_axes = tuple(ax for ax in axes if ax is not None)
        for arg, ax in zip(mapped, mapped_axes):
            for leaf in jax.tree.leaves(arg):
                shape = jnp.shape(leaf)
                if not -len(shape) <= ax < len(shape) or shape[ax] != self.n:
                    raise ValueError(
                        f"hk.ensemble: an argument mapped with in_axes={ax} has shape "
                        f"{shape}, but its axis {ax} must have size num_members={self.n} "
                        "(one slice per member)."
                    )
        return mapped, mapped_axes, axes

    def _rebuild(self, axes: tuple, args: tuple, mapped: tuple) -> tuple:
        it = iter(mapped)
        return tuple(next(it) if ax is not None else a for a, ax in zip(args, axes))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        mapped, mapped_axes, axes = self._split_args(args)
        n, inner = self.n, self.inner
        index = jnp.arange(n)  # Always mapped: sizes the vmap when nothing else is.

        def keys(key, split):
            if key is None:
                return None, None
            return (jax.random.split(key, n), 0) if split else (key, None)

        def init_all(init_key):
            rngs, rng_axis = keys(init_key, self.split_init)

            def init_one(_, rng, mapped):
                return inner.init(rng, *self._rebuild(axes, args, mapped), **kwargs)

            return jax.vmap(init_one, in_axes=(0, rng_axis, mapped_axes))(index, rngs, mapped)

        init_key = hk.maybe_next_rng_key()
        lifting = _LiftingModule(init_all, allow_reuse=True, with_state=True, name=self.name)
        params, state = lifting(init_key)
        updater = LiftWithStateUpdater(lifting.module_name)

        rngs, rng_axis = keys(hk.maybe_next_rng_key(), self.split_apply)

        def apply_one(params, state, rng, mapped):
            return inner.apply(params, state, rng, *self._rebuild(axes, args, mapped), **kwargs)

        out, state = jax.vmap(apply_one, in_axes=(0, 0, rng_axis, mapped_axes))(
            params, state, rngs, mapped
        )
        if state:
            updater.update(state)
        else:
            updater.ignore_update()
        return out


def ensemble(
    fn: Callable[..., Any],
    num_members: int,
    *,
    split_rng: bool | tuple[bool, bool] = True,
    in_axes: Sequence[int | None] | None = None,
    name: str = "ensemble",
) -> Callable[..., Any]:
    """``num_members`` independently initialised copies of ``fn``, applied with one vmap.

    Use the returned function inside ``hk.transform`` / ``hk.transform_with_state``: it
    takes ``fn``'s arguments and returns ``fn``'s outputs stacked on a new leading axis of
    size ``num_members`` (member ``i`` is ``out[i]``). ``fn`` may create modules,
    parameters and state (e.g. ``hk.BatchNorm``); they are stored under
    ``<name>/<inner module name>`` with a leading axis of size ``num_members``.

    Args:
      fn: the function to copy, as you would pass it to ``hk.transform``.
      num_members: the number of members (an int >= 1).
      split_rng: ``True`` (default) gives each member its own keys at init and apply;
        ``False`` gives them all the same keys; a pair ``(init, apply)`` chooses for each
        (e.g. ``(True, False)``: independent initial values, shared dropout masks). Keys
        per member are ``jax.random.split(key, num_members)`` of the two keys the call
        draws from the outer sequence (see the module docstring).
      in_axes: ``None`` (default): every member sees the same inputs. Otherwise one entry
        per positional argument: an int maps that argument along that axis (which must
        have size ``num_members``, member ``i`` gets slice ``i``), ``None`` shares it.
        Keyword arguments are always shared.
      name: the name the members' parameters are stored under (numbered like a module's:
        ``ensemble``, ``ensemble_1``, ...).

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def member(x):  # stands for any module function, e.g. hk.nets.MLP([16, 2])
    ...   w = hk.get_parameter("w", [x.shape[-1], 2], init=hk.initializers.RandomNormal())
    ...   return x @ w
    >>> f = hk.transform(lambda x: hk.ensemble(member, num_members=3)(x))
    >>> x = jnp.ones([4, 5])
    >>> params = f.init(jax.random.PRNGKey(0), x)
    >>> jax.tree.map(jnp.shape, params)
    {'ensemble/~': {'w': (3, 5, 2)}}
    >>> f.apply(params, None, x).shape
    (3, 4, 2)
    """
    if not callable(fn):
        raise TypeError(f"hk.ensemble needs a callable to copy, got {fn!r}.")
    if not isinstance(num_members, int) or isinstance(num_members, bool) or num_members < 1:
        raise ValueError(f"hk.ensemble needs num_members >= 1 (an int), got {num_members!r}.")
    split = _check_split_rng(split_rng)
    axes = _check_in_axes(in_axes)
    if not isinstance(name, str) or not name:
        raise TypeError(f"hk.ensemble: name must be a non-empty str, got {name!r}.")

    @functools.wraps(fn)
    def members(*args: Any, **kwargs: Any) -> Any:
        if not extend.inside_transform():
            raise ValueError(
                "hk.ensemble must be called inside hk.transform / hk.transform_with_state: "
                "the members' parameters live in the enclosing transform's params. Call the "
                "returned function from the function you transform."
            )
        return _Ensemble(fn, num_members, split, axes, name)(*args, **kwargs)

    return members


__all__ = ["ensemble"]
