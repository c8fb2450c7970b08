"""What the fuzz harness feeds microcalc: programs generated from the grammar's constructs,
mutations of them, and random text and bytes.

The strategies here are shared by the fuzz tests of every front door (tests/fuzz_doors.py)
and by the longer nightly run (bench/fuzz.py). Nothing about the language is listed twice:
builtins and their keyword parameters come from `BUILTINS`, operators and brackets from the
grammar's own terminals, the update operators from the engine's `OPS`.

Its checks (SESSION_CHECKS, run by tests/test_fuzz_programs.py) test the generator itself
(every generated program is read without a syntax error, so the fuzz reaches the evaluator
and the builtins, not only the parser) and run the bulk of the generated programs straight
through `Session.run`, the one function every front door calls: the only exception that may
come out is a located `SourceError`.

Beyond programs a careful user would write, it makes hostile ones (the section "hostile
input"): control characters and terminal escapes in strings, names and file names; lists
shared with themselves until they hold a trillion items, or nested a hundred thousand deep;
functions that recurse through grad; sizes past every limit; files that never end, devices
and FIFOs where a file name goes. Each kind of input once got through, and each check says
what it must do instead.
"""

import inspect
import os
import random
import re
import resource
import select
import signal
import traceback
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark

from microcalc.engine import OPS, Value, recompute
from microcalc.errors import MicrocalcError
from microcalc.lang.library import BUILTINS
from microcalc.lang.errors import Source, SourceError
from microcalc.lang.parser import grammar_text, parse
from microcalc.lang.vocabulary import keywords
from microcalc.lang import Session as new_session
from microcalc.lang.format import format_value

# -- the grammar's vocabulary -----------------------------------------------------------

_TERMINALS = Lark(grammar_text(), parser="earley", lexer="basic").terminals
# Every literal token of the grammar: operators, brackets, separators and the keyword.
GRAMMAR_SYMBOLS = sorted(t.pattern.value for t in _TERMINALS if t.pattern.type == "str")
FUNCTIONS = sorted(name for name, entry in BUILTINS.items() if entry.kind == "function")
COMMANDS = sorted(name for name, entry in BUILTINS.items() if entry.kind == "command")
# Builtins that allocate or loop in proportion to a number argument (a data set of n points,
# a network of n neurons, a chart n columns wide): they get small numbers, or the fuzz would
# spend its time building a billion points. Their limits are tested on their own.
SIZED_CATEGORIES = {"nn", "data", "graph"}

VARIABLES = ["a", "b", "x", "y", "L", "xs", "net", "data", "run", "s"]
USER_FUNCTIONS = ["f", "g"]
PARAMETERS = ["u", "v", "w"]
CONSTANTS = ["pi", "e", "ans"]


def _parameters_of(name):
    """A builtin's parameters after the context, read from its signature."""
    return list(inspect.signature(BUILTINS[name].function).parameters.values())[1:]


def _required_arguments(name):
    op = OPS.get(name)
    if op is not None:
        return op.arity
    return sum(1 for p in _parameters_of(name)
               if p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty)


# Builtins that read or write a file: those with a parameter named path.
FILE_BUILTINS = sorted(name for name in BUILTINS
                       if any(p.name == "path" for p in _parameters_of(name)))
KEYWORD_PARAMETERS = {name: [p.name for p in _parameters_of(name)
                             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                             and not p.name.startswith("_")]
                      for name in BUILTINS}
REQUIRED_ARGUMENTS = {name: _required_arguments(name) for name in BUILTINS}

# -- programs -----------------------------------------------------------------------------
#
# A hand-written generator that follows the grammar's rules, one function per rule, with an
# explicit depth so that programs stay small. Values are drawn from a few names so that
# statements meet each other's variables, and from literals a careful user would not write.

PLAIN_NUMBERS = st.one_of(
    st.integers(0, 12).map(str),
    st.sampled_from(["0.5", ".5", "2.", "1e-3", "6.02E23", "0.1", "3.25", "1e2"]),
)
# Numbers at the edges of a float and past them.
ODD_NUMBERS = st.sampled_from(["1e308", "1e309", "1e-320", "0.0", "9" * 400, "1e-400",
                               "123456789012345678901234567890", "0000", "7e+3"])
