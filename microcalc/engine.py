"""A number that remembers how it was made, and the one registry of operations.

Every operation is registered once below: its forward rule and its local derivative side by
side. `Value`'s methods and operators, the language's builtins, completion, highlighting and
help are all generated from `OPS`, so a new operation is added in exactly one place.

Unlike micrograd, a node holds no closure: its op and its operands are enough to apply the
local derivative during the backward pass. That keeps every node out of reference cycles (the
cyclic garbage collector was micrograd's main cost) and lets the same rule run on floats (a
plain backward pass) or on Values (`create_graph=True`, for higher derivatives).
"""

import math
import operator

from .errors import DomainError

__all__ = ["Value", "Op", "OPS", "FUNCTIONS", "grad", "gradcheck", "recompute",
           "topological_order", "DomainError"]


class Op:
    """One operation: how to compute it, and its partial derivatives."""

    __slots__ = ("name", "arity", "forward", "derivative", "formulas", "doc", "symbol", "domain",
                 "example")

    def __init__(self, name, arity, forward, derivative, formulas, doc, symbol, domain, example):
        self.name = name
        self.arity = arity
        self.forward = forward          # floats -> float
        self.derivative = derivative    # (*operands, out) -> one partial per operand
        self.formulas = formulas        # the same partials as text, in operands u (and v)
        self.doc = doc                  # one line, for help
        self.symbol = symbol            # infix/prefix operator, or None for a function
        self.domain = domain            # (*operands) -> why they are out of domain
        self.example = example          # a call with its result, for help and the docs

    @property
    def is_function(self):
        """Called by name (tanh(x)) rather than written as an operator (a + b)."""
        return self.symbol is None

    def __str__(self):
        return self.symbol or self.name

    def __repr__(self):
        return f"<op {self.name}>"


OPS = {}


def _register(name, arity, forward, derivative, formulas, doc, symbol=None, domain=None,
              example=None):
    if len(formulas) != arity:
        raise ValueError(f"{name} needs one derivative formula per operand")
    OPS[name] = Op(name, arity, forward, derivative, formulas, doc, symbol, domain, example)


def _data(x):
    return x.data if isinstance(x, Value) else x


# Forward rules that need more than the math module gives: they say why they fail.

def _div(a, b):
    return a / b


def _pow(a, b):
    return math.pow(a, b)


def _why_pow(a, b):
    if a == 0 and b < 0:
        return "0 to a negative power is undefined"
    if a < 0 and not float(b).is_integer():
        return "a negative number to a fractional power is not a real number"
    return "result too large"


def _sigmoid(x):
    # Two forms so that exp never overflows: for x < 0 exp(x) is small.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _exponent_partial(a, out):
    """d(a**b)/db = a**b * log(a): undefined for a < 0 (nan, as PyTorch), 0 in the limit at a = 0."""
    base = _data(a)
    if base > 0:
        return out * log(a)
    return 0.0 if base == 0 else math.nan


# The registry. Each entry: name, arity, forward rule, local derivative (one partial per
# operand, given the operands and the result), the same derivative as text for people (in
# operands u and v), one line of help. Derivative rules are written with operators and the
# generic functions below, so they work on floats and Values.
# Kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0.
_register("add", 2, operator.add, lambda a, b, out: (1.0, 1.0),
          ("1", "1"),
          "sum of two numbers", symbol="+", example="2 + 3 = 5")
_register("sub", 2, operator.sub, lambda a, b, out: (1.0, -1.0),
          ("1", "-1"),
          "difference of two numbers", symbol="-", example="2 - 3 = -1")
_register("mul", 2, operator.mul, lambda a, b, out: (b, a),
          ("v", "u"),
          "product of two numbers", symbol="*", example="2 * 3 = 6")
_register("div", 2, _div, lambda a, b, out: (1.0 / b, -out / b),
          ("1/v", "-u/v**2"),
          "quotient of two numbers", symbol="/",
          domain=lambda a, b: "division by zero" if b == 0 else "result too large",
          example="3 / 2 = 1.5")
_register("pow", 2, _pow, lambda a, b, out: (b * a ** (b - 1), _exponent_partial(a, out)),
          ("v*u**(v-1)", "u**v*log(u)"),
          "a to the power b (b may be a Value: its gradient is a**b * log(a))", symbol="**",
          domain=_why_pow, example="2 ** 3 = 8")
