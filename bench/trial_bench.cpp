// One Monte Carlo trial of the functional model: store + read every LeNet-5 weight through
// the default PCM cell, then full-test-set inference. Prints per-phase seconds and trials/s
// for 1 and 2 threads side by side. Target: under 0.5 s per trial on 2 cores.
//
//   bench/run.sh   or   build/bench/bench/trial_bench [network.onnx] [experiment.yaml]
#include <chrono>
#include <cstdio>
#include <string>

#include "core/allocation.hpp"
#include "core/scheme.hpp"
#include "flow/experiment.hpp"
#include "nn/conv_kernel.hpp"
#include "nn/datasets.hpp"
#include "nn/onnx_io.hpp"

#include "timing.hpp"

using namespace anvil;
using namespace anvil::timing;

namespace {}  // namespace

int main(int argc, char** argv) {
  const std::string src = ANVIL_SOURCE_DIR;
  const std::string net_file =
      argc > 1 ? argv[1] : src + "/models/networks/lenet5-fashion-mnist.onnx";
  const std::string exp_file = argc > 2 ? argv[2] : src + "/configs/default.yaml";
  try {
    const auto cfg = flow::load_experiment(exp_file);
    auto model = flow::prepare_model(nn::load_onnx(net_file));
    const auto data = nn::load_dataset("fashion-mnist");
    const core::Cell cell = flow::experiment_cell(cfg);
    auto views = flow::stored_views(model);
    uint64_t weights = 0;
    for (const auto& v : views) weights += v.data.size();
    std::printf("network %s: %llu stored weights; %zu test images; channel %s, t = %g s\n",
                net_file.c_str(), static_cast<unsigned long long>(weights), data.test.size(),
                cell.channel().kind().c_str(), cell.spec().read_time_s);
    std::printf("conv kernel: %s (ANVIL_ISA=generic selects the portable SSE variant)\n",
                nn::isa_name(nn::active_isa()));
    std::printf("%-20s %7s %9s %9s %9s %9s %10s\n", "scheme", "threads", "cells", "store_s",
                "infer_s", "trial_s", "trials/s");
    for (const char* name : {"naive", "sign+adaptive", "adaptive-r3-median", "split2x4"}) {
      const core::SchemeSpec* spec = nullptr;
      for (const auto& s : cfg.schemes)
        if (s.name == name) spec = &s;
      if (!spec) continue;
      const auto alloc = core::allocate(views, *spec, cell);
      double base = 0;
      for (int threads : {1, 2}) {
        const int reps = 3;
        double store = 0, infer = 0;
        uint64_t cells = 0;
        for (int r = 0; r < reps; ++r) {
          const core::RandomStream noise(cfg.seed, r);
          double t0 = wall_s();
          const auto rec = core::reconstruct(alloc, cell, noise, threads);
          double t1 = wall_s();
          nn::Network net = model.net;
          flow::load_stored(model, net, rec.tensors);
          volatile double acc = net.accuracy(data.test, threads);
          (void)acc;
          double t2 = wall_s();
          store += t1 - t0;
          infer += t2 - t1;
          cells = rec.stats.cells;
        }
        const double trial = (store + infer) / reps;
        if (threads == 1) base = trial;
        std::printf("%-20s %7d %9llu %9.3f %9.3f %9.3f %10.2f", name, threads,
                    static_cast<unsigned long long>(cells), store / reps, infer / reps, trial,
                    1.0 / trial);
        if (threads == 2)
          std::printf("   speed-up x%.2f, %s the 0.5 s target", base / trial,
                      trial < 0.5 ? "meets" : "MISSES");
        std::printf("\n");
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trial_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
