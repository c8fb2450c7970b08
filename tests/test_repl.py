"""The REPL loop driven through prompt_toolkit's pipe input, its colon-commands, its
completer (called directly: completion runs asynchronously in the loop) and its history."""

import io
import math
import re
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from microcalc.lang.library import BUILTINS
from microcalc.frontend.repl.commands import COMMANDS
from microcalc.frontend.repl.completer import MicrocalcCompleter
from microcalc.frontend.display import Display
from microcalc.frontend.repl.history import history_path, open_history
from microcalc.frontend.repl.loop import BANNER, run_repl
from microcalc.lang import Session as new_session

ENTER = "\r"
CTRL_C = "\x03"
CTRL_D = "\x04"


def repl(keys, session=None, history=None):
    """Type keys into a REPL; returns (exit status, everything it printed after the banner)."""
    session = session or new_session()
    shown = io.StringIO()
    display = Display(shown, shown)
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        status = run_repl(session, display, history=history or InMemoryHistory(),
                          input=pipe, output=DummyOutput())
    printed = shown.getvalue()
    assert printed.startswith(BANNER + "\n")
    return status, printed[len(BANNER) + 1:]


def test_values_print_and_ctrl_d_leaves_with_status_0():
    keys = "a = 2; b = -3; c = 10; f = -2\rL = (a*b + c) * f\rgrad(L, a)\r" + CTRL_D
    assert repl(keys) == (0, "-8\n6\n")


def test_enter_on_an_open_bracket_continues_the_statement():
    keys = "f(x, y) = x*y + (\r  tanh(x)\r)\rf(2, 3)\r" + CTRL_D
    assert repl(keys) == (0, f"{6 + math.tanh(2)!r}\n")


def test_enter_inside_an_open_block_continues_it():
    keys = "x = 1\rrepeat 3 {\rx := x * 2\r}\rx\r" + CTRL_D
    assert repl(keys) == (0, "8\n")


def test_ctrl_c_clears_the_line_and_the_session_goes_on():
    status, printed = repl("x = 5\rthis line is thrown away" + CTRL_C + "x + 1\r" + CTRL_D)
    assert (status, printed) == (0, "6\n")


def test_an_error_is_reported_and_every_variable_survives():
    status, printed = repl("x = 5\rx / (x - 5)\rx + 1\r" + CTRL_D)
    lines = printed.splitlines()
    assert lines[0].startswith("error: ") and lines[1] == " --> <input>:1:1"
    assert lines[-1] == "6"


def test_quit_command_leaves():
    assert repl("1 + 1\r:quit\r2 + 2\r") == (0, "2\n")


def test_help_builtins_lists_every_builtin_with_its_doc_grouped_by_category():
    status, printed = repl(":help builtins\r" + CTRL_D)
    flowing = " ".join(printed.split())         # lines are wrapped to the screen
    for entry in BUILTINS.values():
        # its first sentence follows the signature
        assert " ".join(f"{entry.signature} {entry.summary}".split()) in flowing
    categories = [line.strip() for line in printed.splitlines() if line.startswith("  ")
                  and not line.startswith("    ")]
    assert sorted(categories) == sorted({entry.category for entry in BUILTINS.values()})
    status, printed = repl(":help\r" + CTRL_D)
    for command in COMMANDS:
        assert f":{command}" in printed


def test_help_on_one_builtin_shows_signature_doc_and_example():
    entry = BUILTINS["grad"]
    status, printed = repl(":help grad\r" + CTRL_D)
    assert printed.startswith(entry.signature)
    assert " ".join(entry.doc.split()) in " ".join(printed.split())     # wrapped to the screen
    assert entry.example.splitlines()[0] in printed


def test_help_on_an_unknown_name_suggests_one():
    status, printed = repl(":help tahn\r" + CTRL_D)
    assert printed == ("error: no help for 'tahn' (did you mean tanh?); help alone lists what "
                       "there is\n")


def test_unknown_colon_command():
    status, printed = repl(":hlep\r" + CTRL_D)
    assert printed == ("error: unknown command :hlep (did you mean :help?); type :help for the "
                       "list\n")


def test_vars_lists_inputs_graphs_and_functions():
    status, printed = repl("a = 2\rL = a * 3\rsq(x) = x * x\r:vars\r" + CTRL_D)
    assert printed.splitlines()[1:] == ["L   6  (graph)", "a   2  (input)", "sq  sq(x) = x * x"]


def test_reset_forgets_everything():
    status, printed = repl("a = 2\r:reset\ra\r" + CTRL_D)
    assert printed.splitlines()[:2] == ["session reset", "error: unknown name 'a'"]


def test_save_writes_a_script_that_load_runs_again(tmp_path):
    saved = tmp_path / "session.mg"
    repl(f"a = 2; b = -3\rL = a * b\rnope\r:save {saved}\r" + CTRL_D)
    assert "\n# nope\n" in saved.read_text()       # kept as a comment: it stopped with an error
    status, printed = repl(f":load {saved}\rgrad(L, b)\r" + CTRL_D)
    assert printed == "-6\n2\n"


