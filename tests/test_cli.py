"""The `microcalc` command in each of its modes, run as a real process.

Every test starts `python -m microcalc` with stdin a pipe (never the terminal pytest may
have), and checks the exit status, stdout and stderr apart.
"""

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LECTURE_PROGRAM = "a = 2; b = -3; c = 10; f = -2\nL = (a*b + c) * f\ngrad(L, a)\n"


def environment(**changes):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("NO_COLOR", None)
    env.update(changes)
    return env


def microcalc(*args, stdin="", env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "microcalc", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, cwd=cwd,
                          env=env or environment())


def test_pipe_prints_only_results_one_per_line():
    run = microcalc(stdin=LECTURE_PROGRAM)
    assert (run.returncode, run.stdout, run.stderr) == (0, "-8\n6\n", "")


def test_pipe_examples_from_the_brief():
    assert microcalc(stdin="x = 3; grad(x**2, x)\n").stdout == "6\n"
    assert microcalc(stdin="tanh(0.5)").stdout == f"{math.tanh(0.5)!r}\n"


def test_eval_option_runs_each_program_in_one_session():
    run = microcalc("-e", "a = 2; b = -3; c = 10; f = -2", "-e", "L = (a*b + c)*f",
                    "-e", "grad(L, f)")
    assert (run.returncode, run.stdout, run.stderr) == (0, "-8\n4\n", "")


def test_script_files_run_in_order_in_one_session(tmp_path):
    first = tmp_path / "inputs.mg"
    first.write_text("#!/usr/bin/env microcalc\nx1 = 2; x2 = 0; w1 = -3; w2 = 1\n"
                     "b = 6.8813735870195432\n")
    second = tmp_path / "neuron.mg"
    second.write_text("o = tanh(x1*w1 + x2*w2 + b)  # the worked neuron\ngrad(o, x1)\n")
    run = microcalc(str(first), str(second))
    assert (run.returncode, run.stderr) == (0, "")
    o, do_dx1 = (float(line) for line in run.stdout.splitlines())
    assert o == 0.7071067811865477                      # math.tanh of 0.8813735870195432
    assert math.isclose(do_dx1, -3 * (1 - o * o), abs_tol=1e-15)   # w1 * tanh'(n)


def test_a_shebang_line_is_a_comment(tmp_path):
    script = tmp_path / "hello.mg"
    script.write_text("#!/usr/bin/env microcalc\n2 + 3\n")
    assert microcalc(str(script)).stdout == "5\n"


def test_error_stops_the_script_with_status_1_and_a_located_message(tmp_path):
    script = tmp_path / "broken.mg"
    script.write_text("x = 2\nx * 3\ny = tahn(x)\nx * 100\n")
    run = microcalc(str(script))
    assert run.returncode == 1
    assert run.stdout == "6\n"                   # what ran before the error stays
    assert run.stderr.splitlines() == [
        "error: unknown name 'tahn' (did you mean tanh?)",
        f" --> {script}:3:5",
        "3 | y = tahn(x)",
        "  |     ^^^^",
    ]


def test_error_in_a_pipe_exits_1_and_keeps_earlier_results():
    run = microcalc(stdin="1 + 1\nlog(0)\n2 + 2\n")
    assert (run.returncode, run.stdout) == (1, "2\n")
    assert "<stdin>:2:1" in run.stderr and "Traceback" not in run.stderr


def test_a_syntax_error_runs_nothing():
    run = microcalc(stdin="1 + 1\n2 * (3\n")
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.startswith("error: ") and "<stdin>:2:" in run.stderr


def test_eval_errors_name_the_option():
    run = microcalc("-e", "1 +* 2")
    assert run.returncode == 1 and "<-e>:1:" in run.stderr


def test_missing_file_is_one_line_and_status_1(tmp_path):
    run = microcalc(str(tmp_path / "nope.mg"))
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == f"error: cannot read {tmp_path / 'nope.mg'}: no such file\n"


def test_a_directory_is_one_line_and_status_1(tmp_path):
    run = microcalc(str(tmp_path))
    assert (run.returncode, run.stderr) == (1, f"error: cannot read {tmp_path}: it is a directory\n")


def test_non_utf8_file_names_the_byte_and_offset(tmp_path):
    script = tmp_path / "x.mg"
    script.write_bytes(b"x = 1\n2 + \xff\n")
    run = microcalc(str(script))
    assert run.returncode == 1
    assert run.stderr == f"error: cannot read {script}: not UTF-8 (byte 0xff at offset 10)\n"


def test_non_utf8_stdin_is_reported_too():
    run = subprocess.run([sys.executable, "-m", "microcalc"], input=b"1\n\xfe", timeout=60,
                         capture_output=True, env=environment())
    assert run.returncode == 1
    assert run.stderr == b"error: cannot read <stdin>: not UTF-8 (byte 0xfe at offset 2)\n"


