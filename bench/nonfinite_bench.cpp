// nonfinite_bench: the cost of the non-finite check (nn::Network::evaluate, issue 14) on the
// reference networks over the Fashion-MNIST test set, 1 thread: predict() without and with
// the scan of every node's output, interleaved, best of N rounds each, printed side by side
// with their ratio. The check must stay under 2 % of inference time. Times are the calling
// thread's CPU time (predict runs single-threaded in it), so other processes on a shared
// machine do not inflate one side; wall time is printed for reference.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/idx.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"

#include "timing.hpp"

using namespace anvil::nn;
using namespace anvil::timing;
using Clock = std::chrono::steady_clock;

namespace {

struct Times {
  double cpu = 1e30, wall = 1e30;  // best over the rounds
};

void time_predict(const Network& net, const Dataset& d, int* nonfinite, Times& best) {
  const double c0 = thread_cpu_s();
  const auto t0 = Clock::now();
  const std::vector<int> pred = net.predict(d.images.data(), d.size(), 1, nonfinite);
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = thread_cpu_s() - c0;
  if (pred.size() != d.size()) std::abort();
  best.cpu = std::min(best.cpu, cpu);
  best.wall = std::min(best.wall, wall);
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::stoi(argv[1]) : 15;
  const std::string models = ANVIL_SOURCE_DIR "/models/networks";
  const DataSplit data = load_idx_dataset(kFashionMnistDir, "fashion-mnist");
  std::printf(
      "nonfinite_bench: Fashion-MNIST test set (%zu images), 1 thread, best of %d (resnet: %d)\n",
      data.test.size(), rounds, std::max(1, rounds / 3));
  std::printf("%-10s %11s %11s %10s %10s %11s %11s\n", "network", "plain_cpu_s", "check_cpu_s",
              "ratio", "overhead", "plain_wall", "check_wall");
  for (const std::string name : {"lenet300", "lenet5", "resnet"}) {
    const std::filesystem::path onnx = models + "/" + name + "-fashion-mnist.onnx";
    const Network net = std::filesystem::exists(onnx) ? load_onnx(onnx).fold_batchnorm()
                                                      : build_network(name, {}, 1);
    Times plain, checked;
    int bad = -1;
    const int n = name == "resnet" ? std::max(1, rounds / 3) : rounds;  // resnet: 14x slower
    for (int r = 0; r < n; ++r) {  // interleaved, so drifts in machine load hit both
      time_predict(net, data.test, nullptr, plain);
      time_predict(net, data.test, &bad, checked);
    }
    std::printf("%-10s %11.4f %11.4f %10.4f %9.2f%% %11.4f %11.4f%s\n", name.c_str(), plain.cpu,
                checked.cpu, checked.cpu / plain.cpu, 100.0 * (checked.cpu / plain.cpu - 1.0),
                plain.wall, checked.wall, bad >= 0 ? " (non-finite!)" : "");
    std::fflush(stdout);
  }
  return 0;
}
