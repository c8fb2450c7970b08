"""Seeing a graph in the language: tree, dot, explain, check, watch, unwatch, plot and
boundary. Each command draws with a renderer of `microcalc.render` (pure pictures, which
know nothing of the language) and emits one event whose text is the picture and whose data
is its structure (for --json).

`microcalc.render` is imported by the commands' bodies, on first use.
"""

import sys

from ...engine import Value, recompute, topological_order
from ...errors import MicrocalcError
from ...render.defaults import DOT_NODES, EXPLAIN_PATHS, TREE_DEPTH, TREE_NODES
from ..arguments import file_path, is_number, whole
from ..context import Event
from ..format import PICTURES, describe_kind, format_number
from ..values import FunctionRef, GradQuery
from .calculus import plot_function
from .registry import builtin

MAX_PICTURE_SIZE = 1000
# How far a picture of a graph may be asked to go (depth=, nodes=, paths=). Past these a
# picture is megabytes of text: a tree 1,000 levels deep is 3,000 characters wide.
MAX_PICTURE_COUNT = {"depth": 1000, "nodes": 10_000, "paths": 10_000}


def _render():
    from ... import render
    return render


def _graph(value, command):
    if isinstance(value, GradQuery):
        raise MicrocalcError(f"{command} draws a graph, and grad(...) here would be a query, "
                             f"not a graph: name the derivative first (g = grad(L, a)), "
                             f"then {command} g")
    if not isinstance(value, Value):
        what = "a plain number" if is_number(value) else describe_kind(value)
        raise MicrocalcError(f"{command} needs a graph (a value computed from inputs), "
                             f"not {what}")
    return value


def _variables(values, command):
    """The values to differentiate by, each a Value (a variable or a named part of a graph)."""
    for x in values:
        if isinstance(x, GradQuery):
            raise MicrocalcError(f"{command} differentiates by a variable, not grad(...): "
                                 f"write {command} grad(L, a)")
        if not isinstance(x, Value):
            raise MicrocalcError(f"{command} differentiates by a variable, not "
                                 f"{describe_kind(x)}")
    return list(values)


def _count(x, keyword, at_least):
    return whole(x, f"{keyword}=", at_least=at_least, at_most=MAX_PICTURE_COUNT.get(keyword))


def _size(x, keyword):
    """A picture's width or height in characters: more than any screen shows is a mistake
    (and a billion would take all memory)."""
    return whole(x, f"{keyword}=", at_least=2, at_most=MAX_PICTURE_SIZE)


def _show(ctx, command, picture, **extra):
    # The picture itself is the event's text: a document or a notebook can draw it (an SVG
    # for a chart) where a terminal prints it.
    data = picture.data if isinstance(picture.data, dict) else {"items": picture.data}
    ctx.emit(Event("text", picture, {"command": command, **extra, **data}))


def _draw_tree(ctx, value, depth, nodes, constants=True):
    settings = ctx.settings
    return _render().tree(value, ctx.name_of, ascii=settings.ascii, color=settings.color,
                          depth=depth, nodes=nodes, constants=constants)


@builtin("tree", "Draw L's graph as a tree: every node with its value and the gradient of L "
         "with respect to it. A node used twice is drawn once and referred to after; depth= "
         "and nodes= set where the picture is cut, and constants=false leaves out the "
         "constants (numbers written in the expression, such as the 2 in 2*x).",
         example="a = 2; b = -3; L = a*b + a\ntree L", kind="command", category="graph")
def tree(ctx, L, depth=TREE_DEPTH, nodes=TREE_NODES, constants=1):
    L = _graph(L, "tree")
    _show(ctx, "tree", _draw_tree(ctx, L, _count(depth, "depth", 0), _count(nodes, "nodes", 1),
                                  _switch(constants, "constants")))


def _switch(x, keyword):
    """A yes-or-no option: true or 1, false or 0."""
    return bool(whole(x, f"{keyword}= (true or false)", at_least=0, at_most=1))


