"""The language's commands for seeing a graph: tree, dot, explain, check, watch, unwatch,
plot and boundary. Each draws with a renderer of this package and emits one event whose
text is the picture and whose data is its structure (for --json).

Imported by `microcalc.session`, which is what registers them.
"""

from ..engine import Value, recompute, topological_order
from ..errors import MicrocalcError
from ..lang.builtins import builtin
from ..lang.calculus import named_inputs
from ..lang.context import Event
from ..lang.format import PICTURES, describe_kind, format_number
from ..nn.training import TrainingRun
from ..lang.values import GradQuery, is_number
from .check import check as check_table
from .dot import DEFAULT_NODES as DEFAULT_DOT_NODES
from .dot import write_dot
from .dot import dot as dot_text
from .explain import MAX_PATHS
from .explain import explain as explain_text
from .plot import decision_boundary, line_chart
from .style import number
from .tree import DEFAULT_DEPTH, DEFAULT_NODES
from .tree import tree as tree_text


MAX_PICTURE_SIZE = 1000


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


def _whole(x, name, at_least, at_most=None):
    """A keyword argument that must be a whole number >= at_least (numbers arrive as floats)
    and, if at_most is given, <= at_most."""
    x = x.data if isinstance(x, Value) else x
    if not is_number(x) or x != int(x) or x < at_least or (at_most is not None and x > at_most):
        shown = format_number(x) if is_number(x) else describe_kind(x)
        wanted = f"from {at_least} to {at_most}" if at_most is not None else f">= {at_least}"
        raise MicrocalcError(f"{name}= needs a whole number {wanted}, not {shown}")
    return int(x)


def _size(x, name):
    """A picture's width or height in characters: more than any screen shows is a mistake
    (and a billion would take all memory)."""
    return _whole(x, name, 2, MAX_PICTURE_SIZE)


def _show(ctx, command, picture, **extra):
    ctx.emit(Event("text", str(picture), {"command": command, **extra, **_as_dict(picture.data)}))


def _as_dict(data):
    return data if isinstance(data, dict) else {"items": data}


def _draw_tree(ctx, value, depth, nodes):
    settings = ctx.settings
    return tree_text(value, ctx.name_of, ascii=settings.ascii, color=settings.color,
                     depth=depth, nodes=nodes)


@builtin("tree", "tree L, depth=12, nodes=200",
         "draw L's graph as a tree: every node's value and the gradient of L with respect to it",
         example="a = 2; b = -3; L = a*b + a\ntree L", kind="command", category="graph")
def tree(ctx, value, depth=DEFAULT_DEPTH, nodes=DEFAULT_NODES):
    value = _graph(value, "tree")
    depth, nodes = _whole(depth, "depth", 0), _whole(nodes, "nodes", 1)
    _show(ctx, "tree", _draw_tree(ctx, value, depth, nodes))


@builtin("dot", 'dot L  or  dot L, "graph.svg", nodes=200',
         "L's graph as Graphviz DOT text, or written to a .dot/.gv file or (with Graphviz "
         "installed) a .svg/.png/.pdf image; the 200 nodes nearest L at most",
         example="x = 3; y = x**2 + x\ndot y", kind="command", category="graph")
def dot(ctx, value, path=None, nodes=DEFAULT_DOT_NODES):
    value = _graph(value, "dot")
    nodes = _whole(nodes, "nodes", 1)
    if path is None:
        _show(ctx, "dot", dot_text(value, ctx.name_of, nodes))
    elif not isinstance(path, str):
        raise MicrocalcError('dot writes to a file named by a string: dot L, "graph.svg"')
    else:
        write_dot(value, path, ctx.name_of, nodes)
        ctx.emit(Event("note", f"wrote {path}", {"command": "dot", "path": path}))
    total = len(topological_order(value))
    if total > nodes:
        name = ctx.name_of(value)
        ctx.emit(Event("note", f"dot drew {nodes} of {total:,} nodes, those nearest "
                               f"{name or 'the output'} ({'dot ' + name + ', ' if name else ''}"
                               f"nodes=N draws more)",
                       {"command": "dot", "drawn": nodes, "total": total}))


