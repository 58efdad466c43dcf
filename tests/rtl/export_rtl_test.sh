#!/usr/bin/env bash
# anvil export-rtl end to end (from a codec YAML and from a scheme of an experiment file):
# the exported set lints clean (Verilator -Wall) and synthesizes
# with Yosys on its own; bad configurations are rejected with one line naming the file and the
# field, a non-zero exit, and nothing written.
#   export_rtl_test.sh <anvil binary> <source dir> <work dir>
set -euo pipefail
ANVIL=$1
SRC=$2
WORK=$3
CODEC=$SRC/tests/rtl/data/codec_l4k2r3_s3_mean.yaml
rm -rf "$WORK"
mkdir -p "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ANVIL" export-rtl --codec "$CODEC" --out "$WORK/ok" --name test_codec
for f in rtl/weight_encoder.sv rtl/weight_decoder.sv rtl/weight_codec_pkg.svh \
         rtl/test_codec_cfg_pkg.svh rtl/test_codec_encoder.sv rtl/test_codec_decoder.sv \
         hex/level_dac.hex hex/sign_dac.hex hex/adc_soft.hex hex/adc_sign.hex filelist.f \
         synth.ys lint.sh README.md; do
  [[ -s "$WORK/ok/$f" ]] || fail "missing $f"
done
# The exported blocks are the repository's, byte for byte.
for f in weight_codec_pkg.svh weight_encoder.sv weight_decoder.sv secded_72_64_pkg.svh \
         secded_72_64_enc.sv secded_72_64_dec.sv; do
  cmp "$SRC/rtl/$f" "$WORK/ok/rtl/$f" || fail "rtl/$f differs from the repository"
done
[[ "$(tr '\n' ' ' < "$WORK/ok/hex/level_dac.hex")" == "0 5 a f " ]] || fail "level_dac.hex"
[[ "$(tr '\n' ' ' < "$WORK/ok/hex/adc_soft.hex")" == "00 07 0e 16 1d 24 2b 30 " ]] ||
  fail "adc_soft.hex"
grep -q "localparam int unsigned Replicas = 3;" "$WORK/ok/rtl/test_codec_cfg_pkg.svh" ||
  fail "cfg package"

(cd "$WORK/ok" && sh lint.sh) || fail "exported RTL does not lint clean"
(cd "$WORK/ok" && yosys -q -s synth.ys) || fail "exported RTL does not synthesize"
for top in test_codec_encoder test_codec_decoder; do
  grep -q "Number of cells" "$WORK/ok/reports/${top}_stat.txt" || fail "no Yosys report for $top"
done
echo "export-rtl: lint clean, synthesized:"
grep -h -m1 "Number of cells" "$WORK/ok/reports/"*_stat.txt

# Bad configurations: one line on stderr naming the field, exit != 0, nothing written.
reject() {
  local what="$1" field="$2" sedexpr="$3"
  sed -E "$sedexpr" "$CODEC" > "$WORK/bad.yaml"
  if "$ANVIL" export-rtl --codec "$WORK/bad.yaml" --out "$WORK/bad" 2> "$WORK/err.txt"; then
    fail "$what accepted"
  fi
  [[ $(wc -l < "$WORK/err.txt") -eq 1 ]] || fail "$what: error is not one line: $(cat "$WORK/err.txt")"
  grep -q "$field" "$WORK/err.txt" || fail "$what: error does not name $field: $(cat "$WORK/err.txt")"
  [[ ! -e "$WORK/bad" ]] || fail "$what: files written"
  echo "rejected ($what): $(cat "$WORK/err.txt")"
}
reject "zero replicas" replicas 's/^replicas: 3/replicas: 0/'
reject "table too short for the ADC" "adc_[a-z]*: needs 2^adc_bits" 's/^adc_bits: 3/adc_bits: 4/'
reject "ADC width out of range" adc_bits 's/^adc_bits: 3/adc_bits: 17/'
reject "levels above the DAC codes" levels 's/^dac_bits: 4/dac_bits: 1/'
reject "unknown key" colour 's/^split: 2/split: 2\ncolour: red/'
reject "log-likelihoods missing for ml" adc_llr 's/^combine: mean/combine: ml/'
reject "not a number" levels 's/^levels: 4/levels: four/'
# From schemes of an experiment (the embedded default config): lint and synthesize too,
# median replicas and ml-combined replicas (log-likelihood table in hex/adc_llr.hex).
"$ANVIL" export-rtl --experiment "$SRC/configs/default.yaml" --scheme adaptive-r3-median \
  --out "$WORK/exp" --name exp_codec
(cd "$WORK/exp" && sh lint.sh && yosys -q -s synth.ys) || fail "experiment export"
grep -q "localparam int unsigned Replicas = 3;" "$WORK/exp/rtl/exp_codec_cfg_pkg.svh" ||
  fail "experiment export: cfg package"
"$ANVIL" export-rtl --experiment "$SRC/configs/default.yaml" --scheme adaptive-r2-ml \
  --out "$WORK/exp_ml" --name ml_codec
(cd "$WORK/exp_ml" && sh lint.sh && yosys -q -s synth.ys) || fail "ml scheme export"
grep -q "localparam int unsigned Combine = 2;" "$WORK/exp_ml/rtl/ml_codec_cfg_pkg.svh" ||
  fail "ml scheme export: cfg package"
[[ $(wc -l < "$WORK/exp_ml/hex/adc_llr.hex") -eq $((64 * 8)) ]] || fail "ml scheme: adc_llr.hex"
echo "export_rtl_test: PASS"
