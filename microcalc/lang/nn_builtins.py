"""The language's neural networks and data: mlp, moons (and the other generators),
load_csv, dataset, train, predict, accuracy, parameters, save, load.

    net = mlp(2, [16, 16, 1], seed=1337)
    data = load_csv("examples/data/moons100.csv")
    run = train(net, data, loss="hinge", l2=1e-4, lr=[1, 0.1], steps=100)
    net([0.5, -0.2])

A network is an ordinary Python callable, so the evaluator calls it like any callable
object it holds: `net([x1, x2])` runs the network on Values and gives a Value (or a list
for several outputs) that grad() and the graph commands can follow. Training emits
"progress" events; `plot run` and `boundary run` (microcalc.render.commands) draw what the
returned TrainingRun holds (its losses, model and data).
"""

import inspect
import os
import time

from ..engine import Value
from ..errors import MicrocalcError
from .. import nn
from ..nn.training import percent
from .builtins import builtin
from .context import Event
from .format import describe_kind
from .values import whole_number


class Network(nn.MLP):
    """An MLP as the language shows it: one line, not micrograd's list of every neuron."""

    def __str__(self):
        return f"{self.describe()}: {len(self.parameters())} parameters"

    def to_data(self):
        return {"network": self.describe(), "parameters": len(self.parameters())}


def _number(x, what):
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise MicrocalcError(f"{what} must be a number, not {describe_kind(x)}")
    return float(x)


def _text(x, what):
    if not isinstance(x, str):
        raise MicrocalcError(f"{what} must be a string, such as \"relu\", "
                             f"not {describe_kind(x)}")
    return x


def _network(net, who):
    if not isinstance(net, nn.Module):
        raise MicrocalcError(f"{who} needs a network (made by mlp), not {describe_kind(net)}")
    return net


def _data(data, who):
    if not isinstance(data, nn.Dataset):
        raise MicrocalcError(f"{who} needs a data set (from moons, load_csv, dataset, ...), "
                             f"not {describe_kind(data)}")
    return data


def _path(ctx, path, who):
    """A relative path is looked up next to the running script (when the session knows it),
    then in the current directory."""
    path = _text(path, f"{who}'s file name")
    if os.path.isabs(path):
        return path
    directory = ctx.directory
    if directory:
        beside_script = os.path.join(directory, path)
        if os.path.exists(beside_script):
            return beside_script
    return path


@builtin("mlp", 'mlp(inputs, [sizes], activation="relu", output="linear", init="uniform", '
         'seed=1)',
         "a multi-layer perceptron: ReLU hidden layers and a linear output, as micrograd's",
         example="net = mlp(2, [16, 16, 1], seed=1337)\nnet([0.5, -1])", category="nn")
def mlp(ctx, inputs, sizes, activation="relu", output="linear", init="uniform", seed=None):
    if not isinstance(sizes, (list, tuple)):
        raise MicrocalcError("mlp needs a list of layer sizes, as in mlp(2, [16, 16, 1])")
    return Network(whole_number(inputs, "the number of inputs"),
                   [whole_number(n, "a layer size") for n in sizes],
                   activation=_text(activation, "activation"),
                   output=_text(output, "output"), init=_text(init, "init"),
                   seed=None if seed is None else whole_number(seed, "seed"))


