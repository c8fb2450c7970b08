"""The fuzz harness's programs straight through `Session.run` (tests/fuzz_programs.py makes
them and says what may come out)."""

import pytest

from fuzz_programs import SESSION_CHECKS, fuzzer

pytestmark = pytest.mark.usefixtures("scratch_folder")


@pytest.mark.parametrize("name, fed, check, examples", SESSION_CHECKS,
                         ids=[c[0] for c in SESSION_CHECKS])
def test_session(name, fed, check, examples):
    fuzzer(fed, check, max_examples=examples)()
