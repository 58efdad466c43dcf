#!/usr/bin/env bash
# Builds the benchmarks and prints their figures (Release, portable flags unless
# ANVIL_NATIVE=ON). Each benchmark prints its comparisons side by side as ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${ANVIL_BUILD_DIR:-build/bench}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DANVIL_NATIVE=${ANVIL_NATIVE:-OFF} >/dev/null
cmake --build "$BUILD" --parallel "$(nproc)" --target anvil_benches
for b in "$BUILD"/bench/*_bench; do
  echo "== $(basename "$b")"
  "$b"
done
