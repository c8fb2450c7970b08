"""docs/python.md is executable: every example in it runs as a doctest."""

import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "python.md"


def test_python_docs_examples_run():
    failures, attempted = doctest.testfile(str(DOC), module_relative=False,
                                           optionflags=doctest.ELLIPSIS)
    assert attempted > 20
    assert failures == 0


def test_readme_python_example_prints_what_it_says(capsys):
    readme = (DOC.parent.parent / "README.md").read_text("utf-8")
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})      # our own README's example
    printed = capsys.readouterr().out.strip()
    promised = code.strip().splitlines()[-1].split("#", 1)[1].split(",")[0].strip()
    assert printed == promised == "140.0 -82.0"