SMALL_NUMBERS = st.one_of(st.integers(0, 4).map(str), st.sampled_from(["0.5", "2.5", "1e-3"]))
# Strings, many of which would mean something to a shell or to Python: the language must use
# them only as strings (file names, options).
STRINGS = st.sampled_from([
    '"x.csv"', '"g.dot"', '"g.svg"', '"net.json"', '""', '"relu"', '"tanh"', '"hinge"',
    '"mse"', '"adam"', '"a;b"', '"$(touch pwned)"', '"`touch pwned`"', '"| touch pwned"',
    '"../../etc/passwd"', '"__import__(\'os\')"', r'"quote \" inside"', r'"tab\tnew\nline"',
    '"x.svg; touch pwned"', '"-o"', '"~"', '"ünïcødé"', '"nul\x00byte.json"', '"-c.svg"',
])
BINARY_OPERATORS = sorted({op.symbol for op in OPS.values() if op.arity == 2 and op.symbol})
_UPDATE = next(t.pattern.to_regexp() for t in _TERMINALS if t.name == "UPDATE")
UPDATE_OPERATORS = [f"{symbol}=" for symbol in BINARY_OPERATORS
                    if re.fullmatch(_UPDATE, f"{symbol}=")]


@st.composite
def numbers(draw):
    if draw(st.integers(0, 9)) == 0:
        return draw(ODD_NUMBERS)
    return draw(PLAIN_NUMBERS)


@st.composite
def atoms(draw, names=()):
    """NUMBER, STRING or NAME (a variable, a constant, or one of `names`: parameters)."""
    choice = draw(st.integers(0, 5))
    if choice <= 1:
        return draw(numbers())
    if choice == 2:
        return draw(STRINGS)
    return draw(st.sampled_from(VARIABLES + CONSTANTS + list(names)))


@st.composite
def small_arguments(draw):
    """What sized builtins get: small numbers, names and strings, never a billion."""
    return draw(st.one_of(SMALL_NUMBERS, st.sampled_from(VARIABLES), STRINGS))


@st.composite
def expressions(draw, depth=3, names=()):
    """An expression: the rules sum, product, unary, power, postfix and atom of the grammar."""
    if depth <= 0:
        return draw(atoms(names))
    inner = expressions(depth - 1, names)
    choice = draw(st.integers(0, 11))
    if choice <= 2:
        return draw(atoms(names))
    if choice <= 4:
        left, right = draw(inner), draw(inner)
        return f"{left} {draw(st.sampled_from(BINARY_OPERATORS))} {right}"
    if choice == 5:
        return f"{draw(st.sampled_from(['-', '+']))}{draw(inner)}"
    if choice == 6:
        return f"({draw(inner)})"
    if choice == 7:
        return "[" + ", ".join(draw(st.lists(inner, max_size=4))) + "]"
    if choice == 8:
        return f"{draw(inner)}[{draw(st.one_of(small_arguments(), inner))}]"
    if choice == 9:
        function = draw(st.sampled_from(USER_FUNCTIONS))
        return f"{function}({', '.join(draw(st.lists(inner, max_size=3)))})"
    return draw(builtin_calls(inner))


@st.composite
def builtin_calls(draw, arguments):
    """A call of any builtin function: half the time with as many arguments as it needs,
    otherwise any number of them and keyword arguments from its signature (and one it does
    not have)."""
    name = draw(st.sampled_from(FUNCTIONS))
    if BUILTINS[name].category in SIZED_CATEGORIES:
        arguments = small_arguments()
    if draw(st.booleans()):
        needed = REQUIRED_ARGUMENTS[name]
        return f"{name}({', '.join(draw(arguments) for _ in range(needed))})"
    positional = draw(st.lists(arguments, max_size=3))
    keys = draw(st.lists(st.sampled_from(KEYWORD_PARAMETERS[name] + ["nonsense"]),
                         max_size=2, unique=True))
    keywords = [f"{key}={draw(st.one_of(small_arguments(), STRINGS))}" for key in keys]
    return f"{name}({', '.join(positional + keywords)})"


