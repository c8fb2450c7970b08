"""Loss functions: a network's outputs and the true targets in, one Value out.

Every loss is the mean over the batch, written as micrograd's demo writes it
(`sum(losses) * (1.0 / n)`), except `sse`, the plain sum of squares the micrograd lecture's regression
uses. Binary labels may be -1/+1 or 0/1 (positive means label > 0); softmax cross-entropy
takes class indices 0..K-1.

`LOSSES` is the one table of them, by name, each with how it turns an output into a
prediction, so the training loop and the language read the same list.
"""

from __future__ import annotations

from ..engine import FUNCTIONS, Value, builds_graph
from ..errors import MicrocalcError

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Sequence, Union
    from ..engine import Value
    Scores = Sequence[Union[Value, float]]

__all__ = ["mse", "sse", "hinge", "binary_cross_entropy", "softmax_cross_entropy",
           "softmax", "l2", "Loss", "LOSSES"]


def _pairs(outputs, targets):
    if len(outputs) != len(targets):
        raise MicrocalcError(f"{len(outputs)} outputs but {len(targets)} targets")
    return zip(outputs, targets)


def _mean(losses):
    if not losses:
        raise MicrocalcError("a loss needs at least one example")
    return sum(losses) * (1.0 / len(losses))


def _squared_errors(predictions, targets):
    errors = []
    for prediction, target in _pairs(predictions, targets):
        if isinstance(prediction, list):
            if not isinstance(target, (list, tuple)) or len(target) != len(prediction):
                raise MicrocalcError(f"a network with {len(prediction)} outputs needs "
                                     f"{len(prediction)} targets per example")
            errors.extend((p - t) ** 2 for p, t in zip(prediction, target))
        else:
            errors.append((prediction - target) ** 2)
    return errors


@builds_graph
def sse(predictions: Scores, targets: Scores) -> Value:
    """Sum of squared errors, sum((p - t)**2): the micrograd lecture's regression loss."""
    return sum(_squared_errors(predictions, targets))


@builds_graph
def mse(predictions: Scores, targets: Scores) -> Value:
    """Mean squared error, mean((p - t)**2)."""
    return _mean(_squared_errors(predictions, targets))


def _sign(label):
    return 1.0 if label > 0 else -1.0


@builds_graph
def hinge(scores: Scores, labels: Sequence[float]) -> Value:
    """Max-margin loss, mean(relu(1 - y*score)) with y = +1 or -1, as micrograd's demo."""
    # The demo's exact expression, so its losses are reproduced to the last digit.
    return _mean([(1 + -_sign(y) * score).relu()
                  for score, y in _pairs(scores, labels)])


@builds_graph
def binary_cross_entropy(logits: Scores, labels: Sequence[float]) -> Value:
    """Cross-entropy of sigmoid(logit) against labels, computed from the logits.

    -t log sigmoid(z) - (1-t) log(1 - sigmoid(z)) = softplus(z) - t*z, with
    softplus(z) = (z + |z|)/2 + log(1 + exp(-|z|)): exp never overflows, and writing
    max(z, 0) as (z + |z|)/2 gives the true derivative sigmoid(0) - t at z = 0 too.
    """
    losses = []
    for z, label in _pairs(logits, labels):
        t = 1.0 if label > 0 else 0.0
        size = abs(z)
        losses.append(0.5 * (z + size) + (1 + (-size).exp()).log() - t * z)
    return _mean(losses)


def softmax(logits: Scores) -> list[Value]:
    """exp(z_i) / sum_j exp(z_j) (Values for Values, floats for floats); the largest
    logit is subtracted first, so no exp overflows."""
    top = max(_data(z) for z in logits)
    exps = [FUNCTIONS["exp"](z - top) for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


@builds_graph
def softmax_cross_entropy(logits: Sequence[Scores], classes: Sequence[int]) -> Value:
    """mean(-log softmax(z)[c]) over rows of logits, c the true class index.

    log-sum-exp with the row's largest logit m taken out: log(sum exp(z_i - m)) - (z_c - m).
    m is a constant of the graph; any constant gives the same value and gradient, the
    largest one keeps every exp at most 1.
    """
    losses = []
    for row, c in _pairs(logits, classes):
        if not isinstance(row, list) or len(row) < 2:
            raise MicrocalcError("softmax cross-entropy needs a network with one output "
                                 "per class (at least 2)")
        c = int(c)
        if not 0 <= c < len(row):
            raise MicrocalcError(f"class {c} is out of range for {len(row)} outputs")
        top = max(z.data for z in row)
        shifted = [z - top for z in row]
        losses.append(sum(s.exp() for s in shifted).log() - shifted[c])
    return _mean(losses)


@builds_graph
def l2(parameters: Sequence[Value], alpha: float) -> Union[Value, float]:
    """alpha * sum(p*p): micrograd's demo regularisation (alpha = 1e-4)."""
    return alpha * sum(p * p for p in parameters)


def _data(x):
    return x.data if isinstance(x, Value) else x


def _argmax(values):
    return max(range(len(values)), key=lambda i: _data(values[i]))


class Loss:
    """A loss by name, with what a prediction is under it (None for regression)."""

    def __init__(self, name, function, doc, classifies, multiclass=False):
        self.name = name
        self.function = function
        self.doc = doc
        self.classifies = classifies        # does accuracy mean anything under it?
        self.multiclass = multiclass        # one output per class, targets are indices

    def __call__(self, outputs, targets):
        return self.function(outputs, targets)

    def correct(self, output, target):
        """Is output (a Value or a list of them) the right answer for target?"""
        if self.multiclass:
            return _argmax(output) == int(target)
        return (_data(output) > 0) == (target > 0)

    def __repr__(self):
        return f"<loss {self.name}>"


LOSSES = {loss.name: loss for loss in (
    Loss("mse", mse, "mean squared error, for regression", classifies=False),
    Loss("sse", sse, "sum of squared errors (the micrograd lecture's regression)", classifies=False),
    Loss("hinge", hinge, "max-margin loss for labels -1/+1 (micrograd's demo)",
         classifies=True),
    Loss("bce", binary_cross_entropy, "binary cross-entropy on logits, labels 0/1 or -1/+1",
         classifies=True),
    Loss("softmax", softmax_cross_entropy,
         "softmax cross-entropy, one output per class, labels 0..K-1", classifies=True,
         multiclass=True),
)}
