#!/usr/bin/env bash
# The brief's layering, checked on every project include of sw/ and systemc/:
#   base (core/error, core/atomic_file, core/random, core/enum_names) <- core, nn; nn <- compress;
#   core, nn, compress <- flow; flow (+ the injected co-simulation backend) <- cli;
#   core <- systemc, whose flow storage backend is the one file that sees flow.
# Prints every violation as FILE: includes HEADER (LAYER may not) and fails on any.
# --self-test: the check must fail on a tree where nn includes core's storage.
set -euo pipefail
if [ "${1:-}" = --self-test ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/sw/nn" "$tmp/systemc"
  printf '#include "nn/network.hpp"\n#include "core/store.hpp"\n' >"$tmp/sw/nn/bad.cpp"
  printf '#include "core/error.hpp"\n' >"$tmp/systemc/ok.cpp"
  if out=$(bash "$0" "$tmp"); then
    echo "self-test: a violation went unnoticed"
    exit 1
  fi
  grep -q 'sw/nn/bad.cpp: includes core/store.hpp' <<<"$out" || { echo "self-test: $out"; exit 1; }
  echo "self-test: the violation was reported: $out"
  exit 0
fi
ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
BASE='core/(error|atomic_file|random|enum_names)\.hpp'
status=0
check() {  # check DIR ALLOWED-REGEX [FILE-GLOB]
  local dir=$1 allowed=$2 glob=${3:-*} bad
  bad=$(cd "$ROOT" && grep -H '#include "' "$dir"/$glob 2>/dev/null |
        grep -Ev "#include \"(${allowed})\"" || true)
  if [ -n "$bad" ]; then
    sed -E "s/^([^:]+):#include \"([^\"]+)\".*/\1: includes \2 (${dir//\//\\/} may not)/" <<<"$bad"
    status=1
  fi
}
check sw/core 'core/[a-z_]+\.hpp'
check sw/nn "nn/[a-z_]+\.hpp|${BASE}"
check sw/compress "compress/[a-z_]+\.hpp|nn/[a-z_]+\.hpp|${BASE}"
check sw/flow '(flow|core|nn|compress)/[a-z_]+\.hpp'
check sw/cli "(cli|flow)/[a-z_]+\.hpp|${BASE}|systemc/cosim(_backend)?\.hpp"
for f in "$ROOT"/systemc/*.cpp "$ROOT"/systemc/*.hpp; do
  case $(basename "$f") in
    cosim_backend.*) check systemc "(systemc|core)/[a-z_]+\.hpp|flow/storage_backend\.hpp" "$(basename "$f")" ;;
    *) check systemc '((systemc|core)/)?[a-z_]+\.hpp|V[A-Za-z0-9_]+\.h|verilated[a-z_]*\.h|anvil_cosim_variants\.inc' "$(basename "$f")" ;;
  esac
done
[ $status -eq 0 ] && echo "layering: every include of sw/ and systemc/ follows the layers"
exit $status
