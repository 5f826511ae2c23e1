"""Recurrent cores (LSTM, GRU, ...), stacking them, and unrolling them in time."""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

import haiku as hk
from haiku.initializers import Initializer
from haiku_layers._errors import AttributeTypeError, IndexValueError
from haiku_layers._utils import check_callables, check_size
from haiku_layers.linear import Linear


def add_batch(nest: Any, batch_size: int | None) -> Any:
    """Broadcasts every leaf of ``nest`` to a new leading axis of ``batch_size``."""
    if batch_size is None:
        return nest
    return jax.tree.map(lambda t: jnp.broadcast_to(t, (batch_size,) + t.shape), nest)


# hk.Module's metaclass derives from abc.ABCMeta (through typing.Protocol's), so the
# abstract methods below are enforced without a metaclass of our own (as in dm-haiku).
class RNNCore(hk.Module):
    """Base class for recurrent cores: one time step ``(inputs, state) -> (out, state)``.

    Subclasses implement ``__call__(inputs, prev_state)`` returning
    ``(outputs, next_state)`` and ``initial_state(batch_size)``.

    >>> import haiku as hk, jax.numpy as jnp
    >>> class Counter(hk.RNNCore):
    ...   def __call__(self, inputs, prev_state):
    ...     return inputs, prev_state + 1
    ...   def initial_state(self, batch_size):
    ...     return jnp.zeros([] if batch_size is None else [batch_size])
    >>> f = hk.transform(lambda x: Counter()(x, Counter().initial_state(2)))
    >>> out, state = f.apply({}, None, jnp.ones((2, 3)))
    >>> state.tolist()
    [1.0, 1.0]
    """

    @abc.abstractmethod
    def __call__(self, inputs: Any, prev_state: Any) -> tuple[Any, Any]:
        """Runs one step: returns ``(outputs, next_state)``."""

    @abc.abstractmethod
    def initial_state(self, batch_size: int | None) -> Any:
        """Returns the initial state (with a leading batch axis unless ``None``)."""


class LSTMState(NamedTuple):
    """The state of an :class:`LSTM`: ``hidden`` (the output) and ``cell``.

    >>> import haiku as hk
    >>> hk.LSTMState(hidden=1, cell=2)
    LSTMState(hidden=1, cell=2)
    """

    hidden: jax.Array
    cell: jax.Array


def lstm_state_error(module_name: str, layer: str, state: Any) -> AttributeTypeError:
    """The error for an LSTM-style core called with a state that is not an LSTMState.

    dm-haiku fails with an ``AttributeError`` (no ``.hidden``); the type keeps that and
    ``TypeError``.
    """
    shape = getattr(state, "shape", None)
    got = f"an array of shape {tuple(shape)}" if shape is not None else type(state).__name__
    return AttributeTypeError(
        f"{module_name}: hk.{layer} needs its state to be an hk.LSTMState(hidden, cell), "
        f"got {got}. Build it with core.initial_state(batch_size), or pass "
        "hk.LSTMState(hidden=h, cell=c)."
    )


def state_shape_error(
    module_name: str, layer: str, inputs: jax.Array, state: Any, hidden_size: int
) -> TypeError:
    """The error for a core whose state does not fit its inputs (failure branch only).

    >>> import jax.numpy as jnp
    >>> print(state_shape_error("lstm", "LSTM", jnp.ones([2, 3]), jnp.ones([3, 4]), 4))
    lstm: hk.LSTM got inputs of shape (2, 3) but a state of shape (3, 4); the state must be [batch,
    hidden_size] = (2, 4) here. Build it with core.initial_state(batch_size=2).
    """
    shapes = jax.tree.map(lambda x: tuple(jnp.shape(x)), state)
    want = (inputs.shape[0], hidden_size) if inputs.ndim == 2 else (hidden_size,)
    batch = inputs.shape[0] if inputs.ndim == 2 else None
    return TypeError(
        f"{module_name}: hk.{layer} got inputs of shape {tuple(inputs.shape)} but a state of "
        f"shape {shapes}; the state must be [batch, hidden_size] = {want} here. Build it "
        f"with core.initial_state(batch_size={batch})."
    )


def _state_fits(inputs: jax.Array, state: Any, hidden_size: int) -> bool:
    want = tuple(inputs.shape[:-1]) + (hidden_size,)
    return all(tuple(jnp.shape(x)) == want for x in jax.tree.leaves(state))


