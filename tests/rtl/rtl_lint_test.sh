#!/usr/bin/env bash
# verilator --lint-only -Wall on every RTL block: with the module defaults, and both codec blocks
# with every row of rtl/codec_configs.txt (the one list of parameterisations): zero warnings
# (Verilator exits non-zero on any warning with -Wall).
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
lint $ENC
lint $DEC
while read -r name _uses lv sp rp sc sr cb dac adc soft code llr; do
  common="-GLevels=$lv -GSplit=$sp -GReplicas=$rp -GSignCell=$sc -GSignReplicas=$sr"
  [[ $code != 0 ]] && common+=" -GCodeBits=$code"
  dec="-GCombine=$cb -GAdcBits=$adc -GSoftFracBits=$soft"
  [[ $llr != 0 ]] && dec+=" -GLlrBits=$llr"
  lint $common -GDacBits=$dac $ENC
  lint $common $dec $DEC
done < <(grep -E '^[a-z]' "$RTL/codec_configs.txt")
lint "-I$RTL" "$RTL/secded_72_64_enc.sv"
lint "-I$RTL" "$RTL/secded_72_64_dec.sv"
echo "rtl_lint_test: $n lint runs over rtl/codec_configs.txt, zero warnings"
