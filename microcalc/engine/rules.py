"""The op table compiled into the engine's code, once, at import.

`OPS` (ops.py) says each op's forward rule and its local derivatives as expressions. From it
this module makes:

- `Value`'s operators and methods (`a + b`, `v.tanh()`), and each op's checked evaluation on
  floats (`op.evaluate`, behind the generic functions and `recompute`). All of them come from
  one template, `_APPLY`: the forward rule, then the domain check, written once;
- `op.derivative` (the partials on floats or Values) and, per node kind, a `Rule`;
- `propagate`, the backward step: one loop over the nodes with every op's partials written
  inline (a function call per node costs as much as the arithmetic it does).

Nothing here knows an op by name except pow, whose number exponent is not a node in
micrograd's pictures and never gets a gradient.
"""

import math

from ..errors import DivisionByZero, Overflow, Undefined
from .value import Value

__all__ = ["Rule", "install", "rule_for", "domain_error", "derivative_error", "propagate",
           "weighted_sum"]

_new = object.__new__


def _number(x):
    return x.data if isinstance(x, Value) else x


def domain_error(op, operands, exc=None):
    """The DomainError for op applied to operands (Values or numbers), of the kind Python
    itself raises for the same mistake: division by zero, overflow, or a value error."""
    numbers = [_number(x) for x in operands]
    if isinstance(exc, ZeroDivisionError):
        kind = DivisionByZero
    elif exc is None or isinstance(exc, OverflowError):
        return Overflow(op.name, numbers, "result too large (overflow)")
    else:
        kind = Undefined
    reason = op.domain(*numbers) if op.domain else str(exc)
    return kind(op.name, numbers, reason)


def derivative_error(node, exc=None):
    """The DomainError for a node whose local derivative is infinite or undefined (exc: the
    exception computing it raised, None for an infinite result)."""
    kind = (DivisionByZero if isinstance(exc, ZeroDivisionError)
            else Undefined if isinstance(exc, ValueError) else Overflow)
    name = node.op.name if node.op is not None else (node._op or "a home-made node")
    return kind(name, [c.data for c in node.operands],
                "its derivative is infinite or undefined here")


class Rule:
    """How the engine treats one kind of node: its registered op, how micrograd writes it in
    `_op`, and the partial derivatives of the operands that receive a gradient."""

    __slots__ = ("op", "token", "by_number", "receivers", "partials", "float_partials")

    def __init__(self, op, by_number=False):
        self.op = op
        self.token = op.token
        # pow by a number (x ** 2): the exponent is a constant, so only the base is differentiated
        self.by_number = by_number
        self.receivers = (0,) if by_number else tuple(range(op.arity))
        # Compiled when first used (_compile_derivative): per receiver, (*operands, out) ->
        # its partial, on floats or Values (partials) and on floats only (float_partials).

    def __getattr__(self, name):
        if name in ("partials", "float_partials"):
            _compile_derivative(self.op)
            return object.__getattribute__(self, name)
        raise AttributeError(name)

    def __repr__(self):
        return f"<rule {self.op.name}{' by a number' if self.by_number else ''}>"


_RULES = {}


def rule_for(name, by_number=False):
    """The Rule of op `name` (pickled nodes find theirs by name)."""
    return _RULES[name, by_number]


# The table is compiled piece by piece, when a piece is first used: importing microcalc
# compiles nothing (a piped one-liner uses an op or two, and no backward pass).
_TABLE = {}          # what install() was given: the ops, the derivative namespaces


def propagate(nodes):
    """The backward step over nodes, root first: compiled at its first use."""
    _compile_propagate()
    return propagate(nodes)


def weighted_sum(total, weights, inputs):
    """b + w0*x0 + w1*x1 + ...: compiled at its first use."""
    _compile_weighted_sum()
    return weighted_sum(total, weights, inputs)


# -- code generation -------------------------------------------------------------------------

def _compile(source, namespaces, name):
    """Compile generated source once and run it into each namespace (the same code with other
    globals); tracebacks through it show the lines."""
    import linecache
    filename = f"<microcalc engine: {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    for namespace in namespaces if isinstance(namespaces, list) else [namespaces]:
        namespace.setdefault("__name__", __name__)     # the functions' __module__
        exec(code, namespace)