def _network_parameters(order):
    """The inputs of a graph that are a network's weights and biases: in the language, the
    only Values with a label (l1.n3.w2) are those mlp made."""
    return {v for v in order if v.is_input and v.label}


@builtin("dot", "L's graph as Graphviz DOT text, or written to a file: a .dot or .gv file, "
         "or (with Graphviz installed) a .svg, .png or .pdf image. Inputs, a network's "
         "parameters, constants and L are coloured apart, with a legend; highlight=a draws "
         "every path from L down to a in red. At most the `nodes` nodes nearest L are drawn.",
         example="x = 3; y = x**2 + x\ndot y", kind="command", category="graph")
def dot(ctx, L, path=None, nodes=DOT_NODES, highlight=None):
    L = _graph(L, "dot")
    nodes = _count(nodes, "nodes", 1)
    if highlight is not None:
        highlight = _variables([highlight], "dot's highlight=")[0]
    render = _render()
    parameters = _network_parameters(topological_order(L))
    if path is None:
        _show(ctx, "dot", render.dot(L, ctx.name_of, nodes, parameters, highlight))
    elif not isinstance(path, str):
        raise MicrocalcError('dot writes to a file named by a string: dot L, "graph.svg"')
    else:
        path = file_path(ctx, path, "dot", '"graph.svg"')
        render.write_dot(L, path, ctx.name_of, nodes, parameters, highlight)
        ctx.emit(Event("note", f"wrote {path}", {"command": "dot", "path": path}))
    total = len(topological_order(L))
    if total > nodes:
        name = ctx.name_of(L)
        ctx.emit(Event("note", f"dot drew {nodes} of {total:,} nodes, those nearest "
                               f"{name or 'the output'} ({'dot ' + name + ', ' if name else ''}"
                               f"nodes=N draws more)",
                       {"command": "dot", "drawn": nodes, "total": total}))


@builtin("explain", "The chain rule for a gradient written out, as explain grad(L, a) or "
         "explain L, a: every path from L to a, the local derivative on each edge, the product "
         "along each path and their sum. Past `paths` paths it sums up.",
         example="a = 2; b = -3; c = 10; f = -2\nL = (a*b + c)*f\nexplain grad(L, a)",
         kind="command", category="graph")
def explain(ctx, L, *x, paths=EXPLAIN_PATHS):
    if isinstance(L, GradQuery):
        if x:
            raise MicrocalcError("explain grad(L, a) takes nothing after the grad(...)")
        L, x = L.output, L.wrt
    L = _graph(L, "explain")
    if not x:
        raise MicrocalcError("explain needs the input to differentiate by: explain grad(L, a)")
    x = _variables(x, "explain")
    settings = ctx.settings
    _show(ctx, "explain", _render().explain(L, x, ctx.name_of, ascii=settings.ascii,
                                            color=settings.color,
                                            paths=_count(paths, "paths", 1)))


@builtin("check", "Compare every gradient of L (or those by the inputs x given) with a "
         "central finite difference, as a table.",
         example="x = 0.5; y = tanh(x) * exp(x)\ncheck y", kind="command", category="graph")
def check(ctx, L, *x):
    L = _graph(L, "check")
    for value in _variables(x, "check"):
        if not value.is_input:         # nudging a computed node is undone by the recompute
            name = ctx.name_of(value) or "that value"
            named = ", ".join(map(ctx.name_of, ctx.named_inputs(L)))
            raise MicrocalcError(f"check nudges inputs, and {name} is computed from other "
                                 f"values: check {ctx.name_of(L) or 'the graph'} with its "
                                 f"inputs ({named})")
    settings = ctx.settings
    _show(ctx, "check", _render().check(L, list(x) or None, ctx.name_of,
                                        ascii=settings.ascii, color=settings.color))