@st.composite
def commands(draw):
    """A command statement: `tree L`, `tree(L, depth=2)`, `explain grad(L, a)`, ..."""
    name = draw(st.sampled_from(COMMANDS))
    arguments = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            wrt = draw(st.lists(st.sampled_from(VARIABLES), max_size=2))
            arguments.append(f"grad({', '.join([draw(st.sampled_from(VARIABLES)), *wrt])})")
        elif kind == 1:
            arguments.append(draw(expressions(depth=1)))
        else:
            arguments.append(draw(st.sampled_from(VARIABLES)))
    for key in draw(st.lists(st.sampled_from(KEYWORD_PARAMETERS[name] + ["nonsense"]),
                             max_size=1)):
        arguments.append(f"{key}={draw(st.one_of(SMALL_NUMBERS, STRINGS))}")
    if draw(st.booleans()):
        return f"{name}({', '.join(arguments)})"
    return f"{name} {', '.join(arguments)}".rstrip()


@st.composite
def file_statements(draw):
    """A builtin that reads or writes a file, given a name from STRINGS (many of them shell
    words): the other arguments are variables, the file name goes where `path` goes."""
    name = draw(st.sampled_from(FILE_BUILTINS))
    arguments = [draw(STRINGS) if p.name == "path" else draw(st.sampled_from(VARIABLES))
                 for p in _parameters_of(name)
                 if p.name == "path" or p.default is p.empty]
    if BUILTINS[name].kind == "command":
        return f"{name} {', '.join(arguments)}"
    return f"{name}({', '.join(arguments)})"


@st.composite
def statements(draw, depth=2):
    """One statement of each kind the grammar has."""
    choice = draw(st.integers(0, 9))
    target = draw(st.sampled_from(VARIABLES))
    if choice <= 2:
        return draw(expressions())
    if choice == 3:
        return f"{target} = {draw(numbers())}"
    if choice == 4:
        return f"{target} = {draw(expressions())}"
    if choice == 5:
        operator = draw(st.sampled_from([":="] + UPDATE_OPERATORS))
        return f"{target} {operator} {draw(expressions(depth=2))}"
    if choice == 6:
        function = draw(st.sampled_from(USER_FUNCTIONS))
        parameters = draw(st.lists(st.sampled_from(PARAMETERS), max_size=3, unique=True))
        body = draw(expressions(depth=2, names=parameters))
        return f"{function}({', '.join(parameters)}) = {body}"
    if choice == 7:
        return draw(draw(st.sampled_from([commands(), file_statements()])))
    if depth <= 0:
        return draw(expressions(depth=1))
    # repeat with a small count, or a count repeat must refuse; never a long loop
    count = draw(st.one_of(st.integers(0, 3).map(str),
                           st.sampled_from(["-1", "0.5", '"3"', "[2]", "x", "1e-3"])))
    body = draw(st.lists(statements(depth - 1), max_size=3))
    separator = draw(st.sampled_from(["; ", "\n"]))
    return f"repeat {count} {{ {separator.join(body)} }}"


# What a program usually starts with: every variable and function the statements use, so
# that most programs get past "unknown name" to the builtins, gradients and commands.
_EVERY_NAME = ('a = 2; b = -3; x = 0.5; y = tanh(x) * exp(x); L = a*b + a\n'
               'xs = [1, 2, 3]; s = "x.svg"; f(u) = u*u + 1; g(u, v) = u*v - tanh(u)\n')
_NETWORK = ("net = mlp(2, [3, 1], seed=1); data = moons(8, seed=1)\n"
            "run = train(net, data, steps=2)\n")
PRELUDES = st.sampled_from(["", _EVERY_NAME, _EVERY_NAME, _EVERY_NAME + _NETWORK,
                            _EVERY_NAME + _NETWORK, "x = 3\n", "a = 2; b = -3\nL = a*b + a\n"])
SEPARATORS = st.sampled_from(["\n", "; ", "\n\n", "  # a comment\n", ";\n", " \\\n; "])


@st.composite
def programs(draw, max_statements=6):
    """A whole program: a prelude, then statements separated as the grammar allows."""
    text = draw(PRELUDES)
    for _ in range(draw(st.integers(1, max_statements))):
        text += draw(statements()) + draw(SEPARATORS)
    return text if draw(st.booleans()) else text.rstrip("\n")