def _lstm_update(gates: jax.Array, prev_cell: jax.Array) -> tuple[jax.Array, LSTMState]:
    """LSTM cell update from pre-activations ordered (input, cell, forget, output)."""
    i, g, f, o = jnp.split(gates, indices_or_sections=4, axis=-1)
    f = jax.nn.sigmoid(f + 1)  # Forget-gate bias of 1, applied here, not stored.
    c = f * prev_cell + jax.nn.sigmoid(i) * jnp.tanh(g)
    h = jax.nn.sigmoid(o) * jnp.tanh(c)
    return h, LSTMState(h, c)


class LSTM(RNNCore):
    """Long short-term memory core (Hochreiter and Schmidhuber, 1997).

    One ``Linear(4 * hidden_size)`` (named ``linear``) maps
    ``concat([inputs, prev_state.hidden])`` to the gates in the order input,
    cell, forget, output. A bias of 1 is added to the forget gate.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   core = hk.LSTM(4)
    ...   return core(x, core.initial_state(2))
    >>> params = hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones((2, 3)))
    >>> {m: {n: v.shape for n, v in b.items()} for m, b in params.items()}
    {'lstm/linear': {'w': (7, 16), 'b': (16,)}}
    """

    def __init__(self, hidden_size: int, name: str | None = None):
        """Creates the core.

        Args:
          hidden_size: size of the hidden and cell states.
          name: module name.
        """
        super().__init__(name=name)
        check_size(f"hk.{type(self).__name__}", "hidden_size", hidden_size, "128")
        self.hidden_size = hidden_size

    def __call__(self, inputs: jax.Array, prev_state: LSTMState) -> tuple[jax.Array, LSTMState]:
        """Runs one step on inputs of shape ``[B, D]`` (or ``[D]``)."""
        if inputs.ndim not in (1, 2):
            raise ValueError(
                f"LSTM input must be rank-1 or rank-2, got shape {inputs.shape}. "
                "Call the core once per time step (see hk.dynamic_unroll), or "
                "flatten extra axes with hk.BatchApply."
            )
        try:
            hidden, cell = prev_state.hidden, prev_state.cell
        except AttributeError:
            raise lstm_state_error(self.module_name, "LSTM", prev_state) from None
        try:
            x_and_h = jnp.concatenate([inputs, hidden], axis=-1)
            gates = Linear(4 * self.hidden_size)(x_and_h)
            return _lstm_update(gates, cell)
        except TypeError as e:
            if _state_fits(inputs, prev_state, self.hidden_size):
                raise
            raise state_shape_error(
                self.module_name, "LSTM", inputs, prev_state, self.hidden_size
            ) from e

    def initial_state(self, batch_size: int | None) -> LSTMState:
        """Zeros of shape ``[batch_size, hidden_size]`` (``[hidden_size]`` if None)."""
        zeros = jnp.zeros([self.hidden_size])
        return add_batch(LSTMState(hidden=zeros, cell=zeros), batch_size)


