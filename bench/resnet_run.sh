#!/usr/bin/env bash
# A whole `anvil run` at ImageNet scale: ResNet-50 (or ResNet-18) in ImageNet geometry,
# anvil's own ONNX export of the built-in network (torchvision layout, seeded weights,
# BatchNorms as PyTorch exports them), over a generated ImageNet-style folder of JPEGs
# (`dataset: imagenet`, streamed), the default PCM cell read after one day, one analog scheme
# of each kind plus the fp32 baseline. Prints wall time and peak memory (/usr/bin/time -v):
# issue 13's whole-run memory targets (1 GB ResNet-18, 2 GB ResNet-50).
#
# usage: bench/resnet_run.sh [BUILD_DIR] [IMAGES] [ARCH]     (defaults: build/ci 64 resnet50)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/ci}
IMAGES=${2:-64}
ARCH=${3:-resnet50}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BUILD/bench/resnet_bench" --jpegs "$WORK/val" "$IMAGES"
"$BUILD/bench/resnet_bench" "$ARCH" --export-onnx "$WORK/net.onnx"
cat >"$WORK/run.yaml" <<EOF
experiment:
  name: $ARCH-imagenet-pcm
  network: net.onnx
  dataset: imagenet
  data_dir: val
  device: $PWD/models/devices/pcm.yaml
  read_time_s: 86400
  trials: 2
  seed: 2026
  threads: 2
schemes:
  - {name: naive, levels: 64, decode: naive, mapping: {granularity: per_tensor, clip_quantile: 1.0}}
  - {name: adaptive-r3-median, levels: 8, replicas: 3, combine: median, levels_from: select,
     decode: ml, mapping: {granularity: per_channel, clip_quantile: 0.999}}
  - {name: fp32, digital: {format: fp32, cell: slc, ecc: secded}}
EOF
/usr/bin/time -v "$BUILD/sw/anvil" run "$WORK/run.yaml" --out "$WORK/out" \
  2>"$WORK/time.txt" | tail -8
grep -E "Elapsed|Maximum resident|User time|System time" "$WORK/time.txt"
echo "uptime: $(uptime)"