PROGRAMS = programs()

# -- mutations and noise ------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\"(?:[^\"\\\n]|\\.)*\"|"
                    r"\*\*|:=|[+\-*/]=|\s+|.", re.DOTALL)
# Characters worth inserting: the grammar's own, and some it has no use for.
INSERTED_CHARACTERS = (sorted(set("".join(GRAMMAR_SYMBOLS))) + list('"\\#\n\r\t .e0x_')
                       + ["^", "!", ":", "@", "$", "?", "'", "`", "\x00", "\x0c", "é", "→",
                          "\u200b", "\ufeff", "\U0001f600", "\ud800"])
TOKEN_POOL = (GRAMMAR_SYMBOLS + FUNCTIONS + COMMANDS + sorted(keywords()) + VARIABLES
              + ["1", "0", "1e308", '"x.csv"', "\n", ";", "(", ")", "[", "]", "{", "}"])


def _edit(text, kind, where, payload):
    """Apply one edit at relative position `where` (0 to 1) of text."""
    if kind in ("delete", "insert", "swap"):
        i = int(where * len(text))
        if kind == "insert":
            return text[:i] + payload + text[i:]
        if i >= len(text):
            return text
        if kind == "delete":
            return text[:i] + text[i + 1:]
        return text[:i] + text[i + 1:i + 2] + text[i] + text[i + 2:]
    tokens = _TOKEN.findall(text)
    if not tokens:
        return payload
    i = int(where * len(tokens)) % len(tokens)
    if kind == "delete token":
        del tokens[i]
    elif kind == "duplicate token":
        tokens.insert(i, tokens[i])
    elif kind == "replace token":
        tokens[i] = payload
    elif kind == "swap tokens":
        j = (i + len(payload)) % len(tokens)
        tokens[i], tokens[j] = tokens[j], tokens[i]
    return "".join(tokens)


_EDITS = st.one_of(
    st.tuples(st.just("delete"), st.floats(0, 1), st.just("")),
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(INSERTED_CHARACTERS)),
    st.tuples(st.just("swap"), st.floats(0, 1), st.just("")),
    st.tuples(st.sampled_from(["delete token", "duplicate token"]), st.floats(0, 1), st.just("")),
    st.tuples(st.just("replace token"), st.floats(0, 1), st.sampled_from(TOKEN_POOL)),
    st.tuples(st.just("swap tokens"), st.floats(0, 1), st.text("x", min_size=1, max_size=5)),
)


@st.composite
def mutated_programs(draw):
    """A generated program with a few characters or tokens deleted, inserted or swapped."""
    text = draw(PROGRAMS)
    for kind, where, payload in draw(st.lists(_EDITS, min_size=1, max_size=4)):
        text = _edit(text, kind, where, payload)
    return text


MUTATED_PROGRAMS = mutated_programs()
# Token soup: grammatical tokens in random order, which reaches unusual parser states.
TOKEN_SOUP = st.lists(st.sampled_from(TOKEN_POOL), max_size=30).map(" ".join)
RANDOM_TEXT = st.text(max_size=200)
RANDOM_BYTES = st.binary(max_size=200)

# -- hostile input ------------------------------------------------------------------------
#
# What an attacker, or a careless paste, sends. Each generator stands for a kind of input that
# once got through; the checks below and the doors (fuzz_doors.py) say what it must do.

# Control characters (C0 but the line break, DEL, C1) and whole terminal escape sequences:
# set the clipboard (OSC 52), clear the screen, switch screens, a C1 CSI, a title, a report
# request. None may reach a terminal raw: SHOWN_RAW finds one in anything shown.
CONTROL_CHARACTERS = ([chr(c) for c in range(0x20) if c != 0x0a] + ["\x7f"]
                      + [chr(c) for c in range(0x80, 0xa0)])
ESCAPE_SEQUENCES = ["\x1b]52;c;SGVsbG8=\x07", "\x1b[2J", "\x1b[?1049h", "\x9b31m",
                    "\x1b]0;owned\x07", "\x1b[6n", "\x1bP+q\x1b\\", "\r\x1b[K"]