class GRU(RNNCore):
    """Gated recurrent unit core (Cho et al., 2014).

    Parameters ``w_i [D, 3H]``, ``w_h [H, 3H]`` and ``b [3H]`` in the input
    dtype; columns ``[:2H]`` hold the update and reset gates, ``[2H:]`` the
    candidate activation.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   core = hk.GRU(4)
    ...   return core(x, core.initial_state(2))
    >>> params = hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones((2, 3)))
    >>> {m: {n: v.shape for n, v in b.items()} for m, b in params.items()}
    {'gru': {'w_i': (3, 12), 'w_h': (4, 12), 'b': (12,)}}
    """

    def __init__(
        self,
        hidden_size: int,
        w_i_init: Initializer | None = None,
        w_h_init: Initializer | None = None,
        b_init: Initializer | None = None,
        name: str | None = None,
    ):
        """Creates the core.

        Args:
          hidden_size: size of the hidden state.
          w_i_init: initializer for ``w_i`` (default ``VarianceScaling()``).
          w_h_init: initializer for ``w_h`` (default ``VarianceScaling()``).
          b_init: initializer for ``b`` (default zeros).
          name: module name.
        """
        super().__init__(name=name)
        check_size(f"hk.{type(self).__name__}", "hidden_size", hidden_size, "128")
        self.hidden_size = hidden_size
        self.w_i_init = w_i_init or hk.initializers.VarianceScaling()
        self.w_h_init = w_h_init or hk.initializers.VarianceScaling()
        self.b_init = b_init or jnp.zeros

    def __call__(self, inputs: jax.Array, state: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Runs one step on inputs of shape ``[B, D]`` (or ``[D]``)."""
        if inputs.ndim not in (1, 2):
            raise ValueError(
                f"GRU input must be rank-1 or rank-2, got shape {inputs.shape}. "
                "Call the core once per time step (see hk.dynamic_unroll), or "
                "flatten extra axes with hk.BatchApply."
            )
        hs = self.hidden_size
        dtype = inputs.dtype
        w_i = hk.get_parameter("w_i", [inputs.shape[-1], 3 * hs], dtype, init=self.w_i_init)
        w_h = hk.get_parameter("w_h", [hs, 3 * hs], dtype, init=self.w_h_init)
        b = hk.get_parameter("b", [3 * hs], dtype, init=self.b_init)
        w_h_zr, w_h_a = jnp.split(w_h, indices_or_sections=[2 * hs], axis=1)
        b_zr, b_a = jnp.split(b, indices_or_sections=[2 * hs], axis=0)

        try:
            zr_x, a_x = jnp.split(jnp.matmul(inputs, w_i), indices_or_sections=[2 * hs], axis=-1)
            zr_h = jnp.matmul(state, w_h_zr)
            zr = zr_x + zr_h + jnp.broadcast_to(b_zr, zr_h.shape)
            z, r = jnp.split(jax.nn.sigmoid(zr), indices_or_sections=2, axis=-1)
            a_h = jnp.matmul(r * state, w_h_a)
            a = jnp.tanh(a_x + a_h + jnp.broadcast_to(b_a, a_h.shape))
            next_state = (1 - z) * state + z * a
        except TypeError as e:
            if _state_fits(inputs, state, hs):
                raise
            raise state_shape_error(self.module_name, "GRU", inputs, state, hs) from e
        return next_state, next_state

    def initial_state(self, batch_size: int | None) -> jax.Array:
        """Zeros of shape ``[batch_size, hidden_size]`` (``[hidden_size]`` if None)."""
        return add_batch(jnp.zeros([self.hidden_size]), batch_size)


class VanillaRNN(RNNCore):
    """Basic recurrent core: ``h = relu(Linear(x) + Linear(h_prev))``.

    The input projection is ``linear`` and the recurrent one ``linear_1`` (with
    a bias only if ``double_bias``).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   core = hk.VanillaRNN(4)
    ...   return core(x, core.initial_state(2))
    >>> params = hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones((2, 3)))
    >>> list(params)
    ['vanilla_rnn/linear', 'vanilla_rnn/linear_1']
    """

    def __init__(self, hidden_size: int, double_bias: bool = True, name: str | None = None):
        """Creates the core.

        Args:
          hidden_size: size of the hidden state.
          double_bias: give the recurrent projection a bias too.
          name: module name.
        """
        super().__init__(name=name)
        check_size(f"hk.{type(self).__name__}", "hidden_size", hidden_size, "128")
        self.hidden_size = hidden_size
        self.double_bias = double_bias

    def __call__(self, inputs: jax.Array, prev_state: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Runs one step."""
        input_to_hidden = Linear(self.hidden_size)
        hidden_to_hidden = Linear(self.hidden_size, with_bias=self.double_bias)
        try:
            out = jax.nn.relu(input_to_hidden(inputs) + hidden_to_hidden(prev_state))
        except TypeError as e:
            if _state_fits(inputs, prev_state, self.hidden_size):
                raise
            raise state_shape_error(
                self.module_name, "VanillaRNN", inputs, prev_state, self.hidden_size
            ) from e
        return out, out

    def initial_state(self, batch_size: int | None) -> jax.Array:
        """Zeros of shape ``[batch_size, hidden_size]`` (``[hidden_size]`` if None)."""
        return add_batch(jnp.zeros([self.hidden_size]), batch_size)


