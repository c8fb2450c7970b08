"""The REPL's full-screen views, the backprop stepper (`backward L`) and `sliders o`, driven
as a person drives them.

Three ways in, each checking what the one before cannot:
- in the process, through prompt_toolkit's pipe input: every key's effect on the session;
- in a pseudo-terminal with pexpect (always): the real program, keys in, the lines it prints
  when a view closes, Esc and Ctrl-C included;
- in tmux, where it is installed: the screen itself, as capture-pane shows it (a full-screen
  view redraws only what changed, so its text is read from the screen, not the stream).
"""

import io
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from microcalc.frontend.display import Display
from microcalc.frontend.repl.loop import BANNER, run_repl
from microcalc.lang import Session

ROOT = Path(__file__).resolve().parents[1]
EXPRESSION = "a = 2; b = -3; c = 10; f = -2\re = a*b; d = e + c; L = d*f\r"
NEURON = ("x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.8813735870195432\r"
          "n = x1*w1 + x2*w2 + b; o = tanh(n)\r")
RIGHT, LEFT, UP, DOWN = "\x1b[C", "\x1b[D", "\x1b[A", "\x1b[B"
CTRL_C, CTRL_D = "\x03", "\x04"


def repl(keys, session=None):
    """Type keys into the REPL in this process; (session, what it printed after the banner)."""
    session = session or Session()
    shown = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys + CTRL_D)
        run_repl(session, Display(shown, shown), history=InMemoryHistory(), input=pipe,
                 output=DummyOutput())
    return session, shown.getvalue()[len(BANNER) + 1:]


# -- every key, in the process -------------------------------------------------------------

def test_stepper_keys_move_through_the_walk_and_leave_the_session_as_it_was():
    session, printed = repl(EXPRESSION + "backward L\r" + "  b" + RIGHT + LEFT + " q"
                            + "grad(L)\r")
    # Space, Space, b: step 2; Right, Left: step 2; Space: step 3; q leaves there.
    assert printed == ("-6\n4\n-8\nleft backward L at step 3 of 7\n"
                       "a: 6\nb: -4\nc: -2\nf: 4\n")
    values = session.variables
    assert [values[n].grad for n in "abcfedL"] == [0.0] * 7        # no .grad touched


def test_stepper_walked_to_the_end_says_the_gradients_agree():
    _, printed = repl(EXPRESSION + "backward L\r" + "\r" * 8)
    assert printed.endswith("walked all 7 steps of backward L: every gradient equals "
                            "grad(L)\n")
    _, printed = repl(EXPRESSION + "backward L\r" + " " + CTRL_C + "L\r")
    assert printed.endswith("left backward L at step 2 of 7\n-8\n")


def test_sliders_nudge_choose_and_scale_and_keep_the_values():
    session, printed = repl(NEURON + "sliders o\r" + RIGHT + DOWN + "]" + LEFT + UP + RIGHT
                            + "[" + "[" + RIGHT + "q" + "x1; w1; o\r")
    # x1: 2 -> 2.1; w1 (step 1): -3 -> -4; back to x1 (step 1): 3.1; step 0.01: 3.11
    assert "sliders o: x1 = 3.11 (was 2), w1 = -4 (was -3)\n" in printed
    values = session.variables
    assert (values["x1"].data, values["w1"].data) == (3.11, -4.0)
    import math
    n = 3.11 * -4.0 + 0.0 * 1.0 + 6.8813735870195432
    assert values["n"].data == n and values["o"].data == math.tanh(n)   # recomputed
    assert printed.endswith("3.11\n-4\n%r\n" % math.tanh(n))


def test_sliders_decimal_steps_come_back_exactly():
    session, printed = repl(NEURON + "sliders o\r" + DOWN * 4 + RIGHT * 3 + LEFT * 3
                            + "q" + "b\r")
    assert printed.endswith("sliders o: nothing changed\n6.881373587019543\n")
    session, _ = repl("x = 2\ry = x*x\rsliders y\r" + RIGHT * 3 + "q")
    assert session.variables["x"].data == 2.3 and session.variables["y"].data == 2.3 * 2.3
    session, _ = repl("x = 0.2\ry = x*x\rsliders y\r" + RIGHT + "q")
    assert session.variables["x"].data == 0.3 != 0.2 + 0.1


def test_sliders_ctrl_c_puts_everything_back():
    session, printed = repl(NEURON + "sliders o\r" + RIGHT * 5 + DOWN + LEFT + CTRL_C
                            + "x1; w1; o\r")
    assert "sliders o: undone, every input as it was\n" in printed
    assert printed.endswith("2\n-3\n0.7071067811865477\n")