def test_nothing_runs_when_a_later_file_is_missing(tmp_path):
    script = tmp_path / "ok.mg"
    script.write_text("1 + 1\n")
    run = microcalc(str(script), str(tmp_path / "missing.mg"))
    assert (run.returncode, run.stdout) == (1, "")


def test_usage_errors_exit_2():
    run = microcalc("--no-such-option")
    assert run.returncode == 2 and run.stderr.startswith("usage: microcalc")
    run = microcalc("-e")
    assert run.returncode == 2


def test_interactive_needs_a_terminal():
    run = microcalc("-i", "-e", "1")
    assert run.returncode == 2 and "-i needs a terminal" in run.stderr


def test_version():
    from microcalc import __version__
    run = microcalc("--version")
    assert (run.returncode, run.stdout) == (0, f"microcalc {__version__}\n")


def test_help_describes_the_exit_statuses_environment_and_examples():
    run = microcalc("--help")
    assert run.returncode == 0 and "exit status" in run.stdout and "--json" in run.stdout
    environment = run.stdout[run.stdout.index("environment:"):run.stdout.index("examples:")]
    for variable in ("NO_COLOR", "FORCE_COLOR", "MICROCALC_TRACEBACK", "XDG_CONFIG_HOME",
                     "XDG_DATA_HOME"):
        assert f"\n  {variable} " in environment
    examples = run.stdout[run.stdout.index("examples:"):run.stdout.index("exit status")]
    commands = [line.strip() for line in examples.splitlines()[1:]
                if line.startswith("  ") and not line.startswith("   ")]
    assert len(commands) >= 2
    # the examples run as written (from the repository's folder, where examples/ is)
    piped = commands[0]
    assert piped == "echo 'x = 3; grad(x**2, x)' | microcalc"
    assert microcalc(stdin="x = 3; grad(x**2, x)\n").stdout == "6\n"
    assert commands[2] == "microcalc -e 'help tanh'"
    assert microcalc("-e", "help tanh").stdout.startswith("tanh(x)")


def test_json_prints_one_object_per_event():
    run = microcalc("--json", stdin=LECTURE_PROGRAM + "a = 1; grad(L, a, b)\n")
    assert run.returncode == 0
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert [event["kind"] for event in events[:2]] == ["value", "value"]
    assert events[0] == {"kind": "value", "text": "-8", "data": {"value": -8.0}}
    assert events[1]["data"] == {"value": 6.0}
    assert all(set(event) == {"kind", "text", "data"} for event in events)


def test_notes_go_to_stderr_in_a_pipe():
    run = microcalc(stdin="a = 2; z = 5\nL = a * a\ngrad(L, z)\n")
    assert (run.returncode, run.stdout) == (0, "4\n0\n")
    assert "does not depend on z" in run.stderr


def test_no_colour_in_a_pipe_even_for_errors():
    run = microcalc(stdin="nope\n")
    assert "\x1b[" not in run.stdout + run.stderr


def test_ascii_option_and_an_output_that_cannot_encode_boxes():
    program = "a = 2; b = 3\nL = a*b + a\ntree L\n"
    boxes = set("─│├└")
    unicode_tree = microcalc(stdin=program, env=environment(PYTHONIOENCODING="utf-8"))
    assert boxes & set(unicode_tree.stdout)
    for run in (microcalc("--ascii", stdin=program, env=environment(PYTHONIOENCODING="utf-8")),
                microcalc(stdin=program, env=environment(PYTHONIOENCODING="ascii"))):
        assert run.returncode == 0 and run.stdout.startswith("8\n")
        assert not boxes & set(run.stdout) and run.stdout.isascii()


def test_ctrl_c_in_a_script_exits_130_and_keeps_what_was_printed(tmp_path):
    script = tmp_path / "long.mg"
    script.write_text("x = 0\nx + 41\nrepeat 100000000 { x := x + 1 }\n")
    process = subprocess.Popen([sys.executable, "-m", "microcalc", str(script)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment())
    try:
        first = process.stdout.readline()     # the loop has started once this arrives
        process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=60)
    finally:
        process.kill()
    assert first == "41\n" and rest == ""
    assert process.returncode == 130
    assert errors == "interrupted\n"


def test_a_closed_stdout_ends_quietly():
    process = subprocess.Popen([sys.executable, "-m", "microcalc", "-e",
                                "repeat 10000000 { 1 }"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environment())
    try:
        assert process.stdout.readline() == b"1\n"
        process.stdout.close()               # as `| head -1` does
        errors = process.stderr.read()
        process.wait(timeout=60)
    finally:
        process.kill()
    assert (process.returncode, errors) == (141, b"")


def test_piped_and_script_runs_never_import_prompt_toolkit(tmp_path):
    script = tmp_path / "s.mg"
    script.write_text("1 + 1\n")
    for args, stdin in ((["-e", "1+1"], ""), ([], "1+1\n"), ([str(script)], "")):
        run = subprocess.run([sys.executable, "-X", "importtime", "-m", "microcalc", *args],
                             input=stdin, capture_output=True, text=True, timeout=60,
                             env=environment())
        assert run.returncode == 0 and run.stdout == "2\n"
        imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines()}
        assert "microcalc.frontend.cli" in imported            # the measurement itself works
        assert not {name for name in imported if name.startswith("prompt_toolkit")}


