// fuzz_seeds DIR: writes small valid inputs for the harnesses whose repository files are too
// large to fuzz quickly (ONNX networks, IDX data sets) or absent (CIFAR batches), each in
// DIR/<harness>/, with anvil's own writers. scripts/fuzz.sh adds the repository's YAML and
// CSV files.
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nn/cifar.hpp"
#include "nn/idx.hpp"
#include "nn/network.hpp"
#include "nn/onnx_io.hpp"

namespace fs = std::filesystem;
using namespace anvil::nn;

namespace {

void write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary).write(bytes.data(), bytes.size());
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

Param param(const std::string& name, ParamRole role, std::vector<int64_t> shape) {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 0.25f * static_cast<float>(i % 7) - 0.5f;
  return {name, role, std::move(shape), std::move(v)};
}

// Conv -> BatchNorm -> ReLU -> MaxPool, a residual Add, GlobalAveragePool, Flatten, Linear:
// every op the importer knows, on a 1x6x6 input, a few hundred bytes of weights.
Network tiny_network() {
  Attributes pad;
  pad.pads = {1, 1, 1, 1};
  Network net("input", 1, 6, 6);
  Node conv{"conv1",
            OpType::kConv2d,
            {"input"},
            "c1",
            pad,
            {param("conv1.weight", ParamRole::kWeight, {2, 1, 3, 3}),
             param("conv1.bias", ParamRole::kBias, {2})}};
  net.add(conv);
  net.add({"bn1",
           OpType::kBatchNorm,
           {"c1"},
           "b1",
           {},
           {param("bn1.weight", ParamRole::kBnScale, {2}),
            param("bn1.bias", ParamRole::kBnBias, {2}),
            param("bn1.running_mean", ParamRole::kBnMean, {2}),
            {"bn1.running_var", ParamRole::kBnVar, {2}, {1.0f, 2.0f}}}});
  net.add({"relu1", OpType::kReLU, {"b1"}, "r1", {}, {}});
  net.add({"add1", OpType::kAdd, {"r1", "c1"}, "a1", {}, {}});
  Attributes pool;
  pool.kernel = {2, 2};
  pool.stride = {2, 2};
  net.add({"pool1", OpType::kMaxPool2d, {"a1"}, "p1", pool, {}});
  net.add({"apool", OpType::kAvgPool2d, {"p1"}, "ap", {}, {}});
  net.add({"gap", OpType::kGlobalAveragePool, {"ap"}, "g", {}, {}});
  net.add({"flat", OpType::kFlatten, {"g"}, "f", {}, {}});
  net.add(
      {"fc",
       OpType::kLinear,
       {"f"},
       "logits",
       {},
       {param("fc.weight", ParamRole::kWeight, {3, 2}), param("fc.bias", ParamRole::kBias, {3})}});
  net.add({"softmax", OpType::kSoftmax, {"logits"}, "prob", {}, {}});
  return net;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds DIR\n");
    return 2;
  }
  const fs::path dir = argv[1];
  write(dir / "onnx" / "tiny.onnx", onnx_bytes(tiny_network()));

  std::vector<uint8_t> pixels(3 * 4 * 4), labels = {0, 7, 9};
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 13);
  fs::create_directories(dir / "idx");
  write_idx((dir / "idx" / "images.idx").string(), {3, 4, 4}, pixels);
  write_idx((dir / "idx" / "labels.idx").string(), {3}, labels);
  for (const char* f : {"images.idx", "labels.idx"}) {  // raw IDX is the gzip harness's seed
    write(dir / "idx_gz" / f, slurp(dir / "idx" / f));
    const std::string raw = slurp(dir / "idx" / f);
    const std::string gz_path = (dir / "idx" / (std::string(f) + ".gz")).string();
    gzFile g = gzopen(gz_path.c_str(), "wb");
    gzwrite(g, raw.data(), static_cast<unsigned>(raw.size()));
    gzclose(g);
  }

  std::string batch;
  for (int r = 0; r < 2; ++r) {
    batch.push_back(static_cast<char>(r * 3));
    for (size_t i = 0; i < kCifarPixels; ++i) batch.push_back(static_cast<char>((i + r) % 251));
  }
  write(dir / "cifar" / "batch.bin", batch);
  return 0;
}
