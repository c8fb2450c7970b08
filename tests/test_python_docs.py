"""docs/python.md is executable: every example in it runs as a doctest."""

import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "python.md"


def test_python_docs_examples_run():
    failures, attempted = doctest.testfile(str(DOC), module_relative=False,
                                           optionflags=doctest.ELLIPSIS)
    assert attempted > 20
    assert failures == 0
