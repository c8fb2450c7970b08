"""grad and slope: derivatives in the language, built on the engine's functional `grad`,
and the numeric slope they can be checked against.

Every derivative is taken with create_graph=True, so the answer is itself a graph that
leads back to the inputs: it can be differentiated again (grad(grad(L, a), a)), and a
variable holding it is recomputed when an input changes in place.
"""

from ... import engine
from ...engine import Value
from ...errors import DomainError, MicrocalcError
from ..arguments import is_number, number, whole
from ..calls import describe_domain_error
from ..context import Event
from ..format import describe_kind, format_number
from ..values import Gradients
from .registry import builtin


@builtin("grad", "The derivative of L with respect to x. Several inputs give a list of "
         "derivatives; grad(L) alone lists the derivative by every named input of L. Each "
         "derivative is itself a graph, so grad(grad(L, x), x) is the second derivative.",
         example="a = 3\ngrad(a**2, a)", category="calculus")
def grad(ctx, L, *x):
    if not x:
        return _gradient_table(ctx, L)
    if len(x) == 1 and not isinstance(x[0], (list, tuple)):
        return gradients(ctx, L, list(x))[0]
    targets = []
    for item in x:
        targets.extend(item if isinstance(item, (list, tuple)) else [item])
    return gradients(ctx, L, targets)


def gradients(ctx, output, targets):
    """d(output)/d(target) for each target, as Values; notes for targets output ignores."""
    def output_name():
        return ctx.name_of(output) or "the expression"
    for position, target in enumerate(targets, start=2):
        if target.__class__ is not Value:
            raise MicrocalcError(
                f"grad: argument {position} must be a variable to differentiate with respect"
                f" to (an input, or a named part of {output_name()}), not "
                f"{describe_kind(target)}")
    if output.__class__ is not Value:
        if isinstance(output, (float, int)) and not isinstance(output, bool):
            for target in targets:
                _note_independent(ctx, output_name(), target)
            return [Value(0.0) for _ in targets]
        raise MicrocalcError(f"grad needs a number computed from inputs, not {describe_kind(output)}")
    try:
        results = engine.grad(output, targets, create_graph=True)
    except DomainError as exc:
        raise MicrocalcError(f"the gradient of {output_name()} is undefined here: "
                             f"{describe_domain_error(exc)}") from None
    graph = None
    for target, result in zip(targets, results):
        if result.__class__ is not Value:           # nan: no Value can hold it
            raise MicrocalcError(_undefined_message(ctx, output, output_name(), target))
        if result.data == 0.0:
            if graph is None:
                graph = set(engine.topological_order(output))
            if target not in graph:
                _note_independent(ctx, output_name(), target)
    return results


def _gradient_table(ctx, output):
    inputs = ctx.named_inputs(output)
    if not inputs:
        if isinstance(output, Value) or is_number(output):
            raise MicrocalcError("grad(L) lists the named inputs of L, and this value has none:"
                                 " name the ones you want, as in grad(L, x)")
        raise MicrocalcError(f"grad needs a number computed from inputs, not "
                             f"{describe_kind(output)}")
    return Gradients([ctx.name_of(v) for v in inputs], gradients(ctx, output, inputs))


def _note_independent(ctx, output_name, target):
    target_name = ctx.name_of(target)
    what = target_name if target_name else "that value"
    text = f"{output_name} does not depend on {what}: its gradient is 0"
    if not target_name and isinstance(target, Value) and not target.is_input:
        # grad(L, a*b): the expression computed a new value beside L's own a*b
        text = (f"{output_name} does not depend on that value: an expression such as a*b "
                f"makes a new value, which is not part of {output_name}'s graph, so its "
                f"gradient is 0")
    ctx.emit(Event("note", text, {"output": output_name, "wrt": target_name}))


def _undefined_message(ctx, output, output_name, target):
    target_name = ctx.name_of(target) or "that value"
    message = f"the gradient of {output_name} with respect to {target_name} is undefined here"
    for node in engine.topological_order(output):
        op = node.op
        exponent_varies = op and op.name == "pow" and (not node.operands[1].is_input
                                                        or ctx.name_of(node.operands[1]))
        if exponent_varies and node.operands[0].data < 0:
            return (message + f": the derivative of x**y with respect to y is x**y * log(x),"
                    f" and x = {format_number(node.operands[0].data)} is negative")
    return message + " (not a number)"


@builtin("slope", "The numeric derivative of L by the input x: the central difference "
         "(L(x+h) - L(x-h)) / 2h, with x nudged in place and every input back as it was "
         "afterwards. The number the lecture computes by hand, to set beside grad(L, x).",
         example="a = 2; b = -3; c = 10\nL = a*b + c\nslope(L, a)\ngrad(L, a)",
         category="calculus")
