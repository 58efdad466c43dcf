#!/usr/bin/env bash
# Installs dependencies, builds anvil with warnings as errors and runs the whole ctest suite
# (labels unit, rtl, cosim, regression).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD=${ANVIL_BUILD_DIR:-build/ci}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DANVIL_WERROR=ON
cmake --build "$BUILD" --parallel "$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure --parallel "$(nproc)" "$@"