@builtin("explain", "explain grad(L, a)  or  explain L, a, paths=20",
         "the chain rule for a gradient written out: every path from L to a, the local "
         "derivative on each edge, the product along each path and their sum",
         example="a = 2; b = -3; c = 10; f = -2\nL = (a*b + c)*f\nexplain grad(L, a)",
         kind="command", category="graph")
def explain(ctx, query, *wrt, paths=MAX_PATHS):
    if isinstance(query, GradQuery):
        if wrt:
            raise MicrocalcError("explain grad(L, a) takes nothing after the grad(...)")
        output, wrt = query.output, query.wrt
    else:
        output = query
    output = _graph(output, "explain")
    if not wrt:
        raise MicrocalcError("explain needs the input to differentiate by: explain grad(L, a)")
    wrt = _variables(wrt, "explain")
    paths = _whole(paths, "paths", 1)
    settings = ctx.settings
    _show(ctx, "explain", explain_text(output, list(wrt), ctx.name_of, ascii=settings.ascii,
                                       color=settings.color, paths=paths))


@builtin("check", "check L  or  check L, a, b",
         "compare every gradient of L (or those by a, b) with central finite differences",
         example="x = 0.5; y = tanh(x) * exp(x)\ncheck y", kind="command", category="graph")
def check(ctx, value, *inputs):
    value = _graph(value, "check")
    settings = ctx.settings
    for x in _variables(inputs, "check"):
        if not x.is_input:         # nudging a computed node is undone by the recompute
            name = ctx.name_of(x) or "that value"
            named = ", ".join(ctx.name_of(v) for v in named_inputs(value, ctx.name_of))
            raise MicrocalcError(f"check nudges inputs, and {name} is computed from other "
                                 f"values: check {ctx.name_of(value) or 'the graph'} with its "
                                 f"inputs ({named})")
    _show(ctx, "check", check_table(value, list(inputs) or None, ctx.name_of,
                                    ascii=settings.ascii, color=settings.color))


class TreeWatcher:
    """Draws a graph's tree again; the evaluator calls it after every change of an input."""

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
    return name if name else f"an unnamed graph (= {number(value.data)})"


def _tree_watchers(ctx):
    return [w for w in ctx.watchers if isinstance(w, TreeWatcher)]


@builtin("watch", "watch L, depth=12, nodes=200",
         "draw L's tree again, with new values and gradients, after every change of an input "
         "(a := 3, a -= 0.1); watch alone lists what is watched",
         example="a = 2; L = a*a\nwatch L\na := 3", kind="command", category="graph")
def watch(ctx, value=None, depth=DEFAULT_DEPTH, nodes=DEFAULT_NODES):
    if value is None:
        watched = [_watched_name(ctx, w.value) for w in _tree_watchers(ctx)]
        text = "watching " + ", ".join(watched) if watched else "nothing is watched"
        ctx.emit(Event("note", text, {"command": "watch", "watching": watched}))
        return
    value = _graph(value, "watch")
    watcher = TreeWatcher(ctx, value, _whole(depth, "depth", 0), _whole(nodes, "nodes", 1))
    # Watching the same graph again replaces its watcher (new limits), never doubles it.
    ctx.watchers[:] = [w for w in ctx.watchers
                       if not (isinstance(w, TreeWatcher) and w.value is value)]
    ctx.watchers.append(watcher)
    name = _watched_name(ctx, value)
    stop = f"unwatch {name}" if ctx.name_of(value) else "unwatch"
    _show(ctx, "watch", _draw_tree(ctx, value, watcher.depth, watcher.nodes))
    ctx.emit(Event("note", f"watching {name}: its tree is drawn again after every change of "
                           f"an input ({stop} stops)",
                   {"command": "watch", "name": name}))


