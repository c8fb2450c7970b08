"""Neural networks and data sets in the language: mlp, the data generators (moons, ...),
load_csv, dataset, train, losses, predict, accuracy, parameters, save and load.

    net = mlp(2, [16, 16, 1], seed=1337)
    data = load_csv("examples/data/moons100.csv")
    run = train(net, data, loss="hinge", l2=1e-4, lr=[1, 0.1], steps=100)
    net([0.5, -0.2])

A network is an ordinary Python callable, so the compiler calls it like any callable object
a variable holds: `net([x1, x2])` runs the network on Values and gives a Value (or a list
for several outputs) that grad() and the graph commands can follow. Training emits
"progress" events; `plot run` and `boundary run` (library/graphs.py) draw what the returned
TrainingRun holds.

`microcalc.nn` is imported by the builtins' bodies, on first use: a one-line calculation
piped to microcalc never loads it.
"""

import inspect
import time

from ...errors import MicrocalcError
from ...nn import datasets as _datasets
from ..arguments import file_path, is_number, number, text, whole
from ..context import Event
from ..format import describe_kind
from .registry import builtin


def _nn():
    from ... import nn
    return nn


_network_class = None


def _network_type():
    """An MLP as the language shows it: one line, not micrograd's list of every neuron."""
    global _network_class
    if _network_class is None:
        class Network(_nn().MLP):
            def __str__(self):
                return f"{self.describe()}: {len(self.parameters())} parameters"

            def to_data(self):
                return {"network": self.describe(), "parameters": len(self.parameters())}
        _network_class = Network
    return _network_class


def _network(net, who):
    if not isinstance(net, _nn().Module):
        raise MicrocalcError(f"{who} needs a network (made by mlp), not {describe_kind(net)}")
    return net


def _data(data, who):
    if not isinstance(data, _nn().Dataset):
        raise MicrocalcError(f"{who} needs a data set (from moons, load_csv, dataset, ...), "
                             f"not {describe_kind(data)}")
    return data


def _optional_text(x, what):
    return None if x is None else text(x, what)


@builtin("mlp", "A multi-layer perceptron with `inputs` inputs and one layer per size in "
         "`sizes`: ReLU hidden layers and a linear output, as micrograd's. activation= and "
         "output= choose the hidden and last layers' function (relu, tanh, sigmoid or "
         "linear), init= how the weights are drawn; the same seed= gives the same weights.",
         example="net = mlp(2, [16, 16, 1], seed=1337)\nnet([0.5, -1])", category="nn")
def mlp(ctx, inputs, sizes, activation="relu", output="linear", init="uniform", seed=None):
    if not isinstance(sizes, (list, tuple)):
        raise MicrocalcError("mlp needs a list of layer sizes, as in mlp(2, [16, 16, 1])")
    return _network_type()(
        whole(inputs, "the number of inputs"), [whole(n, "a layer size") for n in sizes],
        activation=text(activation, "activation", '"relu"'),
        output=text(output, "output", '"linear"'), init=text(init, "init", '"uniform"'),
        seed=None if seed is None else whole(seed, "seed"))


def _generator_builtin(name, generate):
    """A data generator of microcalc.nn as a builtin with the same parameters."""
    parameters = list(inspect.signature(generate).parameters.values())

    def make(ctx, *args, **kwargs):
        options = dict(zip((p.name for p in parameters), args), **kwargs)
        for key, value in options.items():
            value = number(value, f"{name}'s {key}")
            options[key] = int(value) if value.is_integer() else value
        return generate(**options)

    make.__signature__ = inspect.Signature(
        [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD)] + parameters)
    description = " ".join(inspect.getdoc(generate).split("\n\n")[0].split())
    builtin(name, description, example=f"data = {name}(100, seed=1)\ndata",
            category="data")(make)


for _name, _generate in _datasets.GENERATORS.items():
    _generator_builtin(_name, _generate)


@builtin("load_csv", "A data set read from a CSV file: numbers, one example per row, the "
         "label in the last column; a first row of column names is skipped. A relative "
         "file name is taken from the script's folder (in a script), as for save and load.",
         example='data = load_csv("examples/data/moons100.csv")', category="data")
def load_csv(ctx, path):
    return _nn().load_csv(file_path(ctx, path, "load_csv"))


@builtin("dataset", "A data set made from a list of input rows and a list of labels, one "
         "per row.",
         example="data = dataset([[2, 3, -1], [3, -1, 0.5]], [1, -1])", category="data")
def dataset(ctx, inputs, labels, name="data"):
    if not isinstance(inputs, (list, tuple)) or not isinstance(labels, (list, tuple)):
        raise MicrocalcError("dataset needs a list of input rows and a list of labels")
    return _nn().Dataset(inputs, labels, text(name, "name"))


def _learning_rate(lr, steps, schedule):
    """A number: constant. A list [start, end]: from start to end over the steps."""
    if lr is None:
        return None
    if isinstance(lr, (list, tuple)):
        if len(lr) != 2:
            raise MicrocalcError("lr is a number, or [start, end] to fall from start to end")
        start, end = (number(x, "lr") for x in lr)
        decays = {"linear": _nn().LinearDecay, "cosine": _nn().CosineDecay}
        if schedule not in decays:
            raise MicrocalcError(f"unknown schedule {schedule!r}: choose linear or cosine")
        return decays[schedule](start, end, steps)
    return number(lr, "lr")


