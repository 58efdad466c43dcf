// nonfinite_bench: the cost of the non-finite check (nn::Network::evaluate, issue 14) on the
// reference networks over the Fashion-MNIST test set, 1 thread: predict() without and with
// the scan of every node's output, interleaved, best of N rounds each, printed side by side
// with their ratio. The check must stay under 2 % of inference time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/idx.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"

using namespace anvil::nn;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(const Network& net, const Dataset& d, int* nonfinite) {
  const auto t0 = Clock::now();
  const std::vector<int> pred = net.predict(d.images.data(), d.size(), 1, nonfinite);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (pred.size() != d.size()) std::abort();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::stoi(argv[1]) : 5;
  const std::string models = ANVIL_SOURCE_DIR "/models/networks";
  const DataSplit data = load_idx_dataset(kFashionMnistDir, "fashion-mnist");
  std::printf("nonfinite_bench: Fashion-MNIST test set (%zu images), 1 thread, best of %d\n",
              data.test.size(), rounds);
  std::printf("%-10s %12s %12s %10s %10s\n", "network", "plain_s", "checked_s", "ratio",
              "overhead");
  for (const std::string name : {"lenet300", "lenet5", "resnet"}) {
    const std::filesystem::path onnx = models + "/" + name + "-fashion-mnist.onnx";
    const Network net = std::filesystem::exists(onnx) ? load_onnx(onnx).fold_batchnorm()
                                                      : build_network(name, {}, 1);
    double plain = 1e30, checked = 1e30;
    int bad = -1;
    for (int r = 0; r < rounds; ++r) {  // interleaved, so drifts in machine load hit both
      plain = std::min(plain, seconds(net, data.test, nullptr));
      checked = std::min(checked, seconds(net, data.test, &bad));
    }
    std::printf("%-10s %12.4f %12.4f %10.4f %9.2f%%%s\n", name.c_str(), plain, checked,
                checked / plain, 100.0 * (checked / plain - 1.0), bad >= 0 ? " (non-finite!)" : "");
    std::fflush(stdout);
  }
  return 0;
}
