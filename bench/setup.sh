#!/usr/bin/env bash
# The benchmarks' own environment: microcalc (editable) beside micrograd 0.1.0 from PyPI,
# so that both run side by side in one process. Usage: bash bench/setup.sh; then
#   bench/.venv/bin/python bench/engine.py   (and the other bench/*.py)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv bench/.venv
bench/.venv/bin/pip install -q --upgrade pip
bench/.venv/bin/pip install -q "micrograd==0.1.0" -e .
echo "bench environment ready: bench/.venv/bin/python bench/<name>.py"