def _names_in(expression):
    import ast
    return {node.id for node in ast.walk(ast.parse(expression, mode="eval"))
            if isinstance(node, ast.Name)}


# An op applied to numbers: the forward rule, then the domain check. Every way of applying
# an op (an operator, a method, a function on floats, a neuron's weighted sum) is built
# around this one piece.
_CHECKED = """\
try:
    out = {forward}({numbers})
except (ArithmeticError, ValueError) as exc:
    raise domain_error({op}, ({operands},), exc) from None
if out - out:                       # inf or nan: overflow
    raise domain_error({op}, ({operands},))
"""

# The result as a new node. Value.__init__ checks what a user gives; a result needs no check.
# Every slot of Value is set here (value.py lists them).
_NEW_NODE = """\
{node} = new(Value)
{node}.data = out
{node}.grad = 0.0
{node}._a = {a}
{node}._b = {b}
{node}._op = {token}
{node}._rule = {rule}
{node}._mark = None
"""

_COERCE = """\
if {name}.__class__ is not Value and not isinstance({name}, Value):
    {name} = Value({name})
"""

# x ** number: micrograd's node is '**2', with one child; x ** Value is a plain pow node.
_POW_PROLOGUE = """\
if other.__class__ is Value or isinstance(other, Value):
    rule, token = value_rule, value_token
else:
    rule, token = number_rule, pow_token(other)
    other = Value(other)
"""


def _indent(text, indent):
    return "".join(" " * indent + line if line.strip() else line
                   for line in text.splitlines(True))


def _block(indent, template, **names):
    return _indent(template.format(**names), indent)


def _apply_source(function, params, numbers, operands, prologue="", node=None):
    """def function(params): the op applied, returning its number or (node) a new node."""
    source = f"def {function}({params}):\n" + _indent(prologue, 4)
    source += _block(4, _CHECKED, forward="forward", numbers=numbers, op="op",
                     operands=operands)
    if node is None:
        return source + "    return out\n"
    source += _block(4, _NEW_NODE, node="node", a=node[0], b=node[1], token="token",
                     rule="rule")
    return source + "    return node\n"


# b + w0*x0 + w1*x1 + ...: a neuron's weighted sum, node by node as `+` and `*` build it
# (micrograd's sum() in its order), without a method call per node.
_WEIGHTED_SUM = """\
def weighted_sum(total, weights, inputs):
    for w, x in zip(weights, inputs):
{coerce}{product}{new_product}{sum}{new_sum}        total = node
    return total
"""


def _compile_weighted_sum():
    global weighted_sum
    mul, add = _RULES["mul", False], _RULES["add", False]
    source = _WEIGHTED_SUM.format(
        coerce=_block(8, _COERCE, name="x"),
        product=_block(8, _CHECKED, forward="mul_forward", numbers="w.data, x.data",
                       op="mul_op", operands="w, x"),
        new_product=_block(8, _NEW_NODE, node="product", a="w", b="x", token="mul_token",
                           rule="mul_rule"),
        sum=_block(8, _CHECKED, forward="add_forward", numbers="total.data, out",
                   op="add_op", operands="total, product"),
        new_sum=_block(8, _NEW_NODE, node="node", a="total", b="product", token="add_token",
                       rule="add_rule"))
    ns = {"Value": Value, "new": _new, "domain_error": domain_error,
          "mul_forward": mul.op.forward, "mul_op": mul.op, "mul_token": mul.token,
          "mul_rule": mul, "add_forward": add.op.forward, "add_op": add.op,
          "add_token": add.token, "add_rule": add}
    _compile(source, ns, "weighted_sum")
    weighted_sum = ns["weighted_sum"]


_POW_TOKENS = {}


def _pow_token(exponent):
    """f'**{exponent}' as micrograd writes it ('**2', '**-1', '**0.5'), kept for reuse."""
    key = (exponent.__class__, exponent)
    token = _POW_TOKENS.get(key)
    if token is None:
        token = f"**{exponent}"
        if len(_POW_TOKENS) < 4096:
            _POW_TOKENS[key] = token
    return token


_DUNDERS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "**": "pow"}