def test_load_of_a_missing_file_is_an_error_not_a_crash(tmp_path):
    status, printed = repl(f":load {tmp_path / 'none.mg'}\r1\r" + CTRL_D)
    assert printed == f"error: cannot read {tmp_path / 'none.mg'}: no such file\n1\n"


def test_save_into_a_missing_folder_is_an_error(tmp_path):
    target = tmp_path / "no" / "such" / "x.mg"
    status, printed = repl(f"a = 1\r:save {target}\r" + CTRL_D)
    assert printed.startswith(f"error: cannot write {target}: ")


# -- completion -------------------------------------------------------------------------

def completions(text, session=None):
    completer = MicrocalcCompleter(session or new_session())
    found = completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
    return {completion.text: completion for completion in found}


def test_completes_builtins_with_signature_and_doc():
    found = completions("tan")
    assert set(found) == {"tanh"}
    meta = found["tanh"].display_meta_text
    assert BUILTINS["tanh"].signature in meta and BUILTINS["tanh"].doc in meta


def test_completes_after_an_opening_bracket():
    # prompt_toolkit's default word splitter would take "(" as the word after "grad("
    found = completions("grad(tan")
    assert set(found) == {"tanh"} and found["tanh"].start_position == -3


def test_every_builtin_is_offered():
    found = completions("", None)
    assert found == {}                # nothing to complete before a letter is typed
    for name in BUILTINS:
        assert name in completions(name[0])


def test_completes_the_sessions_own_names():
    session = new_session()
    session.run("learning_rate = 0.1\nloss_of(x) = x * x\n")
    assert set(completions("l", session)) >= {"learning_rate", "loss_of", "log"}
    assert completions("learning_", session)["learning_rate"].display_meta_text == "yours"


def test_completes_keywords_from_the_grammar_and_the_constants():
    assert "repeat" in completions("rep")
    assert {"pi", "parameters"} <= set(completions("p"))
    assert "ans" in completions("an")


def test_completes_colon_commands_and_their_arguments(tmp_path):
    assert set(completions(":")) == set(COMMANDS)
    assert set(completions(":he")) == {"help"}
    assert "tanh" in completions(":help ta")
    (tmp_path / "neuron.mg").write_text("1\n")
    typed = f":load {tmp_path}/neu"
    (completion,) = completions(typed).values()
    assert typed + completion.text == f":load {tmp_path}/neuron.mg"


# -- history ----------------------------------------------------------------------------

def test_history_file_lives_under_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = history_path()
    assert path == tmp_path / "data" / "microcalc" / "history"
    warnings = []
    history = open_history(path, warnings.append)
    repl("x = 41\rx + 1\r" + CTRL_D, history=history)
    assert warnings == [] and "+x + 1" in path.read_text()
    assert list(open_history(path, warnings.append).load_history_strings())[0] == "x + 1"


