"""What `help NAME` says about the language's statements and syntax (builtins explain
themselves from their table in lang/library).

Each topic is a short explanation and an example written as a transcript: a line starting
`mc> ` is typed, the lines after it are what the REPL prints. tests/test_help.py runs every
example and checks the output, and checks that every keyword of the grammar has a topic.
"""

__all__ = ["TOPICS", "topic_named"]


class Topic:
    __slots__ = ("names", "title", "text", "example")

    def __init__(self, names, title, text, example):
        self.names = names          # what `help NAME` accepts: the first is the topic's own
        self.title = title
        self.text = text            # whole sentences, wrapped to the screen when shown
        self.example = example      # a transcript


TOPICS = [
    Topic(("=", "assign", "assignment", "inputs"), "x = 2, L = a*b: inputs and graphs",
          "A name on the left of = gets the value on the right. A number makes an input (it "
          "prints nothing); anything computed from inputs is a graph that remembers how it "
          "was made, so grad can follow it (it prints its value). Assigning to a name again "
          "makes a new value: graphs built from the old one keep the old one (use := to "
          "change an input everywhere).",
          "mc> a = 2; b = -3\n"
          "mc> L = a * b + 1\n"
          "-5\n"
          "mc> grad(L, a)\n"
          "-3"),
    Topic((":=", "set", "change"), "a := 3: change an input everywhere",
          "name := number gives an existing input a new value, and every graph built from "
          "it is computed again. If some graph cannot be computed at the new value (log of a "
          "negative number, say) nothing changes and the error says which graph.",
          "mc> a = 2\n"
          "mc> L = a ** 2\n"
          "4\n"
          "mc> a := 3\n"
          "note: changing a also changed L, which is computed from a; to keep a number as it was, snapshot it before the change: L = value(L)\n"
          "mc> L\n"
          "9"),
    Topic(("+=", "-=", "*=", "/=", "update"), "a -= 0.1 * grad(L, a): update an input",
          "+=, -=, *= and /= change an input by a number, as := does: every graph that uses "
          "it is computed again. a -= lr * grad(L, a) is one step of gradient descent.",
          "mc> a = 3\n"
          "mc> L = a ** 2\n"
          "9\n"
          "mc> a -= 0.25 * grad(L, a)\n"
          "note: changing a also changed L, which is computed from a; to keep a number as it was, snapshot it before the change: L = value(L)\n"
          "mc> a\n"
          "1.5\n"
          "mc> L\n"
          "2.25"),
    Topic(("repeat", "loop", "{"), "repeat N { ... }: a loop",
          "repeat N { statements } runs the statements N times (N a whole number, 0 or "
          "more). Inside the braces, statements are separated by newlines or ; and a bare "
          "expression prints on every pass. Ctrl-C stops a long loop; every variable keeps "
          "the value it had.",
          "mc> x = 1\n"
          "mc> repeat 3 { x := x * 2 }\n"
          "mc> x\n"
          "8\n"
          "mc> repeat 2 { x }\n"
          "8\n"
          "8"),
    Topic(("for", "in", "range"), "for x in xs { ... }: a loop over a list",
          "for x in xs { statements } runs the statements once per item of a list, x bound "
          "to it as x = item would bind it; for x, y in data takes items of two (a data "
          "set's inputs and label). range(n) counts 0 to n - 1. Ctrl-C stops it; every "
          "variable keeps its value.",
          "mc> total = 0\n"
          "mc> for x in [1, 2, 3] { total += x }\n"
          "mc> total\n"
          "6\n"
          "mc> for i in range(2) { i * 10 }\n"
          "0\n"
          "10"),
    Topic(("if", "else", "and", "or", "not", "comparisons", "<", "<=", ">", ">=", "==", "!="),
          "if c { ... } else { ... }: conditions and comparisons",
          "< <= > >= == != compare two numbers and give 1 or 0 (constants: no gradient "
          "goes through them); and, or and not combine them. if c { ... } runs its block "
          "when c is not 0; else if c { ... } and else { ... } follow on the line of the }.",
          "mc> x = -2\n"
          "mc> if x > 0 { 1 } else if x == 0 { 0 } else { -1 }\n"
          "-1\n"
          "mc> x < 0 and not x < -5\n"
          "1"),
    Topic(("f'", "'", "derivatives", "prime"), "f'(x): derivatives of a function",
          "f'(x) is the derivative of a function of one argument at x (yours, or a math "
          "builtin: tanh'(0.5)); f''(x) and f'''(x) are the next ones. slope(L, x) is the "
          "numeric derivative of a graph, to set beside grad.",
          "mc> f(x) = x**3\n"
          "mc> f'(2); f''(2)\n"
          "12\n"
          "12"),
    Topic(("functions", "function", "def", "f(x)"), "f(x) = ...: your own functions",
          "f(x, y) = expression defines a function of its parameters; calling it builds "
          "the graph of its body, so grad goes through it. A function may use any variable "
          "of the session, read when it is called.",
          "mc> sq(x) = x * x\n"
          "mc> a = 3\n"
          "mc> y = sq(a) + sq(2)\n"
          "13\n"
          "mc> grad(y, a)\n"
          "6"),
    Topic(("operators", "precedence", "+", "-", "*", "/", "**"),
          "+ - * / **: operators and their order",
          "** is a power; it binds tighter than a minus sign and groups to the right, as in "
          "Python (-2**2 is -4, 2**3**2 is 512). * and / bind tighter than + and -, which "
          "group to the left. Brackets group as usual; ^ is the same as **.",
          "mc> -2**2\n"
          "-4\n"
          "mc> 2**3**2\n"
          "512\n"
          "mc> 1 + 2 * 3\n"
          "7\n"
          "mc> (1 + 2) * 3\n"
          "9"),
    Topic(("lists", "list", "[", "index"), "[1, 2, 3]: lists and indexing",
          "Square brackets make a list; xs[i] is its item i, counting from 0 (a negative "
          "index counts from the end). Builtins such as grad take lists of inputs, and "
          "networks take a list of inputs.",
          "mc> xs = [10, 20, 30]\n"
          "[10, 20, 30]\n"
          "mc> xs[0] + xs[-1]\n"
          "40\n"
          "mc> len(xs)\n"
          "3"),
    Topic(("ans", "_", "last"), "ans and _: the last result",
          "ans (or _) is the last value printed, so a calculation can go on from it.",
          "mc> 6 * 7\n"
          "42\n"
          "mc> ans + 1\n"
          "43\n"
          "mc> _ * 2\n"
          "86"),
    Topic(("commands", "command", "statements"), "tree L, explain grad(L, a): commands",
          "A command is a statement that shows something: tree, explain, check, dot, watch, "
          "plot, boundary. Its arguments follow its name, with or without brackets: "
          "tree L, depth=3 and tree(L, depth=3) are the same. A command cannot be used "
          "inside an expression.",
          "mc> a = 2; b = 3\n"
          "mc> L = a * b\n"
          "6\n"
          "mc> explain grad(L, a)\n"
          "dL/da by the chain rule: 1 path from L down to a\n"
          "\n"
          "local derivatives\n"
          "  dL/da = d(u*v)/du = v = b = 3\n"
          "\n"
          "path\n"
          "  L → a    dL/da = 3\n"
          "\n"
          "dL/da = 3"),
    Topic(("syntax", "comments", "#", ";", "\\"), "# comments, ; and line breaks",
          "Statements are separated by newlines or ;. # starts a comment that runs to the "
          "end of the line. Inside open ( or [ brackets a statement may go on over several "
          "lines; elsewhere a \\ at the end of a line continues it.",
          "mc> x = 1; y = 2   # two statements\n"
          "mc> x + \\\n"
          "... y\n"
          "3"),
]


def topic_named(name):
    """The Topic that `help name` shows, or None."""
    for topic in TOPICS:
        if name in topic.names:
            return topic
    return None
