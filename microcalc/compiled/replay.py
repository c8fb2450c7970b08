"""What every back end shares: the public interface of a compiled graph, writing results
back into the Values, and reporting errors exactly where the eager engine would.

A back end implements three things on its own store of numbers: `_replay_forward(leaf
values)` computing every slot, `_replay_backward()` computing every slot's gradient, and
`_as_list(store)`. Everything that touches Values lives here.
"""

from __future__ import annotations

from ..engine import recompute
from ..engine.graph import backward_gradients
from ..errors import DomainError

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Optional, Sequence
    from ..engine import Value

__all__ = ["Program"]


class Program:
    """A Value graph recorded once, replayed forward and backward as often as needed.

    The graph's shape is fixed at compile time; only the numbers in its leaves change.
    `forward()` reads every leaf's current `.data` (or takes `values=`, one number per
    leaf in `leaves` order, touching no Value) and recomputes every node. `backward()`
    differentiates at the point of the last forward and adds d(output)/d(leaf) into each
    leaf's `.grad`, as micrograd's backward does: nothing is zeroed. `gradients()` gives
    the same numbers as a list without touching any `.grad`.
    """

    backend = None      # "python" or "numpy", set by each back end

    def __init__(self, flat: Any) -> None:
        self.flat = flat
        self.leaves = tuple(flat.leaves)
        self.output = flat.output_value
        self._leaf_index = None
        self._forward_done = False
        self._gradients_done = False

    # The interface.

    def forward(self, values: Optional[Sequence[float]] = None, write_back: bool = False) -> float:
        """The output recomputed from the leaves' current .data, or from values."""
        if values is None:
            values = [leaf.data for leaf in self.leaves]
        elif len(values) != len(self.leaves):
            raise ValueError(f"this program has {len(self.leaves)} leaves, "
                             f"got {len(values)} values")
        result = self._replay_forward(values)
        self._forward_done = True
        self._gradients_done = False
        if write_back:
            self._write_back_values()
        return result

    def backward(self, write_back: bool = False) -> None:
        """Add d(output)/d(leaf) into every leaf's .grad; with write_back into every node's."""
        self._ensure_gradients()
        if write_back:
            gradients = self._as_list(self._gradients)
            for node, g in zip(self.flat.nodes, gradients):
                node.grad += g
            flat = self.flat
            for node, top, partial in zip(flat.folded, flat.folded_into, flat.folded_sign):
                # A `+`/`-` folded into a sum is on its left spine (partial +1); a product
                # is one of its terms (partial its sign).
                node.grad += partial * gradients[top]
        else:
            for leaf, g in zip(self.leaves, self.gradients()):
                leaf.grad += g

    def gradients(self) -> list[float]:
        """d(output)/d(leaf) for every leaf, in `leaves` order, at the last forward's point."""
        self._ensure_gradients()
        return self._as_list(self._gradients[:self.flat.n_leaves])

    def values_of(self, nodes: Sequence[Value]) -> list[float]:
        """The values the last forward computed for these nodes (leaves, or nodes kept
        with compile_graph's keep=), as floats, without writing any .data."""
        if not self._forward_done:
            self.forward()
        store = self._values
        try:
            return [float(store[self.flat.slot[v]]) for v in nodes]
        except KeyError:
            raise ValueError("that node was folded into a sum: name it in keep=") from None

    def leaf_index(self, leaf: Value) -> int:
        """The position of a leaf Value in `leaves` (and in forward's values)."""
        if self._leaf_index is None:
            self._leaf_index = {v: i for i, v in enumerate(self.leaves)}
        try:
            return self._leaf_index[leaf]
        except KeyError:
            raise ValueError("that Value is not a leaf of this program") from None

    def stats(self) -> dict[str, Any]:
        """Node count, slots, groups, depth before and after folding sums."""
        return self.flat.stats()

    def __repr__(self):
        s = self.stats()
        return (f"<{self.backend} program: {s['slots']} slots from {s['nodes']} nodes, "
                f"{s['leaves']} leaves, depth {s['depth_before']} -> {s['depth']}>")

    # Helpers for the back ends.

    def _ensure_gradients(self):
        if not self._forward_done:
            self.forward()
        if not self._gradients_done:
            self._replay_backward()
            self._gradients_done = True

    def _write_back_values(self):
        for node, x in zip(self.flat.nodes, self._as_list(self._values)):
            node.data = x
        # A folded node's operands are written before it (engine order), and each is one
        # step of its sum's left fold or one of its products: recomputing it gives the
        # number the replay made.
        for node in self.flat.folded:
            node.data = node.op.forward(node._a.data, node._b.data)

    def _engine_values(self, leaf_values):
        """The replay met an exception or a non-finite number: let the engine recompute the
        graph from these leaf values, so that it raises its own DomainError at the node
        where eager evaluation would have failed. If it does not fail (the replay's
        rounding differed at the edge of overflow) its numbers are returned, slot by slot.
        Every Value's .data is left as it was."""
        flat = self.flat
        saved = [v.data for v in flat.topo]
        try:
            for leaf, x in zip(self.leaves, leaf_values):
                x = float(x)
                if x - x:
                    raise DomainError("Value", [x], "a Value must be a finite number")
                leaf.data = x
            recompute(self.output, flat.topo)
            return [v.data for v in flat.nodes]
        finally:
            for v, x in zip(flat.topo, saved):
                v.data = x

    def _engine_gradients(self):
        """The replay met an infinite or undefined partial: the engine's own backward settles
        every slot's gradient at the replay's point. It raises where the eager engine raises,
        and a partial that is exactly 0 stops whatever comes from above it, as there.
        Every Value's .data is left as it was."""
        flat = self.flat
        saved = [v.data for v in flat.topo]
        try:
            for leaf, x in zip(self.leaves, self._as_list(self._values)[:flat.n_leaves]):
                leaf.data = x
            recompute(self.output, flat.topo)
            return backward_gradients(self.output, list(flat.nodes))
        finally:
            for v, x in zip(flat.topo, saved):
                v.data = x
