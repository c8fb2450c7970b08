"""The cyclic garbage collector is paused while microcalc builds a graph, and the user's
setting is back afterwards, however the build ends."""

import gc
import threading

import pytest

from microcalc.errors import MicrocalcError

from microcalc import Value
from microcalc.engine import collector_paused, grad
from microcalc.nn import MLP, hinge, mse


@pytest.fixture
def collections():
    """The number of collections that start while the test runs."""
    started = []

    def record(phase, info):
        if phase == "start":
            started.append(info["generation"])
    gc.callbacks.append(record)
    try:
        yield started
    finally:
        gc.callbacks.remove(record)


# A build leaves the collector's allocation count high, so one collection may follow as soon
# as the collector is back on: once, over the finished graph, not again and again as it grows.
AFTERWARDS = 1


def test_no_collection_runs_while_a_network_builds_its_graph(collections):
    model = MLP(2, [64, 64, 1], seed=1)
    assert gc.isenabled()
    gc.collect()
    before = len(collections)
    out = model([0.5, -1.5])          # about 8,700 nodes
    assert len(collections) - before <= AFTERWARDS
    assert gc.isenabled()
    # the same number of nodes built outside microcalc's builders: a dozen collections
    x = [Value(0.5), Value(-1.5)]
    gc.collect()
    start = len(collections)
    for _ in range(4300):
        x = [x[0] * 1.0 + x[1], x[1]]
    assert len(collections) - start >= 10
    assert out is not None


def test_the_collector_is_paused_for_losses_and_create_graph(collections):
    x = Value(0.3)
    y = x
    for _ in range(2000):
        y = (y * 1.001).tanh()
    d1 = grad(y, x, create_graph=True)
    outputs = [Value(float(i)) for i in range(1000)]
    targets = [0.0] * 1000
    for build in (lambda: grad(d1, x, create_graph=True), lambda: mse(outputs, targets),
                  lambda: hinge(outputs, [1] * 1000)):
        gc.collect()
        before = len(collections)
        build()
        assert len(collections) - before <= AFTERWARDS


def test_the_users_setting_is_restored():
    model = MLP(2, [4, 1], seed=1)
    gc.disable()
    try:
        model([1.0, 2.0])
        assert not gc.isenabled()      # a collector the user turned off stays off
    finally:
        gc.enable()
    model([1.0, 2.0])
    assert gc.isenabled()
    threshold = gc.get_threshold()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_threshold() == threshold


class Interrupting:
    """An input that raises when the engine reads it, as Ctrl-C would in the middle."""

    def __init__(self, error):
        self.error = error

    def __float__(self):
        raise self.error


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("boom"), TypeError("no")])
def test_the_setting_is_restored_after_an_error_or_ctrl_c(error):
    model = MLP(2, [8, 8, 1], seed=1)
    # A TypeError while multiplying by a weight is how a network finds an input that is not
    # a number, and it says so in its own words; the others pass through as they were.
    refused = MicrocalcError if isinstance(error, TypeError) else type(error)
    with pytest.raises(refused):
        model([1.0, Interrupting(error)])
    assert gc.isenabled()
    with pytest.raises(type(error)):
        mse([Value(1.0), Value(2.0)], [0.0, Interrupting(error)])
    assert gc.isenabled()


def test_pauses_from_several_threads():
    model = MLP(2, [16, 16, 1], seed=1)
    errors = []

    def work():
        try:
            for _ in range(20):
                model([0.1, 0.2])
        except Exception as exc:          # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and gc.isenabled()
