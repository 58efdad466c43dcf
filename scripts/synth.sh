#!/usr/bin/env bash
# Synthesizes the RTL blocks with Yosys (0.23) for a sweep of configurations and writes
# synth/report.csv and synth/report.md: cell counts, flip-flops, and either Yosys' generic
# gates with its CMOS transistor estimate (`stat -tech cmos`) or, given a Liberty file, the
# area after mapping to its cells (then OpenSTA, when installed, times the mapped netlist:
# maximum clock). No Liberty file is shipped or downloaded: --osu takes the OSU 0.18 um
# standard cells of Debian's qflow-tech-osu018 (scripts/setup.sh installs it and opensta) and
# writes synth/osu018/report.{csv,md}.
#
#   scripts/synth.sh [--osu | --liberty FILE] [--out DIR] [--jobs N] [--only REGEX]
#                    [--timeout SECONDS] [--report-only] [--list]
# --timeout bounds Yosys per configuration (default 900; the ml decoders' Liberty mapping needs
# more); --report-only rewrites the report from the logs already in DIR without synthesizing;
# --list prints the sweep as the reports' first columns (config,top,"parameters") and exits.
set -euo pipefail
cd "$(dirname "$0")/.."

LIBERTY=""
OUT=synth
JOBS=2
ONLY="."
TIMEOUT=900
REPORT_ONLY=0
LIST=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --liberty) LIBERTY=$(realpath "$2"); shift 2 ;;
    --osu) LIBERTY=/usr/share/qflow/tech/osu018/osu018_stdcells.lib; OUT=synth/osu018; shift ;;
    --out) OUT="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --report-only) REPORT_ONLY=1; shift ;;
    --list) LIST=1; shift ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "synth.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ $LIST == 1 ]] || command -v yosys >/dev/null || { echo "synth.sh: yosys not found (scripts/setup.sh)" >&2; exit 2; }
if [[ -n "$LIBERTY" && ! -r "$LIBERTY" ]]; then
  echo "synth.sh: cannot read Liberty file '$LIBERTY'" >&2; exit 2
fi

# The sweep: name | top module | sources | parameters (chparam NAME VALUE ...): the rows of
# rtl/codec_configs.txt with use synth_enc / synth_dec (the one list of parameterisations),
# then the SECDED blocks of the digital baselines.
SWEEP=$(awk '/^[a-z]/ {
  n = split($2, use, ",")
  common = "Levels " $3 " Split " $4 " Replicas " $5 " SignCell " $6
  if ($6 == 1) common = common " SignReplicas " $7
  if ($12 != 0) code = " CodeBits " $12; else code = ""
  for (i = 1; i <= n; i++) {
    if (use[i] == "synth_enc")
      enc[ne++] = "enc_" $1 "|weight_encoder|weight_encoder|" common " DacBits " $9 code
    if (use[i] == "synth_dec")
      dec[nd++] = "dec_" $1 "|weight_decoder|weight_decoder|" common " Combine " $8 " AdcBits " $10 \
            " SoftFracBits " $11 code ($13 != 0 ? " LlrBits " $13 : "")
  }
}
END { for (i = 0; i < ne; i++) print enc[i]; for (i = 0; i < nd; i++) print dec[i] }' rtl/codec_configs.txt)
SWEEP+=$'\nsecded_enc|secded_72_64_enc|secded_72_64_enc|\nsecded_dec|secded_72_64_dec|secded_72_64_dec|'
if [[ $LIST == 1 ]]; then
  echo "$SWEEP" | grep -E "^($ONLY)" | awk -F'|' '{printf "%s,%s,\"%s\"\n", $1, $2, $4}'
  exit 0
fi

