#!/usr/bin/env bash
# CI check of the committed generated artifacts (issue 9): regenerates what is quick to make
# into a temporary folder and fails on any difference from the committed files, naming the
# file and the command that regenerates it.
#   synth/report.{csv,md}         Yosys generic gates: every configuration is synthesized again
#                                 (scripts/synth.sh) and both files must match byte for byte.
#   synth/osu018/report.{csv,md}  OSU 0.18 um mapping: not regenerated (ABC Liberty mapping of
#                                 each ml decoder takes ~8 min); its configuration list (name,
#                                 top, parameters) must be the one rtl/codec_configs.txt gives.
# The co-simulation, bench and lint lists are generated into the build tree from
# rtl/codec_configs.txt at configure time, so nothing committed can drift from them.
#
#   scripts/check_generated.sh [--jobs N]
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=2
[[ "${1:-}" == --jobs ]] && JOBS=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
stale() {  # stale FILE HOW: report a committed file that no longer matches its generator
  echo "check_generated: $1 differs from what its generator writes now; regenerate it with" \
    "'$2' and commit the result" >&2
  status=1
}

# The configuration list: name,top,"parameters" of every row synth.sh sweeps.
bash scripts/synth.sh --list > "$tmp/list.csv"

# Generic gates: synthesize everything again.
if ! bash scripts/synth.sh --out "$tmp/generic" --jobs "$JOBS" > "$tmp/generic.log" 2>&1; then
  cat "$tmp/generic.log" >&2
  echo "check_generated: scripts/synth.sh failed (log above)" >&2
  exit 1
fi
for f in report.csv report.md; do
  if ! diff -u --label "synth/$f" --label "scripts/synth.sh now" "synth/$f" "$tmp/generic/$f" >&2
  then
    stale "synth/$f" "scripts/synth.sh"
  fi
done

# OSU 0.18 um: the committed rows must be the configurations of rtl/codec_configs.txt.
osu=synth/osu018/report.csv
if ! diff -u --label "rtl/codec_configs.txt (expected)" --label "$osu" "$tmp/list.csv" \
  <(tail -n +2 "$osu" | cut -d, -f1-3) >&2; then
  stale "$osu" "scripts/synth.sh --osu (the ml decoders: --only dec_l8 --timeout 5400)"
fi
osu_md=synth/osu018/report.md
if ! diff -u --label "rtl/codec_configs.txt (expected)" --label "$osu_md" \
  <(cut -d, -f1 "$tmp/list.csv") \
  <(grep -E '^\| [a-z]' "$osu_md" | tail -n +2 | awk -F' [|] ' '{print substr($1, 3)}') >&2; then
  stale "$osu_md" "scripts/synth.sh --osu (the ml decoders: --only dec_l8 --timeout 5400)"
fi

[[ $status == 0 ]] && echo "check_generated: synth/report.* regenerated identically;" \
  "synth/osu018/report.* list the configurations of rtl/codec_configs.txt"
exit $status