def test_history_falls_back_to_memory_when_its_folder_cannot_be_made(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    warnings = []
    history = open_history(history_path(), warnings.append)
    assert len(warnings) == 1 and warnings[0].startswith("history is not saved: cannot use ")
    assert repl("1 + 1\r" + CTRL_D, history=history) == (0, "2\n")


@pytest.mark.parametrize("corrupt", [b"\xff\xfe\n+1\n", b"+x\n\x00\x00"])
def test_history_file_with_odd_bytes_still_loads(tmp_path, corrupt):
    path = tmp_path / "history"
    path.write_bytes(corrupt)
    warnings = []
    history = open_history(path, warnings.append)
    assert warnings == []
    assert repl("2 + 2\r" + CTRL_D, history=history) == (0, "4\n")


def test_history_that_is_a_folder_falls_back(tmp_path):
    path = tmp_path / "history"
    path.mkdir()
    warnings = []
    open_history(path, warnings.append)
    assert len(warnings) == 1


# -- display ----------------------------------------------------------------------------

def test_display_progress_in_a_pipe_keeps_only_reported_lines_on_stderr():
    from microcalc.lang.context import Event
    out, err = io.StringIO(), io.StringIO()
    display = Display(out, err)
    for step in range(5):
        display.show(Event("progress", f"step {step}", {"report": step % 2 == 0}))
    display.show(Event("note", "a note"))
    # on stderr, with the notes: stdout holds only results, the same on every run
    assert out.getvalue() == "" and err.getvalue() == "step 0\nstep 2\nstep 4\na note\n"


def test_display_progress_on_a_terminal_rewrites_one_line():
    from microcalc.lang.context import Event
    out = io.StringIO()
    display = Display(out, out, live=True, notes_to_stdout=True, color=True, width=12)
    display.show(Event("progress", "step 10 loss 0.5", {"report": True}))
    display.show(Event("progress", "step 2", {"report": False}))
    display.show(Event("value", "3"))
    display.show(Event("note", "dim"))
    display.show(Event("progress", "step 3", {"report": False}))
    display.end_live_line()
    assert out.getvalue() == ("\rstep 10 los\rstep 2     \n3\n\x1b[2mdim\x1b[0m\n"
                              "\rstep 3\n")


# -- the README's session ---------------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"
PROMPT, CONTINUATION = "mc> ", "... "


def readme_session():
    """(what is typed, what is printed) from the README's 'A short session' block."""
    text = README.read_text()
    block = re.search(r"## A short session\n\n```\n(.*?)```", text, re.DOTALL).group(1)
    lines = block.splitlines()
    assert lines[0] == "$ microcalc" and lines[1].startswith("microcalc ")
    typed, printed = [], []
    for line in lines[2:]:
        if line.startswith(PROMPT):
            typed.append(line[len(PROMPT):] + "\r")
        elif line.startswith(CONTINUATION):
            # The REPL indents a continued line itself; the README shows that indent.
            typed.append(line[len(CONTINUATION):].lstrip() + "\r")
        else:
            printed.append(line + "\n")
    return "".join(typed), "".join(printed)


def test_the_readme_session_is_what_the_repl_prints():
    typed, printed = readme_session()
    assert typed.endswith(":quit\r")
    assert repl(typed + CTRL_D) == (0, printed)


# -- what the prompt is made of ---------------------------------------------------------

def test_prompt_highlights_with_the_microcalc_lexer_and_shows_brackets_and_suggestions():
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.layout.processors import HighlightMatchingBracketProcessor
    from microcalc.frontend.repl.loop import make_prompt
    with create_pipe_input() as pipe:
        prompt = make_prompt(new_session(), InMemoryHistory(), color=True, input=pipe,
                             output=DummyOutput())
    line = prompt.lexer.lex_document(Document("L = tanh(a) # c"))(0)
    styles = {text: style for style, text in line}
    assert "name.builtin" in styles["tanh"] and "comment" in styles["# c"]
    command = dict((text, style) for style, text in
                   prompt.lexer.lex_document(Document(":help tanh"))(0))
    assert "keyword" in command[":help"]
    assert isinstance(prompt.auto_suggest, AutoSuggestFromHistory)
    assert any(isinstance(p, HighlightMatchingBracketProcessor) for p in prompt.input_processors)


def test_a_bug_behind_a_command_is_reported_and_the_session_goes_on(tmp_path, monkeypatch):
    session = new_session()

    def broken():
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(session, "to_script", broken)
    status, printed = repl(f"x = 2\r:save {tmp_path / 'x.mg'}\rx * 2\r" + CTRL_D, session)
    assert (status, printed) == (0, "error: internal error: RuntimeError: disk on fire\n4\n")


# -- a syntax error stays in the editor; what was parsed is what runs ---------------------------

def test_a_syntax_error_on_enter_keeps_the_input_to_be_fixed():
    # Enter on `1 + * 2` runs nothing and keeps the input, the cursor at the '*': Delete
    # removes it and Enter runs `1 +  2`.
    assert repl("1 + * 2\r\x1b[3~\r" + CTRL_D) == (0, "3\n")


def test_each_input_is_parsed_once(monkeypatch):
    from microcalc.lang import session as session_module
    parsed = []
    real_parse = session_module.parse

    def counting(source, *args, **kwargs):
        parsed.append(source.text)
        return real_parse(source, *args, **kwargs)
    monkeypatch.setattr(session_module, "parse", counting)
    assert repl("x = 2\rx * 21\r" + CTRL_D) == (0, "42\n")
    assert parsed == ["x = 2", "x * 21"]


def test_underscore_is_the_last_result():
    assert repl("6 * 7\r_ + 1\rans * 2\r" + CTRL_D) == (0, "42\n43\n86\n")


def test_digits_rounds_what_the_repl_shows():
    status, printed = repl("x = 1/3\r:digits 3\rx\r[x, 2/3]\r:vars\r:digits 0\rx\r" + CTRL_D)
    assert printed.splitlines() == ["0.3333333333333333", "results are shown to 3 significant "
                                    "digits", "0.333", "[0.333, 0.667]", "x  0.333  (input)",
                                    "results are shown with every digit", "0.3333333333333333"]


def test_history_lists_the_last_inputs():
    history = InMemoryHistory()
    status, printed = repl("1 + 1\r2 + 2\r:history 2\r" + CTRL_D, history=history)
    assert printed.splitlines()[2:] == ["2  2 + 2", "3  :history 2"]


def test_vars_and_values_show_control_characters_escaped():
    session = new_session()
    session.run('s = "\x1b]52;c;SGVsbG8=\x07\x1b[2J"')
    status, printed = repl("s\r:vars\r" + CTRL_D, session)
    assert printed == ('"\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J"\n'
                       's  "\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J"\n')