_register("neg", 1, operator.neg, lambda x, out: (-1.0,),
          ("-1",),
          "negation", symbol="-", example="-(2) = -2")
_register("tanh", 1, math.tanh, lambda x, out: (1.0 - out * out,),
          ("1 - tanh(u)**2",),
          "hyperbolic tangent; tanh'(x) = 1 - tanh(x)**2", example="tanh(0) = 0")
_register("exp", 1, math.exp, lambda x, out: (out,),
          ("exp(u)",),
          "e to the power x; exp'(x) = exp(x)", example="exp(0) = 1")
_register("log", 1, math.log, lambda x, out: (1.0 / x,),
          ("1/u",),
          "natural logarithm, for x > 0; log'(x) = 1/x",
          domain=lambda x: "log is defined only for positive numbers", example="log(1) = 0")
_register("relu", 1, lambda x: x if x > 0 else 0.0, lambda x, out: (step(x),),
          ("step(u)",),
          "max(0, x); relu'(x) = step(x): 1 if x > 0 else 0", example="relu(-2) = 0")
_register("sigmoid", 1, _sigmoid, lambda x, out: (out * (1.0 - out),),
          ("sigmoid(u)*(1 - sigmoid(u))",),
          "logistic function 1/(1+exp(-x)); sigmoid' = sigmoid*(1-sigmoid)",
          example="sigmoid(0) = 0.5")
_register("sqrt", 1, math.sqrt, lambda x, out: (0.5 / out,),
          ("1/(2*sqrt(u))",),
          "square root, for x >= 0; sqrt'(x) = 1/(2 sqrt(x))",
          domain=lambda x: "sqrt is defined only for numbers >= 0", example="sqrt(9) = 3")
_register("abs", 1, abs, lambda x, out: (sign(x),),
          ("sign(u)",),
          "absolute value; abs'(x) = sign(x), 0 at 0", example="abs(-2) = 2")
_register("sin", 1, math.sin, lambda x, out: (cos(x),),
          ("cos(u)",),
          "sine (radians); sin'(x) = cos(x)", example="sin(0) = 0")
_register("cos", 1, math.cos, lambda x, out: (-sin(x),),
          ("-sin(u)",),
          "cosine (radians); cos'(x) = -sin(x)", example="cos(0) = 1")
# The slopes of relu and abs, as ops of their own so that a derivative taken with
# create_graph=True is a graph that follows its input across the kink when recomputed.
_register("step", 1, lambda x: 1.0 if x > 0 else 0.0, lambda x, out: (0.0,),
          ("0",),
          "1 if x > 0 else 0 (the slope of relu); its derivative is 0", example="step(2) = 1")
_register("sign", 1, lambda x: 1.0 if x > 0 else -1.0 if x < 0 else 0.0, lambda x, out: (0.0,),
          ("0",),
          "-1, 0 or 1 by the sign of x (the slope of abs); its derivative is 0",
          example="sign(-2) = -1")


def _domain_error(op, operands, exc=None):
    numbers = [_data(x) for x in operands]
    if isinstance(exc, OverflowError) or op.domain is None:
        reason = "result too large (overflow)"
    else:
        reason = op.domain(*numbers)
    return DomainError(op.name, numbers, reason)


def _finite(x):
    # x - x is 0.0 for every finite float and nan for inf and nan: one subtraction, no call.
    return not (x - x)


