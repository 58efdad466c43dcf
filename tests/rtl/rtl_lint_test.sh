#!/usr/bin/env bash
# verilator --lint-only -Wall on every RTL block, with default and non-default parameters:
# zero warnings (Verilator exits non-zero on any warning with -Wall).
#   rtl_lint_test.sh <source dir>
set -euo pipefail
RTL=$1/rtl
n=0
lint() {
  verilator --lint-only -Wall "$@" || { echo "FAIL: verilator --lint-only -Wall $*" >&2; exit 1; }
  n=$((n + 1))
}
# Each block alone, as a user's tool would see it: its package comes in by `include.
ENC="-I$RTL $RTL/weight_encoder.sv"
DEC="-I$RTL $RTL/weight_decoder.sv"
for g in "" "-GLevels=2" "-GLevels=3 -GSplit=2 -GReplicas=3 -GSignCell=1 -GSignReplicas=3" \
         "-GLevels=5 -GReplicas=2 -GDacBits=3" "-GLevels=7 -GSplit=3 -GSignCell=1 -GCodeBits=12" \
         "-GLevels=256 -GSplit=2 -GReplicas=4 -GSignCell=1 -GSignReplicas=2 -GDacBits=16"; do
  lint $g $ENC
done
for g in "" "-GCombine=0" "-GLevels=2 -GAdcBits=1 -GSoftFracBits=1 -GCombine=0" \
         "-GLevels=3 -GSplit=2 -GReplicas=2 -GSignCell=1 -GSignReplicas=2" \
         "-GLevels=6 -GSplit=2 -GReplicas=3 -GSignCell=1 -GSignReplicas=3 -GCombine=0 -GAdcBits=5" \
         "-GLevels=16 -GReplicas=5 -GCombine=1 -GCodeBits=16" \
         "-GLevels=256 -GSplit=2 -GReplicas=4 -GCombine=0 -GAdcBits=10 -GSoftFracBits=16" \
         "-GCombine=2" "-GLevels=2 -GAdcBits=1 -GCombine=2" \
         "-GLevels=5 -GSplit=2 -GReplicas=3 -GSignCell=1 -GSignReplicas=3 -GCombine=2 -GLlrBits=12" \
         "-GLevels=8 -GReplicas=2 -GCombine=2 -GLlrBits=32 -GAdcBits=8"; do
  lint $g $DEC
done
lint "-I$RTL" "$RTL/secded_72_64_enc.sv"
lint "-I$RTL" "$RTL/secded_72_64_dec.sv"
echo "rtl_lint_test: $n lint runs, zero warnings"
