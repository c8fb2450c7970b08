"""Start-up time of each way into microcalc, against `python -c pass`, in one run.

    python bench/startup.py [--repeats N]

Run it with the Python of an environment where microcalc is installed (bench/setup.sh makes
one): the `microcalc` console script beside that Python is used, else `python -m microcalc`.
Each command runs N times; the median wall time is shown with its ratio to `python -c pass`,
then the slowest imports of a piped one-liner (`python -X importtime`), which is where
start-up goes.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = """\
#!/usr/bin/env microcalc
a = 2; b = -3; c = 10; f = -2
L = (a*b + c) * f
grad(L, a)
"""


def microcalc_command():
    console_script = Path(sys.executable).parent / "microcalc"
    if console_script.exists():
        return [str(console_script)]
    return [sys.executable, "-m", "microcalc"]


def median_seconds(command, stdin_text, repeats, env, cold_cache=False):
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as empty:
            if cold_cache:   # an empty cache folder: the parser is built from the grammar
                env = {**env, "XDG_CACHE_HOME": empty}
            started = time.perf_counter()
            subprocess.run(command, input=stdin_text, text=True, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def slowest_imports(stdin_text, env, count=10):
    """The imports of `python -m microcalc` with the largest cumulative time, in ms."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "microcalc"],
                         input=stdin_text, text=True, env=env, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rows = []
    for line in run.stderr.splitlines():
        fields = line.split("|")
        if line.startswith("import time:") and fields[1].strip().isdigit():
            rows.append((int(fields[1]) / 1000, fields[2].rstrip()))
    return sorted(rows, reverse=True)[:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    repeats = parser.parse_args().repeats

    env = {**os.environ, "NO_COLOR": "1"}
    microcalc = microcalc_command()
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "neuron.mg"
        script.write_text(SCRIPT)
        # Warm the parser cache once, as any second run on a user's machine would find it.
        subprocess.run(microcalc + ["-e", "1+1"], env=env, check=True, stdout=subprocess.DEVNULL)
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], None, False),
            ("microcalc -e '1+1'", microcalc + ["-e", "1+1"], None, False),
            ("echo 1+1 | microcalc", microcalc, "1+1\n", False),
            ("microcalc neuron.mg (4 lines)", microcalc + [str(script)], None, False),
            ("microcalc -e '1+1', no parser cache", microcalc + ["-e", "1+1"], None, True),
            ("import microcalc.frontend.repl.loop (REPL)",
             [sys.executable, "-c", "import microcalc.frontend.repl.loop"], None, False),
        ]
        print(f"start-up, median of {repeats} runs; {' '.join(microcalc)}")
        baseline = None
        for label, command, stdin_text, cold_cache in cases:
            seconds = median_seconds(command, stdin_text, repeats, env, cold_cache)
            baseline = baseline or seconds
            print(f"  {label:36s} {seconds * 1000:8.1f} ms   {seconds / baseline:5.1f}x")

    print("slowest imports of `echo 1+1 | python -m microcalc` (cumulative, nesting indented):")
    for milliseconds, name in slowest_imports("1+1\n", env):
        print(f"  {name:36s} {milliseconds:8.1f} ms")


if __name__ == "__main__":
    main()