class IdentityCore(RNNCore):
    """A core that returns its inputs and leaves its (empty) state unchanged.

    >>> import haiku as hk, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.IdentityCore()(x, ()))
    >>> out, state = f.apply({}, None, jnp.ones(2))
    >>> out.tolist(), state
    ([1.0, 1.0], ())
    """

    def __call__(self, inputs: Any, state: Any) -> tuple[Any, Any]:
        """Returns ``(inputs, state)``."""
        return inputs, state

    def initial_state(self, batch_size: int | None) -> tuple[()]:
        """The empty state ``()``."""
        return ()


def _where_reset(reset: jax.Array, initial: jax.Array, current: jax.Array) -> jax.Array:
    reset = jnp.asarray(reset)
    if reset.shape != current.shape[: reset.ndim]:
        raise ValueError(
            f"hk.ResetCore: should_reset of shape {reset.shape} does not fit a state entry "
            f"of shape {current.shape}; its shape must be a prefix of the state's, e.g. [B] "
            "for a batched state, or a scalar for an unbatched one."
        )
    # Pad on the right so a [B] flag resets whole examples, not trailing columns.
    reset = reset.reshape(reset.shape + (1,) * (current.ndim - reset.ndim))
    return jnp.where(reset, initial, current)


class ResetCore(RNNCore):
    """Wraps a core so the state can be reset to its initial value per example.

    Called with ``((inputs, should_reset), state)``; where ``should_reset`` (a
    ``[B]`` bool array, or a tree of them matching the state) is true, the
    wrapped core sees its ``initial_state`` instead of ``state``. Unbatched
    inputs take a scalar ``should_reset`` and an unbatched state.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x, reset):
    ...   core = hk.ResetCore(hk.GRU(2))
    ...   return core((x, reset), jnp.ones((3, 2)))
    >>> f = hk.transform(f)
    >>> x, reset = jnp.ones((3, 4)), jnp.array([True, False, True])
    >>> out, _ = f.apply(f.init(jax.random.PRNGKey(0), x, reset), None, x, reset)
    >>> out.shape
    (3, 2)
    """

    def __init__(self, core: RNNCore, name: str | None = None):
        """Creates the wrapper.

        Args:
          core: the core to wrap.
          name: module name.
        """
        super().__init__(name=name)
        self.core = core

    def __call__(self, inputs: tuple[Any, Any], state: Any) -> tuple[Any, Any]:
        """Runs the wrapped core after resetting the flagged state entries."""
        inputs, should_reset = inputs
        if jax.tree_util.treedef_is_leaf(jax.tree.structure(should_reset)):
            should_reset = jax.tree.map(lambda _: should_reset, state)
        elif jax.tree.structure(should_reset) != jax.tree.structure(state):  # type: ignore[operator]  # PyTreeDef: compiled, no stub
            raise ValueError(
                "hk.ResetCore: should_reset must be a single array or a tree with the "
                f"structure of the state; got {jax.tree.structure(should_reset)} for a state "
                f"{jax.tree.structure(state)}. Pass one [B] bool array to reset whole examples."
            )
        state = jax.tree.map(jnp.asarray, state)
        initial = self._initial_like(inputs, state)
        state = jax.tree.map(_where_reset, should_reset, initial, state)
        return self.core(inputs, state)

    def _initial_like(self, inputs: Any, state: Any) -> Any:
        """The initial state, batched like ``state`` (unbatched if its leaves lack a batch)."""
        leaves = jax.tree.leaves(state)
        batch_size = None
        if leaves:
            try:
                batch_size = jax.tree.leaves(inputs)[0].shape[0]
            except IndexError:
                batch_size = None
        initial = self.initial_state(batch_size)
        if batch_size is not None and any(
            i.shape[1:] != s.shape[1:] for i, s in zip(jax.tree.leaves(initial), leaves)
        ):
            initial = self.initial_state(None)  # The state has no batch axis.
        return jax.tree.map(lambda s, i: i.astype(s.dtype), state, initial)

    def initial_state(self, batch_size: int | None) -> Any:
        """The wrapped core's initial state."""
        return self.core.initial_state(batch_size)


