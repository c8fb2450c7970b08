"""Each examples/NAME.mg script, run through a session, prints exactly tests/golden/NAME.out.

The golden file holds one line per line of output: values and pictures as shown, notes
prefixed with "note: ". To write the golden files after a deliberate change:

    MICROCALC_UPDATE_GOLDEN=1 python -m pytest tests/test_examples.py
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
# Every example has a golden output: a new example without one fails until it is written.
EXAMPLES = sorted((ROOT / "examples").glob("*.mg"))


def new_session():
    """The full session the `microcalc` command uses; the bare language if it is missing."""
    try:
        from microcalc.lang import Session as full_session
    except ImportError:
        from microcalc.lang import Session
        return Session()
    return full_session()


def transcript(events):
    lines = []
    for event in events:
        if event.kind in ("value", "text"):
            lines.extend(event.text.split("\n"))
        elif event.kind == "note":
            lines.append(f"note: {event.text}")
    return lines


def test_the_seed_examples_are_there():
    names = {path.stem for path in EXAMPLES}
    assert {"backprop_by_hand", "neuron", "tanh_decomposed", "gradient_descent"} <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_prints_its_golden_output(script):
    session = new_session()
    text = "\n".join(transcript(session.run(script.read_text("utf-8"), str(script)))) + "\n"
    golden = GOLDEN / f"{script.stem}.out"
    if os.environ.get("MICROCALC_UPDATE_GOLDEN"):
        golden.write_text(text, "utf-8")
    assert text == golden.read_text("utf-8")


WORKED_NUMBERS = {
    # The numbers the micrograd lecture and micrograd's demo give for each example, as they
    # must appear.
    "backprop_by_hand": ["-8", "[6, -4, -2, 4]", "a: 6", "b: -4", "c: -2", "f: 4"],
    "neuron": ["0.8813735870195432", "0.7071067811865477", "[-1.5, 1, 0.5, 0, 0.5]"],
    "tanh_decomposed": ["x1: -1.5", "w1: 1", "x2: 0.5", "w2: 0", "b: 0.5",
                        "[-1.5, 1, 0.5, 0, 0.5]"],
    "gradient_descent": ["-8", "-7.286496"],
    "backprop_lesson": ["  L 1, f 4, d -2, c -2, e -2, b -4, a 6",
                        "every gradient now equals grad(L):",
                        "x1          dt2/dx1 = w1 = -3             do/dt2 · dt2/dx1 = 0.5 × (-3)"
                        "  -1.5"],
}


@pytest.mark.parametrize("name", sorted(WORKED_NUMBERS))
def test_golden_outputs_hold_the_worked_examples_numbers(name):
    lines = (GOLDEN / f"{name}.out").read_text("utf-8").splitlines()
    for number in WORKED_NUMBERS[name]:
        assert number in lines, (name, number)
