#!/usr/bin/env bash
# anvil's main job on the embedded default: installs dependencies, builds, and runs the
# default experiment (LeNet-5 on Fashion-MNIST, statistical PCM channel read one day after
# programming, naive vs protected schemes vs digital baselines). Results in out/default/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD=${ANVIL_BUILD_DIR:-build/release}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --parallel "$(nproc)" --target anvil
"$BUILD/sw/anvil" run configs/default.yaml --out "${ANVIL_OUT:-out/default}" "$@"
