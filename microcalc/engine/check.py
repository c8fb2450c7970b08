"""Checking autodiff gradients against central finite differences."""

from __future__ import annotations

from .graph import grad, recompute, topological_order
from .value import Value

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Sequence, Union

__all__ = ["GradCheck", "gradcheck"]


class GradCheck:
    """One input's autodiff gradient beside its central finite difference.

    error is |autodiff - numeric| relative to the larger of the two, or to `scale` when both
    are smaller: the size of the rounding noise a finite difference of this function has,
    so a gradient that is 0 (or nearly) is not flagged because its difference is noise.
    """

    __slots__ = ("input", "autodiff", "numeric", "error", "scale")

    def __init__(self, input: Value, autodiff: float, numeric: float,
                 scale: float = 1e-8) -> None:
        self.input = input
        self.autodiff = autodiff
        self.numeric = numeric
        self.scale = scale
        self.error = abs(autodiff - numeric) / max(abs(autodiff), abs(numeric), scale)

    def __repr__(self):
        return (f"GradCheck(autodiff={self.autodiff!r}, numeric={self.numeric!r}, "
                f"error={self.error:.2e})")


# A central difference (f(x+h) - f(x-h)) / 2h carries rounding noise of about
# ulp(f) / h = 2.2e-16 |f| / h. Gradients are compared relative to their own size, but never
# to less than NOISE_SCALE times that noise: a gradient of 0 whose difference is pure noise
# has an error of about 1e-7, well within render.check's tolerance of 1e-5, while an error
# a hundred times the noise is still flagged.
NOISE_SCALE = 1e7
_ULP = 2.220446049250313e-16


def gradcheck(output: Value, inputs: Union[Value, Sequence[Value]],
              eps: float = 1e-6) -> list[GradCheck]:
    """Compare autodiff gradients with central finite differences, one GradCheck per input.

    Inputs are nudged in place and restored; the graph is left as it was.
    The largest relative error is max(c.error for c in result).
    """
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    order = topological_order(output)
    autodiff = grad(output, inputs)
    size = abs(output.data)
    checks = []
    for x, analytic in zip(inputs, autodiff):
        original = x.data
        h = eps * max(1.0, abs(original))
        try:
            x.data = original + h
            up = recompute(output, order).data
            x.data = original - h
            down = recompute(output, order).data
        finally:
            x.data = original
            recompute(output, order)
        noise = _ULP * max(size, abs(up), abs(down)) / h
        checks.append(GradCheck(x, analytic, (up - down) / (2 * h),
                                scale=max(NOISE_SCALE * noise, 1e-8)))
    return checks