def test_sliders_refuse_a_value_that_makes_a_graph_undefined():
    session, printed = repl("x = 0.15\rL = log(x)\rsliders L\r" + LEFT + LEFT + LEFT + "q"
                            + "x\r")
    # 0.15 -> 0.05; then -0.05 would make log undefined: refused, twice; x stays 0.05
    assert "sliders L: x = 0.05 (was 0.15)\n" in printed
    assert printed.endswith("0.05\n")
    import math
    assert session.variables["L"].data == math.log(0.05)


def test_sliders_go_where_a_gradient_is_undefined():
    session, printed = repl("x = 0.2\ry = sqrt(x)\rsliders y\r" + LEFT * 2 + "q" + "y\r")
    # x = 0: sqrt is defined, its slope is not; the view says "?" and goes on, -0.1 refused
    assert "sliders y: x = 0 (was 0.2)\n" in printed and printed.endswith("0\n")


def test_sliders_redraw_watched_trees_once_when_done():
    _, printed = repl(NEURON + "watch o\r" + "sliders o\r" + RIGHT * 4 + "q")
    assert printed.count("watch o:\n") == 1                  # not once per nudge
    after = printed[printed.index("watch o:\n"):]
    assert "│  │  ├─ x1        2.4  -2.71492" in after


def test_sliders_move_a_networks_weights_by_their_names():
    session, printed = repl('net = mlp(1, [1], output="tanh", seed=3)\rx = 0.5\r'
                            "y = net([x])\rsliders y\r" + RIGHT + "q")
    bias = session.variables["net"].parameters()[-1]
    # The bias comes first in the graph (micrograd sums b + w1*x1 + ...): it is chosen first.
    assert "sliders y: l1.n1.b = 0.1 (was 0)\n" in printed
    assert bias.label == "l1.n1.b" and bias.data == 0.1


def until_the_input_ends(keys):
    session, shown = Session(), io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        assert run_repl(session, Display(shown, shown), history=InMemoryHistory(),
                        input=pipe, output=DummyOutput()) == 0
    return session, shown.getvalue()


def test_the_views_leave_when_the_input_ends():
    """A closed input (the end of a pipe) ends a view as Ctrl-C does, and then the REPL."""
    session, printed = until_the_input_ends(NEURON + "sliders o\r" + RIGHT + RIGHT)
    assert "sliders o: undone, every input as it was" in printed
    assert session.variables["x1"].data == 2
    _, printed = until_the_input_ends(EXPRESSION + "backward L\r ")
    assert "left backward L at step 2 of 7" in printed


def test_ctrl_d_leaves_a_view_as_q_does():
    session, printed = repl(NEURON + "sliders o\r" + RIGHT + CTRL_D + "x1\r")
    assert "sliders o: x1 = 2.1 (was 2)\n" in printed and printed.endswith("2.1\n")
    _, printed = repl(EXPRESSION + "backward L\r " + CTRL_D)
    assert printed.endswith("left backward L at step 2 of 7\n")


# -- the real program in a pseudo-terminal ---------------------------------------------------

def spawn(tmp_path):
    env = dict(os.environ, TERM="xterm", NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1",
               XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    child = pexpect.spawn(sys.executable, ["-m", "microcalc"], env=env, cwd=str(tmp_path),
                          encoding="utf-8", timeout=60, dimensions=(40, 120))
    child.logfile_read = open(tmp_path / "screen.log", "w")
    child.expect("mc>")
    return child


def keys(child, *sequence, pause=0.4):
    for key in sequence:
        child.send(key)
        time.sleep(pause)


@pytest.mark.slow
def test_stepper_and_sliders_in_a_terminal_with_esc_and_ctrl_c(tmp_path):
    child = spawn(tmp_path)
    child.send(EXPRESSION)
    child.expect("-8")
    child.send("backward L\r")
    child.expect("backward L +step 1 of 7")          # the view's title bar
    keys(child, " ", " ", "b", "\x1b")                # Esc leaves
    child.expect("left backward L at step 2 of 7")
    child.send("backward L\r")
    child.expect("step 1 of 7")
    keys(child, "\r", CTRL_C)                         # Ctrl-C leaves too
    child.expect("left backward L at step 2 of 7")

    child.send(NEURON)
    child.expect("0.7071067811865477")
    child.send("sliders o\r")
    child.expect("sliders o ")
    keys(child, RIGHT, RIGHT, DOWN, LEFT, "\x1b")    # Esc keeps the new values
    child.expect(r"sliders o: x1 = 2.2 \(was 2\), w1 = -3.1 \(was -3\)")
    child.send("x1\r")
    child.expect(r"2\.2\r\n")
    child.send("sliders o\r")
    child.expect("sliders o ")
    keys(child, RIGHT, RIGHT, CTRL_C)                 # Ctrl-C puts them back
    child.expect("sliders o: undone, every input as it was")
    child.send("x1\r")
    child.expect(r"2\.2\r\n")
    child.expect("mc>")
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


# -- the screen itself, in tmux --------------------------------------------------------------

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="needs tmux to read the screen, which is not installed")


