// Same seed, same results, whatever the thread count (BRIEF 3): reconstructed LeNet-5
// weights are bit-identical for 1 and 2 threads, and so is the accuracy they give; a
// different seed gives different draws.
#define BOOST_TEST_MODULE regression_determinism
#include <boost/test/unit_test.hpp>

#include "core/allocation.hpp"
#include "flow/experiment.hpp"
#include "nn/datasets.hpp"
#include "nn/onnx_io.hpp"

using namespace anvil;

namespace {
const std::string kSrc = ANVIL_SOURCE_DIR;
}

BOOST_AUTO_TEST_CASE(thread_count_does_not_change_results) {
  const uint64_t seed = core::seed_from_env("ANVIL_TEST_SEED", 2026);
  const auto cfg = flow::load_experiment(kSrc + "/configs/default.yaml");
  auto model = flow::prepare_model(nn::load_onnx(cfg.network));
  const auto data = nn::load_dataset("fashion-mnist");
  const core::Cell cell = flow::experiment_cell(cfg);
  auto views = flow::stored_views(model);
  int checked = 0;
  for (const auto& s : cfg.schemes) {
    if (s.is_digital) continue;
    if (s.name != "naive" && s.name != "adaptive-r3-median" && s.name != "importance") continue;
    const auto alloc = core::allocate(views, s, cell);
    const core::RandomStream noise(seed, 0);
    const auto r1 = core::reconstruct(alloc, cell, noise, 1);
    const auto r2 = core::reconstruct(alloc, cell, noise, 2);
    BOOST_TEST_REQUIRE(r1.tensors.size() == r2.tensors.size());
    for (size_t t = 0; t < r1.tensors.size(); ++t)
      BOOST_TEST(r1.tensors[t] == r2.tensors[t], s.name << " tensor " << t);
    BOOST_TEST(r1.stats.pulses == r2.stats.pulses);

    nn::Network a = model.net, b = model.net;
    flow::load_stored(model, a, r1.tensors);
    flow::load_stored(model, b, r2.tensors);
    BOOST_TEST(a.accuracy(data.test, 1) == b.accuracy(data.test, 2), s.name);

    const auto other = core::reconstruct(alloc, cell, core::RandomStream(seed + 1, 0), 2);
    size_t differ = 0;
    for (size_t t = 0; t < r1.tensors.size(); ++t)
      for (size_t i = 0; i < r1.tensors[t].size(); ++i)
        differ += r1.tensors[t][i] != other.tensors[t][i];
    BOOST_TEST(differ > 0u, s.name << ": another seed must give other draws");
    ++checked;
  }
  BOOST_TEST(checked == 3);
}