def _compile_application(op):
    """op's evaluation on floats, and its operator or method on Values, in place of the
    stubs install() left."""
    rule = _RULES[op.name, False]
    ns = {"Value": Value, "new": _new, "domain_error": domain_error, "op": op,
          "forward": op.forward, "rule": rule, "token": op.token}
    if op.arity == 1:
        source = _apply_source("evaluate", "x", "x", "x")
        source += _apply_source("method", "self", "self.data", "self", node=("self", "None"))
    else:
        source = _apply_source("evaluate", "a, b", "a, b", "a, b")
        prologue = _POW_PROLOGUE if op.name == "pow" else _COERCE.format(name="other")
        source += _apply_source("method", "self, other", "self.data, other.data", "self, other",
                                prologue, node=("self", "other"))
        source += _apply_source("reflected", "self, other", "other.data, self.data",
                                "other, self", _COERCE.format(name="other"),
                                node=("other", "self"))
    if op.name == "pow":
        ns.update(value_rule=rule, value_token=op.token, number_rule=_RULES["pow", True],
                  pow_token=_pow_token)
    _compile(source, ns, op.name)
    op.evaluate = ns["evaluate"]
    for name in _method_names(op):
        setattr(Value, name, ns["reflected" if name.startswith("__r") else "method"])


def _method_names(op):
    """Value's names for op: its operator's dunders (__add__ and __radd__, __neg__), else
    the op's name (and __abs__ for abs)."""
    if op.symbol and op.arity == 2:
        return (f"__{_DUNDERS[op.symbol]}__", f"__r{_DUNDERS[op.symbol]}__")
    if op.symbol:
        return ("__neg__",)
    return (op.name, "__abs__") if op.name == "abs" else (op.name,)


def _stub(op, name):
    """Value's method name until op is compiled: compiles it, then runs the real one. Code
    that took the stub before the first use (Value.__mul__ looked up at import) keeps
    calling it, so it compiles only while it is still Value's method."""
    def stub(*args):
        if Value.__dict__.get(name) is stub:
            _compile_application(op)
        return getattr(Value, name)(*args)
    stub.__name__ = stub.__qualname__ = name
    return stub


def _generic_function(op):
    """op as a plain function: floats in give a float out, any Value in gives a Value, a
    numpy array in gives an array (op.array_forward), so that derivative expressions
    compiled with these functions run on all three."""
    method = _method_names(op)[0]

    def function(*args):
        if len(args) != op.arity:
            raise TypeError(f"{op.name} takes {op.arity} argument(s), got {len(args)}")
        for x in args:
            if x.__class__ is float:
                continue
            if isinstance(x, Value):
                first = args[0] if isinstance(args[0], Value) else Value(args[0])
                return getattr(Value, method)(first, *args[1:])
            if getattr(x, "ndim", 0):
                return op.array_forward(*args)
        return op.evaluate(*args)

    function.__name__ = op.name
    function.__doc__ = op.doc
    return function


def _operand_names(op):
    return ("x",) if op.arity == 1 else ("a", "b")


def _compile_derivative(op):
    """op.derivative, op.array_derivative, and each of op's rules' partials on floats or
    Values and on floats only."""
    params = ", ".join(_operand_names(op) + ("out",))
    source = f"def derivative({params}):\n    return ({', '.join(op.partials)},)\n"
    for i, partial in enumerate(op.partials):
        source += f"def partial{i}({params}):\n    return {partial}\n"
    generic, floats = dict(_TABLE["generic"]), dict(_TABLE["floats"])
    _compile(source, [generic, floats], f"{op.name} derivative")
    for rule in _RULES.values():
        if rule.op is op:
            rule.partials = tuple(generic[f"partial{i}"] for i in rule.receivers)
            rule.float_partials = tuple(floats[f"partial{i}"] for i in rule.receivers)
    op.derivative = generic["derivative"]
    op.array_derivative = _TABLE["array_derivative"](op)