class Value:
    """A scalar that remembers the operation and operands that produced it."""

    # Operands live in two slots rather than a tuple: one object per node instead of two
    # halves both the memory and the work of Python's garbage collector.
    __slots__ = ("data", "grad", "_a", "_b", "_op", "label")

    def __init__(self, data, _children=(), _op="", label=""):
        if data.__class__ is not float:
            if isinstance(data, Value):
                data = data.data
            elif isinstance(data, (str, bytes)):
                raise TypeError(f"Value needs a number, not {type(data).__name__}")
            try:
                data = float(data)
            except (TypeError, ValueError):
                raise TypeError(f"Value needs a number, not {type(data).__name__}") from None
            except OverflowError:
                raise DomainError("Value", [], "number too large for a float") from None
        if data - data:
            raise DomainError("Value", [data], "a Value must be a finite number")
        self.data = data
        self.grad = 0.0
        if _children.__class__ is not tuple:
            _children = tuple(_children)
        n = len(_children)
        if n > 2:
            raise ValueError("a Value has at most two operands")
        self._a = _children[0] if n else None
        self._b = _children[1] if n == 2 else None
        self._op = _op
        self.label = label

    @property
    def _prev(self):
        """The operands, in order (micrograd's name; a tuple here, not a set)."""
        a, b = self._a, self._b
        return () if a is None else (a,) if b is None else (a, b)

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def backward(self):
        """Add d(self)/d(node) into every node's .grad, as micrograd does.

        Nothing is reset: calling backward() twice doubles every gradient, so zero the
        gradients (Module.zero_grad(), or node.grad = 0) between steps.
        """
        topo = topological_order(self)
        # Work on zeroed gradients and add back what earlier calls left; in the usual case
        # (a fresh graph, zeroed parameters) there is nothing to set aside.
        earlier = [v.grad for v in topo]
        accumulated = any(earlier)
        if accumulated:
            for v in topo:
                v.grad = 0.0
        self.grad = 1.0
        try:
            for v in reversed(topo):
                a = v._a
                if a is None:
                    continue
                g = v.grad
                b = v._b
                if b is None:
                    a.grad += v._op.derivative(a.data, v.data)[0] * g
                else:
                    da, db = v._op.derivative(a.data, b.data, v.data)
                    a.grad += da * g
                    b.grad += db * g
        except (ArithmeticError, ValueError) as exc:
            for w, before in zip(topo, earlier):
                w.grad = before
            raise DomainError(v._op.name, [c.data for c in v._prev],
                              "its derivative is infinite or undefined here") from exc
        if accumulated:
            for v, before in zip(topo, earlier):
                v.grad += before

    def zero_grad(self):
        """Reset the gradient of every node in this Value's graph."""
        for v in topological_order(self):
            v.grad = 0.0

    def recompute(self):
        """Recompute this graph forward after inputs changed in place (`x.data = ...`)."""
        recompute(self)
        return self


def _apply(op, operands):
    """Build the node for op applied to operands (Values or numbers)."""
    operands = tuple(x if x.__class__ is Value else Value(x) for x in operands)
    try:
        out = op.forward(*[x.data for x in operands])
    except (ArithmeticError, ValueError) as exc:
        raise _domain_error(op, operands, exc) from None
    if out - out:
        raise _domain_error(op, operands)
    return Value(out, operands, op)


def _binary_methods(op):
    forward = op.forward

    def method(self, other):
        if other.__class__ is not Value:
            other = Value(other)
        try:
            out = forward(self.data, other.data)
        except (ArithmeticError, ValueError) as exc:
            raise _domain_error(op, (self, other), exc) from None
        if out - out:
            raise _domain_error(op, (self, other))
        return Value(out, (self, other), op)

    def reflected(self, other):
        return method(Value(other), self)

    return method, reflected


def _unary_method(op):
    def method(self):
        return _apply(op, (self,))
    return method


def _generic_function(op):
    """op as a plain function: floats in gives a float out, any Value in gives a Value."""
    forward = op.forward

    def function(*args):
        if len(args) != op.arity:
            raise TypeError(f"{op.name} takes {op.arity} argument(s), got {len(args)}")
        for a in args:
            if a.__class__ is Value:
                return _apply(op, args)
        try:
            out = forward(*args)
        except (ArithmeticError, ValueError) as exc:
            raise _domain_error(op, args, exc) from None
        if out - out:
            raise _domain_error(op, args)
        return out

    function.__name__ = op.name
    function.__doc__ = op.doc
    return function


_DUNDERS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "**": "pow"}

for _op in OPS.values():
    if _op.arity == 2 and _op.symbol:
        _method, _reflected = _binary_methods(_op)
        setattr(Value, f"__{_DUNDERS[_op.symbol]}__", _method)
        setattr(Value, f"__r{_DUNDERS[_op.symbol]}__", _reflected)
    elif _op.symbol == "-":
        Value.__neg__ = _unary_method(_op)
    else:
        setattr(Value, _op.name, _unary_method(_op))
Value.__abs__ = Value.abs
Value.__pos__ = lambda self: self

# Every op as a function on floats or Values (`tanh(x)`), for derivative rules and builtins.
FUNCTIONS = {_op.name: _generic_function(_op) for _op in OPS.values()}
tanh, exp, log, sin, cos, step, sign = (
    FUNCTIONS[n] for n in ("tanh", "exp", "log", "sin", "cos", "step", "sign"))