def _generator_builtin(name, generate):
    parameters = list(inspect.signature(generate).parameters.values())
    signature = f"{name}({', '.join(f'{p.name}={p.default}' for p in parameters)})"
    doc = inspect.getdoc(generate).split("\n")[0].rstrip(".")

    def make(ctx, *args, **kwargs):
        options = dict(zip((p.name for p in parameters), args), **kwargs)
        for key, value in options.items():
            value = _number(value, f"{name}'s {key}")
            options[key] = int(value) if value.is_integer() else value
        return generate(**options)

    make.__signature__ = inspect.Signature(
        [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [p.replace(annotation=inspect.Parameter.empty) for p in parameters])
    example = f"data = {name}(100, seed=1)\ndata"
    builtin(name, signature, doc, example=example, category="data")(make)


for _name, _generate in nn.GENERATORS.items():
    _generator_builtin(_name, _generate)


@builtin("load_csv", 'load_csv("file.csv")',
         "a data set from a CSV file: numbers, the label in the last column, a header allowed",
         example='data = load_csv("examples/data/moons100.csv")', category="data")
def load_csv(ctx, path):
    return nn.load_csv(_path(ctx, path, "load_csv"))


@builtin("dataset", "dataset([[inputs], ...], [labels])",
         "a data set from a list of input rows and a list of labels",
         example="data = dataset([[2, 3, -1], [3, -1, 0.5]], [1, -1])", category="data")
def dataset(ctx, inputs, labels, name="data"):
    if not isinstance(inputs, (list, tuple)) or not isinstance(labels, (list, tuple)):
        raise MicrocalcError("dataset needs a list of input rows and a list of labels")
    return nn.Dataset(inputs, labels, _text(name, "name"))


def _learning_rate(lr, steps, schedule):
    """A number: constant. A list [start, end]: from start to end over the steps."""
    if lr is None:
        return None
    if isinstance(lr, (list, tuple)):
        if len(lr) != 2:
            raise MicrocalcError("lr is a number, or [start, end] to fall from start to end")
        start, end = (_number(x, "lr") for x in lr)
        if schedule == "linear":
            return nn.LinearDecay(start, end, steps)
        if schedule == "cosine":
            return nn.CosineDecay(start, end, steps)
        raise MicrocalcError(f"unknown schedule {schedule!r}: choose linear or cosine")
    return _number(lr, "lr")


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
        text = f"step {done}/{self.steps}  loss {record.loss:.6g}"
        if record.accuracy is not None:
            text += f"  accuracy {percent(record.accuracy)}"
        text += f"  {speed:.1f} steps/s"
        self.ctx.emit(Event("progress", text, {
            "step": done, "steps": self.steps, "loss": record.loss,
            "accuracy": record.accuracy, "lr": record.lr, "steps_per_second": speed,
            "report": report}))


@builtin("train", 'train(net, data, loss="hinge", steps=100, lr=0.1, optimizer="sgd", '
         'batch=0, l2=0, momentum=0, every=10)',
         "train a network on a data set, showing progress; returns the run (plot run, "
         "boundary run)",
         example='run = train(net, data, loss="hinge", l2=1e-4, lr=[1, 0.1], steps=100)',
         category="nn")
def train(ctx, net, data, loss=None, steps=100, lr=None, optimizer="sgd", batch=None,
          l2=0, momentum=0, weight_decay=0, seed=0, every=None, schedule="linear"):
    net = _network(net, "train")
    data = _data(data, "train")
    steps = whole_number(steps, "steps")
    if steps < 1:
        raise MicrocalcError(f"steps must be at least 1, not {steps}")
    optimizer = _text(optimizer, "optimizer")
    options = {}
    if _number(momentum, "momentum"):
        if optimizer != "sgd":
            raise MicrocalcError("momentum is an option of the sgd optimizer")
        options["momentum"] = _number(momentum, "momentum")
    if _number(weight_decay, "weight_decay"):
        options["weight_decay"] = _number(weight_decay, "weight_decay")
    batch = whole_number(batch, "batch") if batch is not None else None
    every = whole_number(every, "every") if every is not None else max(1, steps // 10)
    if every < 1:
        raise MicrocalcError(f"every must be at least 1, not {every}")
    run = nn.train(net, data, loss=None if loss is None else _text(loss, "loss"), steps=steps,
                   optimizer=optimizer, lr=_learning_rate(lr, steps, _text(schedule, "schedule")),
                   l2=_number(l2, "l2"), batch_size=batch or None,
                   seed=whole_number(seed, "seed"), callback=_Progress(ctx, steps, every),
                   **options)
    if run.interrupted:
        if not ctx.settings.interactive:
            raise KeyboardInterrupt
        done = len(run.history)
        ctx.emit(Event("note", f"stopped at step {done} of {steps}: the network keeps the "
                       f"parameters of step {done}", {"steps_done": done}))
    return run


@builtin("losses", "losses(run)",
         "a training run's loss at every step, first to last, as a list of numbers",
         example="losses(run)[0]", category="nn")
def losses(ctx, run):
    if not isinstance(run, nn.TrainingRun):
        raise MicrocalcError(f"losses needs a training run (what train gives), "
                             f"not {describe_kind(run)}")
    return run.losses


@builtin("predict", "predict(net, [inputs])  or  predict(net, data)",
         "the network's output as plain numbers, for one input row or every row of a data set",
         example="predict(net, [0.5, -1])", category="nn")
def predict(ctx, net, points):
    net = _network(net, "predict")
    if isinstance(points, nn.Dataset):
        return [nn.predict(net, row) for row in points.inputs]
    if not isinstance(points, (list, tuple, float, int, Value)):
        raise MicrocalcError(f"predict needs a list of inputs or a data set, "
                             f"not {describe_kind(points)}")
    return nn.predict(net, points)


@builtin("accuracy", 'accuracy(net, data, loss="hinge")',
         "the fraction of a data set the network classifies right (1 is all of it)",
         example="accuracy(net, data)", category="nn")
def accuracy(ctx, net, data, loss=None):
    net, data = _network(net, "accuracy"), _data(data, "accuracy")
    result = nn.accuracy(net, data, None if loss is None else _text(loss, "loss"))
    if result is None:
        raise MicrocalcError("accuracy needs a classifier: these labels are regression targets")
    return result


@builtin("parameters", "parameters(net)",
         "the network's weights and biases, as a list of values (grad can use them)",
         example="len(parameters(mlp(3, [4, 4, 1])))", category="nn")
def parameters(ctx, net):
    return _network(net, "parameters").parameters()


@builtin("save", 'save(net, "file.json")',
         "write the network's parameters to a JSON file",
         example='save(net, "model.json")', category="nn")
def save(ctx, net, path):
    net = _network(net, "save")
    path = _text(path, "save's file name")
    nn.save(net, path)
    count = len(net.parameters())
    ctx.emit(Event("note", f"saved {count} parameters to {path}",
                   {"path": path, "parameters": count}))


@builtin("load", 'load(net, "file.json")',
         "set the network's parameters from a file written by save; gives the network",
         example='net = load(mlp(2, [16, 16, 1]), "model.json")', category="nn")
def load(ctx, net, path):
    return nn.load(_network(net, "load"), _path(ctx, path, "load"))