class Tmux:
    """A program in a tmux window of its own (on a server of its own), read as a screen."""

    def __init__(self, tmp_path, width=110, height=36):
        self.socket = f"microcalc-test-{uuid.uuid4().hex[:8]}"
        env = (f"env TERM=xterm NO_COLOR=1 PROMPT_TOOLKIT_NO_CPR=1 "
               f"XDG_DATA_HOME={tmp_path / 'data'} PYTHONPATH={ROOT}")
        self.tmux("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height),
                  f"cd {tmp_path} && {env} {sys.executable} -m microcalc")
        self.wait_for("mc>")

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=30)

    def send(self, *keys):
        for key in keys:
            self.tmux("send-keys", "-t", "t", key)
            time.sleep(0.3)

    def type(self, line):
        self.tmux("send-keys", "-t", "t", "-l", line)
        self.send("Enter")

    def screen(self):
        return self.tmux("capture-pane", "-t", "t", "-p").stdout

    def wait_for(self, text, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen()}")

    def close(self):
        self.tmux("kill-server")


@pytest.fixture
def terminal(tmp_path):
    window = Tmux(tmp_path)
    yield window
    window.close()


def rows(screen):
    return [line.rstrip() for line in screen.splitlines()]


def typed(terminal, program):
    for line in program.strip().split("\r"):
        terminal.type(line)


@needs_tmux
@pytest.mark.slow
def test_the_stepper_on_screen(terminal):
    typed(terminal, EXPRESSION)
    terminal.type("backward L")
    screen = rows(terminal.wait_for("step 1 of 7"))
    assert screen[0].startswith(" backward L   step 1 of 7   Enter/Space: next")
    assert screen[1] == "1. L = d*f = -8;  dL/dL = 1 to start"
    tree = screen[screen.index("node         value  grad"):]
    # After step 1 only L, d and f have gradients; the rest are blank until reached.
    assert tree[1:8] == ["L (*)           -8     1  ◀ here",
                         "├─ d (+)         4    -2  ◀ gets -2",
                         "│  ├─ e (*)     -6",
                         "│  │  ├─ a       2",
                         "│  │  └─ b      -3",
                         "│  └─ c         10",
                         "└─ f            -2     4  ◀ gets 4"]
    terminal.send("Space", "Space", "Space", "Space")
    screen = rows(terminal.wait_for("step 5 of 7"))
    assert "5. e = a*b = -6;  dL/de = -2 from above" in screen
    assert "│  ├─ e (*)     -6    -2  ◀ here" in screen
    assert "│  │  ├─ a       2     6  ◀ gets 6" in screen
    terminal.send("b")
    assert "4. c = 10, an input;  dL/dc = -2 from above, final" in terminal.wait_for(
        "step 4 of 7")
    terminal.send("Enter", "Enter", "Enter", "Enter")
    screen = terminal.wait_for(" done ")
    assert "every gradient now equals grad(L):" in screen
    terminal.send("Escape")
    terminal.wait_for("walked all 7 steps of backward L: every gradient equals grad(L)")


@needs_tmux
@pytest.mark.slow
def test_the_sliders_on_screen(terminal):
    typed(terminal, NEURON)
    terminal.type("sliders o")
    screen = rows(terminal.wait_for("sliders o "))
    assert screen[1].startswith("▶ x1 = 2 ") and screen[1].endswith("do/dx1 = -1.5")
    assert screen[2].startswith("  w1 = -3 ") and screen[2].endswith("do/dw1 = 1")
    assert "step 0.1     o = 0.7071067811865477" in screen
    terminal.send("Right")
    screen = rows(terminal.wait_for("x1 = 2.1"))
    assert screen[1].endswith("do/dx1 = -2.17733")      # w1 * tanh'(n) at n = 0.581374
    assert any(line.startswith("   │  │  ├─ x1       2.1") for line in screen)
    terminal.send("Down", "]")
    screen = rows(terminal.wait_for("step 1 "))
    assert screen[2].startswith("▶ w1 = -3 ")
    terminal.send("Left")
    screen = rows(terminal.wait_for("w1 = -4"))
    assert "step 1     o = -0.9084579863895511" in screen
    terminal.send("Escape")
    screen = terminal.wait_for("sliders o: x1 = 2.1 (was 2), w1 = -4 (was -3)")
    terminal.type("sliders o")
    terminal.wait_for("▶ x1 = 2.1")
    terminal.send("Right", "C-c")
    terminal.wait_for("sliders o: undone, every input as it was")
    terminal.type("x1")
    terminal.wait_for("mc> x1\n2.1\n")
