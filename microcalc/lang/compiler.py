"""Compiles a parsed program: each statement becomes a Python closure, run once compiled.

Compiling the whole program before running it means a mistake found while compiling (an
assignment to a builtin, a malformed function definition) also stops the program before
anything in it has run, as a syntax error does. Expressions are compiled by
`expressions.ExpressionCompiler`; this module adds the statements: assignments, function
definitions, changes of an input in place, the blocks (repeat, for, if) and commands.

The session's names live in a `Namespace`. What the compiler adds is where each thing was
written: every error it raises is a SourceError at the statement, expression or argument
at fault.
"""

from ..engine import FUNCTIONS, OPS, Value
from ..errors import MicrocalcError
from .arguments import is_number
from .calls import message_for
from .context import Event
from .expressions import ExpressionCompiler, unconditional_calls
from .format import describe_kind, event_for, format_number, pictures_for
from .library import BUILTINS
from .namespace import UserFunction
from .sequences import items_of
from .syntax import Node
from .vocabulary import LAST_RESULTS, PYTHON_HABITS

_UPDATE_OPS = {f"{op.symbol}=": op for op in OPS.values() if op.arity == 2 and op.symbol}
# A change of an input names at most this many of the graphs it changed in its note.
SHOWN_USERS = 3


class Statement:
    """One compiled statement: run() does it; text is its source, for to_script()."""

    __slots__ = ("run", "where", "source")

    def __init__(self, run, where, source):
        self.run = run
        self.where = where
        self.source = source

    @property
    def text(self):
        return self.source.slice(self.where)

    def error(self, message):
        return self.source.error_at(message, self.where)

    def lines(self):
        """The first and the last line the statement was written on."""
        start, end = self.source.offsets(self.where)
        return self.source.position(start)[0], self.source.position(end)[0]