def _step_source(rule, indent):
    """The backward step of one node v of this rule, its adjoint in g, as inline code:
    each receiving operand's .grad += partial * g, the partial written out."""
    op = rule.op
    names = _operand_names(op)
    used = set().union(*(_names_in(op.partials[i]) for i in rule.receivers))
    lines = [f"{name}_ = v.{slot}" for name, slot in zip(names, ("_a", "_b"))]
    lines += [f"{name} = {name}_.data" for name in names if name in used]
    if "out" in used:
        lines.append("out = v.data")
    for i in rule.receivers:
        expression = op.partials[i].strip()
        target = f"{names[i]}_.grad"
        if expression == "0.0":
            continue                            # nothing to add
        elif expression == "1.0":
            lines.append(f"{target} += g")
        elif expression == "-1.0":
            lines.append(f"{target} -= g")
        else:
            lines.append(f"{target} += ({expression}) * g")
    return "".join(" " * indent + line + "\n" for line in lines)


def skips_zero(rule):
    """Whether a node whose gradient is exactly 0 may be passed over: its partials are finite
    wherever the op is defined (only an op with a domain has partials that can be infinite,
    at its domain's edge, and 0 times those is not 0)."""
    return rule.op.domain is None


_ZERO_STOPS = """\
            if not g:
                continue
"""

# The order in which propagate tests a node's rule: the ops of a neural network first.
_FREQUENT = ("add", "mul", "relu", "tanh", "sub", "pow", "neg", "exp", "div", "sigmoid")


def _compile_propagate():
    global propagate
    ordered = sorted(_RULES.values(), key=lambda r: (_FREQUENT.index(r.op.name)
                                                    if r.op.name in _FREQUENT
                                                    else len(_FREQUENT), r.by_number))
    ns = dict(_TABLE["floats"])
    branches = []
    for k, rule in enumerate(ordered):
        ns[f"rule{k}"] = rule
        branches.append(f"        {'if' if k == 0 else 'elif'} rule is rule{k}:     # {rule!r}\n"
                        + (_ZERO_STOPS if skips_zero(rule) else "")
                        + _step_source(rule, 12))
    source = ("def propagate(nodes):\n"
              "    for v in nodes:\n"
              "        g = v.grad\n"
              "        rule = v._rule\n"
              + "".join(branches) +
              "        elif v._a is not None:     # a home-made node: its own _backward\n"
              "            v._backward()\n")
    _compile(source, ns, "propagate")
    propagate = ns["propagate"]


def install(ops, helpers, array_derivative):
    """Prepare the table for compiling: Value's operators and methods, every op's evaluation
    and derivative, the backward step and a neuron's weighted sum are each compiled when
    first used. Returns the generic functions, by name. Called again after the table
    changed, it forgets what was compiled."""
    global propagate, weighted_sum
    # Nodes keep their rule: compiling again (after the table changed) updates the same ones.
    for op in ops.values():
        _RULES.setdefault((op.name, False), Rule(op)).op = op
    _RULES.setdefault(("pow", True), Rule(ops["pow"], by_number=True)).op = ops["pow"]
    for rule in _RULES.values():
        for name in ("partials", "float_partials"):
            try:
                delattr(rule, name)
            except AttributeError:
                pass
    for name in _INSTALLED - {name for op in ops.values() for name in _method_names(op)}:
        delattr(Value, name)         # the method of an op taken out of the table
    _INSTALLED.clear()
    for op in ops.values():
        for name in ("evaluate", "derivative", "array_derivative"):
            try:
                delattr(op, name)
            except AttributeError:
                pass
        for name in _method_names(op):
            setattr(Value, name, _stub(op, name))
            _INSTALLED.add(name)
    Value.__pos__ = lambda self: self
    functions = {op.name: _generic_function(op) for op in ops.values()}
    # The derivative expressions call ops by name: generic functions for Values, plain
    # forward rules for floats (their operands are finite, their results checked later).
    _TABLE.update(
        ops=ops, generic=dict(helpers, **functions, math=math),
        floats=dict(helpers, **{op.name: op.forward for op in ops.values()}, math=math),
        array_derivative=array_derivative)
    propagate, weighted_sum = _LAZY
    return functions


_LAZY = (propagate, weighted_sum)
_INSTALLED = set()      # Value's method names that install() put there


def compile_all():
    """Compile every piece now (a test of the generated code, or a benchmark's warm-up)."""
    for op in _TABLE["ops"].values():
        _compile_application(op)
        _compile_derivative(op)
    _compile_propagate()
    _compile_weighted_sum()