def topological_order(root):
    """Every node under root, each after all of its operands; iterative, so depth is free."""
    order = []
    visited = set()
    stack = [root]
    expanded = []          # parallel to stack: has this entry's operands been pushed yet?
    push = stack.append
    mark = expanded.append
    mark(False)
    while stack:
        node = stack.pop()
        if expanded.pop():
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        push(node)
        mark(True)
        # Push b before a so that a is finished first: operands keep their order.
        b = node._b
        if b is not None and b not in visited:
            push(b)
            mark(False)
        a = node._a
        if a is not None and a not in visited:
            push(a)
            mark(False)
    return order


def recompute(output, order=None):
    """Recompute every node under output from its operands' current data, inputs first."""
    for v in order if order is not None else topological_order(output):
        a = v._a
        if a is None:
            continue
        b = v._b
        op = v._op
        try:
            out = op.forward(a.data) if b is None else op.forward(a.data, b.data)
        except (ArithmeticError, ValueError) as exc:
            raise _domain_error(op, v._prev, exc) from None
        if out - out:
            raise _domain_error(op, v._prev)
        v.data = out
    return output


def grad(output, inputs, create_graph=False):
    """d(output)/d(input) for one input or a list of them, touching no .grad field.

    With create_graph=True the derivatives are Values whose graphs lead back to the inputs,
    so they can be differentiated again: grad(grad(y, x, create_graph=True), x).
    An input that output does not depend on gets 0. An undefined derivative comes back as
    a float nan, also with create_graph=True (a Value cannot hold nan).
    """
    single = isinstance(inputs, Value)
    targets = [inputs] if single else list(inputs)
    adjoint = {output: Value(1.0) if create_graph else 1.0}
    try:
        for v in reversed(topological_order(output)):
            g = adjoint.get(v)
            if g is None or not v._prev:
                continue
            if create_graph:
                partials = v._op.derivative(*v._prev, v)
            else:
                partials = v._op.derivative(*[c.data for c in v._prev], v.data)
            for child, d in zip(v._prev, partials):
                if d.__class__ is float and d == 1.0:
                    contribution = g
                elif d.__class__ is float and d == -1.0:
                    contribution = -g
                elif create_graph and (g.__class__ is float or
                                       (d.__class__ is float and not _finite(d))):
                    # A Value cannot hold nan: an undefined partial (d(a**b)/db for a < 0)
                    # travels as a float nan, so only gradients that pass through it are nan.
                    contribution = math.nan
                else:
                    contribution = d * g
                before = adjoint.get(child)
                if before is None:
                    adjoint[child] = contribution
                elif create_graph and (before.__class__ is float or
                                       contribution.__class__ is float):
                    adjoint[child] = math.nan
                else:
                    adjoint[child] = before + contribution
    except (ArithmeticError, ValueError) as exc:
        raise DomainError(v._op.name, [c.data for c in v._prev],
                          "its derivative is infinite or undefined here") from exc
    zero = Value(0.0) if create_graph else 0.0
    results = []
    for x in targets:
        d = adjoint.get(x, zero)
        if create_graph and not isinstance(d, Value) and d == d:
            d = Value(d)
        results.append(d)
    return results[0] if single else results


class GradCheck:
    """One input's autodiff gradient beside its central finite difference."""

    __slots__ = ("input", "autodiff", "numeric", "error")

    def __init__(self, input, autodiff, numeric):
        self.input = input
        self.autodiff = autodiff
        self.numeric = numeric
        scale = max(abs(autodiff), abs(numeric), 1e-8)
        self.error = abs(autodiff - numeric) / scale

    def __repr__(self):
        return (f"GradCheck(autodiff={self.autodiff!r}, numeric={self.numeric!r}, "
                f"error={self.error:.2e})")


def gradcheck(output, inputs, eps=1e-6):
    """Compare autodiff gradients with central finite differences, one GradCheck per input.

    Inputs are nudged in place and restored; the graph is left as it was.
    The largest relative error is max(c.error for c in result).
    """
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    order = topological_order(output)
    autodiff = grad(output, inputs)
    checks = []
    for x, analytic in zip(inputs, autodiff):
        original = x.data
        h = eps * max(1.0, abs(original))
        try:
            x.data = original + h
            up = recompute(output, order).data
            x.data = original - h
            down = recompute(output, order).data
        finally:
            x.data = original
            recompute(output, order)
        checks.append(GradCheck(x, analytic, (up - down) / (2 * h)))
    return checks
