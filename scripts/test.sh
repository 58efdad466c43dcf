#!/usr/bin/env bash
# Installs dependencies, builds anvil with warnings as errors and runs the whole ctest suite
# (labels unit, rtl, cosim, regression). Then, on a full run (no ctest arguments), the
# hardening stage (README, Tests): the software layers and a subset of the unit tests built
# with AddressSanitizer + UndefinedBehaviorSanitizer (the fuzz regression corpus replay among
# them). ANVIL_SANITIZERS=0 skips that stage, =1 forces it, =all adds ThreadSanitizer on the
# threaded inference tests (left out of CI's default for its time budget).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD=${ANVIL_BUILD_DIR:-build/ci}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DANVIL_WERROR=ON
cmake --build "$BUILD" --parallel "$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure --parallel "$(nproc)" "$@"

SANITIZERS=${ANVIL_SANITIZERS:-$([ $# -eq 0 ] && echo 1 || echo 0)}
case $SANITIZERS in
  0) sans=() ;;
  all) sans=(address,undefined thread) ;;
  *) sans=(address,undefined) ;;
esac
for san in "${sans[@]}"; do
  dir=$BUILD-${san%%,*}
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DANVIL_WERROR=ON -DANVIL_SANITIZE="$san"
  cmake --build "$dir" --parallel "$(nproc)" --target anvil_sanitizer_tests
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    TSAN_OPTIONS=halt_on_error=1 ctest --test-dir "$dir" --output-on-failure --parallel "$(nproc)"
done