TRAINING = ("net = mlp(2, [8, 1], seed=1); data = moons(40, noise=0.1, seed=1)\n"
            "run = train(net, data, steps=30)\n")


@pytest.mark.slow
def test_training_progress_in_a_pipe_goes_to_stderr_and_stdout_is_the_same_every_run():
    json_run = microcalc("--json", stdin=TRAINING)
    events = [json.loads(line) for line in json_run.stderr.splitlines()]
    progress = [event for event in events if event["kind"] == "progress"]
    reported = [event["data"]["step"] for event in progress if event["data"]["report"]]
    assert reported and len(reported) <= len(progress)
    assert not any(json.loads(line)["kind"] == "progress" for line in json_run.stdout.splitlines())
    first, second = microcalc(stdin=TRAINING), microcalc(stdin=TRAINING)
    step_lines = [line for line in first.stderr.splitlines() if line.startswith("step ")]
    assert [int(line.split()[1].split("/")[0]) for line in step_lines] == reported
    assert "steps/s" not in first.stdout and first.stdout == second.stdout
    assert first.stdout.startswith("MLP(2, [8, 1]): 33 parameters\n")


def test_an_internal_error_is_one_line_and_status_70(monkeypatch, capsys):
    import microcalc.lang
    from microcalc.frontend.cli import main

    def broken(settings=None):
        raise RuntimeError("a bug")
    monkeypatch.setattr(microcalc.lang, "Session", broken)
    assert main(["-e", "1"]) == 70
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("internal error: RuntimeError: a bug "
                            "(set MICROCALC_TRACEBACK=1 to see where)\n")


# -- colour, digits and JSON events --------------------------------------------------------------

RED = "\x1b[31m"


def test_color_always_colours_a_pipe_and_never_turns_it_off():
    tree = "a = 2; b = 3\nL = a*b\ntree L\nnope\n"
    always = microcalc("--color=always", stdin=tree)
    assert RED in always.stderr and "\x1b[1mL (*)" in always.stdout     # pictures painted too
    assert "\x1b" not in microcalc(stdin=tree).stdout                   # auto: not in a pipe
    never = microcalc("--color=never", stdin=tree, env=environment(FORCE_COLOR="1"))
    assert "\x1b" not in never.stdout + never.stderr


def test_force_color_and_no_color():
    assert RED in microcalc(stdin="nope\n", env=environment(FORCE_COLOR="1")).stderr
    both = microcalc(stdin="nope\n", env=environment(FORCE_COLOR="1", NO_COLOR="1"))
    assert "\x1b" not in both.stderr                  # NO_COLOR wins over FORCE_COLOR
    forced = microcalc("--color=always", stdin="nope\n", env=environment(NO_COLOR="1"))
    assert RED in forced.stderr                       # the option wins over both


def test_scripts_keep_every_digit_unless_digits_is_given():
    program = "x = 1/3\nx\n[x, 2e-9/3]\ntanh(x)\n"
    assert microcalc(stdin=program).stdout == (      # x = 1/3 prints, as x does
        f"{1/3!r}\n{1/3!r}\n[{1/3!r}, {2e-9/3!r}]\n{math.tanh(1/3)!r}\n")
    assert microcalc("--digits", "3", stdin=program).stdout == (
        "0.333\n0.333\n[0.333, 6.67e-10]\n0.322\n")
    events = [json.loads(line) for line in
              microcalc("--json", "--digits", "3", stdin="1/3\n").stdout.splitlines()]
    assert events == [{"kind": "value", "text": "0.333", "data": {"value": 1 / 3}}]
    bad = microcalc("--digits", "0", "-e", "1")
    assert bad.returncode == 2 and "must be a whole number from 1 to 17" in bad.stderr


def test_json_errors_and_notes_are_events_too():
    run = microcalc("--json", stdin="a = 2; z = 5\nL = a * a\ngrad(L, z)\nnope\n")
    assert run.returncode == 1 and run.stderr == ""
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert [event["kind"] for event in events] == ["value", "note", "value", "error"]
    assert events[-1]["data"] == {"message": "unknown name 'nope' (did you mean slope?)",
                                  "file": "<stdin>", "line": 4, "column": 1, "end_column": 5}
    assert events[-1]["text"].startswith("error: unknown name 'nope' (did you mean slope?)\n"
                                         " --> <stdin>:4:1")