@builtin("unwatch", "unwatch L  or  unwatch",
         "stop drawing L's tree after changes (unwatch alone stops every watch)",
         example="a = 2; L = a*a\nwatch L\nunwatch L", kind="command", category="graph")
def unwatch(ctx, *values):
    stopped = [w for w in _tree_watchers(ctx)
               if not values or any(w.value is v for v in values)]
    for value in values:
        if not any(w.value is value for w in stopped):
            name = ctx.name_of(value) if isinstance(value, Value) else None
            raise MicrocalcError(f"{name or 'that'} is not being watched")
    ctx.watchers[:] = [w for w in ctx.watchers if not any(w is s for s in stopped)]
    names = [_watched_name(ctx, w.value) for w in stopped]
    text = "stopped watching " + ", ".join(names) if names else "nothing was watched"
    ctx.emit(Event("note", text, {"command": "unwatch", "stopped": names}))


def _chart_width(ctx):
    return max(20, ctx.settings.width - 12)


@builtin("plot", "plot run  or  plot [numbers], log=1",
         "a line chart of a training run's loss per step, or of a list of numbers",
         example="plot [0.9, 0.5, 0.3, 0.2, 0.15, 0.12], log=1",
         kind="command", category="graph")
def plot(ctx, series, log=0, width=None, height=12):
    title = None
    if hasattr(series, "losses"):        # a training run: its loss per step
        numbers = list(series.losses)
        title = "loss per step"
    elif isinstance(series, (list, tuple)):
        numbers = list(series)
    else:
        raise MicrocalcError("plot draws a list of numbers or a training run, "
                             f"not {describe_kind(series)}")
    for k, y in enumerate(numbers):
        if not is_number(y):
            raise MicrocalcError(f"plot draws numbers, and item {k} is {describe_kind(y)}")
    width = _chart_width(ctx) if width is None else _size(width, "width")
    height = _size(height, "height")
    settings = ctx.settings
    _show(ctx, "plot", line_chart(numbers, width=width, height=height, ascii=settings.ascii,
                                  color=settings.color, title=title, log=bool(log)))


@builtin("boundary", "boundary run  or  boundary net, data",
         "where a two-input classifier's score is positive, drawn over its data points",
         example="run = train(net, data, steps=100)\nboundary run",
         kind="command", category="graph")
def boundary(ctx, model, data=None, width=None, height=20):
    if data is None and hasattr(model, "model") and hasattr(model, "data"):
        model, data = model.model, model.data        # a training run knows both
    if data is None or not hasattr(data, "inputs") or not hasattr(data, "labels"):
        raise MicrocalcError("boundary needs a data set: boundary net, data  or  boundary run")
    if not callable(model):
        raise MicrocalcError(f"boundary needs a network, not {describe_kind(model)}")
    if data.inputs and len(data.inputs[0]) != 2:
        raise MicrocalcError(f"boundary draws two inputs; this data has {len(data.inputs[0])}")
    width = _chart_width(ctx) if width is None else _size(width, "width")
    height = _size(height, "height")
    settings = ctx.settings
    picture = decision_boundary(_score_function(model), data.inputs, data.labels, width=width,
                                height=height, ascii=settings.ascii, color=settings.color)
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


def _after_training(run, settings):
    """In the REPL a training run is followed by pictures rather than numbers: its loss
    curve and, for a classifier of two inputs, where it says yes over its data."""
    losses = run.losses
    if not losses:
        return None
    width = max(20, settings.width - 12)
    positive = min(losses) > 0
    pictures = [line_chart(losses, width=width, height=10, ascii=settings.ascii,
                           color=settings.color, title="loss per step",
                           log=positive and max(losses) > 20 * min(losses))]
    data = run.data
    if (run.loss.classifies and getattr(run.model, "nout", 1) == 1
            and data.inputs and len(data.inputs[0]) == 2):
        pictures.append(decision_boundary(_score_function(run.model), data.inputs, data.labels,
                                          width=width, height=16, ascii=settings.ascii,
                                          color=settings.color))
    return "\n".join(pictures)


PICTURES[TrainingRun] = _after_training
