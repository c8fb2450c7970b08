"""The real REPL in a pseudo-terminal, driven as a person would: typing, Tab, Ctrl-C, Ctrl-D.

prompt_toolkit redraws the line with escape codes, so the checks look for the text of the
results between them. NO_COLOR keeps colour codes out of the way; cursor-position requests
are turned off because nobody answers them here.
"""

import os
import sys
import time
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "mc>"
TIMEOUT = 60


def spawn(tmp_path, *args, **env_changes):
    env = dict(os.environ)
    env.update(TERM="xterm", NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1",
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    env.update(env_changes)
    child = pexpect.spawn(sys.executable, ["-m", "microcalc", *args], env=env, cwd=str(tmp_path),
                          encoding="utf-8", timeout=TIMEOUT, dimensions=(30, 120))
    child.logfile_read = open(tmp_path / "screen.log", "w")   # kept for a failing test
    return child


def type_line(child, text):
    child.expect(PROMPT)
    child.send(text + "\r")


@pytest.mark.slow
def test_a_person_types_completes_interrupts_and_leaves(tmp_path):
    child = spawn(tmp_path)
    child.expect("microcalc .*:help")

    type_line(child, "a = 2; b = -3; c = 10; f = -2")
    type_line(child, "L = (a*b + c) * f")
    child.expect(r"-8\r\n")

    # Tab completes the name being typed: tan<Tab> becomes tanh.
    child.expect(PROMPT)
    child.send("tan")
    time.sleep(0.5)                  # a person's pause: completion runs in the background
    child.send("\t")
    child.expect("tanh")
    child.send("(1)\r")
    child.expect(r"0\.7615941559557649\r\n")

    # Ctrl-C in the middle of a long loop returns to the prompt; nothing is lost.
    type_line(child, "x = 0")
    type_line(child, "repeat 100000000 { x := x + 1 }")
    time.sleep(1.5)
    child.sendintr()
    child.expect("interrupted")
    type_line(child, "x")
    child.expect(r"(\d+)\r\n")
    assert int(child.match.group(1)) > 0        # the loop ran for a while
    type_line(child, "grad(L, a)")
    child.expect(r"6\r\n")

    # Ctrl-C at the prompt clears the line.
    child.expect(PROMPT)
    child.send("1 + this is never run")
    time.sleep(0.3)
    child.sendintr()
    type_line(child, "c + 1")
    child.expect(r"11\r\n")

    # Ctrl-D leaves with status 0.
    child.expect(PROMPT)
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "data" / "microcalc" / "history").read_text().count("+grad(L, a)") == 1


def test_interactive_after_a_script_keeps_its_variables(tmp_path):
    (tmp_path / "setup.mg").write_text("w = 3\nL = w * w\nnope\n")
    child = spawn(tmp_path, "-i", "setup.mg")
    child.expect(r"9\r\n")
    child.expect("error: unknown name 'nope'")     # an error in the script: still the REPL
    type_line(child, "grad(L, w)")
    child.expect(r"6\r\n")
    type_line(child, ":quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_errors_are_red_on_a_terminal_unless_colour_is_off(tmp_path):
    red = "\x1b[31m"
    for args, env, coloured in ((["-e", "nope"], {"NO_COLOR": ""}, True),
                                (["--no-color", "-e", "nope"], {"NO_COLOR": ""}, False),
                                (["-e", "nope"], {"NO_COLOR": "1"}, False)):
        child = spawn(tmp_path, *args, **env)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 1
        assert "error: unknown name 'nope'" in child.before
        assert (red in child.before) == coloured, args


def test_training_progress_on_a_terminal_is_one_line_rewritten(tmp_path):
    child = spawn(tmp_path, "-e", "net = mlp(2, [8, 1], seed=1); data = moons(40, seed=1)",
                  "-e", "run = train(net, data, steps=30)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen = child.before
    first, last = screen.index("\rstep 1/30"), screen.rindex("\rstep ")
    assert "\n" not in screen[first:last]           # every update rewrote the same line
    assert screen[last:].startswith("\rstep 30/30") and "\n30 steps:" in screen[last:]