SHOWN_RAW = re.compile("[" + re.escape("".join(CONTROL_CHARACTERS)) + "]")
CONTROL_TEXT = st.lists(st.one_of(st.sampled_from(CONTROL_CHARACTERS),
                                  st.sampled_from(ESCAPE_SEQUENCES),
                                  st.sampled_from(["x", "a", "1", " ", "é"])),
                        min_size=1, max_size=5).map("".join)
# Inside a string literal (which cannot hold a quote, a backslash or a line break raw).
CONTROL_STRINGS = CONTROL_TEXT.map(
    lambda text: '"' + re.sub(r'["\\\n]', "", text) + '"')


@st.composite
def control_programs(draw):
    """Control characters where a program can put them: in strings shown, in names (each an
    "unexpected character" error that echoes the line), in file names (echoed by "cannot
    read ..."), in a data set's name, after a lone carriage return."""
    text = draw(CONTROL_STRINGS)
    name = draw(st.sampled_from(VARIABLES)) + draw(CONTROL_TEXT) + "b"
    choice = draw(st.sampled_from([
        f"s = {text}\ns", f"{text}", f"len({text})", f"{name} = 1", f"x = 2 + {name}",
        f"load_csv({text[:-1]}.csv\")", f"load(mlp(2, [1]), {text})",
        f"save(mlp(2, [1], seed=1), {text[:-1]}/m.json\")", f"dot tanh(a), {text[:-1]}.dot\"",
        f"dot tanh(a), {text[:-1]}.svg\"", f"dataset([[1], [2]], [1, -1], name={text})",
        f"tanh({text})", f"mlp(2, [1], activation={text})", f"x = 1\r{text}\r",
        f"train(mlp(2, [1], seed=1), moons(10), loss={text})", f"{text} + 1",
        f"xs = [1, {text}]\nxs",
    ]))
    return "a = 2\n" + choice


CONTROL_PROGRAMS = control_programs()

# Lists that share themselves: `xs = [xs, xs]` forty times holds 2**40 numbers in 41 small
# lists, and a list nested 100,000 deep is as small. Everything that walks a list must visit
# each shared part once and never recurse as deep as the nesting.
SHARED_SETUPS = st.one_of(
    st.sampled_from([20, 30, 40, 60]).map(
        lambda n: f"xs = [a, 1]\nrepeat {n} {{ xs = [xs, xs] }}\n"),
    st.sampled_from([100, 1000, 5000, 100_000]).map(
        lambda n: f"xs = a\nrepeat {n} {{ xs = [xs] }}\n"),
)
# Statements that must end promptly with a shared list around, and change nothing if they
# fail (none of them is a loop).
SHARED_USES = st.one_of(
    st.sampled_from(["xs", "value(xs)", "round(xs, 2)", "len(xs)", "a := 5", "a += 1",
                     "a := a * 2", "xs[0]", "xs[1]", "ys = [xs, L]", "L = xs", "xs * 2", "-xs",
                     "xs + 1", "g = grad(L, a)", "f(xs)", "L", "ans", "dataset(xs, xs)",
                     "predict(net, xs)", "plot xs", "tree xs", "dot xs", "a := xs",
                     "xs = [xs, xs]", "len(value(xs))", "tanh(xs)", "grad(xs, a)"]),
    st.sampled_from(sorted(BUILTINS)).map(
        lambda name: (f"{name} xs" if BUILTINS[name].kind == "command" else f"{name}(xs)")),
)


@st.composite
def shared_list_programs(draw):
    """(setup, statements): a session with a graph L on a, a network and a huge shared list
    xs, then statements that use them, each to be run as the REPL runs a line."""
    setup = ("a = 2\nL = a * 2\nf(u) = u\nnet = mlp(2, [2, 1], seed=1)\n"
             + draw(SHARED_SETUPS))
    return setup, draw(st.lists(SHARED_USES, min_size=1, max_size=3))


SHARED_LIST_PROGRAMS = shared_list_programs()


# How a body of f(u) is built from smaller ones ({x}, {y}): calls of f and g, grad, operators.
_RECURSIVE_FORMS = ["f({x})", "f(f({x}))", "grad({x}, {wrt})", "{x} {op} {y}", "{fn}({x})",
                    "g({x})", "[{x}, f(u)]", "{x}"]


