"""The training loop: micrograd's demo numbers, the micrograd lecture's regression, history, callbacks,
mini-batches, a replaceable step function, and stopping with KeyboardInterrupt."""

from pathlib import Path

import pytest

from microcalc import MicrocalcError, Value, grad
from microcalc.nn import (MLP, SGD, Dataset, GraphStep, LinearDecay, Objective, accuracy,
                          blobs, load_csv, moons, predict, train)
from microcalc.nn.training import percent

MOONS = Path(__file__).resolve().parent.parent / "examples" / "data" / "moons100.csv"
LECTURE_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
LECTURE_YS = [1.0, -1.0, -1.0, 1.0]


def demo_run(steps, **options):
    """micrograd's demo through train(): same init, loss, L2 and schedule."""
    net = MLP(2, [16, 16, 1], seed=1337)
    return net, train(net, load_csv(MOONS), loss="hinge", l2=1e-4, steps=steps,
                      lr=LinearDecay(1.0, 0.1, 100), **options)


def test_first_steps_are_micrograds():
    _, run = demo_run(2)
    assert run.losses == pytest.approx([0.8958441028683222, 1.723590533697202], rel=1e-9)
    assert run.accuracies == [0.5, 0.81]
    assert [r.lr for r in run.history] == [1.0, 1.0 - 0.9 / 100]


@pytest.mark.slow
def test_train_is_the_hand_written_loop():
    """Five steps of train(), rebuilding the graph each step, leave exactly the parameters
    of the demo's own loop."""
    _, run = demo_run(5, compiled=False)
    data = load_csv(MOONS)
    net = MLP(2, [16, 16, 1], seed=1337)
    losses = []
    for k in range(5):
        scores = [net(list(map(Value, row))) for row in data.inputs]
        hinge = [(1 + -y * s).relu() for y, s in zip(data.labels, scores)]
        total = sum(hinge) * (1.0 / len(hinge)) + 1e-4 * sum(p * p for p in net.parameters())
        net.zero_grad()
        total.backward()
        for p in net.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        losses.append(total.data)
    assert run.losses == losses
    assert [p.data for p in run.model.parameters()] == [p.data for p in net.parameters()]


@pytest.mark.slow
def test_compiled_training_follows_the_rebuilt_graphs_trajectory():
    """Replaying the recorded graph (the default for full batches) gives micrograd's demo
    losses, and every loss and parameter of the eager run over 100 steps to 1e-9; only
    the order in which gradient contributions are added differs."""
    eager_net, eager = demo_run(100, compiled=False)
    net, run = demo_run(100)
    assert run.losses == pytest.approx(eager.losses, rel=1e-9)
    assert run.accuracies == eager.accuracies
    assert run.losses[-1] == pytest.approx(0.010978370135492717, rel=1e-9)
    assert run.accuracies[-1] == 1.0
    assert [p.data for p in net.parameters()] == pytest.approx(
        [p.data for p in eager_net.parameters()], rel=1e-9, abs=1e-12)


def test_compiled_and_rebuilt_steps_agree_on_softmax_with_adam():
    data = blobs(30, centers=3, seed=2)
    runs = []
    for how in (True, False):
        net = MLP(2, [6, 3], seed=5)
        runs.append(train(net, data, loss="softmax", optimizer="adam", lr=0.05, steps=20,
                          compiled=how))
    assert runs[0].losses == pytest.approx(runs[1].losses, rel=1e-9)
    assert runs[0].accuracies == runs[1].accuracies


def test_compiled_training_needs_the_full_batch():
    with pytest.raises(MicrocalcError, match="full-batch"):
        train(MLP(2, [3, 1], seed=0), moons(20, seed=0), steps=3, batch_size=5,
              compiled=True)


def test_the_lectures_regression():
    """MLP(3, [4, 4, 1]) with tanh, squared error, lr 0.05, 50 steps: about 4.8 to below 0.01."""
    net = MLP(3, [4, 4, 1], activation="tanh", seed=6)
    run = train(net, Dataset(LECTURE_XS, LECTURE_YS, "lecture"), loss="sse", steps=50, lr=0.05)
    assert run.losses[0] == pytest.approx(4.8, abs=0.1)
    assert run.losses[-1] < 0.01
    assert all(later < earlier for earlier, later in zip(run.losses, run.losses[1:]))
    assert run.accuracies == [None] * 50
    for x, y in zip(LECTURE_XS, LECTURE_YS):
        assert predict(net, x) == pytest.approx(y, abs=0.1)


def test_history_callback_and_summary():
    seen = []
    net = MLP(2, [4, 1], seed=0)
    run = train(net, moons(30, seed=0), steps=7, lr=0.1,
                callback=lambda run, record: seen.append((len(run.history), record.step)))
    assert seen == [(k + 1, k) for k in range(7)]
    assert len(run.history) == 7 and not run.interrupted
    assert run.loss.name == "hinge"                   # the default for -1/+1 labels
    text = str(run)
    assert text.startswith("7 steps: MLP(2, [4, 1]) on moons (30 examples), hinge loss, SGD(")
    assert f"loss {run.losses[0]:.4g} -> {run.losses[-1]:.4g}" in text
    assert "accuracy" in text


def test_accuracy_is_never_rounded_up_to_perfect():
    assert [percent(x) for x in (0.5, 0.81, 199 / 200, 1.0, 14 / 15)] == \
        ["50%", "81%", "99.5%", "100%", "93.3%"]


