"""A gradient check as a table: each input's autodiff gradient beside a central finite
difference, their relative error, and whether they agree.

The inputs checked are the ones given, else the graph's named inputs (leaves), else, when no
input has a name, every input. Unnamed numbers inside an expression (the 2 in 2*x) are
constants to a reader, so they are not checked when named inputs exist.
"""

from __future__ import annotations

from ..engine import Value, gradcheck, topological_order
from ..errors import MicrocalcError
from .labels import namer
from .picture import Picture, table
from .style import glyphs, number, scientific

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, Optional, Sequence, Union
    from .picture import Picture
    Names = Union[Mapping[Value, str], Callable[[Value], Optional[str]], None]

TOLERANCE = 1e-5     # central differences with h = 1e-6 agree to about 1e-9 on smooth ops


def check(output: Value, inputs: Optional[Sequence[Value]] = None, names: Names = None,
          ascii: bool = False, color: bool = False, tolerance: float = TOLERANCE) -> Picture:
    """Compare d(output)/d(x) by autodiff and by central differences for each input x.

    Inputs are nudged in place and restored. Returns a `Picture` whose .data lists, per
    input, its name, both gradients, the relative error and whether it is within tolerance.
    """
    name_of = namer(names)
    if not isinstance(output, Value):
        raise MicrocalcError(f"check needs a graph (a Value), not {type(output).__name__}")
    if inputs is None:
        leaves = [v for v in topological_order(output) if v.is_input]
        named = [v for v in leaves if name_of(v)]
        inputs = named or leaves
    else:
        inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
        if not all(isinstance(x, Value) for x in inputs):
            raise MicrocalcError("check compares gradients by variables (Values) only")
    g = glyphs(ascii)
    results = gradcheck(output, inputs)

    rows = [[("input", "muted"), ("autodiff", "muted"), ("numeric", "muted"),
             ("rel. error", "muted"), ("", "muted")]]
    data = []
    for k, result in enumerate(results, 1):
        name = name_of(result.input) or f"input {k} (= {number(result.input.data)})"
        ok = result.error <= tolerance
        rows.append([(name, "name"), (number(result.autodiff), "grad"),
                     (number(result.numeric), "value"), (scientific(result.error), "value"),
                     (g.ok if ok else g.bad, "good" if ok else "bad")])
        data.append({"input": name, "autodiff": result.autodiff, "numeric": result.numeric,
                     "error": result.error, "ok": ok})
    lines = table(rows, "<>>><", color)
    failed = sum(1 for item in data if not item["ok"])
    worst = max((item["error"] for item in data), default=0.0)
    if not data:
        lines = ["nothing to check: the graph has no inputs"]
    elif failed:
        lines.append(f"{failed} of {len(data)} gradients differ from central differences by "
                     f"more than {scientific(tolerance, 1)} (a kink such as relu at 0, or a bug)")
    else:
        lines.append(f"all {len(data)} gradients agree with central differences "
                     f"(largest relative error {scientific(worst)})")
    return Picture("\n".join(lines), {"inputs": data, "tolerance": tolerance,
                                      "failed": failed})
