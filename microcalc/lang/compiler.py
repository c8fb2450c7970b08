"""Compiles a parsed program: each statement becomes a Python closure, run once compiled.

Compiling the whole program before running it means a mistake found while compiling (an
assignment to a builtin, a malformed function definition) also stops the program before
anything in it has run, as a syntax error does. Closures rather than a tree walk: a
statement runs as a handful of direct calls, which keeps long scripts fast.

The session's names live in a `Namespace`; calls are bound and their errors translated in
`calls`. What the compiler adds is where each thing was written: every error it raises is a
SourceError at the statement, expression or argument at fault.
"""

from lark import Tree

from ..engine import FUNCTIONS, OPS, Value
from ..errors import DomainError, MicrocalcError
from .arguments import is_number
from .calls import argument_problem, count, describe_domain_error, message_for
from .context import Event
from .errors import SourceError
from .format import describe_kind, event_for, format_number, pictures_for
from .library import BUILTINS
from .namespace import NOTHING, UserFunction
from .values import GradQuery
from .vocabulary import CONSTANTS, LAST_RESULTS

# Calls nest this deep at most: the language has no `if`, so a function that calls itself
# can never stop.
MAX_CALL_DEPTH = 200
_UPDATE_OPS = {f"{op.symbol}=": op for op in OPS.values() if op.arity == 2 and op.symbol}
# The grammar names each operator's rule after its op in OPS (add, neg, pow, ...).
BINARY_OPS = frozenset(op.name for op in OPS.values() if op.arity == 2 and op.symbol)
UNARY_OPS = frozenset(op.name for op in OPS.values() if op.arity == 1 and op.symbol)


class Statement:
    """One compiled statement: run() does it; text is its source, for to_script()."""

    __slots__ = ("run", "text", "where", "source")

    def __init__(self, run, text, where, source):
        self.run = run
        self.text = text
        self.where = where
        self.source = source

    def error(self, message):
        return self.source.error_at(message, self.where)