@st.composite
def recursive_bodies(draw, depth=3):
    """A body for f(u) that calls f, grad and itself in every combination."""
    if depth == 0:
        return draw(st.sampled_from(["u", "a", "2", "u * a", "b"]))
    inner = recursive_bodies(depth - 1)
    form = draw(st.sampled_from(_RECURSIVE_FORMS))
    return form.format(x=draw(inner), y=draw(inner) if "{y}" in form else "",
                       wrt=draw(st.sampled_from(["a", "b", "u"])),
                       op=draw(st.sampled_from(BINARY_OPERATORS)),
                       fn=draw(st.sampled_from(["abs", "tanh", "value", "len", "exp"])))


@st.composite
def recursive_grad_programs(draw):
    """Functions that recurse through grad: f(u) = f(f(grad(u, b) / b)) doubles its graph at
    every call; f(u) = abs(grad(u, c) + f(u)) went past Python's recursion limit."""
    f = draw(recursive_bodies())
    g = draw(st.sampled_from(["u", "f(u)", "grad(f(u), a)", "f(grad(u, a))"]))
    call = draw(st.sampled_from(["f(a)", "f(b)", "grad(f(a), a)", "f(1)", "tree f(a)"]))
    return f"a = 2; b = 3\ng(u) = {g}\nf(u) = {f}\n{call}"


RECURSIVE_GRAD_PROGRAMS = recursive_grad_programs()

# Sizes at and past every limit (docs/security.md): each must be refused at once, or done;
# under a memory cap (fuzz_doors.check_memory_capped) running out is one clear error.
HUGE = st.sampled_from(["1e9", "1e6", "100001", "100000", "99999", "1e300", "2**40"])
MEMORY_HUNGRY = st.one_of(
    st.tuples(st.sampled_from(["mlp(2, [{n}, {n}, 1])", "mlp({n}, [1])", "mlp(2, [{n}])",
                               "moons({n})", "circles({n})", "xor({n})", "blobs({n})",
                               "spirals({n})", "blobs(10, centers={n})",
                               "spirals(10, classes={n})",
                               "a = 1; x = tanh(a)\nrepeat 3000 {{ x = tanh(x) + a }}\n"
                               "tree x, depth={n}, nodes={n}",
                               "a = 1; x = tanh(a)\nrepeat 3000 {{ x = tanh(x) }}\n"
                               "dot x, nodes={n}",
                               "plot [1, 2], width={n}", "a = 1; explain tanh(a), a, "
                                                           "paths={n}",
                               "train(mlp(2, [1], seed=1), moons(10), steps=1, batch={n})"]),
              HUGE).map(lambda pair: pair[0].format(n=pair[1])),
    st.sampled_from([
        "a = 1\nxs = [a]\nrepeat 40 { xs = [xs, xs] }\nxs\nvalue(xs)\nlen(xs)",
        "xs = 1\nrepeat 300000 { xs = [xs] }\nxs",
        "a = 1; x = a\nrepeat 300000 { x = x * a + a }\ngrad(x, a)",
        "b = 2\nf(u) = f(f(grad(u, b) / b))\nf(b)",
        "c = 2\nf(u) = abs(grad(u, c) + f(u))\nf(1)",
        "net = mlp(999999, [1])\nnet([1])",
        "data = moons(100000)\nnet = mlp(2, [1], seed=1)\npredict(net, data)",
    ]),
)


# Anything a program's text can be, for the doors that take text.
ANY_TEXT = st.one_of(PROGRAMS, MUTATED_PROGRAMS, TOKEN_SOUP, RANDOM_TEXT, CONTROL_PROGRAMS)
# Anything stdin or a script file can hold.
ANY_BYTES = st.one_of(ANY_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
                      RANDOM_BYTES)

# -- the session, the door every other door goes through ------------------------------------

FUZZ_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.filter_too_much])
# An input that runs longer than this is stopped as Ctrl-C would stop it, and reported.
TIME_LIMIT = 20.0


class TooSlow(AssertionError):
    """An input ran past TIME_LIMIT: a hang, or work out of proportion to the input."""