class TreeWatcher:
    """Draws a graph's tree again; the session calls it after every change of an input."""

    def __init__(self, ctx, value, depth, nodes):
        self.ctx = ctx
        self.value = value
        self.depth = depth
        self.nodes = nodes

    def __call__(self):
        # The graph is brought up to date first, so the tree never shows stale values.
        recompute(self.value)
        name = _watched_name(self.ctx, self.value)
        picture = _draw_tree(self.ctx, self.value, self.depth, self.nodes)
        self.ctx.emit(Event("text", f"watch {name}:\n{picture}",
                            {"command": "watch", "name": name, **picture.data}))


def _watched_name(ctx, value):
    name = ctx.name_of(value)
    return name if name else f"an unnamed graph (= {format_number(value.data)})"


def _tree_watchers(ctx):
    return [w for w in ctx.watchers if isinstance(w, TreeWatcher)]


@builtin("watch", "Draw L's tree again, with its new values and gradients, after every change "
         "of an input (a := 3, a -= 0.1); watch alone lists what is watched.",
         example="a = 2; L = a*a\nwatch L\na := 3", kind="command", category="graph")
def watch(ctx, L=None, depth=TREE_DEPTH, nodes=TREE_NODES):
    if L is None:
        watched = [_watched_name(ctx, w.value) for w in _tree_watchers(ctx)]
        line = "watching " + ", ".join(watched) if watched else "nothing is watched"
        ctx.emit(Event("note", line, {"command": "watch", "watching": watched}))
        return
    L = _graph(L, "watch")
    watcher = TreeWatcher(ctx, L, _count(depth, "depth", 0), _count(nodes, "nodes", 1))
    # Watching the same graph again replaces its watcher (new limits), never doubles it.
    ctx.watchers[:] = [w for w in ctx.watchers
                       if not (isinstance(w, TreeWatcher) and w.value is L)]
    ctx.watchers.append(watcher)
    name = _watched_name(ctx, L)
    stop = f"unwatch {name}" if ctx.name_of(L) else "unwatch"
    _show(ctx, "watch", _draw_tree(ctx, L, watcher.depth, watcher.nodes))
    ctx.emit(Event("note", f"watching {name}: its tree is drawn again after every change of "
                           f"an input ({stop} stops)",
                   {"command": "watch", "name": name}))


@builtin("unwatch", "Stop drawing L's tree after changes; unwatch alone stops every watch.",
         example="a = 2; L = a*a\nwatch L\nunwatch L", kind="command", category="graph")
def unwatch(ctx, *L):
    stopped = [w for w in _tree_watchers(ctx) if not L or any(w.value is v for v in L)]
    for value in L:
        if not any(w.value is value for w in stopped):
            name = ctx.name_of(value) if isinstance(value, Value) else None
            raise MicrocalcError(f"{name or 'that'} is not being watched")
    ctx.watchers[:] = [w for w in ctx.watchers if not any(w is s for s in stopped)]
    names = [_watched_name(ctx, w.value) for w in stopped]
    line = "stopped watching " + ", ".join(names) if names else "nothing was watched"
    ctx.emit(Event("note", line, {"command": "unwatch", "stopped": names}))


def _chart_width(ctx):
    return max(20, ctx.settings.width - 12)


@builtin("plot", "A line chart of a training run's loss per step, or of a list of numbers "
         "(log=1 draws the values on a logarithmic scale); or a function of one argument from "
         "start to stop, with its derivative as a second curve: plot f, -3, 3 (derivatives=2 "
         "adds the second derivative, 0 leaves them out).",
         example="plot [0.9, 0.5, 0.3, 0.2, 0.15, 0.12], log=1\nf(x) = x**3 - 3*x\n"
                 "plot f, -2.5, 2.5", kind="command", category="graph")