class Compiler(ExpressionCompiler):
    """Turns syntax trees into Statements that run against a namespace and a context."""

    def show(self, value):
        self.namespace.ans = value
        self.ctx.emit(event_for(value))
        for picture in pictures_for(value, self.ctx.settings):
            self.ctx.emit(picture)

    def compile_program(self, tree, source):
        try:
            return [self.statement(child, source, in_block=False) for child in tree.children]
        except RecursionError:
            raise source.error("the program is nested too deeply to run", 1, 1) from None

    def statement(self, tree, source, in_block):
        compile_kind = self._statements.get(tree.data)
        if compile_kind is None:
            run = self._expression_statement(tree, source)
        else:
            run = compile_kind(self, tree, source, in_block)
        return Statement(run, tree, source)

    def block(self, tree, source):
        """The statements of a { } block, compiled: each runs whole or not at all."""
        return [self.statement(child, source, in_block=True).run for child in tree.children]

    def _expression_statement(self, tree, source):
        expression = self.expression(tree, source, ())
        show = self.show

        def run():
            value = expression(None)
            if value is not None:
                show(value)
        return run

    # -- assignments and definitions --------------------------------------------------------

    def _assign(self, tree, source, in_block):
        target, right = tree.children
        if target.data == "call":
            return self._define_function(target, right, source)
        name = self._target_name(target, source, "=")
        self._check_assignable(name, target, source)
        literal = _is_number_literal(right)
        expression = self.expression(right, source, ())
        prints = not in_block and not literal
        bind = self.namespace.bind
        variables = self.variables
        show = self.show

        def run():
            value = expression(None)
            if value.__class__ is not Value and is_number(value):
                value = Value(value)            # a number on the right: a new input
            elif value is None:
                raise source.error_at("this gives no value to assign", right)
            old = variables.get(name)
            bind(name, value)
            if prints:
                show(value)
            if (not in_block and old.__class__ is Value and old.is_input
                    and old is not value and value.__class__ is Value and value.is_input):
                self._note_old_input_in_use(name, old, value)
        return run

    def _note_old_input_in_use(self, name, old, new):
        """`a = 5` after L was built from a: L keeps the old a. Say so, and how to change it."""
        users = self.namespace.users_of(old)
        if users:
            self.ctx.emit(Event(
                "note", f"{_listed(users)} still {'uses' if len(users) == 1 else 'use'} the old "
                f"{name} ({format_number(old.data)}); to change {name} everywhere, write "
                f"{name} := {format_number(new.data)}", {"name": name, "users": users}))

    def _define_function(self, target, body, source):
        name_token = target.children[0]
        name = name_token.value
        self._check_assignable(name, name_token, source)
        params = []
        arguments = target.children[1].children if len(target.children) > 1 else []
        for argument in arguments:
            if argument.data != "name":
                raise source.error_at(
                    "a function's parameters must be plain names, as in f(x, y) = x*y", argument)
            param = argument.children[0].value
            if param in params:
                raise source.error_at(f"parameter '{param}' appears twice", argument)
            if param in LAST_RESULTS:
                raise source.error_at(f"'{param}' is the last result and cannot be a "
                                      f"parameter", argument)
            params.append(param)
        params = tuple(params)
        compiled = self.expression(body, source, params)
        start, end = source.offsets(target)[0], source.offsets(body)[1]
        function = UserFunction(name, params, compiled, source.text[start:end],
                                unconditional_calls(body))
        define = self.namespace.define

        def run():
            define(function)
        return run

    def _target_name(self, target, source, symbol):
        if target.data != "name":
            what = "a function definition" if symbol == "=" else "an input's name"
            raise source.error_at(
                f"only a name can be on the left of '{symbol}' (here: {source.slice(target)}"
                f"), as in x {symbol} 2" + ("" if symbol != "=" else
                                            f"; or {what}, as in f(x) = x**2"), target)
        return target.children[0].value

    def _check_assignable(self, name, where, source):
        if name in LAST_RESULTS:
            raise source.error_at(f"'{name}' is the last result and cannot be assigned", where)
        entry = BUILTINS.get(name)
        if entry is not None:
            raise source.error_at(f"'{name}' is a builtin {entry.kind} and cannot be assigned;"
                                  f" choose another name", where)
        if name in PYTHON_HABITS and name in ("def", "lambda", "import", "from", "return"):
            raise source.error_at(f"'{name}' cannot be a name here: {PYTHON_HABITS[name]}",
                                  where)

    # -- changing an input in place ---------------------------------------------------------

    def _set_input(self, tree, source, in_block):
        return self._input_change(tree, source, None, in_block)

    def _update(self, tree, source, in_block):
        return self._input_change(tree, source, _UPDATE_OPS[tree.children[1].value], in_block)

    def _input_change(self, tree, source, op, in_block):
        target, right = tree.children[0], tree.children[-1]
        symbol = f"{op.symbol}=" if op else ":="
        find = self._input_finder(target, source, symbol)
        expression = self.expression(right, source, ())
        combine = FUNCTIONS[op.name] if op else None
        namespace = self.namespace

        def run():
            name, value = find()
            new = expression(None)
            if new.__class__ is Value:
                new = new.data
            elif is_number(new):
                new = float(new)
            else:
                raise source.error_at(f"{symbol} needs a number, not {describe_kind(new)}",
                                      right)
            try:
                if combine is not None:
                    new = combine(value.data, new)
                namespace.change_input(name, value, new)
            except MicrocalcError as exc:
                raise source.error_at(message_for(exc, symbol), tree) from None
            if not in_block:
                self._note_recomputed(name() if callable(name) else name, value)
        return run

    def _input_finder(self, target, source, symbol):
        """find() -> (how the input is written, the input Value) for the left of a change:
        a name (`a := 3`) or an item of a list (`ps[i] -= lr * g[i]`, written as a function
        that gives the text: it is needed only for a message)."""
        namespace = self.namespace
        if target.data == "index":
            base_tree, index_tree = target.children
            base = self.expression(base_tree, source, ())
            index = self.expression(index_tree, source, ())

            def find_item():
                value = self.item(base(None), index(None), base_tree, index_tree, source)
                if value.__class__ is Value and value.is_input:
                    return lambda: source.slice(target), value
                written = source.slice(target)
                if value.__class__ is Value:
                    raise source.error_at(f"{written} is not an input: it is computed from "
                                          f"other values, and {symbol} changes an input",
                                          target)
                raise source.error_at(f"{symbol} changes an input (a number that = gave a "
                                      f"name, or a network's parameter), and {written} is "
                                      f"{describe_kind(value)}", target)
            return find_item
        name = self._target_name(target, source, symbol)

        def find_named():
            try:
                return name, namespace.input_named(name, symbol)
            except MicrocalcError as exc:
                if name not in namespace.variables:
                    raise self.unknown_name(name, target, source) from None
                raise source.error_at(str(exc), target) from None
        return find_named

    def _note_recomputed(self, name, value):
        """The snapshot trap: `c += h` at the top level also changed d1 = a*b + c, which a
        learner may have meant to keep. Say which named graphs changed, and how to keep one;
        once for each graph a variable holds (the next change of its inputs is expected)."""
        variables, noted = self.variables, self.namespace.noted
        users = [user for user in self.namespace.users_of(value)
                 if user != name and noted.get(user) is not variables.get(user)]
        if not users:
            return
        for user in users:
            noted[user] = variables.get(user)
        which = "which is" if len(users) == 1 else "which are"
        self.ctx.emit(Event(
            "note", f"changing {name} also changed {_listed(users)}, {which} computed from "
            f"{name}; to keep a number as it was, snapshot it before the change: "
            f"{users[0]} = value({users[0]})", {"changed": name, "recomputed": users}))

    # -- blocks -----------------------------------------------------------------------------

    def _repeat(self, tree, source, in_block):
        count_tree, block = tree.children
        count = self.expression(count_tree, source, ())
        body = self.block(block, source)

        def run():
            times = count(None)
            times = float(getattr(times, "data", times)) if is_number(times) else times
            if times.__class__ is not float or not times.is_integer() or times < 0:
                shown = format_number(times) if times.__class__ is float else describe_kind(times)
                raise source.error_at(f"repeat needs a whole number of times (0 or more), "
                                      f"not {shown}", count_tree)
            for _ in range(int(times)):
                for step in body:
                    step()
        return run

    def _for_loop(self, tree, source, in_block):
        targets, items_tree, block = tree.children
        names = []
        for token in targets.children:
            self._check_assignable(token.value, token, source)
            if token.value in names:
                raise source.error_at(f"'{token.value}' appears twice", token)
            names.append(token.value)
        items = self.expression(items_tree, source, ())
        body = self.block(block, source)
        bind = self.namespace.bind
        single = len(names) == 1

        def run():
            value = items(None)
            sequence = items_of(value)
            if sequence is None:
                raise source.error_at(f"for goes through a list or a data set, not "
                                      f"{describe_kind(value)}", items_tree)
            for position, item in enumerate(list(sequence)):
                if single:
                    bind(names[0], _as_bound(item))
                else:
                    parts = items_of(item)
                    if parts is None or len(parts) != len(names):
                        raise source.error_at(
                            f"for {', '.join(names)} takes items of {len(names)} values each, "
                            f"and item {position} is {_kind_and_size(item)}", items_tree)
                    for name, part in zip(names, parts):
                        bind(name, _as_bound(part))
                for step in body:
                    step()
        return run

    def _if_chain(self, tree, source, in_block):
        children = tree.children
        branches = [(self.condition(children[k], source, (), "if"),
                     self.block(children[k + 1], source))
                    for k in range(0, len(children) - 1, 2)]
        otherwise = self.block(children[-1], source) if len(children) % 2 else []

        def run():
            for test, body in branches:
                if test(None):
                    break
            else:
                body = otherwise
            for step in body:
                step()
        return run

    # -- commands ---------------------------------------------------------------------------

    def _command(self, tree, source, in_block):
        name = tree.children[0].value
        arguments = [c for c in tree.children[1:] if c.__class__ is Node]
        positional, keywords = self.arguments(arguments[0] if arguments else None, source, (),
                                              for_command=True)
        call = self.call_builtin
        show = self.show

        def run():
            args = [argument(None) for argument in positional]
            kwargs = {key: argument(None) for key, argument in keywords}
            result = call(BUILTINS[name], args, kwargs, source, tree)
            if isinstance(result, str):          # a picture or a table, shown as it is
                self.ctx.emit(Event("text", result))
            elif result is not None:
                show(result)
        return run

    _statements = {"assign": _assign, "set_input": _set_input, "update": _update,
                   "repeat": _repeat, "for_loop": _for_loop, "if_chain": _if_chain,
                   "command": _command}


def _as_bound(value):
    """A loop's item as `=` binds it: a number becomes an input."""
    if value.__class__ is not Value and is_number(value):
        return Value(value)
    return value


def _kind_and_size(value):
    items = items_of(value)
    if items is None:
        return describe_kind(value)
    return f"a list of {len(items)}"


def _listed(names):
    shown = ", ".join(names[:SHOWN_USERS])
    return shown + (", ..." if len(names) > SHOWN_USERS else "")


def _is_number_literal(tree):
    while tree.data in ("neg", "pos"):
        tree = tree.children[0]
    return tree.data == "number"