@contextmanager
def time_limit(what):
    """Interrupt the work inside after TIME_LIMIT seconds, as Ctrl-C does (KeyboardInterrupt
    from SIGALRM), then raise TooSlow naming `what`."""
    expired = []

    def interrupt(signum, frame):
        expired.append(True)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
    try:
        yield
    except KeyboardInterrupt:
        if not expired:
            raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if expired:
        raise TooSlow(f"stopped after {TIME_LIMIT} s: {what!r}")


# The memory an input may take on top of what the process holds: past it, an allocation
# fails with MemoryError instead of the machine swapping (or another process being killed).
MEMORY_HEADROOM = 1 * 2**30


def _address_space():
    """This process's address space in bytes (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@contextmanager
def memory_limit(headroom=None):
    """Cap the process's address space at what it holds now plus `headroom` (MEMORY_HEADROOM)
    for the work inside, and lift the cap after (only the soft limit is lowered)."""
    size = _address_space()
    if size is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + (MEMORY_HEADROOM if headroom is None else headroom)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY:
        cap = min(cap, soft)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def isolated(check):
    """check, run in a forked child process that is killed if it runs past twice TIME_LIMIT.

    For inputs whose worst case is a loop in C that no signal interrupts (comparing two lists
    that share themselves 2**30 times): in this process it would hang the run for good. A
    failure in the child comes back as an AssertionError with its text."""
    def run(value):
        read, write = os.pipe()
        child = os.fork()
        if child == 0:                              # the child: run, report, leave at once
            os.close(read)
            try:
                check(value)
                report = b""
            except TooSlow as exc:
                report = b"slow:" + str(exc).encode("utf-8", "replace")
            except BaseException as exc:
                report = (b"fail:" + "".join(traceback.format_exception(exc))
                          .encode("utf-8", "replace"))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(report)
            os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            ready = select.select([pipe], [], [], TIME_LIMIT * 2)[0]
            report = pipe.read() if ready else None
        if report is None:
            os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        if report is None:
            raise TooSlow(f"did not finish in {2 * TIME_LIMIT} s (not even when interrupted): "
                          f"{value!r}")
        if report.startswith(b"slow:"):
            raise TooSlow(report[5:].decode())
        if report:
            raise AssertionError(report[5:].decode())
    run.__name__ = check.__name__
    run.__doc__ = check.__doc__
    return run


def run_in_session(text, filename="<fuzz>", session=None):
    """Run text in a session (a fresh one by default): (session, events, error or None).
    Anything other than a SourceError escaping Session.run fails the caller."""
    session = session or new_session()
    events = []
    random.seed(0)          # mlp without seed= draws from the global generator
    with time_limit(text), memory_limit():
        try:
            session.run(text, filename=filename, emit=events.append)
        except SourceError as error:
            return session, events, error
    return session, events, None


def python_exception_behind(error):
    """The Python exception (a TypeError, an IndexError, ...) that a catch-all turned into
    this error, or None. The evaluator turns any exception a builtin did not expect into an
    error message rather than a traceback, chained `from` it; every deliberate message is a
    MicrocalcError. So a SourceError caused by anything else is a bug the user was spared
    the traceback of, and the fuzz reports it."""
    seen, chain = set(), [error]
    while chain:
        exc = chain.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        cause = exc.__cause__
        if isinstance(exc, SourceError) and cause is not None \
                and not isinstance(cause, MicrocalcError):
            return cause
        chain += [exc.__cause__, exc.__context__]
    return None


# Python showing through a message: a type's name where the language says "a string", "a
# list", "a number", "a data set"; Python's own advice and signatures.
PYTHON_WORDS = re.compile(
    r"\bnot (?:str|float|int|list|tuple|dict|bool|NoneType|GradQuery)\b"
    r"|\ba (?:Dataset|Network|MLP|TrainingRun|Gradients|GradQuery|Value|Picture|NoneType)\b"
    r"|\.__\w+__|\w\.\w+\(\) (?:takes|got|missing)|positional argument|keyword argument '"
    r"|set_int_max_str_digits|maximum recursion depth|object is not|object has no attribute")
# A message that is a chain of places: "in f: in f: in f: ..." a thousand characters long,
# where the error should name the limit once.
REPEATED = re.compile(r"(?:\b[\w ]{1,30}: ){6,}")


def assert_clear_error(error):
    """A SourceError a person can read: a message in the language's terms, a place, no
    Python internals behind it, said once."""
    report = error.format()
    assert "Traceback" not in report and "internal error" not in report, report
    assert error.message and error.line >= 1 and error.column >= 1, report
    assert not error.message.rstrip().endswith(":"), report        # "error: mlp: "
    own_words = _without_user_text(error.message)
    assert not PYTHON_WORDS.search(own_words), report
    assert not REPEATED.search(own_words), report
    behind = python_exception_behind(error)
    # Running out of memory is the world's limit, not a bug; the message must say so.
    if isinstance(behind, MemoryError):
        assert "out of memory" in error.message, report
        return
    assert behind is None, (report + "\ncaused by:\n"
                            + "".join(traceback.format_exception(behind)))


def _without_user_text(message):
    """A message without what the user wrote in it, quoted: a name of theirs may look like
    Python's (__0__), and repeat as they repeated it."""
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', '""', message)