class Compiler:
    """Turns syntax trees into Statements that run against a namespace and a context."""

    def __init__(self, namespace, ctx):
        self.namespace = namespace
        self.ctx = ctx
        self.variables = namespace.variables
        self.functions = namespace.functions
        self.call_depth = 0
        self._expressions = {
            "number": self._expr_number, "string": self._expr_string, "name": self._expr_name,
            "list": self._expr_list, "index": self._expr_index, "pos": self._expr_pos,
            "call": self._expr_call,
            **{name: self._binary for name in BINARY_OPS},
            **{name: self._unary for name in UNARY_OPS},
        }

    def show(self, value):
        self.namespace.ans = value
        self.ctx.emit(event_for(value))
        for picture in pictures_for(value, self.ctx.settings):
            self.ctx.emit(picture)

    # -- statements ----------------------------------------------------------------------

    def compile_program(self, tree, source):
        try:
            return [self.statement(child, source, in_block=False) for child in tree.children]
        except RecursionError:
            raise source.error("the program is nested too deeply to run", 1, 1) from None

    def statement(self, tree, source, in_block):
        kind = tree.data
        compile_kind = getattr(self, f"_statement_{kind}", None)
        if compile_kind is None:
            run = self._expression_statement(tree, source)
        else:
            run = compile_kind(tree, source, in_block)
        return Statement(run, source.slice(tree.meta), tree.meta, source)

    def _expression_statement(self, tree, source):
        expression = self.expression(tree, source, ())
        show = self.show

        def run():
            value = expression(None)
            if value is not None:
                show(value)
        return run

    def _statement_assign(self, tree, source, in_block):
        target, right = tree.children
        if target.data == "call":
            return self._define_function(target, right, source)
        name = self._target_name(target, source, "=")
        self._check_assignable(name, target, source)
        literal = _is_number_literal(right)
        expression = self.expression(right, source, ())
        prints = not in_block and not literal
        bind = self.namespace.bind
        show = self.show
        where = right.meta

        def run():
            value = expression(None)
            if value.__class__ is not Value and is_number(value):
                value = Value(value)            # a number on the right: a new input
            elif value is None:
                raise source.error_at("this gives no value to assign", where)
            old = self.variables.get(name)
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
            shown = ", ".join(users[:3]) + (", ..." if len(users) > 3 else "")
            self.ctx.emit(Event(
                "note", f"{shown} still {'uses' if len(users) == 1 else 'use'} the old {name} "
                f"({format_number(old.data)}); to change {name} everywhere, write "
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
        text = source.text[target.meta.start_pos:body.meta.end_pos]
        function = UserFunction(name, params, compiled, text)
        define = self.namespace.define

        def run():
            define(function)
        return run

    def _statement_set_input(self, tree, source, in_block):
        return self._input_change(tree, source, None)

    def _statement_update(self, tree, source, in_block):
        return self._input_change(tree, source, _UPDATE_OPS[tree.children[1].value])

    def _input_change(self, tree, source, op):
        target, right = tree.children[0], tree.children[-1]
        symbol = f"{op.symbol}=" if op else ":="
        name = self._target_name(target, source, symbol)
        expression = self.expression(right, source, ())
        combine = FUNCTIONS[op.name] if op else None
        where = tree.meta
        target_where = target.meta
        right_where = right.meta

        namespace = self.namespace

        def run():
            try:
                value = namespace.input_named(name, symbol)
            except MicrocalcError as exc:
                if name not in namespace.variables:
                    raise self._unknown_name(name, target_where, source) from None
                raise source.error_at(str(exc), target_where) from None
            new = expression(None)
            if new.__class__ is Value:
                new = new.data
            elif is_number(new):
                new = float(new)
            else:
                raise source.error_at(f"{symbol} needs a number, not {describe_kind(new)}",
                                      right_where)
            try:
                if combine is not None:
                    new = combine(value.data, new)
                namespace.change_input(name, value, new)
            except MicrocalcError as exc:
                raise source.error_at(message_for(exc, symbol), where) from None
        return run

    def _statement_repeat(self, tree, source, in_block):
        count_tree, block = tree.children
        count = self.expression(count_tree, source, ())
        body = [self.statement(child, source, in_block=True).run for child in block.children]
        where = count_tree.meta

        def run():
            times = count(None)
            times = float(getattr(times, "data", times)) if is_number(times) else times
            if times.__class__ is not float or not times.is_integer() or times < 0:
                shown = format_number(times) if times.__class__ is float else describe_kind(times)
                raise source.error_at(f"repeat needs a whole number of times (0 or more), "
                                      f"not {shown}", where)
            for _ in range(int(times)):
                for step in body:
                    step()
        return run

    def _statement_command(self, tree, source, in_block):
        name_token = tree.children[0]
        name = name_token.value
        arguments = [c for c in tree.children[1:] if isinstance(c, Tree)]
        positional, keywords = self._arguments(arguments[0] if arguments else None, source, (),
                                               grad_queries=True)
        call = self._call_builtin
        where = tree.meta
        show = self.show

        def run():
            args = [argument(None) for argument in positional]
            kwargs = {key: argument(None) for key, argument in keywords}
            result = call(BUILTINS[name], args, kwargs, source, where)
            if isinstance(result, str):          # a picture or a table, shown as it is
                self.ctx.emit(Event("text", result))
            elif result is not None:
                show(result)
        return run

    def _target_name(self, target, source, symbol):
        if target.data != "name":
            what = "a function definition" if symbol == "=" else "an input's name"
            raise source.error_at(
                f"only a name can be on the left of '{symbol}' (here: {source.slice(target.meta)}"
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

    # -- expressions ---------------------------------------------------------------------

    def expression(self, tree, source, params):
        """Compile an expression tree into a function of the local parameters (or None)."""
        return self._expressions[tree.data](tree, source, params)

    def _expr_number(self, tree, source, params):
        value = float(tree.children[0])
        if value - value:
            raise source.error_at("this number is too large for a float", tree)
        return lambda local: value

    def _expr_string(self, tree, source, params):
        value = _unescape(tree.children[0][1:-1])
        if "\0" in value:          # strings name files and options: no file name holds one
            raise source.error_at("a string cannot hold the NUL character", tree)
        return lambda local: value

    def _expr_name(self, tree, source, params):
        name = tree.children[0].value
        if name in params:
            return lambda local: local[name]
        variables = self.variables
        load_other = self._load_other
        where = tree.meta

        def load(local):
            value = variables.get(name, NOTHING)
            if value is NOTHING:
                return load_other(name, where, source)
            return value
        return load

    def _load_other(self, name, where, source):
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in LAST_RESULTS:
            if self.namespace.ans is NOTHING:
                raise source.error_at(f"'{name}' is the last result, and there is none yet",
                                      where)
            return self.namespace.ans
        entry = BUILTINS.get(name)
        if entry is not None and entry.kind == "command":
            raise source.error_at(f"'{name}' is a command: write it as a statement of its own,"
                                  f" as in {entry.signature}", where)
        if entry is not None or name in self.functions:
            raise source.error_at(f"'{name}' is a function: call it, as in {name}(x)", where)
        raise self._unknown_name(name, where, source)

    def _unknown_name(self, name, where, source):
        known = (set(self.variables) | set(self.functions) | set(CONSTANTS) | set(LAST_RESULTS)
                 | {n for n, b in BUILTINS.items() if b.kind == "function"})
        import difflib      # only for a mistake: start-up counts
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return source.error_at(f"unknown name '{name}'{hint}", where)

    def _expr_list(self, tree, source, params):
        items = tree.children[0].children if tree.children else []
        compiled = [self.expression(item, source, params) for item in items]
        return lambda local: [item(local) for item in compiled]

    def _expr_index(self, tree, source, params):
        base_tree, index_tree = tree.children
        base = self.expression(base_tree, source, params)
        index = self.expression(index_tree, source, params)

        def run(local):
            items = base(local)
            position = index(local)
            if is_number(position):
                position = float(getattr(position, "data", position))
            if not isinstance(items, (list, tuple, str)):
                raise source.error_at(f"only a list can be indexed, and "
                                      f"{source.slice(base_tree.meta)} is "
                                      f"{describe_kind(items)}", base_tree.meta)
            if position.__class__ is not float or not position.is_integer():
                shown = (format_number(position) if position.__class__ is float
                         else describe_kind(position))
                raise source.error_at(f"an index must be a whole number, not {shown}",
                                      index_tree.meta)
            count = len(items)
            if not -count <= position < count:
                raise source.error_at(
                    f"index {format_number(position)} is out of range: the list has {count} "
                    f"item{'s' if count != 1 else ''} (0 to {count - 1})", index_tree.meta)
            return items[int(position)]
        return run

    def _expr_pos(self, tree, source, params):
        operand = self.expression(tree.children[0], source, params)

        def run(local):
            value = operand(local)
            if not is_number(value):
                raise source.error_at(f"'+' needs a number, not {describe_kind(value)}",
                                      tree.meta)
            return value
        return run

    def _unary(self, tree, source, params):
        op = OPS[tree.data]
        function = FUNCTIONS[op.name]
        operand = self.expression(tree.children[0], source, params)
        where = tree.meta

        def run(local):
            value = operand(local)
            try:
                return function(value)
            except DomainError as exc:
                raise source.error_at(describe_domain_error(exc), where) from None
            except TypeError:
                raise source.error_at(f"'{op.symbol}' needs a number, not "
                                      f"{describe_kind(value)}", where) from None
        return run

    def _binary(self, tree, source, params):
        # 1 + 2 + ... + n is a tree that leans left and is as deep as the sum is long: it is
        # compiled and run with a loop, so Python's recursion limit does not cap its length.
        if tree.children[0].data in BINARY_OPS:
            return self._binary_chain(tree, source, params)
        op = OPS[tree.data]
        function = FUNCTIONS[op.name]
        left = self.expression(tree.children[0], source, params)
        right = self.expression(tree.children[1], source, params)
        where = tree.meta

        def run(local):
            x = left(local)
            y = right(local)
            try:
                return function(x, y)
            except DomainError as exc:
                raise source.error_at(describe_domain_error(exc), where) from None
            except TypeError:
                raise source.error_at(f"'{op.symbol}' needs two numbers, not "
                                      f"{describe_kind(x)} and {describe_kind(y)}",
                                      where) from None
        return run

    def _binary_chain(self, tree, source, params):
        spine = []                   # the operation nodes down the left edge, outermost first
        while tree.data in BINARY_OPS:
            spine.append(tree)
            tree = tree.children[0]
        first = self.expression(tree, source, params)
        steps = [(FUNCTIONS[node.data], OPS[node.data].symbol,
                  self.expression(node.children[1], source, params), node.meta)
                 for node in reversed(spine)]

        def run(local):
            x = first(local)
            for function, symbol, right, where in steps:
                y = right(local)
                try:
                    x = function(x, y)
                except DomainError as exc:
                    raise source.error_at(describe_domain_error(exc), where) from None
                except TypeError:
                    raise source.error_at(f"'{symbol}' needs two numbers, not "
                                          f"{describe_kind(x)} and {describe_kind(y)}",
                                          where) from None
            return x
        return run

    def _expr_call(self, tree, source, params):
        name_token = tree.children[0]
        name = name_token.value
        positional, keywords = self._arguments(
            tree.children[1] if len(tree.children) > 1 else None, source, params)
        where = tree.meta
        functions = self.functions
        variables = self.variables
        call_builtin = self._call_builtin
        call_user = self._call_user

        def run(local):
            args = [argument(local) for argument in positional]
            kwargs = {key: argument(local) for key, argument in keywords} if keywords else {}
            function = functions.get(name)
            if function is not None:
                return call_user(function, args, kwargs, source, where)
            entry = BUILTINS.get(name)
            if entry is not None:
                if entry.kind == "command":
                    raise source.error_at(
                        f"'{name}' is a command: write it at the start of a statement, as in "
                        f"{entry.signature}", name_token)
                return call_builtin(entry, args, kwargs, source, where)
            value = variables.get(name, NOTHING)
            if value is NOTHING:
                raise self._unknown_name(name, name_token, source)
            if not callable(value) or value.__class__ is Value:
                raise source.error_at(
                    f"'{name}' is {describe_kind(value)}, not a function (write {name} * (...)"
                    f" to multiply)", name_token)
            return self._call_object(name, value, args, kwargs, source, where)
        return run

    def _arguments(self, tree, source, params, grad_queries=False):
        positional, keywords, seen = [], [], set()
        for argument in tree.children if tree is not None else []:
            if argument.data == "keyword":
                key = argument.children[0].value
                if key in seen:
                    raise source.error_at(f"keyword argument '{key}' is given twice", argument)
                seen.add(key)
                keywords.append((key, self.expression(argument.children[1], source, params)))
            elif keywords:
                raise source.error_at("a positional argument cannot follow keyword arguments",
                                      argument)
            elif grad_queries and argument.data == "call" and argument.children[0] == "grad":
                positional.append(self._grad_query(argument, source, params))
            else:
                positional.append(self.expression(argument, source, params))
        return positional, keywords

    def _grad_query(self, tree, source, params):
        """grad(...) given to a command: the graph and its inputs, not numbers."""
        positional, keywords = self._arguments(
            tree.children[1] if len(tree.children) > 1 else None, source, params)
        text = source.slice(tree.meta)
        where = tree.meta
        if keywords or not positional:
            raise source.error_at("grad(...) needs the value to differentiate first, as in "
                                  "grad(L, a)", where)

        def run(local):
            values = [argument(local) for argument in positional]
            output, wrt = values[0], []
            for item in values[1:]:
                wrt.extend(item if isinstance(item, (list, tuple)) else [item])
            if output.__class__ is not Value:
                raise source.error_at(f"grad needs a value computed from inputs, not "
                                      f"{describe_kind(output)}", tree.children[1].children[0])
            for item in wrt:
                if item.__class__ is not Value:
                    raise source.error_at(f"grad can differentiate only with respect to a "
                                          f"variable, not {describe_kind(item)}", where)
            if len(values) == 1:
                wrt = self.namespace.named_inputs(output)
            return GradQuery(output, wrt, text)
        return run

    # -- calls -----------------------------------------------------------------------------

    def _call_builtin(self, entry, args, kwargs, source, where):
        problem = argument_problem(entry, args, kwargs)
        if problem:
            raise source.error_at(problem, where)
        try:
            return entry.function(self.ctx, *args, **kwargs)
        except SourceError:
            raise
        except Exception as exc:   # a builtin's own bug or an odd argument: never a traceback
            raise source.error_at(message_for(exc, entry.name, args), where) from _cause(exc)

    def _call_object(self, name, function, args, kwargs, source, where):
        try:
            return function(*args, **kwargs)
        except SourceError:
            raise
        except Exception as exc:
            raise source.error_at(message_for(exc, name, args), where) from _cause(exc)

    def _call_user(self, function, args, kwargs, source, where):
        params = function.params
        if len(args) > len(params) or (not kwargs and len(args) < len(params)):
            raise source.error_at(f"{function.name} takes {count(len(params), 'argument')}, "
                                  f"got {len(args)}", where)
        local = dict(zip(params, args))
        for key, value in kwargs.items():
            if key not in params:
                raise source.error_at(f"{function.name} has no parameter '{key}'", where)
            if key in local:
                raise source.error_at(f"{function.name} got two values for '{key}'", where)
            local[key] = value
        missing = [p for p in params if p not in local]
        if missing:
            raise source.error_at(f"{function.name} is missing a value for "
                                  f"'{missing[0]}'", where)
        if self.call_depth >= MAX_CALL_DEPTH:
            raise _Runaway.at(source, where, f"{function.name} calls itself without end (the "
                              f"language has no 'if', so a function cannot stop recursing)")
        self.call_depth += 1
        try:
            return function.body(local)
        except _Runaway:
            raise
        except SourceError as inner:
            raise source.error_at(f"in {function.name}: {inner.message}", where) from None
        finally:
            self.call_depth -= 1


class _Runaway(SourceError):
    """Calls nested past MAX_CALL_DEPTH: passed up unchanged through every enclosing call."""

    @classmethod
    def at(cls, source, where, message):
        error = source.error_at(message, where)
        return cls(error.message, error.filename, error.line, error.column, error.source_line,
                   error.end_column)


def _is_number_literal(tree):
    while tree.data in ("neg", "pos"):
        tree = tree.children[0]
    return tree.data == "number"


def _unescape(text):
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            following = text[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(following, following))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _cause(exc):
    """What a translated error keeps as its cause: nothing for errors the user made, the
    exception itself for a bug (MICROCALC_TRACEBACK=1 shows it)."""
    return None if isinstance(exc, MicrocalcError) else exc
