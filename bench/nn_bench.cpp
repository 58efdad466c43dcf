// Inference throughput (images/s) of each reference network on the full Fashion-MNIST test
// set, and training seconds per epoch (measured on a slice, scaled to 60,000 images).
// Usage: nn_bench [models_dir] [train_slice_images]
// Uses the committed ONNX networks when present (accuracy column), else an untrained build
// of the same architecture (speed is the same; accuracy is then shown as "-").
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "nn/idx.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"
#include "nn/train.hpp"

using namespace anvil::nn;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const std::string models = argc > 1 ? argv[1] : ANVIL_SOURCE_DIR "/models/networks";
  const size_t slice = argc > 2 ? std::stoul(argv[2]) : 6000;
  const DataSplit data = load_idx_dataset(kFashionMnistDir, "fashion-mnist");
  Dataset part = data.train;
  part.labels.resize(slice);
  part.images.resize(slice * part.image_size());

  std::printf("nn_bench: Fashion-MNIST test set (%zu images), training slice %zu images\n",
              data.test.size(), slice);
  std::printf("%-10s %9s %9s %12s %12s %10s %12s\n", "network", "params", "accuracy", "infer_1t/s",
              "infer_2t/s", "10k_2t_s", "train_s/epoch");
  for (const std::string name : {"lenet300", "lenet5", "resnet"}) {
    const std::filesystem::path onnx = models + "/" + name + "-fashion-mnist.onnx";
    const bool trained = std::filesystem::exists(onnx);
    const Network net = trained ? load_onnx(onnx) : build_network(name, {}, 1);
    double ips[2] = {0, 0}, secs2 = 0, acc = 0;
    for (int t = 1; t <= 2; ++t) {
      const auto t0 = Clock::now();
      acc = net.accuracy(data.test, t);
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      ips[t - 1] = static_cast<double>(data.test.size()) / s;
      if (t == 2) secs2 = s;
    }
    Network copy = build_network(name, {}, 1);
    TrainConfig cfg;
    cfg.epochs = 1;
    cfg.batch = name == "resnet" ? 128 : 64;
    const TrainResult r = train(copy, part, Dataset{}, cfg);
    const double epoch_s = r.train_seconds * 60000.0 / static_cast<double>(slice);
    char accs[16] = "-";
    if (trained) std::snprintf(accs, sizeof accs, "%.2f%%", 100 * acc);
    std::printf("%-10s %9zu %9s %12.0f %12.0f %10.3f %12.1f\n", name.c_str(), net.parameter_count(),
                accs, ips[0], ips[1], secs2, epoch_s);
    std::fflush(stdout);
  }
  return 0;
}