def test_softmax_and_adam_learn_three_blobs():
    data = blobs(60, centers=3, spread=0.3, seed=1)
    net = MLP(2, [8, 3], seed=2)
    run = train(net, data, steps=60, optimizer="adam", lr=0.05)
    assert run.loss.name == "softmax"
    assert run.accuracies[-1] == 1.0
    assert accuracy(net, data) == 1.0
    assert run.classify(data.inputs[0]) == data.labels[0]


def test_mini_batches_are_seeded():
    data = moons(40, seed=3)

    def losses(seed):
        return train(MLP(2, [4, 1], seed=0), data, steps=6, batch_size=8, seed=seed).losses

    assert losses(1) == losses(1)
    assert losses(1) != losses(2)


def test_a_step_function_can_replace_graph_building():
    """The part a compiled replay replaces: here gradients through grad() instead of backward()."""
    data = moons(20, seed=4)

    class FunctionalStep:
        def __init__(self, objective):
            self.objective = objective

        def __call__(self, batch):
            total, outputs, targets = self.objective(batch)
            params = self.objective.model.parameters()
            for p, g in zip(params, grad(total, params)):
                p.grad = g
            return total.data, self.objective.accuracy(outputs, targets)

    a = MLP(2, [5, 1], seed=9)
    b = MLP(2, [5, 1], seed=9)
    run_a = train(a, data, steps=4, lr=0.2, compiled=False)
    run_b = train(b, data, steps=4, lr=0.2,
                  step_function=FunctionalStep(Objective(b, "hinge", classes=data.classes)))
    assert run_a.losses == run_b.losses
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def parameters_after(steps):
    net = MLP(2, [4, 1], seed=0)
    train(net, moons(20, seed=0), steps=steps, optimizer="adam", lr=0.05)
    return [p.data for p in net.parameters()]


def test_interrupt_in_callback_keeps_the_finished_step():
    def stop_after_third(run, record):
        if record.step == 2:
            raise KeyboardInterrupt

    net = MLP(2, [4, 1], seed=0)
    run = train(net, moons(20, seed=0), steps=10, optimizer="adam", lr=0.05,
                callback=stop_after_third)
    assert run.interrupted and len(run.history) == 3
    assert [p.data for p in net.parameters()] == parameters_after(3)
    assert "stopped after 3 of 10 steps" in str(run)


def test_interrupt_while_computing_gradients_keeps_the_last_step():
    data = moons(20, seed=0)
    net = MLP(2, [4, 1], seed=0)
    graph_step = GraphStep(Objective(net, "hinge", classes=data.classes))
    calls = []

    def step_function(batch):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return graph_step(batch)

    run = train(net, data, steps=10, optimizer="adam", lr=0.05, step_function=step_function)
    assert len(run.history) == 2
    assert [p.data for p in net.parameters()] == parameters_after(2)
    assert all(p.grad == 0 for p in net.parameters())


def test_interrupt_halfway_through_an_update_undoes_it():
    class BreaksMidUpdate(SGD):
        calls = 0

        def _update(self, lr):
            BreaksMidUpdate.calls += 1
            if BreaksMidUpdate.calls == 4:
                self.parameters[0].data += 123.0      # one parameter changed, then stop
                raise KeyboardInterrupt
            super()._update(lr)

    net = MLP(2, [4, 1], seed=0)
    run = train(net, moons(20, seed=0), steps=10, optimizer=BreaksMidUpdate(net.parameters(),
                                                                             lr=0.1))
    assert len(run.history) == 3 and run.optimizer.steps == 3
    reference = MLP(2, [4, 1], seed=0)
    train(reference, moons(20, seed=0), steps=3, lr=0.1)
    assert [p.data for p in net.parameters()] == [p.data for p in reference.parameters()]


def test_interrupt_can_be_raised_again():
    def stop(run, record):
        raise KeyboardInterrupt

    net = MLP(2, [4, 1], seed=0)
    with pytest.raises(KeyboardInterrupt):
        train(net, moons(20, seed=0), steps=5, callback=stop, catch_interrupt=False)


@pytest.mark.parametrize("options, message", [
    (dict(loss="cubic"), "unknown loss 'cubic'"),
    (dict(optimizer="rmsprop"), "unknown optimizer 'rmsprop'"),
    (dict(steps=-1), "steps must be >= 0"),
    (dict(batch_size=0), "batch size must be at least 1"),
    (dict(loss="softmax"), "2 classes but the network has 1 outputs"),
])
def test_bad_training_options(options, message):
    with pytest.raises(MicrocalcError, match=message):
        train(MLP(2, [3, 1], seed=0), moons(10, seed=0), **options)


def test_compiled_step_records_again_when_a_recorded_constant_no_longer_fits(monkeypatch):
    """softmax subtracts the largest logit, recorded as a constant; when a huge step moves
    the logits so far that exp overflows at the old constant, the graph is recorded again
    at the new parameters and the losses stay those of the rebuilt graphs."""
    from microcalc.nn import training
    recorded = []
    record = training.CompiledStep._record
    monkeypatch.setattr(training.CompiledStep, "_record",
                        lambda self: (recorded.append(1), record(self)))
    data = blobs(30, centers=3, seed=2)
    runs = [train(MLP(2, [6, 3], seed=5), data, loss="softmax", lr=3000.0, steps=4,
                  compiled=how) for how in (True, False)]
    assert len(recorded) > 1
    assert runs[0].losses == pytest.approx(runs[1].losses, rel=1e-9)
    assert runs[0].losses[-1] > 1e20
