"""The language's speed beside Python running the same program with microcalc's Python API,
and beside an earlier microcalc's language, in one run.

    python bench/language.py [--statements N] [--seed S] [--repeats R] [--baseline COMMIT]

Generates one program of N statements (input assignments, graph assignments, arithmetic,
tanh, gradient queries and a few in-place input changes), writes it twice (as a .mg
script and as Python source using `microcalc.Value`), and runs, round after round so that
they share the machine's noise:

- this microcalc's language on the script (parse + compile + run), and its parsing alone;
- the same for the microcalc of an earlier commit (12c50e8 unless --baseline says another;
  `--baseline none` leaves it out), taken from git into a folder of its own;
- the Python source, run with this microcalc's engine.

Each runs in a fresh Python process of its own, which prints what it printed and how long
it took; the outputs must agree. Times are CPU seconds of that process (on a shared machine,
time spent waiting for a core is not counted) and the figures are medians of R rounds. The
Python time includes compiling its source, as the language's includes parsing its own.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "12c50e8"

INPUTS = [f"a{i}" for i in range(20)]
GRAPHS = [f"g{i}" for i in range(30)]


def shortest(x):
    """microcalc's number text (the shortest that reads back), for the generator."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def generate(count, seed):
    """(language source, Python source) of the same program of `count` statements."""
    rng = random.Random(seed)
    language, python = [], ["out = []", "show = lambda x: out.append(format_number(x.data))"]
    version = {name: 0 for name in INPUTS}
    uses = {}          # graph -> {(input, version)} it was built from

    def number():
        return shortest(rng.choice([0.25, 0.5, 1.5, 2, -1, -0.75, 3]))

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


# -- the worker: one measurement in a process of its own ----------------------------------

def work(kind, program):
    """Time one kind of run of the program in this process; print JSON."""
    import gc
    import time
    from microcalc.lang.format import format_number
    source = Path(program).read_text("utf-8")
    clock = time.process_time
    if kind == "python":
        from microcalc.engine import Value, grad
        namespace = {"Value": Value, "grad": grad, "format_number": format_number,
                     "tanh": lambda v: v.tanh()}
        started = clock()
        exec(compile(source, "bench.py", "exec"), namespace)
        result = {"seconds": clock() - started, "printed": namespace["out"]}
    elif kind == "parse":
        from microcalc.lang import Session
        from microcalc.lang.errors import Source
        from microcalc.lang.parser import parse
        Session().run("1 + 1")                  # the parser loaded, as a first statement would
        gc.disable()
        started = clock()
        parse(Source(source, "bench.mg"))
        result = {"seconds": clock() - started}
    else:
        from microcalc.lang import Session
        session = Session()
        session.run("1 + 1")
        printed = []

        def emit(event):
            if event.kind == "value":
                printed.append(event.text)
        started = clock()
        session.run(source, filename="bench.mg", emit=emit)
        result = {"seconds": clock() - started, "printed": printed}
    print(json.dumps(result))


def measure(kind, program, tree):
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", kind,
                           program],
                          capture_output=True, text=True, env=env, cwd=tree)
    if done.returncode:
        raise SystemExit(f"the {kind} run in {tree} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def extract(commit, folder):
    """The tree of a commit of this repository, in folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE,
                        help="the commit to compare with, or none")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return work(*args.worker)

    language, python = generate(args.statements, args.seed)
    count = language.count("\n")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "bench.mg").write_text(language, "utf-8")
        (folder / "bench.py").write_text(python, "utf-8")
        runs = {"language": ROOT}
        if args.baseline != "none":
            base = folder.joinpath("baseline").resolve()
            base.mkdir()
            runs[f"language at {args.baseline}"] = extract(args.baseline, base)
        print(f"program: {count:,} statements ({len(language) / 1e6:.1f} MB of source), "
              f"seed {args.seed}, median of {args.repeats} rounds, CPU seconds per process")
        seconds = {label: [] for label in runs}
        parsing = {label: [] for label in runs}
        seconds["Python + microcalc API"] = []
        expected = None
        for _ in range(args.repeats):
            for label, tree in runs.items():
                result = measure("run", str(folder / "bench.mg"), tree)
                seconds[label].append(result["seconds"])
                parsing[label].append(measure("parse", str(folder / "bench.mg"),
                                              tree)["seconds"])
                expected = _agree(expected, result["printed"], label)
            result = measure("python", str(folder / "bench.py"), ROOT)
            seconds["Python + microcalc API"].append(result["seconds"])
            expected = _agree(expected, result["printed"], "Python")
    print(f"every run prints the same {len(expected):,} numbers")
    print(f"{'':36}{'seconds':>9}{'statements/s':>15}{'  of which parsing':>20}")
    median = {label: statistics.median(times) for label, times in seconds.items()}
    for label, value in median.items():
        parse_part = (f"{statistics.median(parsing[label]):9.3f} s "
                      f"({count / statistics.median(parsing[label]):,.0f}/s)"
                      if label in parsing else "")
        print(f"{label:36}{value:9.3f}{count / value:15,.0f}  {parse_part}")
    ours = median["language"]
    print(f"the language takes {ours / median['Python + microcalc API']:.2f}x the time of "
          f"Python with the API")
    for label in runs:
        if label != "language":
            print(f"statements per second: {median[label] / ours:.2f}x those of the "
                  f"{label} (target: at least 3x); parsing alone "
                  f"{statistics.median(parsing[label]) / statistics.median(parsing['language']):.1f}x")


def _agree(expected, printed, label):
    if expected is not None and printed != expected:
        first = next((i for i, (a, b) in enumerate(zip(printed, expected)) if a != b),
                     min(len(printed), len(expected)))
        raise SystemExit(f"{label} disagrees at output {first}")
    return printed


if __name__ == "__main__":
    main()