class _DeepRNN(RNNCore):
    """Stacks cores (and plain functions) into one core, optionally with skips."""

    def __init__(self, layers: Sequence[Any], skip_connections: bool, name: str | None = None):
        super().__init__(name=name)
        checked = check_callables(
            "hk.deep_rnn_with_skip_connections" if skip_connections else "hk.DeepRNN",
            layers,
            "hk.LSTM(8), jax.nn.relu, hk.LSTM(8)",
        )
        self.layers = layers if isinstance(layers, (list, tuple)) else checked
        self.skip_connections = skip_connections
        if skip_connections:
            for layer in layers:
                if not isinstance(layer, RNNCore):
                    raise ValueError(
                        "skip_connections requires for all layers to be `hk.RNNCore`s. "
                        f"Layers is: {layers}. Use hk.DeepRNN to mix cores with plain "
                        "functions."
                    )

    def __call__(self, inputs: Any, state: Sequence[Any]) -> tuple[Any, tuple[Any, ...]]:
        """Runs every layer in turn; returns the output and the tuple of core states."""
        current = inputs
        outputs = []
        next_states = []
        state_idx = 0

        def concat(*args):
            return jnp.concatenate(args, axis=-1)

        for idx, layer in enumerate(self.layers):
            if self.skip_connections and idx > 0:
                current = jax.tree.map(concat, inputs, current)
            if isinstance(layer, RNNCore):
                current, next_state = layer(current, state[state_idx])
                outputs.append(current)
                next_states.append(next_state)
                state_idx += 1
            else:
                current = layer(current)
        out = jax.tree.map(concat, *outputs) if self.skip_connections else current
        return out, tuple(next_states)

    def initial_state(self, batch_size: int | None) -> tuple[Any, ...]:
        """A tuple with the initial state of every core layer."""
        return tuple(
            layer.initial_state(batch_size) for layer in self.layers if isinstance(layer, RNNCore)
        )


class DeepRNN(_DeepRNN):
    """Stacks cores into one core; plain callables are applied between them.

    The state is a tuple with one entry per :class:`RNNCore` layer.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   core = hk.DeepRNN([hk.LSTM(4), jax.nn.relu, hk.GRU(3)])
    ...   return core(x, core.initial_state(2))
    >>> f = hk.transform(f)
    >>> x = jnp.ones((2, 5))
    >>> out, state = f.apply(f.init(jax.random.PRNGKey(0), x), None, x)
    >>> out.shape, len(state)
    ((2, 3), 2)
    """

    def __init__(self, layers: Sequence[Any], name: str | None = None):
        """Creates the stack.

        Args:
          layers: cores and callables, applied in order.
          name: module name.
        """
        super().__init__(layers, skip_connections=False, name=name)


def deep_rnn_with_skip_connections(layers: Sequence[RNNCore], name: str | None = None) -> RNNCore:
    """Stacks cores; each gets the original inputs concatenated to its inputs.

    The output is the concatenation of every core's output.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   core = hk.deep_rnn_with_skip_connections([hk.LSTM(4), hk.LSTM(2)])
    ...   return core(x, core.initial_state(2))
    >>> f = hk.transform(f)
    >>> x = jnp.ones((2, 5))
    >>> out, _ = f.apply(f.init(jax.random.PRNGKey(0), x), None, x)
    >>> out.shape
    (2, 6)

    Args:
      layers: the cores (plain callables are not allowed).
      name: module name.

    Returns:
      The stacked core.
    """
    return _DeepRNN(layers, skip_connections=True, name=name)


def _swap_batch_time(tree: Any) -> Any:
    return jax.tree.map(lambda x: jnp.swapaxes(x, 0, 1), tree)


def _check_time_axis(fn: str, input_sequence: Any, time_major: bool) -> None:
    """Raises a clear error if an input leaf lacks the time (and batch) axes.

    Called only after unrolling failed, so the normal path pays nothing.
    """
    need = 1 if time_major else 2
    for path, leaf in jax.tree_util.tree_leaves_with_path(input_sequence):
        shape = tuple(getattr(leaf, "shape", ()))
        if len(shape) < need:
            where = f" at {jax.tree_util.keystr(path)}" if path else ""
            layout = "[T, B, ...] (or [T, ...])" if time_major else "[B, T, ...]"
            raise IndexValueError(
                f"hk.{fn}: input_sequence{where} has shape {shape}, but needs a leading time "
                f"axis: {layout} with time_major={time_major}. Add the axis, e.g. x[None] for a "
                "single step, or set time_major to match your layout."
            )


