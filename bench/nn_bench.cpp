// Inference throughput (images/s) of each reference network on the full Fashion-MNIST test
// set, and training seconds per epoch (measured on a slice, scaled to 60,000 images).
// Usage: nn_bench [models_dir] [train_slice_images]
// Uses the committed ONNX networks when present (accuracy column), else an untrained build
// of the same architecture (speed is the same; accuracy is then shown as "-").
// Then each LeNet-5 convolution over 10k images three ways, side by side: the training
// path's im2col + GEMM, and the inference kernel's generic and AVX2 variants.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "nn/conv_kernel.hpp"
#include "nn/idx.hpp"
#include "nn/layers.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"
#include "nn/train.hpp"

using namespace anvil::nn;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Batches of 50 (as Network::predict) through one conv node; returns seconds.
template <class F>
double time_batches(const Tensor& all, int64_t batch, F&& run) {
  const int64_t n = all.dim(0), per = all.size() / static_cast<size_t>(n);
  Tensor x;
  const auto t0 = Clock::now();
  for (int64_t lo = 0; lo < n; lo += batch) {
    const int64_t cnt = std::min(batch, n - lo);
    x.shape = all.shape;
    x.shape[0] = cnt;
    x.data.assign(all.data.begin() + lo * per, all.data.begin() + (lo + cnt) * per);
    run(x);
  }
  return seconds_since(t0);
}

void conv_kernels(const Dataset& test) {
  Network net = build_network("lenet5", {}, 1);
  std::printf("\nconv kernels, LeNet-5, %zu images, 1 thread (active: %s)\n", test.size(),
              isa_name(active_isa()));
  std::printf("%-6s %10s %10s %10s %12s %12s\n", "layer", "gemm_s", "generic_s", "avx2_s",
              "gemm/generic", "generic/avx2");
  Tensor act;
  act.shape = {static_cast<int64_t>(test.size()), 1, 28, 28};
  act.data = test.images;
  for (const auto& node : net.nodes()) {
    if (node.op == OpType::kConv2d) {
      const auto& w = node.params[0];
      const auto& a = node.attr;
      const int64_t c = act.dim(1), h = act.dim(2), wd = act.dim(3), k = w.shape[2];
      const ConvGeometry g{c,
                           h,
                           wd,
                           w.shape[0],
                           k,
                           k,
                           a.stride[0],
                           a.pads[0],
                           a.pads[1],
                           a.pads[2],
                           a.pads[3],
                           (h + a.pads[0] + a.pads[2] - k) / a.stride[0] + 1,
                           (wd + a.pads[1] + a.pads[3] - k) / a.stride[1] + 1};
      const double gemm = time_batches(act, 50, [&](const Tensor& x) {
        Tensor y;
        NodeCache cache;
        forward_node(node, {&x}, y, true, &cache);
      });
      const Param* b = node.find(ParamRole::kBias);
      const float* bias = b ? b->data.data() : nullptr;
      double direct[2] = {0, 0};
      for (KernelIsa isa : {KernelIsa::kGeneric, KernelIsa::kAvx2}) {
        if (!isa_available(isa)) continue;
        std::vector<float> y(static_cast<size_t>(g.oc * g.oh * g.ow * 50));
        direct[static_cast<int>(isa)] = time_batches(act, 50, [&](const Tensor& x) {
          for (int64_t i = 0; i < x.dim(0); ++i)
            conv2d_direct(g, x.data.data() + i * c * h * wd, w.data.data(), bias,
                          y.data() + i * g.oc * g.oh * g.ow, isa);
        });
      }
      std::printf("%-6s %10.3f %10.3f %10.3f %11.2fx %11.2fx\n", node.name.c_str(), gemm, direct[0],
                  direct[1], gemm / direct[0], direct[1] > 0 ? direct[0] / direct[1] : 0);
    }
    Tensor next;
    forward_node(node, {&act}, next, false, nullptr);
    act = std::move(next);
    if (node.name == "pool2") break;
  }
}

}  // namespace

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
  conv_kernels(data.test);
  return 0;
}
