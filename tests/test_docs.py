"""docs/language.md is the language reference: every `mc` example in it runs as shown,
and every builtin is documented with an example.

An example is a fenced block with the info string `mc`, written as a transcript: a line
starting `mc> ` is input (a line starting `... ` continues it), the lines after it up to
the next input are its exact output, and a line `...` matches any number of lines.
Output lines are values and pictures as shown, notes as `note: TEXT`, the lines a pipe
keeps of progress reports, and errors as their four-line report. Each block runs in a
fresh session with plain, 80-column settings.
"""

import re
from pathlib import Path

import pytest

from conftest import matches, mc_blocks, shown, steps

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE_DOC = ROOT / "docs" / "language.md"


def new_session():
    """The full session (language, networks, rendering); the bare language if the other
    layers are not importable yet."""
    try:
        from microcalc.lang import Session as full_session
    except ImportError:
        from microcalc.lang import Session
        return Session()
    return full_session()


DOC_TEXT = LANGUAGE_DOC.read_text("utf-8")
BLOCKS = mc_blocks(DOC_TEXT)


@pytest.mark.parametrize("start, lines", BLOCKS, ids=[f"line{start}" for start, _ in BLOCKS])
def test_example_runs_as_shown(start, lines):
    session = new_session()
    for source, expected in steps(lines):
        actual = shown(session, source)
        assert matches(expected, actual), (
            f"docs/language.md, example at line {start}: mc> {source}\n"
            f"expected:\n" + "\n".join(expected) + "\nactual:\n" + "\n".join(actual))


def sections(text):
    """(heading, body) for every Markdown heading."""
    parts = re.split(r"^(#{1,6} .*)$", text, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def _builtins():
    new_session()          # imports every layer, so that every builtin is registered
    from microcalc.lang.library import BUILTINS
    return sorted(BUILTINS.values(), key=lambda b: b.name)


@pytest.mark.parametrize("entry", _builtins(), ids=lambda b: b.name)
def test_every_builtin_is_documented_with_an_example(entry):
    """A heading naming the builtin, or its signature in the text, and in that same
    section an `mc` example whose input uses it."""
    name = re.compile(rf"(?<![\w.]){re.escape(entry.name)}(?!\w)")
    for heading, body in sections(DOC_TEXT):
        if not (name.search(heading) or entry.signature in body):
            continue
        for _, lines in mc_blocks(body):
            if any(name.search(source) for source, _ in steps(lines)):
                return
    pytest.fail(f"{entry.name} ({entry.signature}) has no heading or signature with an "
                f"mc example in docs/language.md")


def test_the_transcript_reader():
    lines = ["mc> x = 1", "mc> repeat 2 {", "... x", "... }", "1", "1", "mc> x"]
    assert steps(lines) == [["x = 1", []], ["repeat 2 {\nx\n}", ["1", "1"]], ["x", []]]
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["..."], [])
    assert not matches(["a", "...", "d"], ["a", "b"])
    assert not matches(["a"], ["a", "b"])