def static_unroll(
    core: Callable[[Any, Any], tuple[Any, Any]],
    input_sequence: Any,
    initial_state: Any,
    time_major: bool = True,
) -> tuple[Any, Any]:
    """Unrolls ``core`` over a sequence with a Python loop.

    Args:
      core: a core (or function) ``(inputs, state) -> (outputs, state)``.
      input_sequence: a tree of arrays with time on axis 0 (axis 1 if not
        ``time_major``).
      initial_state: the state before the first step.
      time_major: whether time is the leading axis of inputs and outputs.

    Returns:
      ``(output_sequence, final_state)``.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(xs):
    ...   core = hk.GRU(3)
    ...   return hk.static_unroll(core, xs, core.initial_state(2))
    >>> f = hk.transform(f)
    >>> xs = jnp.ones((5, 2, 4))
    >>> out, state = f.apply(f.init(jax.random.PRNGKey(0), xs), None, xs)
    >>> out.shape, state.shape
    ((5, 2, 3), (2, 3))
    """
    try:
        if not time_major:
            input_sequence = _swap_batch_time(input_sequence)
        leaves, treedef = jax.tree.flatten(input_sequence)
        if not leaves:
            raise ValueError("static_unroll: input_sequence has no arrays to unroll over.")
        num_steps = leaves[0].shape[0]
        per_leaf = [jnp.unstack(x) for x in leaves]
    except (IndexError, ValueError, TypeError):
        _check_time_axis("static_unroll", input_sequence, time_major)
        raise
    state = initial_state
    outputs = []
    for t in range(num_steps):
        inputs = jax.tree.unflatten(treedef, [steps[t] for steps in per_leaf])
        out, state = core(inputs, state)
        outputs.append(out)
    output_sequence = jax.tree.map(lambda *steps: jnp.stack(steps), *outputs)
    if not time_major:
        output_sequence = _swap_batch_time(output_sequence)
    return output_sequence, state


def _inside_transform() -> bool:
    from haiku.extend import inside_transform  # imported on first use

    return inside_transform()


def dynamic_unroll(
    core: Callable[[Any, Any], tuple[Any, Any]],
    input_sequence: Any,
    initial_state: Any,
    time_major: bool = True,
    reverse: bool = False,
    return_all_states: bool = False,
    unroll: int = 1,
) -> tuple[Any, Any]:
    """Unrolls ``core`` over a sequence with a scan.

    Inside a transform this uses ``hk.scan`` (so cores may create parameters
    and use state); outside, ``jax.lax.scan``.

    Args:
      core: a core (or function) ``(inputs, state) -> (outputs, state)``.
      input_sequence: a tree of arrays with time on axis 0 (axis 1 if not
        ``time_major``).
      initial_state: the state before the first step.
      time_major: whether time is the leading axis of inputs and outputs.
      reverse: run from the last step to the first (outputs stay in order).
      return_all_states: return the state after every step instead of only the
        final state.
      unroll: scan steps per loop iteration (a speed/compile-time trade-off).

    Returns:
      ``(output_sequence, final_state)``, or ``(output_sequence,
      state_sequence)`` with ``return_all_states``.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(xs):
    ...   core = hk.LSTM(3)
    ...   return hk.dynamic_unroll(core, xs, core.initial_state(2))
    >>> f = hk.transform(f)
    >>> xs = jnp.ones((5, 2, 4))
    >>> out, state = f.apply(f.init(jax.random.PRNGKey(0), xs), None, xs)
    >>> out.shape, state.hidden.shape
    ((5, 2, 3), (2, 3))
    """

    def step(prev_state, inputs):
        outputs, next_state = core(inputs, prev_state)
        if return_all_states:
            return next_state, (outputs, next_state)
        return next_state, outputs

    if _inside_transform():
        from haiku_jaxwrap.control_flow import scan  # imported on first use
    else:
        scan = jax.lax.scan
    sequence = input_sequence
    try:
        if not time_major:
            sequence = _swap_batch_time(sequence)
        final_state, output_sequence = scan(
            step, initial_state, sequence, reverse=reverse, unroll=unroll
        )
    except (IndexError, ValueError, TypeError):
        _check_time_axis("dynamic_unroll", input_sequence, time_major)
        raise
    if return_all_states:
        output_sequence, state_sequence = output_sequence
        if not time_major:
            output_sequence = _swap_batch_time(output_sequence)
            state_sequence = _swap_batch_time(state_sequence)
        return output_sequence, state_sequence
    if not time_major:
        output_sequence = _swap_batch_time(output_sequence)
    return output_sequence, final_state
