"""The REPL's settings and editing in a real pseudo-terminal, as a person meets them: help
and the pager, the signature toolbar, vi mode, the editor, digits, colours, the config file
and init.mg, and a syntax error kept in the editor.

Programs the REPL starts (the editor, the pager) are stand-in scripts that record what they
were given. Screens are read from the raw output, escape codes and all.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "mc>"      # (the space after it is drawn as a cursor move)
TIMEOUT = 60


def spawn(tmp_path, *args, config=None, init=None, colour=False, **env_changes):
    folder = tmp_path / "config" / "microcalc"
    folder.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (folder / "config.toml").write_text(config)
    if init is not None:
        (folder / "init.mg").write_text(init)
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    if not colour:
        env["NO_COLOR"] = "1"
    env.update(env_changes)
    child = pexpect.spawn(sys.executable, ["-m", "microcalc", *args], env=env,
                          cwd=str(tmp_path), encoding="utf-8", timeout=TIMEOUT,
                          dimensions=(30, 120))
    child.logfile_read = open(tmp_path / "screen.log", "a")   # kept for a failing test
    return child


def type_line(child, text, prompt=PROMPT):
    prompt = prompt.rstrip()
    child.expect_exact(prompt)
    child.send(text + "\r")


def leave(child, prompt=PROMPT):
    child.expect_exact(prompt)    # (before it, the terminal would read Ctrl-D as its own EOF)
    time.sleep(0.2)
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def recorder(tmp_path, name, then=""):
    """A stand-in program: saves its input (a file argument, or stdin) and does `then`."""
    script = tmp_path / name
    script.write_text("#!/bin/sh\n"
                      f'if [ -n "$1" ]; then cp "$1" {tmp_path}/{name}.got; '
                      f"else cat > {tmp_path}/{name}.got; fi\n{then}\n")
    script.chmod(0o755)
    return script


# -- help and the pager ----------------------------------------------------------------------

@pytest.mark.slow
def test_help_fits_the_screen_and_longer_help_goes_through_the_pager(tmp_path):
    pager = recorder(tmp_path, "pager")
    child = spawn(tmp_path, PAGER=str(pager))
    type_line(child, "help")
    child.expect_exact("Builtins by category:")
    child.expect_exact(PROMPT)
    assert not (tmp_path / "pager.got").exists()        # it fits in 30 lines: no pager
    child.send("help builtins\r")
    type_line(child, "6 * 7")
    child.expect_exact("42\r\n")          # the pager has been and gone
    paged = (tmp_path / "pager.got").read_text()
    assert paged.startswith("Builtins, by category") and "train(net, data" in paged
    type_line(child, "tanh?")
    child.expect_exact("hyperbolic tangent")
    type_line(child, ":h :=")
    child.expect_exact("change an input everywhere")
    leave(child)


@pytest.mark.skipif(shutil.which("less") is None, reason="needs less, which is not installed")
@pytest.mark.slow
def test_the_default_pager_is_less_and_q_returns_to_the_prompt(tmp_path):
    child = spawn(tmp_path, PAGER="", LESS="")
    type_line(child, "help builtins")
    child.expect_exact("Builtins, by category")
    time.sleep(0.5)
    child.send("q")
    type_line(child, "6 * 7")
    child.expect_exact("42\r\n")
    leave(child)


@pytest.mark.slow
def test_quit_and_exit_and_colon_prefixes(tmp_path):
    for word in ("quit", "exit", ":q"):
        child = spawn(tmp_path)
        type_line(child, word)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, word


# -- the signature toolbar ---------------------------------------------------------------------
#
# prompt_toolkit draws its bottom toolbar only once the terminal has told it where the cursor
# is (a cursor position report), which pexpect does not answer: tmux does.

def tmux(*args):
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=30).stdout


def wait_for_screen(name, text, escapes=False):
    for _ in range(100):
        screen = tmux("capture-pane", "-t", name, "-p", *(["-e"] if escapes else []))
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared on the screen:\n{screen}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux, which is not installed")
def test_the_toolbar_shows_the_signature_with_the_current_parameter(tmp_path):
    name = f"microcalc-test-{os.getpid()}"
    command = (f"cd {tmp_path} && XDG_CONFIG_HOME={tmp_path}/config XDG_DATA_HOME={tmp_path} "
               f"PYTHONPATH={ROOT} TERM=xterm-256color {sys.executable} -m microcalc")
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "20", command)
    try:
        wait_for_screen(name, "mc>")
        wait_for_screen(name, "Ctrl-X Ctrl-E edits")          # outside a call: the keys
        tmux("send-keys", "-t", name, "-l", "round(2.5, di")
        wait_for_screen(name, " round(x, digits=0)   ")
        screen = tmux("capture-pane", "-t", name, "-p", "-e")
        # the parameter being typed is drawn bold and underlined, the others are not
        assert re.search(r"\x1b\[[0-9;]*1;4[0-9;]*m(?:\x1b\[[0-9;]*m)*digits=0", screen)
        assert not re.search(r"\x1b\[[0-9;]*1;4[0-9;]*m(?:\x1b\[[0-9;]*m)*x", screen)
        tmux("send-keys", "-t", name, "C-c")
        tmux("send-keys", "-t", name, "-l", "tree(L, de")
        wait_for_screen(name, " tree L, depth=12, nodes=200")
        tmux("send-keys", "-t", name, "C-c")
        tmux("send-keys", "-t", name, "-l", "sq(x) = x * x")
        tmux("send-keys", "-t", name, "Enter")
        tmux("send-keys", "-t", name, "-l", "sq(")
        wait_for_screen(name, " sq(x)   your function")
    finally:
        tmux("kill-session", "-t", name)


# -- vi mode, from the config file --------------------------------------------------------------

@pytest.mark.slow
def test_vi_editing_mode(tmp_path):
    child = spawn(tmp_path, config='editing_mode = "vi"\n')
    child.expect_exact(PROMPT)
    child.send("2 * 3")
    child.send("\x1b")                  # Escape: normal mode
    time.sleep(0.3)
    child.send("0r5")                   # to the start, replace the 2 with a 5
    time.sleep(0.3)
    child.send("\r")
    child.expect_exact("15\r\n")
    leave(child)


# -- the editor ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_ctrl_x_ctrl_e_and_edit_open_the_editor(tmp_path):
    editor = recorder(tmp_path, "editor", then='printf "sq(x) = x * x * x\\n" > "$1"')
    child = spawn(tmp_path, EDITOR=str(editor), VISUAL="")
    type_line(child, "sq(x) = x * x")
    type_line(child, "sq(2)")
    child.expect_exact("4\r\n")
    child.expect_exact(PROMPT)
    child.send("1 + 2")
    child.sendcontrol("x")
    child.sendcontrol("e")               # edit, then run what the editor left
    type_line(child, "sq(2)")
    child.expect_exact("8\r\n")
    assert (tmp_path / "editor.got").read_text().rstrip("\n") == "1 + 2"
    (tmp_path / "editor.got").unlink()
    type_line(child, "sq(x) = x")
    type_line(child, ":edit sq")         # the definition comes back to the prompt
    child.expect_exact("(x) = x * x * x")         # (sq is drawn in its own colour)
    child.send("\r")
    type_line(child, "sq(3)")
    child.expect_exact("27\r\n")
    assert (tmp_path / "editor.got").read_text() == "sq(x) = x\n"
    leave(child)


# -- digits -------------------------------------------------------------------------------------

@pytest.mark.slow
def test_digits_from_the_config_and_the_digits_command(tmp_path):
    child = spawn(tmp_path, config="digits = 4\n")
    type_line(child, "1 / 3")
    child.expect_exact("0.3333\r\n")
    type_line(child, ":digits 0")
    type_line(child, "1 / 3")
    child.expect_exact("0.3333333333333333\r\n")
    leave(child)


# -- colours ------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme, builtin", [("dark", "96"), ("light", "34")])
def test_colour_schemes_for_dark_and_light_terminals(tmp_path, scheme, builtin):
    child = spawn(tmp_path, config=f'color_scheme = "{scheme}"\n', colour=True)
    child.expect_exact(PROMPT)
    child.send("tanh")
    # a builtin's name: bright cyan on a dark terminal, blue on a light one (never the dark
    # blue of Pygments' default style, unreadable on black)
    child.expect(f"\x1b\\[0?;?{builtin}m(?:\x1b\\[[0-9;]*m)*tanh")
    child.sendcontrol("c")
    type_line(child, "nope")
    child.expect_exact("\x1b[31merror: unknown name 'nope'")     # errors in red
    leave(child)


def test_no_color_turns_the_colours_off(tmp_path):
    child = spawn(tmp_path)
    type_line(child, "nope")
    child.expect_exact("error: unknown name 'nope'")
    assert "\x1b[31m" not in child.before
    leave(child)


# -- settings that persist, and what goes wrong with them ----------------------------------------

def test_config_prompt_banner_and_init(tmp_path):
    child = spawn(tmp_path, config='prompt = "calc> "\nbanner = "hello {version}"\n',
                  init="sq(x) = x * x\n")
    from microcalc import __version__
    child.expect_exact(f"hello {__version__}")
    type_line(child, "sq(7)", prompt="calc>")
    child.expect_exact("49\r\n")
    leave(child, prompt="calc>")


def test_no_init_skips_init_mg(tmp_path):
    child = spawn(tmp_path, "--no-init", init="sq(x) = x * x\n")
    type_line(child, "sq(7)")
    child.expect_exact("unknown name 'sq'")
    leave(child)


def test_a_broken_config_and_init_are_one_line_each_and_the_repl_starts(tmp_path):
    child = spawn(tmp_path, config="digits = [\ncolour = 1\n", init="a = 1\nb = (\n")
    config = tmp_path / "config" / "microcalc"
    child.expect_exact(f"warning: {config / 'config.toml'} is not valid TOML: ")
    child.expect_exact(f"warning: {config / 'init.mg'}:2:5: unclosed '(' (missing ')'); "
                       f"nothing in it was run")
    type_line(child, "1 + 1")
    child.expect_exact("2\r\n")
    leave(child)


def test_an_unknown_config_key_is_named(tmp_path):
    child = spawn(tmp_path, config='colour_scheme = "light"\n')
    child.expect_exact("unknown key 'colour_scheme' (did you mean color_scheme?); it is "
                       "ignored")
    type_line(child, "1 + 1")
    child.expect_exact("2\r\n")
    leave(child)


# -- a syntax error stays in the editor ----------------------------------------------------------

def test_a_syntax_error_keeps_the_input_with_the_cursor_at_the_error(tmp_path):
    child = spawn(tmp_path)
    child.expect_exact(PROMPT)
    child.send("1 + * 2\r")
    child.expect_exact("missing operand after '+', found '*' (line 1, column 5)")
    child.send("\x1b[3~")            # Delete: removes the '*' under the cursor
    child.send("\r")
    child.expect_exact("3\r\n")
    assert "error:" not in child.before
    leave(child)


def test_a_syntax_error_longer_than_the_screen_is_wide_wraps_instead_of_being_cut(tmp_path):
    child = spawn(tmp_path)                 # 120 columns; the message is about 150
    type_line(child, "a = 2; L = a*a")
    type_line(child, "L.grad")
    child.expect_exact("unexpected character '.' (there are no attributes: grad(L) lists")
    child.expect_exact("by a) (line 1, column 2)")      # its end, on the next line
    child.sendcontrol("c")
    leave(child)
