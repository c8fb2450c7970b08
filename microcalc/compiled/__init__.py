"""Compiled graphs: record a Value graph once, replay it forward and backward fast.

    program = compile_graph(loss)          # once, while the graph's shape stays fixed
    for step in range(100):
        program.forward()                  # reads every leaf's current .data
        model.zero_grad()
        program.backward()                 # adds into every leaf's .grad, as micrograd
        for p in model.parameters():
            p.data -= 0.1 * p.grad

Two back ends behind one interface: "python" replays on lists of floats, "numpy" replays
each group of like nodes as one vectorised operation. Both take every rule from the engine's
op table (`microcalc.engine.OPS`), so an op added there replays on both with nothing more.
numpy is imported only when a graph is compiled, so importing this package costs nothing.
"""

from __future__ import annotations

from ..engine import Value
from ..errors import MicrocalcError
from .program import flatten
from .replay import Program

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Sequence

__all__ = ["compile_graph", "Program", "BACKENDS"]

BACKENDS = ("auto", "python", "numpy")

# "auto" picks numpy when its groups are wide enough to pay for numpy's fixed cost per
# group. Measured on MLPs of 2-4-1 and 2-16-16-1 over batches of 1 to 64, numpy overtakes
# the Python lists at about 300 of the graph's nodes per group; at micrograd's demo (6,500
# per group) it is about 20 times faster (bench/train.py).
_NODES_PER_NUMPY_GROUP = 300


def compile_graph(output: Value, backend: str = "auto", keep: Sequence[Value] = ()) -> Program:
    """Flatten the graph under output into a Program replayed by the chosen back end.

    keep: nodes whose values will be read with `Program.values_of` after a replay."""
    if backend not in BACKENDS:
        raise MicrocalcError(f"unknown back end {backend!r}: choose one of {', '.join(BACKENDS)}")
    if not isinstance(output, Value):
        raise TypeError(f"compile_graph needs a Value, not {type(output).__name__}")
    flat = flatten(output, keep)
    if backend == "auto":
        backend = "numpy" if _numpy_pays(flat) else "python"
    if backend == "numpy":
        from .numpy_backend import NumpyProgram
        return NumpyProgram(flat)
    from .python_backend import PythonProgram
    return PythonProgram(flat)


def _numpy_pays(flat):
    computed = len(flat.topo) - flat.n_leaves     # the nodes a sum absorbed count too
    return computed >= _NODES_PER_NUMPY_GROUP * max(1, len(flat.groups))
