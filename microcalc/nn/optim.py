"""Optimizers that move parameters against their .grad, and learning-rate schedules.

An optimizer reads each parameter's `.grad` (filled by `loss.backward()`) and changes its
`.data`; it never builds graph nodes. `lr` is a number or a schedule: any callable from
the number of updates done so far (0 for the first) to a learning rate.

`snapshot()` and `restore()` save and put back the parameters and the optimizer's own
state, so an interrupted update can be undone as a whole.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

from ..errors import MicrocalcError

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Iterable
    from ..engine import Value

__all__ = ["Optimizer", "SGD", "Adam", "Constant", "LinearDecay", "CosineDecay",
           "ExponentialDecay", "OPTIMIZERS"]


class Constant:
    """The same learning rate at every step."""

    def __init__(self, lr: float) -> None:
        self.lr = _rate(lr)

    def __call__(self, step: int) -> float:
        return self.lr

    def __repr__(self):
        return f"{self.lr:g}"


class LinearDecay:
    """start - (start - end) * k / steps, then end: micrograd's demo is LinearDecay(1.0, 0.1, 100).

    Written as the demo writes it (1.0 - 0.9*k/100) so the rates are the same floats.
    """

    def __init__(self, start: float, end: float, steps: int) -> None:
        self.start, self.end, self.steps = _rate(start), _rate(end), max(1, int(steps))
        self.drop = self.start - self.end

    def __call__(self, step: int) -> float:
        return self.start - self.drop * min(step, self.steps) / self.steps

    def __repr__(self):
        return f"{self.start:g} falling linearly to {self.end:g}"


class CosineDecay:
    """From start to end along half a cosine over steps, then end."""

    def __init__(self, start: float, end: float, steps: int) -> None:
        self.start, self.end, self.steps = _rate(start), _rate(end), max(1, int(steps))

    def __call__(self, step: int) -> float:
        progress = min(step, self.steps) / self.steps
        return self.end + (self.start - self.end) * 0.5 * (1 + math.cos(math.pi * progress))

    def __repr__(self):
        return f"{self.start:g} falling along a cosine to {self.end:g}"


class ExponentialDecay:
    """start * rate**k."""

    def __init__(self, start: float, rate: float) -> None:
        self.start = _rate(start)
        if not 0 < rate <= 1:
            raise MicrocalcError(f"a decay rate must be in (0, 1], not {rate!r}")
        self.rate = float(rate)

    def __call__(self, step: int) -> float:
        return self.start * self.rate ** step

    def __repr__(self):
        return f"{self.start:g} times {self.rate:g} per step"


def _rate(lr):
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr >= 0 \
            or math.isinf(lr):
        raise MicrocalcError(f"a learning rate must be a number >= 0, not {lr!r}")
    return float(lr)


class Optimizer(ABC):
    """Base: keeps the parameters, the schedule and the number of updates done."""

    def __init__(self, parameters: Iterable[Value], lr: Any) -> None:
        self.parameters = list(parameters)
        self.schedule = lr if callable(lr) else Constant(lr)
        self.steps = 0

    @property
    def lr(self) -> float:
        """The learning rate the next step() will use."""
        return self.schedule(self.steps)

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its .grad, once."""
        self._update(self.lr)
        self.steps += 1

    @abstractmethod
    def _update(self, lr):
        """Move every parameter against its .grad, at learning rate lr (SGD, Adam, ...)."""

    def _buffers(self):
        """The optimizer's own per-parameter state (lists of floats)."""
        return []

    def snapshot(self) -> Any:
        return (self.steps, [p.data for p in self.parameters],
                [list(buffer) for buffer in self._buffers()])

    def restore(self, snapshot: Any) -> None:
        steps, data, buffers = snapshot
        self.steps = steps
        for p, x in zip(self.parameters, data):
            p.data = x
        for buffer, saved in zip(self._buffers(), buffers):
            buffer[:] = saved


class SGD(Optimizer):
    """p -= lr * g, with g = grad + weight_decay * p and, given momentum, v = momentum*v + g.

    With neither it is micrograd's update, `p.data -= lr * p.grad`, to the last bit.
    (Momentum as PyTorch's SGD: the velocity accumulates gradients, lr multiplies it.)
    """

    def __init__(self, parameters: Iterable[Value], lr: Any = 0.01, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(parameters, lr)
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)
        self.velocity = [0.0] * len(self.parameters)

    def _update(self, lr):
        if not self.momentum and not self.weight_decay:
            for p in self.parameters:
                p.data -= lr * p.grad
            return
        decay, momentum, velocity = self.weight_decay, self.momentum, self.velocity
        for i, p in enumerate(self.parameters):
            g = p.grad + decay * p.data
            if momentum:
                g = velocity[i] = momentum * velocity[i] + g
            p.data -= lr * g

    def _buffers(self):
        return [self.velocity]

    def __repr__(self):
        extras = "".join(f", {name}={value:g}" for name, value in (
            ("momentum", self.momentum), ("weight_decay", self.weight_decay)) if value)
        return f"SGD(lr={self.schedule!r}{extras})"


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction:

        m = b1*m + (1-b1)*g,  v = b2*v + (1-b2)*g*g,
        p -= lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps),   t = 1, 2, ...
    weight_decay adds weight_decay * p to g, as PyTorch's Adam.
    """

    def __init__(self, parameters: Iterable[Value], lr: Any = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(parameters, lr)
        self.beta1, self.beta2 = (float(b) for b in betas)
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise MicrocalcError(f"Adam's betas must be in [0, 1), not {tuple(betas)}")
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.m = [0.0] * len(self.parameters)
        self.v = [0.0] * len(self.parameters)

    def _update(self, lr):
        b1, b2, eps, decay = self.beta1, self.beta2, self.eps, self.weight_decay
        t = self.steps + 1
        correct1 = 1.0 - b1 ** t
        correct2 = 1.0 - b2 ** t
        m, v = self.m, self.v
        for i, p in enumerate(self.parameters):
            g = p.grad + decay * p.data
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= lr * (m[i] / correct1) / (math.sqrt(v[i] / correct2) + eps)

    def _buffers(self):
        return [self.m, self.v]

    def __repr__(self):
        return f"Adam(lr={self.schedule!r})"


OPTIMIZERS = {"sgd": SGD, "adam": Adam}