class _Progress:
    """Sends a training run's progress as events: a live line at most every LIVE seconds,
    and a line to keep (data["report"]) on the first step, every `every` steps and the last."""

    LIVE = 0.05

    def __init__(self, ctx, steps, every):
        self.ctx, self.steps, self.every = ctx, steps, every
        self.shown_at = 0.0

    def __call__(self, run, record):
        done = record.step + 1
        report = done == 1 or done % self.every == 0 or done == self.steps
        now = time.perf_counter()
        if not report and now - self.shown_at < self.LIVE:
            return
        self.shown_at = now
        speed = run.steps_per_second
        from ...nn.training import percent
        line = f"step {done}/{self.steps}  loss {record.loss:.6g}"
        if record.accuracy is not None:
            line += f"  accuracy {percent(record.accuracy)}"
        line += f"  {speed:.1f} steps/s"
        self.ctx.emit(Event("progress", line, {
            "step": done, "steps": self.steps, "loss": record.loss,
            "accuracy": record.accuracy, "lr": record.lr, "steps_per_second": speed,
            "report": report}))


@builtin("train", "Train a network on a data set, showing its progress, and give the run "
         "(plot run draws its losses, boundary run its decisions). The loss is chosen from "
         "the labels and outputs (softmax for several outputs, hinge for two classes, mse "
         "otherwise) unless loss= names one; lr= is a number "
         "or [start, end] falling by schedule= (linear or cosine); batch= trains on random "
         "mini-batches of that size instead of the whole set; l2=, momentum= and "
         "weight_decay= regularise; every= sets how often a report line is kept (a tenth of "
         "the steps unless given).",
         example='run = train(net, data, loss="hinge", l2=1e-4, lr=[1, 0.1], steps=100)',
         category="nn")
def train(ctx, net, data, loss=None, steps=100, lr=None, optimizer="sgd", batch=None,
          l2=0, momentum=0, weight_decay=0, seed=0, every=None, schedule="linear"):
    net = _network(net, "train")
    data = _data(data, "train")
    steps = whole(steps, "steps", at_least=1)
    optimizer = text(optimizer, "optimizer", '"sgd"')
    options = {}
    if number(momentum, "momentum"):
        if optimizer != "sgd":
            raise MicrocalcError("momentum is an option of the sgd optimizer")
        options["momentum"] = number(momentum, "momentum")
    if number(weight_decay, "weight_decay"):
        options["weight_decay"] = number(weight_decay, "weight_decay")
    batch = whole(batch, "batch") if batch is not None else None
    every = whole(every, "every", at_least=1) if every is not None else max(1, steps // 10)
    schedule = text(schedule, "schedule", '"linear"')
    run = _nn().train(net, data, loss=_optional_text(loss, "loss"), steps=steps,
                      optimizer=optimizer, lr=_learning_rate(lr, steps, schedule),
                      l2=number(l2, "l2"), batch_size=batch or None,
                      seed=whole(seed, "seed"), callback=_Progress(ctx, steps, every),
                      **options)
    if run.interrupted:
        if not ctx.settings.interactive:
            raise KeyboardInterrupt
        done = len(run.history)
        ctx.stopped_early = f"training stopped by Ctrl-C at step {done} of {steps}"
        ctx.emit(Event("note", f"stopped at step {done} of {steps}: the network keeps the "
                       f"parameters of step {done}", {"steps_done": done}))
    return run


@builtin("losses", "A training run's loss at every step, first to last, as a list of numbers.",
         example="losses(run)[0]", category="nn")
def losses(ctx, run):
    if not isinstance(run, _nn().TrainingRun):
        raise MicrocalcError(f"losses needs a training run (what train gives), "
                             f"not {describe_kind(run)}")
    return run.losses


@builtin("predict", "The network's output as plain numbers, for one row of inputs or for "
         "every row of a data set.",
         example="predict(net, [0.5, -1])", category="nn")
def predict(ctx, net, inputs):
    net = _network(net, "predict")
    nn = _nn()
    if isinstance(inputs, nn.Dataset):
        return [nn.predict(net, row) for row in inputs.inputs]
    if not isinstance(inputs, (list, tuple)) and not is_number(inputs):
        raise MicrocalcError(f"predict needs a list of inputs or a data set, "
                             f"not {describe_kind(inputs)}")
    return nn.predict(net, inputs)


@builtin("accuracy", "The fraction of a data set the network classifies right (1 is all of "
         "it); loss= says how scores become classes when the labels do not.",
         example="accuracy(net, data)", category="nn")
def accuracy(ctx, net, data, loss=None):
    net, data = _network(net, "accuracy"), _data(data, "accuracy")
    result = _nn().accuracy(net, data, _optional_text(loss, "loss"))
    if result is None:
        raise MicrocalcError("accuracy needs a classifier: these labels are regression targets")
    return result


@builtin("parameters", "The network's weights and biases, as a list of values that grad can "
         "differentiate by.",
         example="len(parameters(mlp(3, [4, 4, 1])))", category="nn")
def parameters(ctx, net):
    return _network(net, "parameters").parameters()


@builtin("save", "Write the network's parameters to a JSON file, replacing it whole or not "
         "at all. A relative file name is taken from the script's folder (in a script), as "
         "for load and load_csv.",
         example='save(net, "model.json")', category="nn")
def save(ctx, net, path):
    net = _network(net, "save")
    path = file_path(ctx, path, "save", '"model.json"')
    _nn().save(net, path)
    count = len(net.parameters())
    ctx.emit(Event("note", f"saved {count} parameters to {path}",
                   {"path": path, "parameters": count}))


@builtin("load", "Set the network's parameters from a file written by save, and give the "
         "network.",
         example='net = load(mlp(2, [16, 16, 1]), "model.json")', category="nn")
def load(ctx, net, path):
    return _nn().load(_network(net, "load"), file_path(ctx, path, "load", '"model.json"'))