mkdir -p "$OUT/logs" "$OUT/netlists"
run_one() {
  local name="$1" top="$2" srcs="$3" params="$4"
  local files="" chp=""
  for s in $srcs; do files+=" rtl/$s.sv"; done
  if [[ -n "$params" ]]; then
    set -- $params
    while [[ $# -gt 0 ]]; do chp+=" -set $1 $2"; shift 2; done
    chp="chparam$chp $top;"
  fi
  local map="stat -tech cmos"
  if [[ -n "$LIBERTY" ]]; then
    map="dfflibmap -liberty $LIBERTY; abc -liberty $LIBERTY; opt_clean; stat -liberty $LIBERTY;"
    map+=" write_verilog -noattr $OUT/netlists/$name.v"
  fi
  if ! timeout "$TIMEOUT" yosys -p "read_verilog -sv -Irtl$files; $chp hierarchy -check -top $top; \
       synth -flatten -top $top; $map" > "$OUT/logs/$name.log" 2>&1; then
    echo "synth.sh: $name failed, see $OUT/logs/$name.log" >&2
    return 1
  fi
  if [[ -n "$LIBERTY" ]] && command -v sta >/dev/null; then sta_one "$name" "$top"; fi
  echo "synth.sh: $name done" >&2
}

# OpenSTA on the mapped netlist: a clock on clk_i (or a virtual one for combinational tops),
# inputs and outputs at 0 delay against it, no wire load: the worst path at a 100 ns period
# gives the minimum period, 100 - slack.
sta_one() {
  local name="$1" top="$2" clk="create_clock -name vclk -period 100"
  grep -qE "input +clk_i" "$OUT/netlists/$name.v" && clk="create_clock -name vclk -period 100 [get_ports clk_i]"
  cat > "$OUT/logs/$name.sta.tcl" <<TCL
read_liberty $LIBERTY
read_verilog $OUT/netlists/$name.v
link_design $top
$clk
set_input_delay 0 -clock vclk [delete_from_list [all_inputs] [get_ports -quiet clk_i]]
set_output_delay 0 -clock vclk [all_outputs]
report_checks -path_delay max -digits 3
TCL
  timeout 600 sta -no_splash -exit "$OUT/logs/$name.sta.tcl" > "$OUT/logs/$name.sta.log" 2>&1 || true
}
export -f sta_one
export -f run_one
export OUT LIBERTY TIMEOUT

run_line() { IFS='|' read -r n t s p <<< "$1"; run_one "$n" "$t" "$s" "$p"; }
export -f run_line
# A failed configuration (see its log) leaves its row empty; the report is still written and
# the script then exits non-zero.
failed=0
if [[ $REPORT_ONLY == 0 ]]; then
  echo "$SWEEP" | grep -E "^($ONLY)" | tr '\n' '\0' | xargs -0 -P "$JOBS" -n1 bash -c 'run_line "$1"' _ ||
    failed=1
fi

# Report: the last `stat` block of each log.
CSV="$OUT/report.csv"
MD="$OUT/report.md"
if [[ -n "$LIBERTY" ]]; then
  echo "config,top,parameters,cells,flip_flops,area_um2,min_period_ns,max_clock_mhz" > "$CSV.tmp"
  {
    echo "| config | top | parameters | cells | flip-flops | area um^2 | critical path ns | max clock MHz |"
    echo "|---|---|---|---:|---:|---:|---:|---:|"
  } > "$MD.tmp"
else
  echo "config,top,parameters,cells,flip_flops,transistors_cmos,area" > "$CSV.tmp"
  {
    echo "| config | top | parameters | cells | flip-flops | CMOS transistors (est.) | area |"
    echo "|---|---|---|---:|---:|---:|---:|"
  } > "$MD.tmp"
fi
while IFS='|' read -r name top srcs params; do
  [[ "$name" =~ ^($ONLY) ]] || continue
  log="$OUT/logs/$name.log"
  [[ -f "$log" ]] || continue
  # The final statistics block starts at the last "Printing statistics." line.
  start=$( (grep -n "Printing statistics" "$log" || true) | tail -1 | cut -d: -f1)
  stat=$(tail -n +"${start:-1}" "$log")
  cells=$( (grep -m1 -E "Number of cells:" <<< "$stat" || true) | awk '{print $NF}')
  ffs=$( (grep -E '^\s+\S*(DFF|dff|LATCH)\S*\s+[0-9]+' <<< "$stat" || true) | awk '{s+=$NF} END {print s+0}')
  tr=$( (grep -m1 "Estimated number of transistors" <<< "$stat" || true) | awk '{print $NF}' | tr -d '+')
  area=$( (grep -m1 "Chip area" <<< "$stat" || true) | awk '{print $NF}')
  if [[ -n "$LIBERTY" ]]; then
    slack=$( (grep -E "slack \((MET|VIOLATED)\)" "$OUT/logs/$name.sta.log" 2>/dev/null || true) | head -1 | awk '{print $1}')
    period="" mhz=""
    if [[ -n "$slack" ]]; then
      period=$(awk -v s="$slack" 'BEGIN {printf "%.3f", 100 - s}')
      mhz=$(awk -v p="$period" 'BEGIN {printf "%.1f", 1000 / p}')
    fi
    echo "$name,$top,\"$params\",${cells:-},${ffs:-},${area:-},${period:-},${mhz:-}" >> "$CSV.tmp"
    echo "| $name | $top | $params | ${cells:-} | ${ffs:-} | ${area:--} | ${period:--} | ${mhz:--} |" >> "$MD.tmp"
    continue
  fi
  echo "$name,$top,\"$params\",${cells:-},${ffs:-},${tr:-},${area:-}" >> "$CSV.tmp"
  echo "| $name | $top | $params | ${cells:-} | ${ffs:-} | ${tr:--} | ${area:--} |" >> "$MD.tmp"
done <<< "$SWEEP"
{
  echo
  if [[ -n "$LIBERTY" ]]; then
    echo "Mapped to $(basename "$LIBERTY") (Yosys dfflibmap + abc -liberty); area in the library's"
    echo "units (um^2 for OSU 0.18 um). Timing: OpenSTA on the mapped netlist, typical corner, no"
    echo "wire load, inputs and outputs at 0 delay against the clock: max clock = 1 / critical path."
  else
    echo "Yosys 0.23 generic gates (\`synth -flatten\`); transistor count from \`stat -tech cmos\`"
    echo "(an estimate of the combinational gates only: Yosys has no CMOS model for flip-flops;"
    echo "no Liberty file given). Flip-flops include the table registers (level_dac/sign_dac;"
    echo "adc_digit or adc_soft and adc_sign: 2^AdcBits entries each, one read port per cell)."
  fi
} >> "$MD.tmp"
mv "$CSV.tmp" "$CSV"
mv "$MD.tmp" "$MD"
cat "$MD"
exit "$failed"
