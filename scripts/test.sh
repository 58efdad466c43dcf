#!/usr/bin/env bash
# Installs dependencies, builds anvil with warnings as errors and runs the whole ctest suite
# (labels unit, rtl, cosim, regression). Then, on a full run (no ctest arguments), the
# hardening stage (README, Tests): the software layers and a subset of the unit tests built
# with AddressSanitizer + UndefinedBehaviorSanitizer (clang; the fuzz regression corpus replay
# among them) plus a libFuzzer smoke of every harness, and ThreadSanitizer on the threaded
# inference tests. ANVIL_SANITIZERS=0 skips that stage, =1 forces it, =all adds the threaded
# Monte Carlo store to the TSan tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD=${ANVIL_BUILD_DIR:-build/ci}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DANVIL_WERROR=ON
cmake --build "$BUILD" --parallel "$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure --parallel "$(nproc)" "$@"

SANITIZERS=${ANVIL_SANITIZERS:-$([ $# -eq 0 ] && echo 1 || echo 0)}
[ "$SANITIZERS" = 0 ] && exit 0
sanitize_env=(ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
              TSAN_OPTIONS=halt_on_error=1)
# ASan + UBSan with clang and libFuzzer's instrumentation, so one build serves the asan tests
# and the fuzz smoke (every harness 2 s over its regression corpus, tests/fuzz/corpus).
dir=$BUILD-address
# CMake keeps a folder's first compiler: a folder not configured with clang (older anvil used
# gcc here) is started afresh.
grep -qs '^CMAKE_CXX_COMPILER:.*clang' "$dir/CMakeCache.txt" || rm -rf "$dir"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DANVIL_WERROR=ON \
  -DCMAKE_CXX_COMPILER=clang++ -DANVIL_FUZZ=ON -DANVIL_SANITIZE=address,undefined
cmake --build "$dir" --parallel "$(nproc)" --target anvil_sanitizer_tests anvil_fuzzers
env "${sanitize_env[@]}" ctest --test-dir "$dir" --output-on-failure --parallel "$(nproc)"
ANVIL_FUZZ_BUILD_DIR=$dir bash scripts/fuzz.sh --smoke
# ThreadSanitizer (gcc) on threaded inference; =all adds the threaded Monte Carlo store.
dir=$BUILD-thread
extra=$([ "$SANITIZERS" = all ] && echo ON || echo OFF)
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DANVIL_WERROR=ON \
  -DANVIL_SANITIZE=thread -DANVIL_TSAN_EXTRA="$extra"
cmake --build "$dir" --parallel "$(nproc)" --target anvil_sanitizer_tests
env "${sanitize_env[@]}" ctest --test-dir "$dir" --output-on-failure --parallel "$(nproc)"