def plot(ctx, series, start=None, stop=None, log=0, width=None, height=12, derivatives=1):
    width = _chart_width(ctx) if width is None else _size(width, "width")
    height = _size(height, "height")
    if isinstance(series, FunctionRef):
        if start is None or stop is None:
            raise MicrocalcError(f"plot {series.name} needs the range to draw it over, as in "
                                 f"plot {series.name}, -3, 3")
        _show(ctx, "plot", plot_function(ctx, series, start, stop, derivatives, width, height))
        return
    if start is not None:
        raise MicrocalcError("plot draws a function over a range (plot f, -3, 3), and a list "
                             "or a training run whole")
    title = None
    if hasattr(series, "losses"):        # a training run: its loss per step
        numbers = list(series.losses)
        title = "loss per step"
    elif isinstance(series, (list, tuple)):
        numbers = list(series)
    else:
        raise MicrocalcError("plot draws a list of numbers, a training run or a function, "
                             f"not {describe_kind(series)}")
    for k, y in enumerate(numbers):
        if not is_number(y):
            raise MicrocalcError(f"plot draws numbers, and item {k} is {describe_kind(y)}")
    settings = ctx.settings
    _show(ctx, "plot", _render().line_chart(numbers, width=width, height=height,
                                            ascii=settings.ascii, color=settings.color,
                                            title=title, log=bool(log)))


@builtin("boundary", "Where a two-input classifier's score is positive, drawn over its data "
         "points: boundary run after training, or boundary net, data.",
         example="run = train(net, data, steps=100)\nboundary run",
         kind="command", category="graph")
def boundary(ctx, net, data=None, width=None, height=20):
    if data is None and hasattr(net, "model") and hasattr(net, "data"):
        net, data = net.model, net.data        # a training run knows both
    if data is None or not hasattr(data, "inputs") or not hasattr(data, "labels"):
        raise MicrocalcError("boundary needs a data set: boundary net, data  or  boundary run")
    if not callable(net):
        raise MicrocalcError(f"boundary needs a network, not {describe_kind(net)}")
    if data.inputs and len(data.inputs[0]) != 2:
        raise MicrocalcError(f"boundary draws two inputs; this data has {len(data.inputs[0])}")
    width = _chart_width(ctx) if width is None else _size(width, "width")
    height = _size(height, "height")
    settings = ctx.settings
    picture = _render().decision_boundary(_score_function(net), data.inputs, data.labels,
                                          width=width, height=height, ascii=settings.ascii,
                                          color=settings.color)
    _show(ctx, "boundary", picture)


def _score_function(model):
    """model's score at (x, y) as a float. The network is run once on two input Values and
    its graph recomputed for each point: one graph instead of one per picture cell."""
    x, y = Value(0.0), Value(0.0)
    out = model([x, y])
    if isinstance(out, list):
        if len(out) != 1:
            raise MicrocalcError(f"boundary needs one output score; the network has {len(out)}")
        out = out[0]
    if not isinstance(out, Value):
        return lambda a, b: _single(model([a, b]))
    order = topological_order(out)

    def score(a, b):
        x.data, y.data = a, b
        return recompute(out, order).data

    return score


def _single(out):
    return out[0] if isinstance(out, list) else out


def _is_training_run(value):
    # A training run exists only once microcalc.nn is loaded: no need to load it to ask.
    training = sys.modules.get("microcalc.nn.training")
    return training is not None and isinstance(value, training.TrainingRun)


def _after_training(run, settings):
    """In the REPL a training run is followed by pictures rather than numbers: its loss
    curve and, for a classifier of two inputs, where it says yes over its data."""
    losses = run.losses
    if not losses:
        return []
    render = _render()
    width = max(20, settings.width - 12)
    positive = min(losses) > 0
    pictures = [render.line_chart(losses, width=width, height=10, ascii=settings.ascii,
                                  color=settings.color, title="loss per step",
                                  log=positive and max(losses) > 20 * min(losses))]
    data = run.data
    if (run.loss.classifies and getattr(run.model, "nout", 1) == 1
            and data.inputs and len(data.inputs[0]) == 2):
        pictures.append(render.decision_boundary(_score_function(run.model), data.inputs,
                                                 data.labels, width=width, height=16,
                                                 ascii=settings.ascii, color=settings.color))
    return pictures


PICTURES.append((_is_training_run, _after_training))
