#!/usr/bin/env bash
# The benchmarks' own environment: microcalc (editable) beside micrograd 0.1.0 from PyPI,
# so that both run side by side in one process. Usage:
#   bash bench/setup.sh            # micrograd and microcalc
#   bash bench/setup.sh --peers    # also PyTorch (CPU), HIPS autograd and JAX, for bench/peers.py
# then bench/.venv/bin/python bench/<name>.py
set -euo pipefail
cd "$(dirname "$0")/.."
peers=0
for arg in "$@"; do
    case "$arg" in
        --peers) peers=1 ;;
        *) echo "usage: bash bench/setup.sh [--peers]" >&2; exit 2 ;;
    esac
done
python3 -m venv bench/.venv
bench/.venv/bin/pip install -q --upgrade pip
bench/.venv/bin/pip install -q "micrograd==0.1.0" -e .
if [ "$peers" = 1 ]; then
    # Each peer on its own, so that one that cannot be installed leaves the others (and
    # bench/peers.py prints n/a for it).
    bench/.venv/bin/pip install -q "torch==2.13.0" || echo "PyTorch not installed" >&2
    bench/.venv/bin/pip install -q autograd || echo "HIPS autograd not installed" >&2
    bench/.venv/bin/pip install -q jax jaxlib || echo "JAX not installed" >&2
fi
echo "bench environment ready: bench/.venv/bin/python bench/<name>.py"
