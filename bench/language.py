"""The language's speed beside Python running the same program with microcalc's Python API.

    python bench/language.py [--statements N] [--seed S] [--repeats R]

Generates one program of N statements (input assignments, graph assignments, arithmetic,
tanh, gradient queries and a few in-place input changes), writes it twice (as a .mg
script and as Python source using `microcalc.Value`), runs both in this process, checks
that they print the same numbers, and reports statements per second for each and their
ratio. The Python time includes compiling its source, as the language's includes parsing
its own. Median of R runs.
"""

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from microcalc.engine import Value, grad  # noqa: E402
from microcalc.lang import Session  # noqa: E402
from microcalc.lang.errors import Source  # noqa: E402
from microcalc.lang.format import format_number  # noqa: E402
from microcalc.lang.parser import parse  # noqa: E402

INPUTS = [f"a{i}" for i in range(20)]
GRAPHS = [f"g{i}" for i in range(30)]


def generate(count, seed):
    """(language source, Python source) of the same program of `count` statements."""
    rng = random.Random(seed)
    language, python = [], ["out = []", "show = lambda x: out.append(format_number(x.data))"]
    version = {name: 0 for name in INPUTS}
    uses = {}          # graph -> {(input, version)} it was built from

    def number():
        return format_number(rng.choice([0.25, 0.5, 1.5, 2, -1, -0.75, 3]))

    for name in INPUTS:
        value = number()
        language.append(f"{name} = {value}")
        python.append(f"{name} = Value({value})")
    while len(language) < count:
        roll = rng.random()
        x, y, z = rng.sample(INPUTS, 3)
        if roll < 0.12:                                   # a new input
            value = number()
            language.append(f"{x} = {value}")
            python.append(f"{x} = Value({value})")
            version[x] += 1
        elif roll < 0.45:                                 # a graph, printed
            target = rng.choice(GRAPHS)
            if rng.random() < 0.5:
                text = f"({x}*{y} + {z}) * 0.5"
            else:
                text = f"tanh({x}*{y} - {z}) + {x}"
            language.append(f"{target} = {text}")
            python.append(f"{target} = {text}; show({target})")
            uses[target] = {(x, version[x]), (y, version[y]), (z, version[z])}
        elif roll < 0.62:                                 # bare arithmetic
            text = f"{x} * 2 + {y} / 4 - {z}"
            language.append(text)
            python.append(f"show({text})")
        elif roll < 0.75:                                 # bare tanh
            text = f"tanh({x} - {y})"
            language.append(text)
            python.append(f"show({text})")
        elif roll < 0.96 and uses:                        # a gradient query
            target = rng.choice(sorted(uses))
            wrt = rng.choice(sorted(uses[target]))[0]
            language.append(f"grad({target}, {wrt})")
            python.append(f"out.append(format_number(grad({target}, {wrt})))")
        else:                                             # change an input in place
            value = number()
            language.append(f"{x} := {value}")
            dependants = [g for g in sorted(uses) if (x, version[x]) in uses[g]]
            python.append(f"{x}.data = {value}" + "".join(f"; {g}.recompute()"
                                                          for g in dependants))
    return "\n".join(language) + "\n", "\n".join(python) + "\n"


def run_language(source):
    printed = []

    def emit(event):
        if event.kind == "value":
            printed.append(event.text)
    started = time.perf_counter()
    Session().run(source, filename="bench.mg", emit=emit)
    return time.perf_counter() - started, printed


def time_parsing(source):
    """Parsing alone, with the collector off as Session.run has it."""
    gc.disable()
    try:
        started = time.perf_counter()
        parse(Source(source, "bench.mg"))
        return time.perf_counter() - started
    finally:
        gc.enable()


def run_python(source):
    namespace = {"Value": Value, "grad": grad, "format_number": format_number,
                 "tanh": lambda v: v.tanh()}
    started = time.perf_counter()
    exec(compile(source, "bench.py", "exec"), namespace)
    return time.perf_counter() - started, namespace["out"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    language, python = generate(args.statements, args.seed)
    count = language.count("\n")
    print(f"program: {count:,} statements ({len(language) / 1e6:.1f} MB of source), "
          f"seed {args.seed}, median of {args.repeats} runs")

    parse_times, language_times, python_times = [], [], []
    for _ in range(args.repeats):
        parse_times.append(time_parsing(language))
        seconds, language_out = run_language(language)
        language_times.append(seconds)
        seconds, python_out = run_python(python)
        python_times.append(seconds)
        if language_out != python_out:
            first = next(i for i, (a, b) in enumerate(zip(language_out, python_out)) if a != b)
            raise SystemExit(f"the two programs disagree at output {first}: "
                             f"{language_out[first]} != {python_out[first]}")

    parse_s = statistics.median(parse_times)
    language_s = statistics.median(language_times)
    python_s = statistics.median(python_times)
    print(f"both print the same {len(language_out):,} numbers")
    print(f"{'':34}{'seconds':>10}{'statements/s':>16}")
    print(f"{'microcalc language (parse + run)':34}{language_s:10.3f}{count / language_s:16,.0f}")
    print(f"{'  of which parsing':34}{parse_s:10.3f}{count / parse_s:16,.0f}")
    print(f"{'Python + microcalc API':34}{python_s:10.3f}{count / python_s:16,.0f}")
    print(f"ratio: the language takes {language_s / python_s:.1f}x the time of Python "
          f"({language_s - parse_s:.3f} s of it running, {parse_s:.3f} s parsing)")


if __name__ == "__main__":
    main()
