"""Optimizers and learning-rate schedules against updates computed by hand."""

import math

import pytest

from microcalc import MicrocalcError, Value
from microcalc.nn import SGD, Adam, Constant, CosineDecay, ExponentialDecay, LinearDecay


def with_grads(data, grads):
    ps = [Value(x) for x in data]
    for p, g in zip(ps, grads):
        p.grad = g
    return ps


def test_plain_sgd_is_micrograds_update():
    ps = with_grads([0.5, -1.25], [0.1, -3.0])
    SGD(ps, lr=0.3).step()
    assert [p.data for p in ps] == [0.5 - 0.3 * 0.1, -1.25 - 0.3 * -3.0]


def test_sgd_momentum_by_hand():
    (p,) = ps = with_grads([1.0], [2.0])
    opt = SGD(ps, lr=0.1, momentum=0.9)
    opt.step()                     # v = 2,            p = 1 - 0.2 = 0.8
    assert p.data == pytest.approx(0.8, rel=1e-15)
    p.grad = 1.0
    opt.step()                     # v = 0.9*2 + 1 = 2.8, p = 0.8 - 0.28 = 0.52
    assert p.data == pytest.approx(0.52, rel=1e-15)
    assert opt.velocity == pytest.approx([2.8])


def test_sgd_weight_decay_by_hand():
    (p,) = ps = with_grads([2.0], [0.5])
    SGD(ps, lr=0.1, weight_decay=0.25).step()     # g = 0.5 + 0.25*2 = 1, p = 2 - 0.1
    assert p.data == pytest.approx(1.9, rel=1e-15)


def test_adam_by_hand():
    (p,) = ps = with_grads([1.0], [0.5])
    opt = Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    opt.step()
    # t=1: m = 0.05, v = 0.00025; m^ = 0.5, v^ = 0.25; step = 0.01 * 0.5 / (0.5 + 1e-8)
    assert p.data == pytest.approx(1.0 - 0.01 * 0.5 / (0.5 + 1e-8), rel=1e-15)
    first = p.data
    p.grad = -1.0
    opt.step()
    m = 0.9 * 0.05 + 0.1 * -1.0
    v = 0.999 * 0.00025 + 0.001 * 1.0
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    assert p.data == pytest.approx(first - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8), rel=1e-15)


def test_adam_minimises_a_quadratic():
    x, y = Value(3.0), Value(-2.0)
    opt = Adam([x, y], lr=0.1)
    for _ in range(300):
        loss = (x - 1) ** 2 + 10 * (y + 0.5) ** 2
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert x.data == pytest.approx(1.0, abs=1e-3)
    assert y.data == pytest.approx(-0.5, abs=1e-3)


def test_sgd_momentum_minimises_a_quadratic():
    x = Value(5.0)
    opt = SGD([x], lr=0.05, momentum=0.8)
    for _ in range(200):
        loss = (x - 2) ** 2
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert x.data == pytest.approx(2.0, abs=1e-6)


def test_linear_decay_is_the_demos_schedule_to_the_bit():
    schedule = LinearDecay(1.0, 0.1, 100)
    assert [schedule(k) for k in range(100)] == [1.0 - 0.9 * k / 100 for k in range(100)]
    assert schedule(100) == schedule(250) == pytest.approx(0.1)


def test_other_schedules():
    cosine = CosineDecay(1.0, 0.0, 10)
    assert cosine(0) == 1.0 and cosine(5) == pytest.approx(0.5) and cosine(10) == 0.0
    assert cosine(20) == 0.0
    exponential = ExponentialDecay(0.5, 0.9)
    assert exponential(3) == pytest.approx(0.5 * 0.9**3, rel=1e-15)
    assert Constant(0.2)(7) == 0.2


def test_optimizer_follows_its_schedule():
    (p,) = ps = with_grads([0.0], [1.0])
    opt = SGD(ps, lr=LinearDecay(1.0, 0.1, 100))
    for k in range(3):
        assert opt.lr == 1.0 - 0.9 * k / 100
        opt.step()
    assert p.data == pytest.approx(-(1.0 + 0.991 + 0.982), rel=1e-15)


def test_snapshot_and_restore_undo_an_update():
    ps = with_grads([1.0, 2.0], [0.5, -0.5])
    opt = Adam(ps, lr=0.1)
    opt.step()
    saved = opt.snapshot()
    before = ([p.data for p in ps], list(opt.m), list(opt.v), opt.steps)
    opt.step()
    opt.restore(saved)
    assert ([p.data for p in ps], opt.m, opt.v, opt.steps) == before


@pytest.mark.parametrize("bad", [
    lambda: SGD([], lr=-1.0),
    lambda: SGD([], lr="fast"),
    lambda: Adam([], betas=(1.0, 0.5)),
    lambda: ExponentialDecay(0.1, 1.5),
])
def test_bad_settings(bad):
    with pytest.raises(MicrocalcError):
        bad()