def slope(ctx, L, x, h=1e-6):
    step = number(h, "slope's h")
    if not step > 0:
        raise MicrocalcError(f"slope's h must be a positive number, not {format_number(step)}")
    if x.__class__ is not Value or not x.is_input:
        what = "a value computed from others" if x.__class__ is Value else describe_kind(x)
        raise MicrocalcError(f"slope nudges an input (a number given a name with =), not {what}")
    if L.__class__ is not Value:
        if is_number(L):
            return 0.0
        raise MicrocalcError(f"slope needs a number computed from inputs, not {describe_kind(L)}")
    order = engine.topological_order(L)
    original = x.data
    try:
        x.data = original + step
        up = engine.recompute(L, order).data
        x.data = original - step
        down = engine.recompute(L, order).data
    except DomainError as exc:
        raise MicrocalcError(f"slope: {ctx.name_of(L) or 'the graph'} is undefined within h of "
                             f"{format_number(original)}: {describe_domain_error(exc)}") from None
    finally:
        x.data = original
        engine.recompute(L, order)
    return (up - down) / (2 * step)


# -- a function and its derivatives over a range, for `plot f, -3, 3` ----------------------

MAX_DERIVATIVES = 3


def plot_function(ctx, ref, start, stop, derivatives, width, height):
    """The chart of a function of one argument (a FunctionRef) from start to stop, with its
    first `derivatives` derivatives as more curves: f, f', f''."""
    from ... import render
    apply, title = _one_argument(ctx, ref)
    low, high = number(start, "plot's start"), number(stop, "plot's stop")
    if not high > low:
        raise MicrocalcError(f"plot {ref.name} needs a range from a smaller number to a larger "
                             f"one, as in plot {ref.name}, -3, 3")
    order = whole(derivatives, "derivatives=", at_least=0, at_most=MAX_DERIVATIVES)
    settings = ctx.settings
    count = width if settings.ascii else 2 * width
    xs = [low + (high - low) * k / (count - 1) for k in range(count)]
    curves = _curves(apply, xs, order)
    labels = [ref.name + "'" * k for k in range(order + 1)]
    return render.function_chart(xs, list(zip(labels, curves)), width=width, height=height,
                                 ascii=settings.ascii, color=settings.color, title=title)


def _one_argument(ctx, ref):
    """apply(u) for a function named bare, and the chart's title."""
    function = ref.function
    params = getattr(function, "params", None)
    if params is not None:                       # a function of the user's
        if len(params) != 1:
            raise MicrocalcError(f"plot draws a function of one argument, and {ref.name} takes "
                                 f"{len(params)}")
        param = params[0]
        return (lambda u: function.body({param: u})), str(function)
    if function.category != "math" or not function.accepts(1, {}):
        raise MicrocalcError(f"plot draws a math function of one argument (tanh, exp, ...) or "
                             f"one of your own, and {ref.name} is not one")
    return (lambda u: function.function(ctx, u)), f"{ref.name}(x)"


def _curves(apply, xs, order):
    """The values of f and its first `order` derivatives at each x (None where undefined).
    The graphs are built once, at the first x where they can be, then recomputed."""
    from ..errors import SourceError
    built, first_error = None, None
    for x in xs:
        point = Value(x)
        try:
            graphs = [apply(point)]
            for _ in range(order):
                graphs.append(_derivative(graphs[-1], point))
        except (DomainError, SourceError, MicrocalcError) as exc:
            first_error = first_error or exc
            continue
        built = point, graphs
        break
    if built is None:
        raise first_error
    point, graphs = built
    orders = [engine.topological_order(g) if g.__class__ is Value else None for g in graphs]
    curves = [[] for _ in graphs]
    for x in xs:
        point.data = x
        defined = True
        for curve, graph, nodes in zip(curves, graphs, orders):
            # where f is undefined, so are its derivatives (log's 1/x is not, at x < 0)
            y = _value_at(graph, nodes) if defined else None
            defined = y is not None
            curve.append(y)
    point.data = xs[0]
    return curves


def _derivative(y, point):
    if y.__class__ is not Value:
        if not is_number(y):
            raise MicrocalcError(f"plot needs a function that gives a number, not "
                                 f"{describe_kind(y)}")
        return 0.0
    d = engine.grad(y, point, create_graph=True)
    return d if d.__class__ is Value else float("nan")


def _value_at(graph, nodes):
    if graph.__class__ is not Value:
        return float(graph) if graph == graph else None
    try:
        return engine.recompute(graph, nodes).data
    except DomainError:
        return None