def fuzzer(fed, check, **changes):
    """check(x) for x drawn from `fed`, as a function that runs it under Hypothesis with
    FUZZ_SETTINGS and `changes` (the tests and bench/fuzz.py share it)."""
    def run(value):
        check(value)
    return given(fed)(settings(FUZZ_SETTINGS, **changes)(run))


# -- the checks -----------------------------------------------------------------------------

def check_parses(text):
    """A generated program is read without a syntax error."""
    parse(Source(text))


def check_runs(text):
    """Any text run by the session ends in results or a clear, located error."""
    session, events, error = run_in_session(text)
    if error is not None:
        assert_clear_error(error)
    for event in events:
        assert "Traceback" not in event.text and "internal error" not in event.text


def check_state_kept(inputs):
    """Variables and functions defined before keep their values after any later inputs,
    failing or not (none of them assigns keep or kept)."""
    session = new_session()
    session.run("keep = 41\nkept(q) = q + 1\n")
    for text in inputs:
        session, events, error = run_in_session(text, session=session)
        if error is not None:
            assert_clear_error(error)
    assert session.variables["keep"].data == 41
    assert session.run("kept(keep)")[0].text == "42"


def snapshot(session):
    """Every variable as it is shown, and every function: what a failing statement must
    leave as it was."""
    return ({name: format_value(value) for name, value in session.variables.items()},
            {name: str(function) for name, function in session.functions.items()})


def assert_graphs_up_to_date(session):
    """Every graph a variable holds has the value its inputs give it now (`a := 5` once left
    L = a*2 showing 2)."""
    for name, value in session.variables.items():
        if isinstance(value, Value) and not value.is_input:
            shown = value.data
            assert recompute(value).data == shown, f"{name} shows {shown}, its inputs give " \
                                                   f"{value.data}"


def check_shared_lists(program):
    """With a list shared 2**40 times or nested 100,000 deep in the session, every statement
    ends within the time limit; one that fails leaves every variable as it was (the
    docs' promise for assignments and :=); graphs stay up to date."""
    setup, statements = program
    session, events, error = run_in_session(setup)
    assert error is None, error.format()
    for statement in statements:
        before = snapshot(session)
        session, events, error = run_in_session(statement, session=session)
        if error is not None:
            assert_clear_error(error)
            assert snapshot(session) == before, f"{statement!r} failed and changed the session"
        assert_graphs_up_to_date(session)


# name, what is fed, the check, and how many inputs the tests try.
SESSION_CHECKS = [
    ("grammar", PROGRAMS, check_parses, 150),
    ("session programs", PROGRAMS, check_runs, 150),
    ("session noise", st.one_of(MUTATED_PROGRAMS, TOKEN_SOUP, RANDOM_TEXT), check_runs, 150),
    ("session state", st.lists(st.one_of(PROGRAMS, MUTATED_PROGRAMS, TOKEN_SOUP), min_size=1,
                               max_size=4), check_state_kept, 60),
    ("session control characters", CONTROL_PROGRAMS, check_runs, 60),
    ("session shared lists", SHARED_LIST_PROGRAMS, isolated(check_shared_lists), 30),
    ("session recursion through grad", RECURSIVE_GRAD_PROGRAMS, isolated(check_runs), 30),
]
