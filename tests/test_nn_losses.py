"""Each loss against hand-computed values, closed-form gradients and finite differences."""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcalc import MicrocalcError, Value, grad, gradcheck
from microcalc.nn import (LOSSES, binary_cross_entropy, hinge, l2, mse, softmax,
                          softmax_cross_entropy, sse)

logits = st.floats(min_value=-30, max_value=30, allow_nan=False)


def values(*numbers):
    return [Value(x) for x in numbers]


def test_squared_errors_by_hand():
    p = values(0.5, -1.0, 2.0)
    targets = [1.0, -1.0, 0.0]
    # errors 0.5, 0, 2 -> squares 0.25, 0, 4
    assert sse(p, targets).data == 4.25
    assert mse(p, targets).data == pytest.approx(4.25 / 3, rel=1e-15)
    assert grad(mse(p, targets), p) == pytest.approx([2 * -0.5 / 3, 0.0, 2 * 2.0 / 3])


def test_squared_errors_with_several_outputs():
    p = [values(1.0, 2.0), values(0.0, 0.0)]
    assert sse(p, [[0.0, 2.0], [1.0, -1.0]]).data == 3.0
    with pytest.raises(MicrocalcError, match="2 targets per example"):
        sse(p, [1.0, 2.0])


def test_hinge_by_hand():
    scores = values(2.0, 0.5, -0.25, 0.25)
    labels = [1, 1, 1, -1]
    # margins y*s: 2, 0.5, -0.25, -0.25 -> relu(1 - m): 0, 0.5, 1.25, 1.25
    loss = hinge(scores, labels)
    assert loss.data == pytest.approx(3.0 / 4, rel=1e-15)
    # d/ds relu(1 - y s) = -y where the margin is below 1, 0 elsewhere; then / 4
    assert grad(loss, scores) == [0.0, -0.25, -0.25, 0.25]


def test_hinge_takes_zero_one_labels_as_minus_one_plus_one():
    scores = values(0.3, -0.8)
    assert hinge(scores, [1, 0]).data == hinge(scores, [1, -1]).data


def _bce_direct(z, t):
    s = Fraction(1) / (1 + Fraction(math.exp(-z)))
    return -(t * math.log(s) + (1 - t) * math.log(1 - s))


@pytest.mark.parametrize("z, t", [(0.0, 1), (0.0, 0), (2.5, 1), (2.5, 0), (-1.5, 1),
                                  (-1.5, 0), (7.0, 1)])
def test_binary_cross_entropy_matches_definition(z, t):
    assert binary_cross_entropy(values(z), [t]).data == pytest.approx(_bce_direct(z, t),
                                                                      rel=1e-12)


def test_binary_cross_entropy_is_stable_for_huge_logits():
    # log(1 + exp(1000)) overflows when written directly; the loss is 1000 (or 0).
    assert binary_cross_entropy(values(1000.0), [0]).data == 1000.0
    assert binary_cross_entropy(values(1000.0), [1]).data == 0.0
    assert binary_cross_entropy(values(-1000.0), [1]).data == 1000.0


@settings(max_examples=60, deadline=None)
@given(z=logits, positive=st.booleans())
def test_binary_cross_entropy_gradient_is_sigmoid_minus_target(z, positive):
    """d/dz BCE = sigmoid(z) - t, including z = 0 exactly."""
    x = Value(z)
    t = 1.0 if positive else 0.0
    label = 1 if positive else -1          # -1/+1 labels mean the same as 0/1
    derivative = grad(binary_cross_entropy([x], [label]), x)
    assert derivative == pytest.approx(1 / (1 + math.exp(-z)) - t, abs=1e-12)


def test_binary_cross_entropy_at_zero_logit():
    x = Value(0.0)
    assert grad(binary_cross_entropy([x], [1]), x) == -0.5
    assert grad(binary_cross_entropy([x], [0]), x) == 0.5


def test_softmax_by_hand():
    p = softmax(values(0.0, math.log(3.0)))
    assert [v.data for v in p] == pytest.approx([0.25, 0.75], rel=1e-15)
    assert [v.data for v in softmax(values(1000.0, 1000.0))] == [0.5, 0.5]
    assert softmax([1000.0, -1000.0]) == [1.0, 0.0]


def test_softmax_cross_entropy_by_hand():
    row = values(0.0, math.log(3.0), 0.0)
    # softmax = (1, 3, 1) / 5
    loss = softmax_cross_entropy([row], [1])
    assert loss.data == pytest.approx(-math.log(3 / 5), rel=1e-14)
    # gradient: softmax - one-hot
    assert grad(loss, row) == pytest.approx([0.2, 0.6 - 1, 0.2], abs=1e-15)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    row = values(1000.0, 0.0, -1000.0)
    assert softmax_cross_entropy([row], [0]).data == 0.0
    assert softmax_cross_entropy([row], [1]).data == 1000.0


@settings(max_examples=40, deadline=None)
@given(zs=st.lists(logits, min_size=2, max_size=5), data=st.data())
def test_softmax_cross_entropy_gradient_is_probabilities_minus_one_hot(zs, data):
    c = data.draw(st.integers(0, len(zs) - 1))
    row = values(*zs)
    top = max(zs)
    exps = [math.exp(z - top) for z in zs]
    probabilities = [e / sum(exps) for e in exps]
    expected = [p - (1.0 if i == c else 0.0) for i, p in enumerate(probabilities)]
    assert grad(softmax_cross_entropy([row], [c]), row) == pytest.approx(expected, abs=1e-12)


def test_softmax_cross_entropy_mean_over_rows_and_bad_classes():
    rows = [values(0.0, 0.0), values(0.0, 0.0)]
    assert softmax_cross_entropy(rows, [0, 1]).data == pytest.approx(math.log(2), rel=1e-15)
    with pytest.raises(MicrocalcError, match="class 2 is out of range"):
        softmax_cross_entropy(rows, [0, 2])
    with pytest.raises(MicrocalcError, match="one output per class"):
        softmax_cross_entropy(values(1.0, 2.0), [0, 1])


def test_l2_by_hand():
    ps = values(1.0, -2.0, 3.0)
    penalty = l2(ps, 1e-4)
    assert penalty.data == pytest.approx(14e-4, rel=1e-15)
    assert grad(penalty, ps) == pytest.approx([2e-4, -4e-4, 6e-4], rel=1e-15)


@pytest.mark.parametrize("name", ["mse", "sse", "hinge", "bce"])
def test_binary_losses_gradcheck(name):
    scores = values(0.3, -1.2, 2.1, -0.4)
    labels = [1, -1, -1, 1]
    checks = gradcheck(LOSSES[name](scores, labels), scores)
    assert max(c.error for c in checks) < 1e-7


def test_softmax_loss_gradcheck():
    rows = [values(0.3, -1.2, 2.1), values(0.5, 0.1, -0.4)]
    checks = gradcheck(LOSSES["softmax"](rows, [2, 0]), rows[0] + rows[1])
    assert max(c.error for c in checks) < 1e-7


def test_loss_table_predictions():
    assert LOSSES["hinge"].correct(Value(0.3), 1) and not LOSSES["hinge"].correct(Value(0.3), -1)
    assert LOSSES["bce"].correct(Value(-2.0), 0)
    assert LOSSES["softmax"].correct(values(0.1, 2.0, 0.3), 1)
    assert not LOSSES["mse"].classifies and LOSSES["softmax"].multiclass


def test_mismatched_lengths():
    with pytest.raises(MicrocalcError, match="2 outputs but 3 targets"):
        hinge(values(1.0, 2.0), [1, 1, -1])
