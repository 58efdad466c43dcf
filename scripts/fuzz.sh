#!/usr/bin/env bash
# Coverage-guided fuzzing of every input parser (issue 14; README, Tests).
#
#   bash scripts/fuzz.sh [SECONDS] [HARNESS...]   run each harness SECONDS (default 60)
#   bash scripts/fuzz.sh --runs N [HARNESS...]    run each harness until N executions
#   bash scripts/fuzz.sh --smoke                  replay the regression corpus, 2 s each
#
# Builds the libFuzzer harnesses of tests/fuzz/ with clang (-fsanitize=fuzzer,address,
# undefined; ANVIL_FUZZ=ON, build/fuzz), seeds each from the repository's own valid files
# (configs/, models/devices/, tests/rtl/data/, the first lines of ../shared's measured CSVs)
# plus tiny ONNX / IDX / CIFAR files made by fuzz_seeds, and the regression corpus
# tests/fuzz/corpus/<harness>/. A growing corpus is kept in build/fuzz/work/<harness>/ between
# runs; a crashing input lands in build/fuzz/artifacts/<harness>/. Prints the executions each
# harness survived; exits non-zero when one crashed, leaked, hung or tripped a sanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${ANVIL_FUZZ_BUILD_DIR:-build/fuzz}
SMOKE=0
SECONDS_EACH=60
RUNS=0
if [ "${1:-}" = "--smoke" ]; then SMOKE=1; SECONDS_EACH=2; shift; fi
if [ "${1:-}" = "--runs" ]; then RUNS=${2:?--runs takes a count}; SECONDS_EACH=0; shift 2; fi
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then SECONDS_EACH=$1; shift; fi
HARNESSES=("$@")
if [ ${#HARNESSES[@]} -eq 0 ]; then
  HARNESSES=(idx idx_gz cifar measured_csv device_yaml experiment_yaml scheme_yaml codec_yaml
             sweep_yaml sweep_state onnx)
fi

command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (scripts/setup.sh installs clang)"; exit 1; }
launcher=()
# ccache only on a fresh build folder: switching the launcher of a configured one rebuilds it.
[ ! -f "$BUILD/CMakeCache.txt" ] && command -v ccache >/dev/null &&
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DANVIL_FUZZ=ON "${launcher[@]}" >/dev/null
targets=(fuzz_seeds)
for h in "${HARNESSES[@]}"; do targets+=("fuzz_$h"); done
cmake --build "$BUILD" --parallel "$(( $(nproc) < 2 ? $(nproc) : 2 ))" --target "${targets[@]}"

# Seeds: build/fuzz/seeds/<harness>/.
SEEDS=$BUILD/seeds
mkdir -p "$SEEDS"  # rewritten each run (parallel runs write the same files)
"$BUILD/tests/fuzz/fuzz_seeds" "$SEEDS"
mkdir -p "$SEEDS"/{measured_csv,device_yaml,experiment_yaml,scheme_yaml,codec_yaml,sweep_yaml,sweep_state}
cp models/devices/*.yaml "$SEEDS/device_yaml/"
cp configs/*.yaml configs/optimize/*.yaml "$SEEDS/experiment_yaml/"
cp configs/optimized/*/design.yaml "$SEEDS/experiment_yaml/" 2>/dev/null || true
cp configs/*.yaml "$SEEDS/scheme_yaml/"
cp tests/rtl/data/*.yaml "$SEEDS/codec_yaml/"
cp configs/sweeps/*.yaml "$SEEDS/sweep_yaml/"
for f in ../shared/data/pcm/*.csv; do
  [ -f "$f" ] && head -n 60 "$f" > "$SEEDS/measured_csv/$(basename "$f")"
done
printf 'write,read\n1,2\n1,2.5\n2,4\n2,4.5\n3,6\n' > "$SEEDS/measured_csv/tiny.csv"
printf '{"sweep":"s.yaml","name":"s","mode":"grid","seed":1,"samples":0,"base":"b.yaml","axes":["experiment.trials"],"front_within":[],"duplicates":0,"points":[{"id":"p0","values":[3]}]}\n' \
  > "$SEEDS/sweep_state/sweep.json"
printf '{"id":"p0","status":"done","schemes":[]}\n' > "$SEEDS/sweep_state/result.json"

# The harnesses hand each input to the parsers as a file: on tmpfs that costs 2-3x less
# than ext4's truncate-and-write (device_yaml: 694 against 269 executions/s).
if [ -w /dev/shm ]; then export TMPDIR=${ANVIL_FUZZ_TMPDIR:-/dev/shm}; fi
printf '%-16s %12s %8s %8s  %s\n' harness executions seconds corpus status
failed=0
for h in "${HARNESSES[@]}"; do
  work=$BUILD/work/$h art=$BUILD/artifacts/$h/ reg=tests/fuzz/corpus/$h
  mkdir -p "$work" "$art" "$reg"
  log=$BUILD/logs/$h.log
  mkdir -p "$(dirname "$log")"
  if [ $SMOKE = 1 ]; then work=$(mktemp -d); dirs=("$work" "$reg"); flags=(-max_total_time="$SECONDS_EACH")
  else dirs=("$work" "$SEEDS/$h" "$reg"); flags=(-max_total_time="$SECONDS_EACH"); fi
  [ "$RUNS" -gt 0 ] && flags=(-runs="$RUNS")
  status=ok
  # A small quarantine and short allocation stacks double the rate of the allocation-heavy
  # YAML harnesses; leaks, use-after-free within 16 MB of frees and UB are still caught.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0:quarantine_size_mb=16:malloc_context_size=8 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD/tests/fuzz/fuzz_$h" "${flags[@]}" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -timeout=20 -print_final_stats=1 -artifact_prefix="$art" \
    "$work" "${dirs[@]:1}" > "$log" 2>&1 || status="FAILED (see $log, $art)"
  [ $SMOKE = 1 ] && rm -rf "$work"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)  # crashed: last count
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  units=$(sed -n 's/.*INITED.* corp: \([0-9]*\)\/.*/\1/p; s/.*DONE.* corp: \([0-9]*\)\/.*/\1/p' "$log" | tail -1)
  [ "$status" = ok ] || failed=1
  printf '%-16s %12s %8s %8s  %s\n' "$h" "${runs:-?}" "${secs:-?}" "${units:-?}" "$status"
done
exit $failed
